/**
 * One source for every default and range: configSchema.ts. config.ts validates from the schema's
 * min/max/step/allowed, and the components take the same defaults and bounds, so a value the stack config
 * accepts is never refused later by a component (and the other way round).
 */
import { expect } from "chai";
import { ConfigError, parseSettings, RawConfig } from "../config";
import { acceptedText, configKeys } from "../configSchema";
import { Database } from "../components/database";
import { startMockCloud } from "../offline/mockCloud";

const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock";
const minimal = (extra: RawConfig = {}): RawConfig => ({
    backendVersion: "v1.2.3",
    frontendVersion: "v1.2.3",
    backendImage: `${REPO}/backend`,
    frontendImage: `${REPO}/frontend`,
    ...extra,
});

/** The problem messages for `key` when the stack sets it to `value`; [] when accepted. */
function problems(key: string, value: string): string[] {
    try {
        parseSettings(minimal({ [key]: value }), "staging");
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems.filter((p) => p.key === `drydock:${key}`).map((p) => p.message);
    }
}

async function databaseError(args: Partial<ConstructorParameters<typeof Database>[1]>): Promise<string | undefined> {
    const cloud = startMockCloud({ stack: "staging" });
    let message: string | undefined;
    try {
        new Database("db", { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-a", "subnet-b"], ...args });
    } catch (e) {
        message = (e as Error).message;
    }
    await cloud.settle().catch(() => undefined);
    return message;
}

describe("config: bounds come from configSchema.ts", () => {
    it("every integer and number key declares its range or its allowed values", () => {
        const unbounded = configKeys()
            .filter(
                (k) =>
                    (k.type === "integer" || k.type === "number") &&
                    k.allowed === undefined &&
                    (k.min === undefined || k.max === undefined),
            )
            .map((k) => k.key);
        expect(unbounded).to.deep.equal([]);
    });

    it("every default is accepted by its own key", () => {
        for (const k of configKeys()) {
            if (k.default === undefined || Array.isArray(k.default)) continue;
            expect(problems(k.key, String(k.default)), k.key).to.deep.equal([]);
        }
    });

    it("dbMinCapacity takes 0.5 ACU steps from 0 (Aurora Serverless v2's real minimum) and names the step when refused", () => {
        for (const ok of ["0", "0.5", "1.5", "256"]) expect(problems("dbMinCapacity", ok), ok).to.deep.equal([]);
        expect(parseSettings(minimal({ dbMinCapacity: "0.5", dbMaxCapacity: "2.5" }), "staging").database).to.include({
            minCapacity: 0.5,
            maxCapacity: 2.5,
        });
        expect(problems("dbMinCapacity", "0.25")).to.deep.equal([
            "not a multiple of 0.5; accepted: a number from 0 to 256 ACUs in steps of 0.5",
        ]);
        expect(problems("dbMinCapacity", "-0.5")).to.deep.equal(["out of range; accepted: a number from 0 to 256 ACUs in steps of 0.5"]);
        expect(problems("dbMinCapacity", "half")).to.deep.equal(["not a number; accepted: a number from 0 to 256 ACUs in steps of 0.5"]);
    });

    it("deregistration delay is AWS's 0-3600 seconds; the grace period 1-1800 (0 would kill a starting task at its first failed check)", () => {
        expect(problems("deregistrationDelaySeconds", "3600")).to.deep.equal([]);
        expect(problems("deregistrationDelaySeconds", "3601")).to.deep.equal(["out of range; accepted: an integer from 0 to 3600 seconds"]);
        expect(problems("healthCheckGracePeriodSeconds", "0")).to.deep.equal(["out of range; accepted: an integer from 1 to 1800 seconds"]);
        expect(problems("healthCheckGracePeriodSeconds", "1800")).to.deep.equal([]);
    });

    it("allowed values are named in the message", () => {
        expect(problems("logRetentionDays", "10")[0]).to.equal(
            `not accepted; accepted: ${acceptedText(configKeys().find((k) => k.key === "logRetentionDays")!)}`,
        );
        expect(problems("natGateways", "two")).to.deep.equal(["not accepted; accepted: single, one-per-az"]);
    });
});

describe("components: defaults and bounds are the stack config's", () => {
    it("the Database defaults to the schema's capacity and accepts every capacity the config accepts", async () => {
        const cloud = startMockCloud({ stack: "staging" });
        new Database("db", { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-a", "subnet-b"] });
        await cloud.settle();
        const [cluster] = cloud.byType("aws:rds/cluster:Cluster");
        const defaults = parseSettings(minimal(), "staging").database;
        expect(cluster.inputs.serverlessv2ScalingConfiguration).to.deep.equal({
            minCapacity: defaults.minCapacity,
            maxCapacity: defaults.maxCapacity,
        });
        expect(cluster.inputs).to.include({
            engineVersion: defaults.engineVersion,
            backupRetentionPeriod: defaults.backupRetentionDays,
            databaseName: defaults.name,
        });
        expect(await databaseError({ serverlessCapacity: { min: 0, max: 1.5 } })).to.equal(undefined);
    });

    it("the Database refuses what the config refuses, with the same range", async () => {
        expect(await databaseError({ serverlessCapacity: { min: 0.25, max: 4 } })).to.match(
            /serverlessCapacity\.min = 0\.25 is not accepted; use a number from 0 to 256 ACUs in steps of 0\.5/,
        );
        expect(await databaseError({ instanceCount: 16 })).to.match(/instanceCount = 16 is not accepted; use an integer from 1 to 15/);
    });
});
