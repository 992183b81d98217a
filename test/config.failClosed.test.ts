/**
 * Issue 11 in the config funnel and `drydock check`: production that cannot be mislabelled, versions that
 * name a moving target, keys Pulumi reads but drydock would ignore, fixed-offset time zones, secrets never
 * echoed.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, parseSettings, RawConfig } from "../config";
import { run } from "../cli/main";
import { loadStack } from "../cli/stackFile";
import { MOVING_PRERELEASE_IDENTIFIERS, parseVersion } from "../release/version";

const ROOT = path.join(__dirname, "..");
const NOW = new Date("2026-11-24T10:00:00Z"); // Tue 11:00 Europe/Berlin: production's window is open

/** The committed production stack file's values (a valid production configuration). */
function productionValues(): RawConfig {
    return loadStack(ROOT, "production").values();
}

function problemsOf(values: RawConfig, stack = "production"): ConfigError {
    try {
        parseSettings(values, stack);
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error("expected a ConfigError");
}

async function drydock(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await run(["node", "drydock", ...args], {
        cwd,
        now: () => NOW,
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
    });
    return { code, stdout, stderr };
}

/** A project directory with the production stack file copied under other stack names. */
function projectWith(stacks: Record<string, (text: string) => string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drydock-c-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const production = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");
    for (const [stack, edit] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), edit(production));
    return dir;
}

describe("versions that name a moving target are floating", () => {
    it("v1.2.3-latest, 1.0.0-SNAPSHOT and v0.0.0-main are not immutable; rc, alpha and beta builds are", () => {
        for (const v of ["v1.2.3-latest", "1.0.0-SNAPSHOT", "v0.0.0-main", "2.0.0-nightly.5", "v1.0.0-dev", "1.2.3-rc.1.master"]) {
            const parsed = parseVersion(v);
            expect(parsed.immutable, v).to.equal(false);
            expect(parsed.moving, v).to.be.a("string");
        }
        for (const v of ["v1.3.0-rc.1", "1.0.0-beta", "1.0.0-alpha.2", "v1.2.3"]) expect(parseVersion(v).immutable, v).to.equal(true);
        expect(MOVING_PRERELEASE_IDENTIFIERS).to.include.members([
            "latest",
            "snapshot",
            "main",
            "master",
            "dev",
            "develop",
            "edge",
            "nightly",
            "stable",
            "head",
            "trunk",
        ]);
    });
});

describe("drydock check refuses what production must not run", function () {
    this.timeout(120_000);

    for (const version of ["v1.2.3-latest", "1.0.0-SNAPSHOT", "v0.0.0-main"]) {
        it(`exits 1 for backendVersion=${version} in production`, async () => {
            const r = await drydock(["check", "--stack", "production", "--set", `backendVersion=${version}`, "--json"]);
            expect(r.code, r.stderr).to.equal(1);
            const report = JSON.parse(r.stdout) as { violations: { policy: string; enforcementLevel: string; message: string }[] };
            const v = report.violations.find((x) => x.policy === "production-images-pinned");
            expect(v?.enforcementLevel).to.equal("mandatory");
            expect(v?.message).to.contain("names a moving target");
        });
    }

    it("exits 1 for pinDigests=false in production: the task definition runs a tag", async () => {
        const r = await drydock(["check", "--stack", "production", "--set", "pinDigests=false", "--json"]);
        expect(r.code, r.stderr).to.equal(1);
        expect(r.stdout).to.contain("by tag, not by digest");
        expect(r.stdout).to.contain("pulumi config set pinDigests true -s production");
    });

    it("exits 1 for latest in stacks named production-eu and prd, and 0 in staging-eu (advisory only)", async () => {
        const latest = (t: string) => t.replace(/^(\s*drydock:backendVersion:).*$/m, "$1 latest");
        const dir = projectWith({ "production-eu": latest, prd: latest, "staging-eu": latest });
        try {
            for (const stack of ["production-eu", "prd"]) {
                const r = await drydock(["check", "--stack", stack], dir);
                expect(r.code, `${stack}: ${r.stderr}`).to.equal(1);
                expect(r.stdout).to.contain("production-images-pinned");
            }
            const staging = await drydock(["check", "--stack", "staging-eu", "--json"], dir);
            expect(staging.code, staging.stderr).to.equal(0);
            expect(staging.stdout).to.contain("non-production-images-pinned");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("tags every resource with its environment, from drydock:environment or the stack name", async () => {
        const r = await drydock(["check", "--stack", "production", "--set", "environment=staging", "--json"]);
        const report = JSON.parse(r.stdout) as { resources: { type: string; inputs: { tags?: Record<string, string> } }[] };
        const tagged = report.resources.filter((x) => x.inputs.tags !== undefined);
        expect(tagged.length).to.be.greaterThan(5);
        for (const x of tagged) expect(x.inputs.tags?.["drydock:environment"], x.type).to.equal("staging");
    });
});

describe("the environment key", () => {
    it("decides production; unset, only names that clearly mean non-production are non-production", () => {
        const values = productionValues();
        for (const stack of ["production-eu", "prd", "prod-eu"]) expect(parseSettings(values, stack).isProduction, stack).to.equal(true);
        expect(parseSettings({ ...values, backupRetentionDays: "3" }, "staging-eu").isProduction).to.equal(false);
        expect(parseSettings({ ...values, environment: "staging", backupRetentionDays: "3" }, "production").environment).to.equal(
            "staging",
        );
        expect(parseSettings({ ...values, environment: "production" }, "dev").isProduction).to.equal(true);
    });

    it("refuses a value that is not an environment, and then judges the stack as production", () => {
        const e = problemsOf({ ...productionValues(), environment: "prod", backupRetentionDays: "3" }, "staging");
        expect(e.message).to.contain('drydock:environment = "prod": not accepted; accepted: production, staging, development');
        expect(e.message).to.contain("drydock:backupRetentionDays"); // production rules applied
    });
});

describe("config that Pulumi reads but drydock would ignore is refused", () => {
    it("keys of an unknown namespace, including a mistyped or upper-case drydock, naming the key", () => {
        for (const key of ["drydok:backendVersion", "DRYDOCK:backendVersion", "Drydock:backendVersion"]) {
            const e = problemsOf({ ...productionValues(), [key]: "latest" });
            expect(
                e.problems.map((p) => p.key),
                key,
            ).to.deep.equal([key]);
            expect(e.message).to.contain(`a key of namespace "${key.split(":")[0]}", which drydock does not read`);
            expect(e.message).to.contain("did you mean drydock:backendVersion?");
        }
        expect(() => parseSettings({ ...productionValues(), "aws:profile": "ops" }, "production")).to.not.throw();
    });

    it("check --set with an unknown namespace exits 2 naming the key", async () => {
        for (const key of ["drydok:backendVersion", "DRYDOCK:backendVersion"]) {
            const r = await drydock(["check", "--stack", "production", "--set", `${key}=latest`]);
            expect(r.code, r.stderr).to.equal(2);
            expect(r.stderr).to.contain(key);
        }
    });

    it("the legacy drydock:config:<key> form and a key spelled twice in the stack file", () => {
        const dir = projectWith({
            legacy: (t) => t.replace(/^config:\n/m, "config:\n  drydock:config:backendVersion: latest\n"),
            twice: (t) => t.replace(/^config:\n/m, "config:\n  backendVersion: latest\n"),
        });
        try {
            const legacy = problemsOf(loadStack(dir, "legacy").values(), "legacy");
            expect(legacy.message).to.contain(
                "drydock:config:backendVersion: the legacy form drydock:config:backendVersion, which Pulumi reads as drydock:backendVersion",
            );
            const twice = problemsOf(loadStack(dir, "twice").values(), "twice");
            expect(twice.message).to.contain("drydock:backendVersion: set twice, as backendVersion and drydock:backendVersion");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("releaseTimeZone must be an IANA zone name, not a fixed offset", () => {
        for (const zone of ["+02:00", "-0500", "UTC+2", "GMT-3"]) {
            expect(problemsOf({ ...productionValues(), releaseTimeZone: zone }).message, zone).to.contain("not an IANA time zone name");
        }
        for (const zone of ["UTC", "Europe/Berlin", "America/New_York"]) {
            expect(parseSettings({ ...productionValues(), releaseTimeZone: zone }, "production").release.timeZone).to.equal(zone);
        }
    });
});

describe("secrets are never echoed", () => {
    it("an unknown key's value and a secret-looking key's value stay out of every error", async () => {
        const e = problemsOf({ ...productionValues(), dbPassword: "hunter2-SECRET", "drydok:apiToken": "tok-SECRET" });
        expect(e.message).to.contain("drydock:dbPassword: unknown key");
        expect(e.message).to.contain("drydok:apiToken");
        expect(e.message).to.not.contain("SECRET");
        const r = await drydock(["check", "--stack", "production", "--set", "drydock:dbPassword=hunter2-SECRET", "--json"]);
        expect(r.code).to.equal(2);
        expect(r.stderr + r.stdout).to.contain("dbPassword");
        expect(r.stderr + r.stdout).to.not.contain("hunter2");
    });
});
