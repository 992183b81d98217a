import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { loadStack } from "../cli/stackFile";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadSettings, parseSettings, RawConfig } from "../config";
import { startMockCloud } from "../offline/mockCloud";
import { FARGATE_MEMORY } from "../release/limits";
import { CONFIG_KEYS, pulumiType } from "../configSchema";
import { generatedFiles, pulumiDescription, withConfigReference, withPulumiConfig } from "../scripts/configReference";

const ROOT = path.join(__dirname, "..");
const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock";

function minimal(extra: RawConfig = {}): RawConfig {
    return {
        backendVersion: "v1.2.3",
        frontendVersion: "v1.2.3",
        backendImage: `${REPO}/backend`,
        frontendImage: `${REPO}/frontend`,
        ...extra,
    };
}

function problemsOf(values: RawConfig, stack = "staging"): { key: string; value?: string; message: string }[] {
    try {
        parseSettings(values, stack);
    } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as ConfigError).problems;
    }
    throw new Error("expected a ConfigError");
}

function stackFile(stack: string): RawConfig {
    return loadStack(ROOT, stack).values();
}

describe("config: the settings funnel", () => {
    it("applies every documented default when only the required keys are set", () => {
        const s = parseSettings(minimal(), "staging");
        expect(s.pinDigests).to.equal(true);
        expect(s.database.maintenanceWindow).to.equal("sun:05:00-sun:06:00");
        expect(s.database.backupWindow).to.equal("03:00-04:00");
        expect(s.database.backupRetentionDays).to.equal(7);
        expect(s.release.windows).to.deep.equal([]);
        expect(s.release.timeZone).to.equal("UTC");
        expect(s.release.paused).to.equal(false);
        expect(s.release.override).to.equal(undefined);
        expect(s.redeployToken).to.equal(undefined);
        expect(s.snapshots).to.deep.equal({ keep: 10, timeoutMinutes: 30 });
        expect(s.services.backend.pathPatterns).to.deep.equal(["/api/*"]);
        expect(s.loadBalancer.deregistrationDelaySeconds).to.equal(30);
        expect(s.isProduction).to.equal(false);
    });

    it("reports a malformed version naming the key, the value and the accepted forms", () => {
        const problems = problemsOf(minimal({ backendVersion: "v1..2" }));
        expect(problems).to.have.length(1);
        expect(problems[0].key).to.equal("drydock:backendVersion");
        expect(problems[0].value).to.equal("v1..2");
        expect(problems[0].message).to.match(/Accepted forms: .*latest.*v1\.2\.3/);
        const err = (() => {
            try {
                parseSettings(minimal({ backendVersion: "v1..2" }), "production");
            } catch (e) {
                return e as Error;
            }
            return undefined;
        })();
        expect(err?.message).to.include('drydock:backendVersion = "v1..2"');
    });

    it("reports every bad key at once", () => {
        const problems = problemsOf(
            minimal({
                frontendVersion: "1.2.3.4",
                backupRetentionDays: "90",
                releaseTimeZone: "Mars/Olympus",
                updatesPaused: "yes",
                releaseWindows: '["fri:25:00-fri:26:00"]',
            }),
        );
        expect(problems.map((p) => p.key)).to.have.members([
            "drydock:frontendVersion",
            "drydock:backupRetentionDays",
            "drydock:releaseTimeZone",
            "drydock:updatesPaused",
            "drydock:releaseWindows",
        ]);
    });

    it("requires the versions and images, saying how to set them", () => {
        const problems = problemsOf({});
        expect(problems.map((p) => p.key)).to.have.members([
            "drydock:backendVersion",
            "drydock:frontendVersion",
            "drydock:backendImage",
            "drydock:frontendImage",
        ]);
        expect(problems[0].message).to.include("pulumi config set backendVersion");
    });

    it("refuses an image repository that carries a tag", () => {
        const [p] = problemsOf(minimal({ backendImage: `${REPO}/backend:v1.2.3` }));
        expect(p.key).to.equal("drydock:backendImage");
        expect(p.message).to.include("without tag or digest");
    });

    it("refuses a backup window that overlaps the maintenance window", () => {
        const [p] = problemsOf(minimal({ maintenanceWindow: "sun:03:30-sun:04:30", backupWindow: "03:00-04:00" }));
        expect(p.key).to.equal("drydock:backupWindow");
        expect(p.message).to.include("overlaps the maintenance window sun:03:30-sun:04:30");
    });

    it("refuses windows shorter than 30 minutes and malformed windows", () => {
        const problems = problemsOf(minimal({ maintenanceWindow: "sun:05:00-sun:05:20", backupWindow: "3am-4am" }));
        expect(problems.find((p) => p.key === "drydock:maintenanceWindow")?.message).to.include("at least 30");
        expect(problems.find((p) => p.key === "drydock:backupWindow")?.message).to.include("hh24:mi-hh24:mi");
    });

    it("keeps at least 7 days of backups in production but allows fewer in staging", () => {
        expect(parseSettings(minimal({ backupRetentionDays: "3" }), "staging").database.backupRetentionDays).to.equal(3);
        const [p] = problemsOf(minimal({ backupRetentionDays: "3" }), "production");
        expect(p.key).to.equal("drydock:backupRetentionDays");
        expect(p.message).to.include("at least 7");
    });

    it("refuses a memory size the Fargate CPU size does not allow", () => {
        const [p] = problemsOf(minimal({ backendCpu: "256", backendMemory: "8192" }));
        expect(p.key).to.equal("drydock:backendMemory");
        expect(p.message).to.include("512");
    });

    it("accepts exactly the Fargate sizes the components run", () => {
        for (const [cpu, memories] of Object.entries(FARGATE_MEMORY)) {
            for (const memory of memories) {
                expect(
                    () => parseSettings(minimal({ frontendCpu: cpu, frontendMemory: String(memory) }), "staging"),
                    `${cpu}/${memory}`,
                ).not.to.throw();
            }
        }
        const [p] = problemsOf(minimal({ frontendCpu: "256", frontendMemory: "1536" }));
        expect(p.message).to.include("accepted: 512, 1024 or 2048 MiB");
    });

    it("refuses an autoscaling target the components would refuse", () => {
        const [p] = problemsOf(minimal({ autoscalingCpuTarget: "95" }));
        expect(p.key).to.equal("drydock:autoscalingCpuTarget");
        expect(p.message).to.include("from 10 to 90");
    });

    it("refuses health-check settings that would slow or break a rollout", () => {
        const problems = problemsOf(minimal({ healthCheckIntervalSeconds: "30", healthyThreshold: "5" }));
        expect(problems.map((p) => p.key)).to.have.members(["drydock:healthCheckIntervalSeconds", "drydock:healthyThreshold"]);
        expect(problems[0].message).to.match(/from 5 to 15/);
    });

    it("flags unknown keys in its namespace, suggesting the right spelling", () => {
        const [p] = problemsOf(minimal({ backendversion: "v1.2.4" }));
        expect(p.key).to.equal("drydock:backendversion");
        expect(p.message).to.include("did you mean drydock:backendVersion");
    });

    it("suggests the key a typo is closest to, without echoing the value", () => {
        const [p] = problemsOf(minimal({ backendVersoin: "v1.2.4-SECRET" }));
        expect(p.key).to.equal("drydock:backendVersoin");
        expect(p.message).to.equal("unknown key; did you mean drydock:backendVersion?");
        const [far] = problemsOf(minimal({ colour: "blue" }));
        expect(far.message).to.equal("unknown key; see docs/configuration.md for every key");
    });

    it("needs at least two existing subnets of each kind when an existing VPC is used", () => {
        const problems = problemsOf(minimal({ vpcId: "vpc-0123456789abcdef0", privateSubnetIds: '["subnet-01234567"]' }));
        expect(problems.map((p) => p.key)).to.have.members(["drydock:publicSubnetIds", "drydock:privateSubnetIds"]);
    });

    it("accepts subnet and VPC ids of 8 or 17 hex digits only, as the message says", () => {
        const subnets = '["subnet-01234567","subnet-0123456789abcdef0"]';
        const ok = minimal({ vpcId: "vpc-01234567", publicSubnetIds: subnets, privateSubnetIds: subnets });
        expect(parseSettings(ok, "staging").network.privateSubnetIds).to.have.length(2);
        const twelve = problemsOf(
            minimal({ vpcId: "vpc-0123456789ab", publicSubnetIds: subnets, privateSubnetIds: '["subnet-0123456789ab","subnet-01234567"]' }),
        );
        expect(twelve.map((p) => p.key)).to.have.members(["drydock:vpcId", "drydock:privateSubnetIds"]);
    });

    it("refuses a stack name that cannot form the Aurora identifiers, saying how long it may be", () => {
        const [p] = problemsOf(minimal({ dbInstanceCount: "2" }), `prod-${"x".repeat(50)}`);
        expect(p.key).to.equal("stack name");
        expect(p.message).to.include("at most 53 characters");
        expect(problemsOf(minimal(), "Staging_EU")[0].message).to.include("lowercase letters");
    });

    it("reads release controls: windows, zone, pause and override", () => {
        const s = parseSettings(
            minimal({
                releaseWindows: '["tue:09:00-tue:16:00","sat:22:00-sun:02:00"]',
                releaseTimeZone: "Europe/Berlin",
                updatesPaused: "true",
                pauseReason: "incident 42",
                releaseOverride: "hotfix CVE-2026-1",
            }),
            "production",
        );
        expect(s.release.windows.map((w) => w.raw)).to.deep.equal(["tue:09:00-tue:16:00", "sat:22:00-sun:02:00"]);
        expect(s.release.timeZone).to.equal("Europe/Berlin");
        expect(s.release.paused).to.equal(true);
        expect(s.release.pauseReason).to.equal("incident 42");
        expect(s.release.override).to.equal("hotfix CVE-2026-1");
        expect(s.isProduction).to.equal(true);
    });

    for (const stack of ["staging", "production"]) {
        it(`accepts the committed Pulumi.${stack}.yaml`, () => {
            const s = parseSettings(stackFile(stack), stack);
            expect(s.stack).to.equal(stack);
            expect(s.region).to.equal("us-east-1");
        });
    }

    it("staging tracks latest and production pins immutable versions", () => {
        const staging = parseSettings(stackFile("staging"), "staging");
        const production = parseSettings(stackFile("production"), "production");
        expect(staging.services.backend.version.kind).to.equal("latest");
        expect(production.services.backend.version.immutable).to.equal(true);
        expect(production.services.frontend.version.immutable).to.equal(true);
        expect(production.release.windows.length).to.be.greaterThan(0);
    });
});

describe("config: Pulumi.yaml declares every key", () => {
    const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config: Record<string, { type: string; default?: unknown; description?: string; items?: { type: string } }>;
    };

    it("is the drydock project", () => expect(project.name).to.equal("drydock"));

    it("declares exactly the keys config.ts reads, with Pulumi's type for each (a number key is a string there)", () => {
        expect(Object.keys(project.config)).to.have.members(CONFIG_KEYS.map((k) => k.key));
        for (const k of CONFIG_KEYS) {
            const declared = project.config[k.key];
            expect(declared.type, k.key).to.equal(pulumiType(k));
            expect(["string", "integer", "boolean", "array"], k.key).to.include(declared.type);
            expect(declared.default, k.key).to.deep.equal(k.type === "number" ? String(k.default) : k.default);
            expect(declared.description, k.key).to.equal(pulumiDescription(k));
            if (k.type === "array") expect(declared.items, k.key).to.deep.equal({ type: "string" });
        }
    });

    it("Pulumi.yaml and docs/configuration.md are what `npm run docs:config` generates now (rerun it after changing a key)", () => {
        for (const [file, text] of generatedFiles()) {
            expect(fs.readFileSync(file, "utf8") === text, `${path.relative(ROOT, file)} is out of date: run npm run docs:config`).to.equal(
                true,
            );
        }
        const yaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
        const page = fs.readFileSync(path.join(ROOT, "docs", "configuration.md"), "utf8");
        expect(withPulumiConfig(withPulumiConfig(yaml)), "a second run changes nothing").to.equal(withPulumiConfig(yaml));
        expect(withConfigReference(withConfigReference(page)), "a second run changes nothing").to.equal(withConfigReference(page));
    });

    it("gives every optional key a default that config.ts accepts", () => {
        const values: RawConfig = {};
        for (const k of CONFIG_KEYS) {
            if (k.default === undefined) continue;
            values[k.key] = Array.isArray(k.default) ? JSON.stringify(k.default) : String(k.default);
        }
        expect(() => parseSettings({ ...minimal(), ...values }, "production")).not.to.throw();
    });
});

describe("config: loadSettings inside the Pulumi program", () => {
    // Reads what `pulumi config set` stored, as the engine passes it to the program.
    it("reads the stack's config and fails the preview cleanly on a typo, naming the key and the accepted forms", () => {
        const good = {
            "drydock:backendVersion": "v1.3.0",
            "drydock:frontendVersion": "v1.2.3",
            "drydock:backendImage": `${REPO}/backend`,
            "drydock:frontendImage": `${REPO}/frontend`,
            "drydock:releaseWindows": '["tue:09:00-tue:16:00"]',
            "aws:region": "eu-west-1",
        };
        startMockCloud({ stack: "production", config: good });
        const s = loadSettings();
        expect(s.stack).to.equal("production");
        expect(s.services.backend.version.raw).to.equal("v1.3.0");
        expect(s.release.windows.map((w) => w.raw)).to.deep.equal(["tue:09:00-tue:16:00"]);
        expect(s.region).to.equal("eu-west-1");

        startMockCloud({ stack: "production", config: { ...good, "drydock:backendVersion": "v1..2", "drydock:backendVerison": "v1.3.0" } });
        let err: unknown;
        try {
            loadSettings();
        } catch (e) {
            err = e;
        }
        expect(pulumi.RunError.isInstance(err)).to.equal(true);
        const message = (err as Error).message;
        expect(message).to.include('drydock:backendVersion = "v1..2"');
        expect(message).to.include("Accepted forms:");
        expect(message).to.include("drydock:backendVerison");
    });
});
