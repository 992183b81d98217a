import { expect } from "chai";
import * as release from "../release";
import { formatImageReference, ImageRefError, parseImageReference, parseRepositoryUri } from "../release/imageRef";
import { estimateRollout, RolloutParams } from "../release/rollout";
import {
    randomSnapshotSuffix,
    SNAPSHOT_IDENTIFIER_PATTERN,
    SNAPSHOT_MANAGED_BY,
    SNAPSHOT_TAGS,
    snapshotIdentifier,
} from "../release/snapshots";
import { environmentOfStackName, isProductionStack, matchesStackPattern, stackEnvironment } from "../release/stacks";
import { parseVersion } from "../release/version";
import {} from "../release/versionOrder";

const HEX64 = "0123456789abcdef".repeat(4);
const ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

describe("release/index", () => {
    it("re-exports the contract", () => {
        for (const name of [
            "parseVersion",
            "tryParseVersion",
            "compareVersions",
            "sortNewestFirst",
            "ACCEPTED_VERSION_FORMS",
            "VersionError",
            "parseRepositoryUri",
            "parseImageReference",
            "formatImageReference",
            "parseWeeklyWindow",
            "parseDailyWindow",
            "windowMinutes",
            "windowsOverlap",
            "isValidTimeZone",
            "releaseWindowState",
            "formatInZone",
            "WindowError",
            "estimateRollout",
            "SNAPSHOT_TAGS",
            "snapshotIdentifier",
            "isProductionStack",
            "stackEnvironment",
            "ENVIRONMENT_TAG",
            "MOVING_PRERELEASE_IDENTIFIERS",
        ]) {
            expect(release, name).to.have.property(name);
        }
    });
});

describe("release/imageRef: parseRepositoryUri", () => {
    it("parses an ECR repository", () => {
        expect(parseRepositoryUri(`${ECR}/backend-production`)).to.deep.equal({
            uri: `${ECR}/backend-production`,
            registry: ECR,
            repositoryName: "backend-production",
            registryId: "123456789012",
            region: "us-east-1",
        });
        expect(parseRepositoryUri(`${ECR}/team/app`)).to.deep.include({ repositoryName: "team/app", region: "us-east-1" });
        expect(parseRepositoryUri("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app")).to.deep.include({ region: "cn-north-1" });
    });

    it("parses other registries without ECR fields", () => {
        const r = parseRepositoryUri("registry.example.com:5000/team/app");
        expect(r).to.deep.equal({
            uri: "registry.example.com:5000/team/app",
            registry: "registry.example.com:5000",
            repositoryName: "team/app",
        });
        expect(parseRepositoryUri("localhost/app").registry).to.equal("localhost");
        expect(parseRepositoryUri("ghcr.io/org/app").repositoryName).to.equal("org/app");
        expect(parseRepositoryUri("library/nginx")).to.deep.include({ registry: "docker.io", repositoryName: "library/nginx" });
    });

    const bad: [string, RegExp][] = [
        ["", /empty/],
        [`${ECR}/backend:v1.2.3`, /contains a tag/],
        [`${ECR}/backend@sha256:${HEX64}`, /contains a digest/],
        [`https://${ECR}/backend`, /URL scheme/],
        [`${ECR}/Backend`, /"Backend" is invalid/],
        [`${ECR}/back--end`.replace("--", ".."), /is invalid/],
        [`${ECR}/`, /repository name is missing|is invalid/],
        [`${ECR}/a b`, /whitespace/],
        ["host:5000", /tag/],
    ];
    for (const [uri, reason] of bad) {
        it(`rejects ${JSON.stringify(uri)}`, () => {
            let err: unknown;
            try {
                parseRepositoryUri(uri);
            } catch (e) {
                err = e;
            }
            expect(err).to.be.instanceOf(ImageRefError);
            expect((err as ImageRefError).reason).to.match(reason);
            expect((err as Error).message).to.contain(JSON.stringify(uri.trim()));
        });
    }
});

describe("release/imageRef: parseImageReference / formatImageReference", () => {
    const cases: [string, object][] = [
        [`${ECR}/app:v1.2.3`, { repository: `${ECR}/app`, tag: "v1.2.3" }],
        [`${ECR}/app@sha256:${HEX64}`, { repository: `${ECR}/app`, digest: `sha256:${HEX64}` }],
        [`${ECR}/app:v1.2.3@sha256:${HEX64}`, { repository: `${ECR}/app`, tag: "v1.2.3", digest: `sha256:${HEX64}` }],
        [`${ECR}/app`, { repository: `${ECR}/app` }],
        ["host:5000/app", { repository: "host:5000/app" }],
        ["host:5000/app:latest", { repository: "host:5000/app", tag: "latest" }],
        ["nginx", { repository: "nginx" }],
        ["nginx:1.27", { repository: "nginx", tag: "1.27" }],
    ];
    for (const [image, want] of cases) {
        it(`parses ${image.replace(HEX64, "<hex>")}`, () => expect(parseImageReference(image)).to.deep.equal(want));
    }

    it("rejects bad digests, tags and empty references", () => {
        expect(() => parseImageReference(`app@sha256:${HEX64.slice(2)}`)).to.throw(ImageRefError, /sha256:<64 lowercase hex>/);
        expect(() => parseImageReference("app:-bad")).to.throw(ImageRefError, /not a valid Docker tag/);
        // Says why, as the version parser does: the same Docker tag rule, one implementation.
        expect(() => parseImageReference("app:v1.2.3+build")).to.throw(ImageRefError, /not a valid Docker tag: "\+" is not allowed/);
        expect(() => parseImageReference("")).to.throw(ImageRefError, /empty/);
        expect(() => parseImageReference(":tag")).to.throw(ImageRefError, /repository is missing/);
    });

    it("formats digests with @ and everything else as :tag, round-tripping through the parser", () => {
        expect(formatImageReference(`${ECR}/app`, parseVersion(`sha256:${HEX64}`))).to.equal(`${ECR}/app@sha256:${HEX64}`);
        expect(formatImageReference(`${ECR}/app`, parseVersion("v1.2.3"))).to.equal(`${ECR}/app:v1.2.3`);
        expect(formatImageReference(`${ECR}/app/`, parseVersion("latest"))).to.equal(`${ECR}/app:latest`);
        for (const v of ["latest", "v1", "1.2.3", "20241213-152430", "v1.2.3-20241213-152430-a1b2c3d4", "main", `sha256:${HEX64}`]) {
            const ref = parseImageReference(formatImageReference("host:5000/app", parseVersion(v)));
            expect(ref.repository).to.equal("host:5000/app");
            expect(ref.tag ?? ref.digest).to.equal(v);
        }
    });
});

describe("release/rollout: estimateRollout", () => {
    const base: RolloutParams = {
        desiredCount: 2,
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        healthCheckIntervalSeconds: 30,
        healthyThreshold: 3,
        healthCheckGracePeriodSeconds: 60,
        deregistrationDelaySeconds: 30,
    };

    it("min 100 / max 200: one wave of start + health checks + deregistration", () => {
        const e = estimateRollout(base);
        expect(e.waves).to.equal(1);
        expect(e.seconds).to.equal(60 + 3 * 30 + 30);
        expect(e.terms.map((t) => t.seconds)).to.deep.equal([60, 90, 30, 0]);
    });

    it("terms always add up to seconds and name what they stand for", () => {
        for (const desiredCount of [1, 2, 3, 5, 10]) {
            for (const maximumPercent of [150, 200]) {
                for (const minimumHealthyPercent of [50, 100]) {
                    const p = { ...base, desiredCount, maximumPercent, minimumHealthyPercent, taskStartSeconds: 45 };
                    if (desiredCount === 1 && maximumPercent === 150) {
                        // floor(1.5) = 1 task at most, ceil(0.5 or 1) = 1 healthy: ECS cannot deploy at all
                        expect(() => estimateRollout(p)).to.throw(RangeError, /at most 1 running, at least 1 healthy/);
                        continue;
                    }
                    const e = estimateRollout(p);
                    expect(e.terms.reduce((s, t) => s + t.seconds, 0)).to.equal(e.seconds);
                    expect(e.terms.map((t) => t.name).join(" | ")).to.match(/task start.*health checks.*deregistration.*grace/);
                }
            }
        }
    });

    it("a smaller maximumPercent needs more waves (ECS rounds the maximum down, the minimum up)", () => {
        // desired 4, max 150 → at most 6 running, 4 healthy → 2 per wave → 2 waves
        expect(estimateRollout({ ...base, desiredCount: 4, maximumPercent: 150 }).waves).to.equal(2);
        // desired 3, max 150 → floor(4.5) = 4 running, 3 healthy → 1 per wave → 3 waves
        const e = estimateRollout({ ...base, desiredCount: 3, maximumPercent: 150 });
        expect(e.waves).to.equal(3);
        expect(e.seconds).to.equal(3 * (60 + 90 + 30));
        // desired 4, min 50, max 100 → stop 2 then start 2 → 2 waves
        expect(estimateRollout({ ...base, desiredCount: 4, minimumHealthyPercent: 50, maximumPercent: 100 }).waves).to.equal(2);
    });

    it("the grace period does not change the estimate; the health check settings do", () => {
        const a = estimateRollout({ ...base, healthCheckGracePeriodSeconds: 0 });
        const b = estimateRollout({ ...base, healthCheckGracePeriodSeconds: 600 });
        expect(a.seconds).to.equal(b.seconds);
        expect(estimateRollout({ ...base, healthyThreshold: 5 }).seconds - a.seconds).to.equal(60);
        expect(estimateRollout({ ...base, taskStartSeconds: 120 }).seconds - a.seconds).to.equal(60);
        expect(estimateRollout({ ...base, deregistrationDelaySeconds: 300 }).seconds - a.seconds).to.equal(270);
    });

    it("desiredCount 0 takes no time", () => {
        expect(estimateRollout({ ...base, desiredCount: 0 })).to.deep.equal({ seconds: 0, waves: 0, terms: [] });
    });

    it("rejects impossible or bad parameters, naming them", () => {
        expect(() => estimateRollout({ ...base, desiredCount: 1, maximumPercent: 100 })).to.throw(RangeError, /cannot replace any task/);
        expect(() => estimateRollout({ ...base, desiredCount: -1 })).to.throw(RangeError, /desiredCount/);
        expect(() => estimateRollout({ ...base, desiredCount: 1.5 })).to.throw(RangeError, /desiredCount.*integer/);
        expect(() => estimateRollout({ ...base, healthCheckIntervalSeconds: NaN })).to.throw(RangeError, /healthCheckIntervalSeconds/);
        expect(() => estimateRollout({ ...base, maximumPercent: 90 })).to.throw(RangeError, /maximumPercent/);
        expect(() => estimateRollout({ ...base, minimumHealthyPercent: 120 })).to.throw(RangeError, /minimumHealthyPercent/);
        expect(() => estimateRollout({ ...base, taskStartSeconds: -5 })).to.throw(RangeError, /taskStartSeconds/);
    });
});

describe("release/snapshots", () => {
    const at = new Date("2024-12-13T15:24:30.789Z");
    const suffix = "a1b2";

    it("has the agreed tag keys and managed-by value", () => {
        expect(SNAPSHOT_TAGS).to.deep.equal({
            managedBy: "drydock:managed-by",
            stack: "drydock:stack",
            service: "drydock:service",
            fromVersion: "drydock:from-version",
            toVersion: "drydock:to-version",
            reason: "drydock:reason",
            override: "drydock:release-override",
        });
        expect(SNAPSHOT_MANAGED_BY).to.equal("drydock");
    });

    it("builds a readable identifier from stack, service, versions and the UTC time", () => {
        expect(
            snapshotIdentifier({ stack: "production", service: "backend", fromVersion: "v1.2.3", toVersion: "v1.3.0", at, suffix }),
        ).to.equal(
            "drydock-production-backend-to-v1-3-0-20241213-152430-789-a1b2", // the from-version is in the tags
        );
        expect(snapshotIdentifier({ stack: "staging", service: "database", at, suffix })).to.equal(
            "drydock-staging-database-20241213-152430-789-a1b2",
        );
        expect(snapshotIdentifier({ stack: "staging", service: "backend", toVersion: "latest", at, suffix })).to.equal(
            "drydock-staging-backend-to-latest-20241213-152430-789-a1b2",
        );
    });

    it("is unique within one second: milliseconds and a random suffix, in UTC", () => {
        const p = { stack: "s", service: "backend", suffix };
        const a = snapshotIdentifier({ ...p, at: new Date("2024-12-13T15:24:30.001Z") });
        const b = snapshotIdentifier({ ...p, at: new Date("2024-12-13T15:24:30.002Z") });
        expect(a).to.not.equal(b);
        expect(a.endsWith("-20241213-152430-001-a1b2")).to.equal(true);
        // Three runs in the same millisecond: the random part keeps them apart (the second-precision names collided).
        const same = new Date("2024-12-13T15:24:30.500Z");
        const ids = new Set(
            Array.from({ length: 50 }, () =>
                snapshotIdentifier({ stack: "s", service: "manual", at: same, suffix: randomSnapshotSuffix() }),
            ),
        );
        expect(ids.size).to.be.greaterThan(45);
        for (const id of ids) expect(id).to.match(SNAPSHOT_IDENTIFIER_PATTERN);
    });

    it("refuses a suffix that is not 4 lowercase hex characters", () => {
        for (const bad of ["", "A1B2", "a1b2c", "zz-1"]) {
            expect(() => snapshotIdentifier({ stack: "s", service: "b", at, suffix: bad }), bad).to.throw(RangeError, /suffix/);
        }
    });

    it("shortens long parts but never the timestamp, the suffix or the prefix, keeping the to-version", () => {
        const id = snapshotIdentifier({
            stack: "my-very-long-organization-production-eu-central-1",
            service: "backend",
            fromVersion: "v1.2.3-20241213-152430-a1b2c3d4",
            toVersion: `sha256:${HEX64}`,
            at,
            suffix,
        });
        expect(id.length).to.be.at.most(63);
        expect(id).to.match(SNAPSHOT_IDENTIFIER_PATTERN);
        expect(id.startsWith("drydock-my-")).to.equal(true);
        expect(id.endsWith("-20241213-152430-789-a1b2")).to.equal(true);
        expect(id).to.contain("-backend-");
        expect(id).to.contain("-to-sha");
    });

    it("property: awkward inputs always give a valid RDS identifier of at most 63 characters", () => {
        const awkward = [
            "",
            "-",
            "_",
            ".",
            "+",
            "--",
            "a",
            "A",
            "Prod",
            "prod.eu_1",
            "PROD+EU",
            "stack_with__underscores",
            "x".repeat(300),
            "v1.2.3",
            "V1.2.3+build.7",
            "1.3.0-rc.1",
            "v1.2.3-20241213-152430-a1b2c3d4",
            `sha256:${HEX64}`,
            "latest",
            "ümlaut-ßtack",
            "--lead-and-trail--",
            "9starts-with-digit",
            "a-".repeat(50),
            "org/project/production",
            "😀",
            " spaced out ",
        ];
        let n = 0;
        for (const stack of awkward) {
            for (const service of ["backend", "frontend", "database", "", "Back_End"]) {
                for (const fromVersion of [undefined, ...awkward.slice(0, 26).filter((_, i) => i % 3 === 0)]) {
                    for (const toVersion of [undefined, "v1.3.0", "x".repeat(80), "+"]) {
                        const id = snapshotIdentifier({ stack, service, fromVersion, toVersion, at, suffix: "ffff" });
                        const where = JSON.stringify({ stack, service, fromVersion, toVersion, id });
                        expect(id.length, where).to.be.at.most(63);
                        expect(id, where).to.match(SNAPSHOT_IDENTIFIER_PATTERN);
                        expect(id, where).to.match(/^drydock-/);
                        expect(id, where).to.match(/-20241213-152430-789-ffff$/);
                        expect(id, where).to.not.contain("--");
                        n++;
                    }
                }
            }
        }
        expect(n).to.be.greaterThan(1000);
    });

    it("the identifier pattern itself rejects what RDS rejects", () => {
        for (const bad of ["1abc", "-abc", "abc-", "ab--c", "ab_c", "ab.c"]) expect(bad).to.not.match(SNAPSHOT_IDENTIFIER_PATTERN);
    });

    it("rejects an invalid date", () => {
        expect(() => snapshotIdentifier({ stack: "s", service: "b", at: new Date("nope"), suffix })).to.throw(RangeError, /"at"/);
    });
});

describe("release/stacks: the environment of a stack", () => {
    it("without drydock:environment, only names that clearly mean non-production are non-production", () => {
        const production = [
            "production",
            "prod",
            "prod-eu",
            "production-eu",
            "prd",
            "prod_eu",
            "Production",
            "org/drydock/production",
            "live",
            "devops",
            "stagecoach",
            "testament",
            "preprod",
            "my-staging",
            "",
        ];
        for (const s of production) expect(environmentOfStackName(s), s).to.equal("production");
        const staging = [
            "staging",
            "stage",
            "test",
            "qa",
            "preview",
            "staging-eu",
            "qa_1",
            "test2",
            "preview.7",
            "STAGING",
            "org/drydock/staging",
        ];
        for (const s of staging) expect(environmentOfStackName(s), s).to.equal("staging");
        for (const s of ["dev", "develop", "development", "dev2", "dev-alice", "development_eu"])
            expect(environmentOfStackName(s), s).to.equal("development");
    });

    it("an explicit drydock:environment wins; an unknown value counts as production", () => {
        expect(stackEnvironment("production", "staging")).to.equal("staging");
        expect(stackEnvironment("staging", "production")).to.equal("production");
        expect(stackEnvironment("staging", "prod")).to.equal("production");
        expect(stackEnvironment("staging", "")).to.equal("staging");
        expect(isProductionStack("prd")).to.equal(true);
        expect(isProductionStack("dev")).to.equal(false);
    });

    it("matches productionStacks patterns; * is a glob and other characters are literal", () => {
        expect(matchesStackPattern("live-eu", ["live-*"])).to.equal(true);
        expect(matchesStackPattern("production", ["live-*"])).to.equal(false);
        expect(matchesStackPattern("a.b", ["a.b"])).to.equal(true);
        expect(matchesStackPattern("axb", ["a.b"])).to.equal(false);
        expect(matchesStackPattern("eu-prod-1", ["*-prod-*"])).to.equal(true);
        expect(matchesStackPattern("anything", ["*"])).to.equal(true);
        expect(matchesStackPattern("production", [])).to.equal(false);
    });
});
