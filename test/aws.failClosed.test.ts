/**
 * Issue 11 in aws/: deadlines on hooks whose AWS calls never answer, responses that are not answers,
 * unique and idempotent snapshots. AWS SDK calls through aws-sdk-client-mock; time through fake timers.
 */
import {
    CreateDBClusterSnapshotCommand,
    DBClusterSnapshotAlreadyExistsFault,
    DescribeDBClustersCommand,
    DescribeDBClusterSnapshotsCommand,
    RDSClient,
} from "@aws-sdk/client-rds";
import { DescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { getEventListeners } from "node:events";
import * as sinon from "sinon";
import { currentAbortSignal, DEADLINE_MARGIN_MS, DeadlineError, trackCall, withDeadline } from "../aws/deadline";
import { aws, fromAwsError, NotAnAnswerError } from "../aws/errors";
import { listImages } from "../aws/ecr";
import { verifyRollout } from "../aws/rollout";
import { createPreUpdateSnapshot, listDrydockSnapshots, startClusterSnapshot } from "../aws/snapshots";
import { rejection } from "./support/rejection";

const CLUSTER = "drydock-production";
const never = () => new Promise<never>(() => undefined);

/** What the SDK throws when a 200 response body cannot be parsed (truncated JSON). */
function deserializationError(): Error {
    const e = Object.assign(new SyntaxError("Unexpected end of JSON input"), { $metadata: { httpStatusCode: 200 } });
    e.message += "\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.";
    Object.defineProperty(e, "$response", { value: { statusCode: 200 }, enumerable: false });
    return e;
}

describe("aws/deadline: an overall deadline names the call that did not answer", () => {
    it("fails after the limit with one line naming the pending call", async () => {
        const err = await rejection(withDeadline("drydock status", 30, () => trackCall("ECS DescribeServices drydock-production", never)));
        expect(err).to.be.instanceOf(DeadlineError);
        expect(err.message).to.equal("drydock status: no answer from ECS DescribeServices drydock-production within 30ms");
    });

    it("a nested deadline (a configured wait) stops the outer clock while it runs", async () => {
        const slow = () => new Promise((resolve) => setTimeout(() => resolve("done"), 60));
        expect(await withDeadline("outer", 40, () => withDeadline("inner", 200, slow))).to.equal("done");
    });

    it("returns the result and leaves no timer behind when the work finishes in time", async () => {
        expect(await withDeadline("x", 10_000, async () => 42)).to.equal(42);
    });
});

describe("hooks whose AWS calls never answer fail by their configured timeout (fake timers)", () => {
    let clock: sinon.SinonFakeTimers;
    const rdsMock = mockClient(RDSClient);
    const ecsMock = mockClient(ECSClient);
    beforeEach(() => {
        clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
        rdsMock.reset();
        ecsMock.reset();
    });
    afterEach(() => clock.restore());
    after(() => {
        rdsMock.restore();
        ecsMock.restore();
    });

    it("pre-update snapshot: DescribeDBClusterSnapshots never answers → fails at snapshotTimeoutMinutes + margin, naming it", async () => {
        rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: "available" }] });
        rdsMock.on(CreateDBClusterSnapshotCommand).resolves({ DBClusterSnapshot: { Status: "creating" } });
        rdsMock.on(DescribeDBClusterSnapshotsCommand).callsFake(never);
        let settled: Error | undefined;
        const p = createPreUpdateSnapshot(new RDSClient({ region: "us-east-1" }), {
            clusterIdentifier: CLUSTER,
            stack: "production",
            service: "backend",
            reason: "r",
            keep: 10,
            timeoutMs: 60_000,
            suffix: () => "abcd",
        }).catch((e: Error) => (settled = e));
        await clock.tickAsync(60_000 + DEADLINE_MARGIN_MS - 1_000);
        expect(settled, "still within the budget").to.equal(undefined);
        await clock.tickAsync(2_000);
        await p;
        expect(settled?.message).to.match(
            /^pre-update snapshot of drydock-production: no answer from RDS DescribeDBClusterSnapshots drydock-production-backend-\S+-abcd within 90s$/,
        );
    });

    it("verify-rollout: DescribeServices never answers → fails at rolloutTimeoutMinutes + margin, naming it", async () => {
        ecsMock.on(DescribeServicesCommand).callsFake(never);
        let settled: Error | undefined;
        const p = verifyRollout(new ECSClient({ region: "us-east-1" }), {
            cluster: CLUSTER,
            service: "backend-service",
            expectedTaskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/x:2",
            timeoutMs: 60_000,
        }).catch((e: Error) => (settled = e));
        await clock.tickAsync(60_000 + DEADLINE_MARGIN_MS + 1_000);
        await p;
        expect(settled?.message).to.equal(
            "verify-rollout of backend-service: no answer from ECS DescribeServices backend-service within 90s",
        );
    });
});

describe("responses that are not answers are errors, never data", () => {
    const ecrMock = mockClient(ECRClient);
    const rdsMock = mockClient(RDSClient);
    const repo = {
        uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend",
        registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        repositoryName: "drydock/backend",
    };
    beforeEach(() => {
        ecrMock.reset();
        rdsMock.reset();
    });
    after(() => {
        ecrMock.restore();
        rdsMock.restore();
    });

    it("an empty DescribeImages response is not 'no images': one line, after asking again", async () => {
        ecrMock.on(DescribeImagesCommand).resolves({});
        const err = await rejection(listImages(new ECRClient({ region: "us-east-1" }), repo));
        expect(err.message).to.equal(
            "ECR DescribeImages drydock/backend: AWS sent a response that is not an answer (empty, truncated or malformed: the response has no imageDetails), also when asked again",
        );
        expect(ecrMock.commandCalls(DescribeImagesCommand)).to.have.length(3);
    });

    it("an unparseable response is retried like a 5xx, and succeeds when the next answer is whole", async () => {
        ecrMock.on(DescribeImagesCommand).rejectsOnce(deserializationError()).resolves({ imageDetails: [] });
        expect(await listImages(new ECRClient({ region: "us-east-1" }), repo)).to.deep.equal([]);
        expect(ecrMock.commandCalls(DescribeImagesCommand)).to.have.length(2);
    });

    it("never leaks the SDK's 'Deserialization error' text, and keeps to one line", async () => {
        const err = await rejection(aws("ECS DescribeServices drydock-production", () => Promise.reject(deserializationError())));
        expect(err.message).to.equal(
            "ECS DescribeServices drydock-production: AWS sent a response that is not an answer (empty, truncated or malformed: Unexpected end of JSON input), also when asked again",
        );
        expect(err.message).to.not.contain("Deserialization error");
        expect(fromAwsError("x", new NotAnAnswerError("services")).message).to.contain("the response has no services");
    });

    it("an empty snapshot listing is not 'no snapshots'", async () => {
        rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({});
        const err = await rejection(listDrydockSnapshots(new RDSClient({ region: "us-east-1" }), CLUSTER));
        expect(err.message).to.contain("the response has no DBClusterSnapshots");
    });
});

describe("snapshot identifiers are unique and creation is idempotent", () => {
    const rdsMock = mockClient(RDSClient);
    const rds = new RDSClient({ region: "us-east-1" });
    const at = new Date("2026-11-25T10:00:00.123Z");
    const base = { clusterIdentifier: CLUSTER, stack: "production", service: "manual", reason: "before the migration", now: () => at };
    beforeEach(() => {
        rdsMock.reset();
        rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: "available" }] });
    });
    after(() => rdsMock.restore());

    it("three snapshots started in the same millisecond get three identifiers", async () => {
        rdsMock.on(CreateDBClusterSnapshotCommand).callsFake((input: { DBClusterSnapshotIdentifier: string }) => ({
            DBClusterSnapshot: { DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier, Status: "creating" },
        }));
        const ids = await Promise.all([1, 2, 3].map(() => startClusterSnapshot(rds, base).then((r) => r.identifier)));
        expect(new Set(ids).size).to.equal(3);
        for (const id of ids) expect(id).to.match(/^drydock-production-manual-20261125-100000-123-[0-9a-f]{4}$/);
    });

    /** The SDK lost the first response and retried: RDS says the identifier this call asked for exists. */
    function lostResponse(existing: {
        cluster: string;
        tags: (input: { Tags?: { Key?: string; Value?: string }[] }) => { Key?: string; Value?: string }[];
    }) {
        let asked: { DBClusterSnapshotIdentifier: string; Tags?: { Key?: string; Value?: string }[] } | undefined;
        rdsMock.on(CreateDBClusterSnapshotCommand).callsFake((input) => {
            asked = input;
            throw new DBClusterSnapshotAlreadyExistsFault({
                message: `Cannot create the snapshot because a snapshot with the identifier ${input.DBClusterSnapshotIdentifier} already exists.`,
                $metadata: {},
            });
        });
        rdsMock.on(DescribeDBClusterSnapshotsCommand).callsFake((input: { DBClusterSnapshotIdentifier: string }) => ({
            DBClusterSnapshots: [
                {
                    DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier,
                    DBClusterSnapshotArn: `arn:aws:rds:us-east-1:1:cluster-snapshot:${input.DBClusterSnapshotIdentifier}`,
                    DBClusterIdentifier: existing.cluster,
                    Status: "creating",
                    TagList: existing.tags(asked ?? {}),
                },
            ],
        }));
    }

    it("adopts the snapshot when AlreadyExists names this run's identifier, of this cluster, with this run's tags", async () => {
        lostResponse({ cluster: CLUSTER, tags: (input) => input.Tags ?? [] });
        const r = await startClusterSnapshot(rds, base);
        expect(r.status).to.equal("creating");
        expect(r.arn).to.equal(`arn:aws:rds:us-east-1:1:cluster-snapshot:${r.identifier}`);
    });

    it("refuses to adopt a snapshot of another cluster or with other tags", async () => {
        lostResponse({ cluster: "drydock-staging", tags: (input) => input.Tags ?? [] });
        expect((await rejection(startClusterSnapshot(rds, base))).message).to.match(
            /already exists but is not the one this run asked for \(it is of cluster drydock-staging\)/,
        );
        rdsMock.reset();
        rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: "available" }] });
        lostResponse({
            cluster: CLUSTER,
            tags: (input) => (input.Tags ?? []).map((t) => (t.Key === "drydock:reason" ? { ...t, Value: "someone else" } : t)),
        });
        expect((await rejection(startClusterSnapshot(rds, base))).message).to.match(/its drydock tags differ/);
    });

    it("says so when the reason has characters RDS refuses in tags, and what the tag records", async () => {
        rdsMock.on(CreateDBClusterSnapshotCommand).resolves({ DBClusterSnapshot: { Status: "creating" } });
        const r = await startClusterSnapshot(rds, { ...base, reason: 'INC-42 "db" -> rollback, 50%' });
        expect(r.recordedReason).to.equal("INC-42 db - rollback 50");
        const plain = await startClusterSnapshot(rds, base);
        expect(plain).to.not.have.property("recordedReason");
    });
});

describe("aws/deadline: many nested deadlines (a --watch loop) leave nothing behind", () => {
    it("does not accumulate abort listeners on the enclosing deadline's signal", async () => {
        const left = await withDeadline("outer", 10_000, async () => {
            for (let i = 0; i < 50; i++) await withDeadline(`round ${i}`, 1_000, async () => i);
            return getEventListeners(currentAbortSignal() as AbortSignal, "abort").length;
        });
        expect(left).to.equal(0);
    });
});
