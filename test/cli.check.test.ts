import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../cli/main";
import { check, ROOT } from "./support/checkCommand";

interface Report {
    stack: string;
    ok: boolean;
    resources: { type: string; name: string; urn: string; inputs: Record<string, unknown>; hooks: Record<string, string[]> }[];
    violations: { policy: string; enforcementLevel: string; urn?: string; message: string }[];
    rollout: { service: string; seconds: number; terms: { name: string; seconds: number }[] }[];
    release: { paused: boolean; windowOpen: boolean; nextWindowStart: string | null };
    warnings: string[];
}

describe("drydock check: the offline plan", () => {
    for (const stack of ["staging", "production"]) {
        it(`passes the committed ${stack} stack with a complete JSON report`, async () => {
            const r = await check(["--stack", stack, "--json"]);
            expect(r.stderr).to.equal("");
            expect(r.code).to.equal(0);
            const report = JSON.parse(r.stdout) as Report;
            expect(report.stack).to.equal(stack);
            expect(report.ok).to.equal(true);
            expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).to.deep.equal([]);
            for (const res of report.resources) {
                expect(res).to.include.all.keys("type", "name", "urn", "inputs", "hooks");
                expect(Object.keys(res).filter((k) => !["type", "name", "urn", "inputs", "hooks", "aliases"].includes(k))).to.deep.equal(
                    [],
                );
                expect(res.urn).to.match(new RegExp(`^urn:pulumi:${stack}::drydock::`));
                for (const alias of (res as { aliases?: string[] }).aliases ?? [])
                    expect(alias).to.match(new RegExp(`^urn:pulumi:${stack}::drydock::`));
            }
            // The route's resources moved under their own component; their old URNs travel with them as aliases.
            const tg = report.resources.find((x) => x.name === "backend-tg") as { urn: string; aliases?: string[] };
            expect(tg.aliases).to.include(
                `urn:pulumi:${stack}::drydock::drydock:components:AppService$aws:lb/targetGroup:TargetGroup::backend-tg`,
            );
            const backend = report.resources.find((x) => x.type === "aws:ecs/service:Service" && x.inputs.name === "backend-service");
            expect(backend?.hooks).to.deep.equal({
                beforeCreate: ["release-gate"],
                beforeUpdate: ["release-gate", "pre-update-snapshot"],
                afterCreate: ["verify-rollout"],
                afterUpdate: ["verify-rollout"],
            });
            const db = report.resources.find((x) => x.type === "aws:rds/cluster:Cluster");
            expect(db?.hooks).to.deep.equal({ beforeUpdate: ["pre-update-snapshot"] });
            expect(report.rollout.map((x) => x.service)).to.have.members(["backend-service", "frontend-service"]);
            for (const estimate of report.rollout) {
                expect(estimate.seconds).to.equal(estimate.terms.reduce((sum, t) => sum + t.seconds, 0));
                expect(estimate.seconds).to.be.greaterThan(0);
            }
        });
    }

    it("fails production pinned to latest with exit 1, naming the rule and the fix", async () => {
        const r = await check(["--stack", "production", "--set", "backendVersion=latest"]);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.include("[mandatory] production-images-pinned");
        expect(r.stdout).to.include("pulumi config set backendVersion");
        expect(r.stdout).to.include("Result: FAILED, 1 mandatory policy violation: production-images-pinned.");
        const json = JSON.parse((await check(["--stack", "production", "--set", "drydock:frontendVersion=v1", "--json"])).stdout) as Report;
        expect(json.ok).to.equal(false);
        const v = json.violations.find((x) => x.policy === "production-images-pinned")!;
        expect(v.enforcementLevel).to.equal("mandatory");
        expect(v.message).to.include('"v1"');
    });

    it("only advises about latest in staging (exit 0)", async () => {
        const r = await check(["--stack", "staging", "--json"]);
        const report = JSON.parse(r.stdout) as Report;
        expect(r.code).to.equal(0);
        const advisory = report.violations.filter((v) => v.enforcementLevel === "advisory");
        expect(advisory.map((v) => v.policy)).to.include("non-production-images-pinned");
        expect(report.ok).to.equal(true);
    });

    it("prints a readable report: resources by type, hooks, violations, rollout estimates", async () => {
        const r = await check(["--stack", "production"]);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.match(/aws:ecs\/service:Service\s+2\s+/);
        expect(r.stdout).to.match(/backend-service\s+aws:ecs\/service:Service\s+.*release-gate → pre-update-snapshot/);
        expect(r.stdout).to.include("Policy violations: 0 mandatory");
        expect(r.stdout).to.match(/backend-service\s+rolling\s+~\d+m \d\ds\s+~\d+m \d\ds/); // rollout, then rollback
        expect(r.stdout).to.include("window open now");
        // Warnings go to stderr, as in every command; the report on stdout stays the report.
        expect(r.stderr).to.include("drydock: warning: no certificateArn");
        expect(r.stdout).to.not.include("warning:");
    });

    it("takes overrides as pulumi config set stores them, lists as JSON", async () => {
        const r = await check([
            "--stack",
            "staging",
            "--set",
            'releaseWindows=["sat:22:00-sun:02:00"]',
            "--set",
            "updatesPaused=true",
            "--json",
        ]);
        expect(r.code).to.equal(0);
        const report = JSON.parse(r.stdout) as Report;
        expect(report.release).to.deep.include({ paused: true, windowOpen: false, nextWindowStart: "2026-11-28T22:00:00Z" });
    });

    it("reports bad config with exit 2, naming the key and the accepted forms, and synthesizes nothing", async () => {
        const r = await check(["--stack", "production", "--set", "backendVersion=v1..2", "--set", "backupWindow=05:30-06:30"]);
        expect(r.code).to.equal(2);
        expect(r.stdout).to.equal("");
        expect(r.stderr.trim().split("\n")).to.have.length(1); // one line, like every drydock error
        expect(r.stderr).to.match(/^drydock: --set backendVersion=v1\.\.2, --set backupWindow=05:30-06:30: it looks like a version/);
        expect(r.stderr).to.include("Accepted forms");
        expect(r.stderr).to.include("(fix the value given with --set)");
        expect(r.stderr).to.not.include("Pulumi.production.yaml");
    });

    it("blames --set for a bad --set value and the stack file for its own typo", async () => {
        const set = await check(["--stack", "production", "--set", "backendVersion=v1..2"]);
        expect(set.code).to.equal(2);
        expect(set.stderr).to.match(
            /^drydock: --set backendVersion=v1\.\.2: it looks like a version but is none of the accepted forms.*\(fix the value given with --set\)\n$/,
        );
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drydock-check-"));
        const committed = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");
        fs.writeFileSync(
            path.join(dir, "Pulumi.production.yaml"),
            committed.replace(/drydock:dbMaxCapacity: \d+/, "drydock:dbMaxCapacity: lots"),
        );
        let stderr = "";
        const code = await run(["node", "drydock", "check", "--stack", "production", "--set", "frontendVersion=v1.3.1"], {
            cwd: dir,
            stdout: () => undefined,
            stderr: (t) => void (stderr += t),
        });
        fs.rmSync(dir, { recursive: true, force: true });
        const file = { code, stderr };
        expect(file.code).to.equal(2);
        expect(file.stderr).to.match(/^drydock: Pulumi\.production\.yaml: drydock:dbMaxCapacity="lots": /);
        const json = await check(["--stack", "production", "--set", "backendVersion=v1..2", "--json"]);
        expect(JSON.parse(json.stdout)).to.deep.include({ code: 2 });
        expect(JSON.parse(json.stdout).error).to.match(/^--set backendVersion=v1\.\.2: /);
    });

    it("refuses an unknown stack and a malformed --set with exit 2", async () => {
        const unknown = await check(["--stack", "qa"]);
        expect(unknown.code).to.equal(2);
        expect(unknown.stderr).to.include("production, staging");
        const malformed = await check(["--stack", "staging", "--set", "backendVersion"]);
        expect(malformed.code).to.equal(2);
        expect(malformed.stderr).to.include("key=value");
    });

    it("runs as an installed command: `drydock check` exits 1 on a mandatory violation", function () {
        this.timeout(60_000);
        const r = spawnSync(
            process.execPath,
            [path.join(ROOT, "bin", "drydock.js"), "check", "--stack", "production", "--set", "backendVersion=latest", "--json"],
            {
                cwd: ROOT,
                encoding: "utf8",
            },
        );
        expect(r.status, r.stderr).to.equal(1);
        expect((JSON.parse(r.stdout) as Report).ok).to.equal(false);
    });
});

describe("drydock check --policy-config", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "drydock-policy-config-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const write = (doc: unknown): string => {
        const file = path.join(dir, "policy-config.json");
        fs.writeFileSync(file, JSON.stringify(doc));
        return file;
    };

    it("applies the config as CrossGuard would: productionStacks makes a stack production (it can only add)", async () => {
        // Every policy that declares productionStacks gets the same list (drydock check refuses lists that differ).
        const { policies } = require("../policies/policies") as typeof import("../policies/policies");
        const withList = policies.filter((p) => p.configSchema?.properties && "productionStacks" in p.configSchema.properties);
        const file = write(Object.fromEntries(withList.map((p) => [p.name, { productionStacks: ["staging"] }])));
        const r = await check(["--stack", "staging", "--set", "backendVersion=latest", "--policy-config", file, "--json"]);
        expect(r.code, r.stderr).to.equal(1);
        const report = JSON.parse(r.stdout) as Report;
        expect(report.violations.map((v) => [v.policy, v.enforcementLevel])).to.deep.include(["production-images-pinned", "mandatory"]);
        // Without the list, staging (tagged drydock:environment=staging) only gets advice.
        const plain = await check(["--stack", "staging", "--set", "backendVersion=latest", "--json"]);
        expect(plain.code, plain.stderr).to.equal(0);
    });

    it("accepts the policy config example of docs/policies.md (every policy with productionStacks gets the list)", async () => {
        const page = fs.readFileSync(path.join(ROOT, "docs", "policies.md"), "utf8");
        const section = page.slice(page.indexOf("## Production stacks and policy config"));
        const example = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
        expect(example, "the section has a fenced JSON example").to.be.a("string");
        fs.writeFileSync(path.join(dir, "example.json"), example as string);
        const r = await check(["--stack", "production", "--policy-config", path.join(dir, "example.json")]);
        expect(r.stderr).not.to.include("--policy-config");
        expect(r.code, r.stderr).to.equal(0);
    });

    it("refuses lists that disagree between the image policies (a stack would go unchecked), with exit 2", async () => {
        const file = write({ "production-images-pinned": { productionStacks: ["production"] } });
        const r = await check(["--stack", "production", "--policy-config", file]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.match(
            /^drydock: --policy-config .*productionStacks differs between production-images-pinned, non-production-images-pinned/,
        );
    });

    it("refuses a property no policy declares, and a value the schema refuses, with exit 2", async () => {
        const typo = await check(["--stack", "production", "--policy-config", write({ "network-exposure": { databasePort: [5432] } })]);
        expect(typo.code).to.equal(2);
        expect(typo.stderr).to.include('network-exposure: unknown property "databasePort"; accepted: enforcementLevel, databasePorts');
        const bad = await check([
            "--stack",
            "production",
            "--policy-config",
            write({ "aurora-maintenance-and-backups": { minimumBackupRetentionDays: 90 } }),
        ]);
        expect(bad.code).to.equal(2);
        expect(bad.stderr).to.include("minimumBackupRetentionDays");
    });

    it("reads the file relative to the working directory and says when it is not JSON", async () => {
        fs.copyFileSync(path.join(ROOT, "Pulumi.production.yaml"), path.join(dir, "Pulumi.production.yaml"));
        fs.writeFileSync(path.join(dir, "broken.json"), "{ nope");
        let stderr = "";
        const code = await run(["node", "drydock", "check", "--stack", "production", "--policy-config", "broken.json"], {
            cwd: dir,
            stdout: () => undefined,
            stderr: (t) => void (stderr += t),
        });
        expect(code).to.equal(2);
        expect(stderr).to.match(/^drydock: --policy-config broken.json: cannot read it as JSON/);
    });
});
