import {
    CreateDBClusterSnapshotCommand,
    DBClusterNotFoundFault,
    DBClusterSnapshot,
    DBClusterSnapshotNotFoundFault,
    DeleteDBClusterSnapshotCommand,
    DescribeDBClustersCommand,
    DescribeDBClusterSnapshotsCommand,
    DescribeDBClusterSnapshotsCommandInput,
    RDSClient,
    RDSClientResolvedConfig,
    ServiceInputTypes,
    ServiceOutputTypes,
} from "@aws-sdk/client-rds";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { rejection } from "./support/rejection";
import { Readable } from "node:stream";
import { createPreUpdateSnapshot, listDrydockSnapshots, PreUpdateSnapshotRequest, SnapshotError, toTagValue } from "../aws/snapshots";
import { snapshotIdentifier } from "../release/snapshots";

const CLUSTER = "drydock-production";
const START = new Date("2026-11-28T21:30:00Z");
const NEW_ID = snapshotIdentifier({
    stack: "production",
    service: "backend",
    fromVersion: "v1.2.3",
    toVersion: "v1.3.0",
    at: START,
    suffix: "c0de",
});

/** A fake clock that sleep() advances, so polling tests are instant. */
function fakeClock() {
    let t = START.getTime();
    const sleeps: number[] = [];
    return {
        now: () => new Date(t),
        sleep: async (ms: number) => {
            sleeps.push(ms);
            t += ms;
        },
        sleeps,
    };
}

function request(extra: Partial<PreUpdateSnapshotRequest> = {}) {
    const clock = fakeClock();
    const logs: string[] = [];
    const req: PreUpdateSnapshotRequest = {
        clusterIdentifier: CLUSTER,
        stack: "production",
        service: "backend",
        fromVersion: "v1.2.3",
        toVersion: "v1.3.0",
        reason: "backend image v1.2.3 to v1.3.0",
        keep: 10,
        timeoutMs: 30 * 60_000,
        pollMs: 10_000,
        now: clock.now,
        suffix: () => "c0de",
        sleep: clock.sleep,
        log: (m) => logs.push(m),
        ...extra,
    };
    return { req, logs, clock };
}

function awsError(name: string, message: string): Error {
    return Object.assign(new Error(message), { name, $metadata: {} });
}

function drydockSnapshot(id: string, created: string, stack = "production", status = "available"): DBClusterSnapshot {
    return {
        DBClusterSnapshotIdentifier: id,
        DBClusterIdentifier: CLUSTER,
        SnapshotCreateTime: new Date(created),
        Status: status,
        SnapshotType: "manual",
        TagList: [
            { Key: "drydock:managed-by", Value: "drydock" },
            { Key: "drydock:stack", Value: stack },
            { Key: "drydock:service", Value: "backend" },
        ],
    };
}

describe("hooks: pre-update snapshot", () => {
    let rdsMock: AwsStub<ServiceInputTypes, ServiceOutputTypes, RDSClientResolvedConfig>;
    const rds = new RDSClient({ region: "us-east-1" });

    before(() => {
        rdsMock = mockClient(RDSClient);
    });
    beforeEach(() => {
        rdsMock.reset();
        rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: "available" }] });
        rdsMock.on(CreateDBClusterSnapshotCommand).callsFake((input: { DBClusterSnapshotIdentifier: string }) => ({
            DBClusterSnapshot: {
                DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier,
                DBClusterSnapshotArn: `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${input.DBClusterSnapshotIdentifier}`,
                Status: "creating",
            },
        }));
    });
    after(() => rdsMock.restore());

    /** DescribeDBClusterSnapshots: by identifier → `progress` states in turn (last repeats); by cluster → `listing` pages. */
    function snapshots(progress: Array<Partial<DBClusterSnapshot> | Error>, listing: DBClusterSnapshot[][] = [[]]) {
        let poll = 0;
        rdsMock.on(DescribeDBClusterSnapshotsCommand).callsFake((input: DescribeDBClusterSnapshotsCommandInput) => {
            if (input.DBClusterSnapshotIdentifier) {
                const step = progress[Math.min(poll++, progress.length - 1)];
                if (step instanceof Error) throw step;
                return {
                    DBClusterSnapshots: [
                        { DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier, DBClusterIdentifier: CLUSTER, ...step },
                    ],
                };
            }
            const page = input.Marker ? Number(input.Marker) : 0;
            return { DBClusterSnapshots: listing[page], ...(page + 1 < listing.length ? { Marker: String(page + 1) } : {}) };
        });
    }

    it("creates a snapshot with a valid identifier and drydock's tags, waits until available and reports progress", async () => {
        snapshots([
            { Status: "creating", PercentProgress: 0 },
            { Status: "creating", PercentProgress: 45 },
            { Status: "available", PercentProgress: 100 },
        ]);
        const { req, logs, clock } = request();

        const result = await createPreUpdateSnapshot(rds, req);

        expect(result.identifier).to.equal(NEW_ID);
        expect(result.identifier).to.match(/^drydock-production-backend-.*-20261128-213000-000-c0de$/);
        expect(result.identifier.length).to.be.at.most(63);
        expect(result.arn).to.equal(`arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${NEW_ID}`);
        const create = rdsMock.commandCalls(CreateDBClusterSnapshotCommand);
        expect(create).to.have.length(1);
        expect(create[0].args[0].input).to.deep.equal({
            DBClusterIdentifier: CLUSTER,
            DBClusterSnapshotIdentifier: NEW_ID,
            Tags: [
                { Key: "drydock:managed-by", Value: "drydock" },
                { Key: "drydock:stack", Value: "production" },
                { Key: "drydock:service", Value: "backend" },
                { Key: "drydock:from-version", Value: "v1.2.3" },
                { Key: "drydock:to-version", Value: "v1.3.0" },
                { Key: "drydock:reason", Value: "backend image v1.2.3 to v1.3.0" },
            ],
        });
        expect(rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: NEW_ID })).to.have.length(3);
        expect(clock.sleeps).to.deep.equal([10_000, 10_000]);
        expect(logs.join("\n")).to.include(`snapshot ${NEW_ID}: creating, 45%`);
        expect(logs.join("\n")).to.include(`snapshot ${NEW_ID} is available`);
    });

    it("records a release override in the snapshot tags, reduced to characters RDS tags accept", async () => {
        snapshots([{ Status: "available" }]);
        const { req } = request({ override: `hotfix INC-42, approved by "Dana" → now!` });
        await createPreUpdateSnapshot(rds, req);
        const tags = rdsMock.commandCalls(CreateDBClusterSnapshotCommand)[0].args[0].input.Tags ?? [];
        expect(tags).to.deep.include({ Key: "drydock:release-override", Value: "hotfix INC-42 approved by Dana now" });
        expect(toTagValue("x".repeat(300))).to.have.length(256);
    });

    it("fails when the snapshot is not available within the timeout, and says it is still being created", async () => {
        snapshots([{ Status: "creating", PercentProgress: 12 }]);
        const { req, clock } = request({ timeoutMs: 60_000, pollMs: 25_000 });

        const err = await rejection(createPreUpdateSnapshot(rds, req));

        expect(err).to.be.instanceOf(SnapshotError);
        expect(err.message).to.include(`pre-update snapshot of Aurora cluster ${CLUSTER} failed`);
        expect(err.message).to.include(`snapshot ${NEW_ID} is still "creating" (12%) after 60s`);
        expect(err.message).to.include("snapshotTimeoutMinutes");
        expect(clock.sleeps).to.deep.equal([25_000, 25_000, 10_000]); // never sleeps past the timeout
        expect(rdsMock.commandCalls(DeleteDBClusterSnapshotCommand)).to.have.length(0);
    });

    it("fails clearly when AWS denies access, naming the permissions to grant", async () => {
        rdsMock
            .on(CreateDBClusterSnapshotCommand)
            .rejects(
                awsError(
                    "AccessDenied",
                    "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: rds:CreateDBClusterSnapshot",
                ),
            );
        const { req } = request();

        const err = await rejection(createPreUpdateSnapshot(rds, req));

        expect(err.message).to.include(
            `could not create snapshot ${NEW_ID}: AccessDenied: User: arn:aws:iam::123456789012:user/ci is not authorized`,
        );
        expect(err.message).to.include("needs rds:DescribeDBClusters, rds:CreateDBClusterSnapshot, rds:AddTagsToResource");
        expect(rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand)).to.have.length(0);
    });

    it("waits for a cluster that is still being created (a new stack's first update), then snapshots it", async () => {
        const states = ["creating", "creating", "backing-up", "available"];
        let i = 0;
        rdsMock
            .on(DescribeDBClustersCommand)
            .callsFake(() => ({ DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: states[Math.min(i++, states.length - 1)] }] }));
        snapshots([{ Status: "creating", PercentProgress: 50 }, { Status: "available" }]);
        const { req, clock, logs } = request();
        const result = await createPreUpdateSnapshot(rds, req);
        expect(rdsMock.commandCalls(DescribeDBClustersCommand)).to.have.length(4);
        expect(rdsMock.commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(1);
        expect(result.identifier).to.match(/^drydock-production-backend-/);
        expect(clock.sleeps).to.deep.equal([10_000, 10_000, 10_000, 10_000]); // three for the cluster, one for the snapshot
        expect(logs.join("\n")).to.include(`cluster ${CLUSTER} is "creating"; waiting until it is available`);
        expect(logs.join("\n")).to.include(`cluster ${CLUSTER} is "backing-up"`);
    });

    it("fails in one line naming the status when the cluster is still busy at the snapshot timeout, and creates nothing", async () => {
        rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: "modifying" }] });
        const { req, clock } = request({ timeoutMs: 60_000, pollMs: 25_000 });
        const err = await rejection(createPreUpdateSnapshot(rds, req));
        expect(err.message.split("\n")).to.have.length(1);
        expect(err.message).to.include(
            `the cluster is still "modifying", not "available", after 60s (snapshotTimeoutMinutes); nothing was snapshotted`,
        );
        expect(err.message).to.include(`aws rds describe-db-clusters --db-cluster-identifier ${CLUSTER}`);
        expect(clock.sleeps).to.deep.equal([25_000, 25_000, 10_000]); // never sleeps past the timeout
        expect(rdsMock.commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(0);
    });

    for (const status of ["deleting", "failed", "inaccessible-encryption-credentials", "stopped"]) {
        it(`fails at once when the cluster is "${status}", which never becomes available by itself`, async () => {
            rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: status }] });
            const { req, clock } = request();
            const err = await rejection(createPreUpdateSnapshot(rds, req));
            expect(err.message).to.include(`the cluster is "${status}", which does not become "available" by itself`);
            if (status === "stopped") expect(err.message).to.include(`aws rds start-db-cluster --db-cluster-identifier ${CLUSTER}`);
            expect(clock.sleeps).to.deep.equal([]);
            expect(rdsMock.commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(0);
        });
    }

    it("fails when the cluster does not exist", async () => {
        rdsMock
            .on(DescribeDBClustersCommand)
            .rejects(new DBClusterNotFoundFault({ message: `DBCluster ${CLUSTER} not found.`, $metadata: {} }));
        const err = await rejection(createPreUpdateSnapshot(rds, request().req));
        expect(err.message).to.include(`could not read the cluster: DBClusterNotFoundFault: DBCluster ${CLUSTER} not found.`);
        expect(rdsMock.commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(0);
    });

    it("fails, saying what to check, when RDS lists no such cluster", async () => {
        rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
        const err = await rejection(createPreUpdateSnapshot(rds, request().req));
        expect(err.message).to.include(`the cluster was not found, so RDS cannot snapshot it; nothing was snapshotted`);
        expect(err.message).to.include(`Check the AWS account and region (aws rds describe-db-clusters --db-cluster-identifier ${CLUSTER}`);
        expect(rdsMock.commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(0);
    });

    it("fails when the snapshot fails or disappears while it is created", async () => {
        snapshots([{ Status: "creating" }, { Status: "failed" }]);
        const failed = await rejection(createPreUpdateSnapshot(rds, request().req));
        expect(failed.message).to.include(`snapshot ${NEW_ID} is "failed"; it will not become available`);

        snapshots([{ Status: "creating" }, new DBClusterSnapshotNotFoundFault({ message: "not found", $metadata: {} })]);
        const gone = await rejection(createPreUpdateSnapshot(rds, request().req));
        expect(gone.message).to.include(`snapshot ${NEW_ID} was deleted while it was being created`);
    });

    it("rejects a bad keep count before calling AWS", async () => {
        const err = await rejection(createPreUpdateSnapshot(rds, request({ keep: 0 }).req));
        expect(err.message).to.include(`invalid keep (snapshotsToKeep) 0; expected an integer >= 1`);
        expect(rdsMock.calls()).to.have.length(0);
    });

    it("prunes drydock's own snapshots of this stack beyond `keep`, oldest first, never foreign ones nor the new one", async () => {
        const foreign: DBClusterSnapshot = {
            DBClusterSnapshotIdentifier: "backup-before-update-20240101",
            DBClusterIdentifier: CLUSTER,
            SnapshotCreateTime: new Date("2024-01-01T00:00:00Z"),
            Status: "available",
            TagList: [],
        };
        const otherTool: DBClusterSnapshot = {
            ...drydockSnapshot("other-tool-1", "2024-02-01T00:00:00Z"),
            TagList: [
                { Key: "drydock:managed-by", Value: "someone-else" },
                { Key: "drydock:stack", Value: "production" },
            ],
        };
        snapshots(
            [{ Status: "available" }],
            [
                // page 1 (the new snapshot has no creation time yet)
                [
                    { ...drydockSnapshot(NEW_ID, "2026-11-28T21:30:00Z", "production", "creating"), SnapshotCreateTime: undefined },
                    foreign,
                    drydockSnapshot("drydock-production-backend-a", "2026-11-01T00:00:00Z"),
                ],
                // page 2
                [
                    drydockSnapshot("drydock-staging-backend-x", "2020-01-01T00:00:00Z", "staging"),
                    drydockSnapshot("drydock-production-backend-b", "2026-10-01T00:00:00Z"),
                    otherTool,
                ],
                // page 3
                [
                    drydockSnapshot("drydock-production-backend-c", "2026-09-01T00:00:00Z"),
                    drydockSnapshot("drydock-production-backend-d", "2026-08-01T00:00:00Z", "production", "creating"),
                ],
            ],
        );
        rdsMock.on(DeleteDBClusterSnapshotCommand).resolves({});
        const { req, logs } = request({ keep: 2 });

        const result = await createPreUpdateSnapshot(rds, req);

        // kept: the new one + the newest older one (a); pruned: b and c; d is still creating, so it is left alone
        expect(result.pruned).to.deep.equal(["drydock-production-backend-b", "drydock-production-backend-c"]);
        const deleted = rdsMock.commandCalls(DeleteDBClusterSnapshotCommand).map((c) => c.args[0].input.DBClusterSnapshotIdentifier);
        expect(deleted).to.deep.equal(["drydock-production-backend-b", "drydock-production-backend-c"]);
        expect(logs.join("\n")).to.include(`not pruning snapshot drydock-production-backend-d: it is "creating"`);
        const listed = rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand, { DBClusterIdentifier: CLUSTER });
        expect(listed.map((c) => c.args[0].input.Marker)).to.deep.equal([undefined, "1", "2"]);
        expect(listed[0].args[0].input.SnapshotType).to.equal("manual");
    });

    it("never prunes a snapshot someone took by hand (drydock snapshot)", async () => {
        const manual = (id: string, created: string): DBClusterSnapshot => ({
            ...drydockSnapshot(id, created),
            TagList: [
                { Key: "drydock:managed-by", Value: "drydock" },
                { Key: "drydock:stack", Value: "production" },
                { Key: "drydock:service", Value: "manual" },
            ],
        });
        snapshots(
            [{ Status: "available" }],
            [
                [
                    manual("drydock-production-manual-a", "2026-01-01T00:00:00Z"),
                    drydockSnapshot("drydock-production-backend-b", "2026-02-01T00:00:00Z"),
                ],
            ],
        );
        rdsMock.on(DeleteDBClusterSnapshotCommand).resolves({});
        const { req } = request({ keep: 1 });

        const result = await createPreUpdateSnapshot(rds, req);

        expect(result.pruned).to.deep.equal(["drydock-production-backend-b"]);
    });

    it("keeps the update going when pruning fails, with a warning (the new snapshot exists)", async () => {
        snapshots([{ Status: "available" }], [[drydockSnapshot("drydock-production-backend-a", "2026-11-01T00:00:00Z")]]);
        rdsMock
            .on(DeleteDBClusterSnapshotCommand)
            .rejects(awsError("AccessDenied", "not authorized to perform: rds:DeleteDBClusterSnapshot"));
        const { req, logs } = request({ keep: 1 });

        const result = await createPreUpdateSnapshot(rds, req);

        expect(result.identifier).to.equal(NEW_ID);
        expect(result.pruned).to.deep.equal([]);
        expect(logs.join("\n")).to.match(/WARNING: could not prune old drydock snapshots of drydock-production: AccessDenied/);
        // with a warn channel (the hooks pass pulumi.log.warn) the warning goes there
        const warnings: string[] = [];
        rdsMock.on(DeleteDBClusterSnapshotCommand).rejects(awsError("AccessDenied", "not authorized"));
        await createPreUpdateSnapshot(rds, { ...request({ keep: 1 }).req, warn: (m) => warnings.push(m) });
        expect(warnings.join("\n")).to.match(/^could not prune old drydock snapshots/);
    });

    it("lists drydock's snapshots newest first with their tags", async () => {
        snapshots(
            [],
            [
                [
                    drydockSnapshot("drydock-production-backend-old", "2026-01-01T00:00:00Z"),
                    {
                        ...drydockSnapshot("drydock-production-database-new", "2026-06-01T00:00:00Z"),
                        TagList: [
                            { Key: "drydock:managed-by", Value: "drydock" },
                            { Key: "drydock:stack", Value: "production" },
                            { Key: "drydock:service", Value: "database" },
                            { Key: "drydock:from-version", Value: "15.4" },
                            { Key: "drydock:to-version", Value: "16.1" },
                            { Key: "drydock:reason", Value: "database engineVersion changed" },
                        ],
                    },
                    {
                        ...drydockSnapshot("drydock-production-backend-running", "2026-01-01T00:00:00Z", "production", "creating"),
                        SnapshotCreateTime: undefined,
                        PercentProgress: 30,
                    },
                    drydockSnapshot("drydock-staging-backend-x", "2026-07-01T00:00:00Z", "staging"),
                    {
                        DBClusterSnapshotIdentifier: "manual-by-hand",
                        DBClusterIdentifier: CLUSTER,
                        Status: "available",
                        SnapshotCreateTime: new Date("2026-12-01T00:00:00Z"),
                    },
                ],
            ],
        );

        const all = await listDrydockSnapshots(rds, CLUSTER);
        expect(all.map((s) => s.identifier)).to.deep.equal([
            "drydock-production-backend-running",
            "drydock-staging-backend-x",
            "drydock-production-database-new",
            "drydock-production-backend-old",
        ]);
        const production = await listDrydockSnapshots(rds, CLUSTER, "production");
        expect(production.map((s) => s.identifier)).to.not.include("drydock-staging-backend-x");
        expect(production[0]).to.include({ status: "creating", percentProgress: 30 });
        expect(production[1]).to.deep.include({
            identifier: "drydock-production-database-new",
            status: "available",
            createdAt: new Date("2026-06-01T00:00:00Z"),
            stack: "production",
            service: "database",
            fromVersion: "15.4",
            toVersion: "16.1",
            reason: "database engineVersion changed",
        });
    });
});

describe("hooks: pre-update snapshot through the AWS SDK's own retries", () => {
    /** A fake HTTP handler speaking RDS's query protocol: answers by Action, throttling the first `throttle` calls. */
    function fakeRds(throttle: number) {
        const actions: string[] = [];
        const xml = (action: string, result: string) =>
            `<${action}Response xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`;
        const snapshot = (id: string) =>
            `<DBClusterSnapshot><DBClusterSnapshotIdentifier>${id}</DBClusterSnapshotIdentifier><DBClusterIdentifier>${CLUSTER}</DBClusterIdentifier><Status>available</Status></DBClusterSnapshot>`;
        const handler = {
            handle: async (request: { body?: unknown }) => {
                const params = new URLSearchParams(String(request.body ?? ""));
                const action = params.get("Action") ?? "?";
                actions.push(action);
                let status = 200;
                let body: string;
                if (actions.length <= throttle) {
                    status = 400;
                    body = `<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
                } else if (action === "DescribeDBClusters") {
                    body = xml(
                        action,
                        `<DBClusters><DBCluster><DBClusterIdentifier>${CLUSTER}</DBClusterIdentifier><Status>available</Status></DBCluster></DBClusters>`,
                    );
                } else if (action === "CreateDBClusterSnapshot") {
                    body = xml(action, snapshot(params.get("DBClusterSnapshotIdentifier") ?? ""));
                } else if (action === "DescribeDBClusterSnapshots") {
                    const id = params.get("DBClusterSnapshotIdentifier");
                    body = xml(action, `<DBClusterSnapshots>${id ? snapshot(id) : ""}</DBClusterSnapshots>`);
                } else {
                    throw new Error(`unexpected action ${action}`);
                }
                return {
                    response: { statusCode: status, headers: { "content-type": "text/xml" }, body: Readable.from([Buffer.from(body)]) },
                };
            },
        };
        return { handler, actions };
    }

    function client(maxAttempts: number, handler: ReturnType<typeof fakeRds>["handler"]): RDSClient {
        return new RDSClient({
            region: "us-east-1",
            maxAttempts,
            credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
            requestHandler: handler as unknown as NonNullable<ConstructorParameters<typeof RDSClient>[0]>["requestHandler"],
        });
    }

    it("succeeds when a call is throttled once: the SDK retries it", async () => {
        const fake = fakeRds(1);
        const result = await createPreUpdateSnapshot(client(3, fake.handler), request().req);
        expect(result.identifier).to.equal(NEW_ID);
        expect(fake.actions).to.deep.equal([
            "DescribeDBClusters",
            "DescribeDBClusters",
            "CreateDBClusterSnapshot",
            "DescribeDBClusterSnapshots",
            "DescribeDBClusterSnapshots",
        ]);
    });

    it("fails clearly when throttling outlasts the client's maxAttempts", async () => {
        const fake = fakeRds(5);
        const err = await rejection(createPreUpdateSnapshot(client(1, fake.handler), request().req));
        // Described by the one AWS error translator (aws/errors.ts), as in every command and hook.
        expect(err.message).to.include(
            "could not read the cluster: AWS kept throttling the request after the SDK's retries (Throttling) (wait a minute and retry, or raise AWS_MAX_ATTEMPTS)",
        );
        expect(fake.actions).to.deep.equal(["DescribeDBClusters"]);
    });
});
