import {
    CreateDBClusterSnapshotCommand,
    DeleteDBClusterSnapshotCommand,
    DescribeDBClustersCommand,
    DescribeDBClusterSnapshotsCommand,
    RDSClient,
} from "@aws-sdk/client-rds";
import { expect } from "chai";
import * as sinon from "sinon";
import { awsError, cleanup, drydock, mocks, NOW, resetMocks, stackDir } from "./fixtures/cli/harness";

// Milliseconds and a random suffix keep identifiers unique (issue 11); Math.random is pinned below so the suffix is "3333".
const NEW_ID = "drydock-production-manual-20261124-100000-000-3333";

function cluster(status = "available"): void {
    mocks.rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: "drydock-production" })
        .resolves({ DBClusters: [{ DBClusterIdentifier: "drydock-production", Status: status }] });
}

function drydockSnapshot(id: string, created: string, extra: { Key: string; Value: string }[] = []) {
    return {
        DBClusterSnapshotIdentifier: id,
        DBClusterIdentifier: "drydock-production",
        Status: "available",
        SnapshotCreateTime: new Date(created),
        TagList: [{ Key: "drydock:managed-by", Value: "drydock" }, { Key: "drydock:stack", Value: "production" }, ...extra],
    };
}

describe("drydock snapshot / snapshots", () => {
    let dir: string;
    let random: sinon.SinonStub;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
        random = sinon.stub(Math, "random").returns(0.2);
    });
    afterEach(() => {
        random.restore();
        cleanup(dir);
    });

    it("starts a tagged snapshot and returns without waiting", async () => {
        cluster();
        mocks.rds.on(CreateDBClusterSnapshotCommand).resolves({
            DBClusterSnapshot: {
                DBClusterSnapshotIdentifier: NEW_ID,
                DBClusterSnapshotArn: `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${NEW_ID}`,
                Status: "creating",
            },
        });
        const r = await drydock(dir, ["snapshot", "--stack", "production", "--reason", "before v1.4.0, with migrations", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        // The comma is not allowed in an RDS tag value: the output says what the tag records instead.
        expect(r.stderr).to.include('the snapshot\'s drydock:reason tag records "before v1.4.0 with migrations"');
        expect(JSON.parse(r.stdout)).to.deep.equal({
            identifier: NEW_ID,
            arn: `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${NEW_ID}`,
            status: "creating",
            pruned: [],
        });
        const input = mocks.rds.commandCalls(CreateDBClusterSnapshotCommand)[0].args[0].input;
        expect(input.DBClusterIdentifier).to.equal("drydock-production");
        expect(input.DBClusterSnapshotIdentifier).to.equal(NEW_ID);
        expect(input.Tags).to.deep.equal([
            { Key: "drydock:managed-by", Value: "drydock" },
            { Key: "drydock:stack", Value: "production" },
            { Key: "drydock:service", Value: "manual" },
            { Key: "drydock:reason", Value: "before v1.4.0 with migrations" },
        ]);
        expect(mocks.rds.commandCalls(DescribeDBClusterSnapshotsCommand)).to.have.length(0);
        const text = await drydock(dir, ["snapshot", "--stack", "production"]);
        expect(text.stdout).to.include(`Snapshot ${NEW_ID} of drydock-production started (creating).`);
    });

    it("--wait waits until available and prunes beyond snapshotsToKeep, never foreign snapshots", async () => {
        cluster();
        mocks.rds
            .on(CreateDBClusterSnapshotCommand)
            .resolves({ DBClusterSnapshot: { DBClusterSnapshotIdentifier: NEW_ID, Status: "creating" } });
        mocks.rds
            .on(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: NEW_ID })
            .resolvesOnce({ DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: NEW_ID, Status: "creating", PercentProgress: 40 }] })
            .resolves({ DBClusterSnapshots: [{ ...drydockSnapshot(NEW_ID, "2026-11-24T10:00:00Z") }] });
        const older = [1, 2, 3, 4, 5].map((d) => drydockSnapshot(`drydock-production-backend-2026111${d}`, `2026-11-1${d}T00:00:00Z`));
        mocks.rds.on(DescribeDBClusterSnapshotsCommand, { SnapshotType: "manual" }).resolves({
            DBClusterSnapshots: [
                drydockSnapshot(NEW_ID, "2026-11-24T10:00:00Z"),
                ...older,
                {
                    DBClusterSnapshotIdentifier: "handmade-backup",
                    DBClusterIdentifier: "drydock-production",
                    Status: "available",
                    SnapshotCreateTime: new Date("2026-01-01T00:00:00Z"),
                    TagList: [],
                },
            ],
        });
        mocks.rds.on(DeleteDBClusterSnapshotCommand).resolves({});
        const r = await drydock(dir, [
            "snapshot",
            "--stack",
            "production",
            "--wait",
            "--json",
            "--reason",
            "before v1.4.0, with migrations",
        ]);
        expect(r.code, r.stderr).to.equal(0);
        // Under --json the progress goes to stderr, with the line saying what the reason tag records.
        expect(r.stderr).to.include('tag drydock:reason records "before v1.4.0 with migrations"');
        // snapshotsToKeep is 5 in the fixture: the new one and the 4 newest older ones stay.
        expect(JSON.parse(r.stdout)).to.deep.equal({
            identifier: NEW_ID,
            arn: null,
            status: "available",
            pruned: ["drydock-production-backend-20261111"],
        });
        expect(
            mocks.rds.commandCalls(DeleteDBClusterSnapshotCommand).map((c) => c.args[0].input.DBClusterSnapshotIdentifier),
        ).to.deep.equal(["drydock-production-backend-20261111"]);
    });

    it("--wait gives up after snapshotTimeoutMinutes (exit 1)", async () => {
        cluster();
        mocks.rds
            .on(CreateDBClusterSnapshotCommand)
            .resolves({ DBClusterSnapshot: { DBClusterSnapshotIdentifier: NEW_ID, Status: "creating" } });
        mocks.rds
            .on(DescribeDBClusterSnapshotsCommand)
            .resolves({ DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: NEW_ID, Status: "creating", PercentProgress: 10 }] });
        let t = NOW.getTime();
        const now = () => new Date((t += 5 * 60_000)); // 5 minutes pass per look at the clock
        const r = await drydock(dir, ["snapshot", "--stack", "production", "--wait"], { now });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
            /^drydock: snapshot of drydock-production: snapshot drydock-production-manual-\d{8}-\d{6}-\d{3}-[0-9a-f]{4} is still "creating" \(10%\) after 30 min/,
        );
        expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
        expect(r.stdout).to.include(": creating, 10%"); // progress was printed
    });

    it("refuses when the cluster is busy or missing, and on access denied (exit 1, one line)", async () => {
        cluster("backing-up");
        const busy = await drydock(dir, ["snapshot", "--stack", "production"]);
        expect(busy.code).to.equal(1);
        expect(busy.stderr).to.match(
            /^drydock: snapshot of drydock-production: the cluster is "backing-up", not "available", so RDS cannot snapshot it now\. Wait until it is available .* and try again\.\n$/,
        );
        mocks.rds.reset();
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault", "DBCluster drydock-production not found."));
        const missing = await drydock(dir, ["snapshot", "--stack", "production", "--json"]);
        expect(missing.code).to.equal(1);
        // No cluster: the stack is not deployed, and the line says so (not a hint to a command that would fail).
        expect(missing.stderr).to.equal(
            "drydock: stack production: is not deployed: there is no Aurora cluster drydock-production in us-east-1 to snapshot (deploy it first: pulumi up -s production)\n",
        );
        expect(JSON.parse(missing.stdout)).to.deep.equal({ error: missing.stderr.trim().replace(/^drydock: /, ""), code: 1 });
        mocks.rds.reset();
        cluster();
        mocks.rds
            .on(CreateDBClusterSnapshotCommand)
            .rejects(awsError("AccessDenied", "User is not authorized to perform: rds:CreateDBClusterSnapshot"));
        const denied = await drydock(dir, ["snapshot", "--stack", "production"]);
        expect(denied.code).to.equal(1);
        expect(denied.stderr).to.match(
            /^drydock: snapshot of drydock-production: could not create snapshot drydock-production-manual-\d{8}-\d{6}-\d{3}-[0-9a-f]{4}: AccessDenied: User is not authorized to perform: rds:CreateDBClusterSnapshot \(the deploying AWS identity needs rds:DescribeDBClusters, rds:CreateDBClusterSnapshot/,
        );
        expect(mocks.rds.commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(1);
    });

    it("snapshots lists drydock's snapshots of the stack, newest first (table and JSON)", async () => {
        mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({
            DBClusterSnapshots: [
                drydockSnapshot("drydock-production-backend-v1-2-2-to-v1-2-3-20261110-080000", "2026-11-10T08:00:00Z", [
                    { Key: "drydock:service", Value: "backend" },
                    { Key: "drydock:from-version", Value: "v1.2.2" },
                    { Key: "drydock:to-version", Value: "v1.2.3" },
                    { Key: "drydock:reason", Value: "backend image change" },
                ]),
                {
                    ...drydockSnapshot(NEW_ID, "2026-11-24T10:00:00Z", [{ Key: "drydock:service", Value: "manual" }]),
                    Status: "creating",
                    PercentProgress: 60,
                },
                {
                    DBClusterSnapshotIdentifier: "handmade-backup",
                    DBClusterIdentifier: "drydock-production",
                    Status: "available",
                    SnapshotCreateTime: new Date("2026-11-20T00:00:00Z"),
                    TagList: [],
                },
            ],
        });
        const json = await drydock(dir, ["snapshots", "--stack", "production", "--json"]);
        expect(json.code).to.equal(0);
        const doc = JSON.parse(json.stdout);
        expect(doc.stack).to.equal("production");
        expect(doc.cluster).to.equal("drydock-production");
        expect(doc.snapshots.map((s: { identifier: string }) => s.identifier)).to.deep.equal([
            NEW_ID,
            "drydock-production-backend-v1-2-2-to-v1-2-3-20261110-080000",
        ]);
        expect(doc.snapshots[1]).to.deep.equal({
            identifier: "drydock-production-backend-v1-2-2-to-v1-2-3-20261110-080000",
            status: "available",
            createdAt: "2026-11-10T08:00:00Z",
            service: "backend",
            fromVersion: "v1.2.2",
            toVersion: "v1.2.3",
            reason: "backend image change",
            percentProgress: null,
        });
        const text = await drydock(dir, ["snapshots", "--stack", "production"]);
        expect(text.stdout).to.match(/^IDENTIFIER\s+STATUS\s+CREATED\s+SERVICE\s+VERSIONS\s+REASON$/m);
        expect(text.stdout).to.match(
            /^drydock-production-manual-20261124-100000-000-3333\s+creating 60%\s+2026-11-24 10:00 UTC\s+manual\s+-\s+-$/m,
        );
        expect(text.stdout).to.match(/v1\.2\.2 -> v1\.2\.3\s+backend image change$/m);
        expect(text.stdout).to.not.include("handmade-backup");
    });

    it("snapshot without credentials or with an unreachable endpoint speaks through the one translator (one line, exit 1)", async () => {
        mocks.rds
            .on(DescribeDBClustersCommand)
            .rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
        const nocreds = await drydock(dir, ["snapshot", "--stack", "production"]);
        expect(nocreds.code).to.equal(1);
        expect(nocreds.stderr).to.equal(
            "drydock: snapshot of drydock-production: could not read the cluster: no AWS credentials found (Could not load credentials from any providers) " +
                "(set AWS_PROFILE, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)\n",
        );
        // A real client against a closed port: the SDK's own connection error.
        const unreachable = new RDSClient({
            region: "us-east-1",
            endpoint: "http://127.0.0.1:1",
            maxAttempts: 1,
            credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
        });
        for (const args of [["snapshot"], ["snapshots"]]) {
            const r = await drydock(dir, [...args, "--stack", "production"], { rds: () => unreachable });
            expect(r.code, args[0]).to.equal(1);
            expect(r.stderr, args[0]).to.match(
                /: cannot reach AWS \(connect ECONNREFUSED 127\.0\.0\.1:1\) \(check the network, the region and AWS_ENDPOINT_URL\)\n$/,
            );
            expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
        }
    });

    it("snapshots of a stack that was never deployed says so, and suggests no command that would fail", async () => {
        mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault", "DBCluster drydock-staging not found."));
        const r = await drydock(dir, ["snapshots", "--stack", "staging"]);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.equal(
            "Stack staging is not deployed: there is no Aurora cluster drydock-staging in us-east-1, so nothing to snapshot or list (deploy it with pulumi up -s staging).\n",
        );
        const json = await drydock(dir, ["snapshots", "--stack", "staging", "--json"]);
        expect(JSON.parse(json.stdout)).to.deep.equal({ stack: "staging", cluster: "drydock-staging", deployed: false, snapshots: [] });
    });

    it("snapshots says so when there are none; unknown stack exits 2", async () => {
        mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
        mocks.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: "drydock-staging", Status: "available" }] });
        const none = await drydock(dir, ["snapshots", "--stack", "staging"]);
        expect(none.code).to.equal(0);
        expect(none.stdout).to.include("No drydock snapshots of drydock-staging. Take one: npx drydock snapshot --stack staging --wait");
        const unknown = await drydock(dir, ["snapshots", "--stack", "qa"]);
        expect(unknown.code).to.equal(2);
        const unknownSnap = await drydock(dir, ["snapshot", "--stack", "qa", "--wait"]);
        expect(unknownSnap.code).to.equal(2);
        expect(mocks.rds.commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(0);
    });
});
