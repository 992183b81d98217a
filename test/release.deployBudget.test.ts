import { expect } from "chai";
import { readFileSync } from "fs";
import { join } from "path";
import YAML from "yaml";
import { MIN_PULUMI_VERSION } from "../cli/pulumiCli";
import { deployBudget, GITHUB_JOB_LIMIT_MINUTES } from "../release/deployBudget";

describe("the deploy job's budget", () => {
    it("outlasts every wait the stack allows, and the AWS session outlasts the job", () => {
        const b = deployBudget({ snapshotTimeoutMinutes: 30, migrationTimeoutMinutes: 30, rolloutTimeoutMinutes: 30 });
        expect(b).to.deep.equal({ waitMinutes: 90, jobMinutes: 110, roleSeconds: 7200 });
        const longer = deployBudget({ snapshotTimeoutMinutes: 60, migrationTimeoutMinutes: 15, rolloutTimeoutMinutes: 45 });
        expect(longer.jobMinutes).to.equal(140);
        expect(longer.roleSeconds).to.equal(150 * 60);
    });

    it("says when the stack's timeouts cannot fit a GitHub job", () => {
        const b = deployBudget({ snapshotTimeoutMinutes: 300, migrationTimeoutMinutes: 30, rolloutTimeoutMinutes: 30 });
        expect(b.jobMinutes).to.be.above(GITHUB_JOB_LIMIT_MINUTES);
        expect(b.problem).to.match(
            /^the job would need 380 minutes, more than GitHub's 360-minute limit for a job .*lower those timeouts$/,
        );
    });
});

describe("what a first real pulumi up needs", () => {
    const ROOT = join(__dirname, "..");

    it("Pulumi.yaml refuses a Pulumi CLI older than the hooks need", () => {
        const project = YAML.parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as { requiredPulumiVersion?: string };
        expect(project.requiredPulumiVersion).to.equal(`>=${MIN_PULUMI_VERSION}`);
    });

    it("npm refuses an old Node.js (.nvmrc, engine-strict) instead of failing later", () => {
        const engines = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
        expect(engines).to.equal(">=22.12.0");
        expect(readFileSync(join(ROOT, ".nvmrc"), "utf8").trim()).to.equal("22.12");
        expect(readFileSync(join(ROOT, ".npmrc"), "utf8").split("\n")).to.include("engine-strict=true");
    });
});
