/** The policy pack (policies/policies.ts): the explicit list of rules and the CrossGuard package. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { policyNames } from "../../policies/evaluate";
import { policies } from "../../policies/policies";
import { ROOT, passingStack, run } from "./support";

describe("policies: the drydock policy pack", () => {
    it("lists every rule explicitly, with stable kebab-case names, a description and remediation steps", () => {
        expect(policyNames).to.deep.equal([
            "production-images-pinned",
            "non-production-images-pinned",
            "zero-downtime-rolling-updates",
            "progressive-deployment-safeguards",
            "migrations-after-snapshot",
            "load-balancer-health-checks",
            "aurora-maintenance-and-backups",
            "network-exposure",
            "security-group-rules-exposure",
            "http-redirects-to-https",
            "iam-least-privilege",
        ]);
        for (const p of policies) {
            expect(p.name, p.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.description, p.name).to.have.length.greaterThan(20);
            expect(p.remediationSteps, p.name).to.have.length.greaterThan(20);
        }
    });

    it("is a nodejs CrossGuard pack whose package has the version PolicyPack requires", () => {
        const manifest = YAML.parse(fs.readFileSync(path.join(ROOT, "policies/PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
        expect(manifest.runtime).to.equal("nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policies/package.json"), "utf8")) as Record<string, unknown>;
        expect(pkg).to.include({ name: "drydock-policies", private: true });
        expect(pkg.version).to.match(/^\d+\.\d+\.\d+/);
        expect(Object.keys(pkg.dependencies as object)).to.include.members(["@pulumi/policy", "@pulumi/pulumi"]);
    });

    it("passes a well-configured production stack and staging stack without any violation", () => {
        expect(run(passingStack("production"))).to.deep.equal([]);
        expect(run(passingStack("staging"))).to.deep.equal([]);
    });
});
