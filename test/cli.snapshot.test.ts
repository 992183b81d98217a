import {
    CreateDBClusterSnapshotCommand,
    DeleteDBClusterSnapshotCommand,
    DescribeDBClustersCommand,
    DescribeDBClusterSnapshotsCommand,
} from "@aws-sdk/client-rds";
import { expect } from "chai";
import { awsError, cleanup, drydock, mocks, NOW, resetMocks, stackDir } from "./fixtures/cli/harness";

const NEW_ID = "drydock-production-manual-20261124-100000";

function cluster(status = "available"): void {
    mocks.rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: "drydock-production" }).resolves({ DBClusters: [{ DBClusterIdentifier: "drydock-production", Status: status }] });
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
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("starts a tagged snapshot and returns without waiting", async () => {
        cluster();
        mocks.rds.on(CreateDBClusterSnapshotCommand).resolves({ DBClusterSnapshot: { DBClusterSnapshotIdentifier: NEW_ID, DBClusterSnapshotArn: `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${NEW_ID}`, Status: "creating" } });
        const r = await drydock(dir, ["snapshot", "--stack", "production", "--reason", "before v1.4.0, with migrations", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(JSON.parse(r.stdout)).to.deep.equal({ identifier: NEW_ID, arn: `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${NEW_ID}`, status: "creating", pruned: [] });
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
        mocks.rds.on(CreateDBClusterSnapshotCommand).resolves({ DBClusterSnapshot: { DBClusterSnapshotIdentifier: NEW_ID, Status: "creating" } });
        mocks.rds
            .on(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: NEW_ID })
            .resolvesOnce({ DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: NEW_ID, Status: "creating", PercentProgress: 40 }] })
            .resolves({ DBClusterSnapshots: [{ ...drydockSnapshot(NEW_ID, "2026-11-24T10:00:00Z") }] });
        const older = [1, 2, 3, 4, 5].map((d) => drydockSnapshot(`drydock-production-backend-2026111${d}`, `2026-11-1${d}T00:00:00Z`));
        mocks.rds.on(DescribeDBClusterSnapshotsCommand, { SnapshotType: "manual" }).resolves({
            DBClusterSnapshots: [
                drydockSnapshot(NEW_ID, "2026-11-24T10:00:00Z"),
                ...older,
                { DBClusterSnapshotIdentifier: "handmade-backup", DBClusterIdentifier: "drydock-production", Status: "available", SnapshotCreateTime: new Date("2026-01-01T00:00:00Z"), TagList: [] },
            ],
        });
        mocks.rds.on(DeleteDBClusterSnapshotCommand).resolves({});
        const r = await drydock(dir, ["snapshot", "--stack", "production", "--wait", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        // snapshotsToKeep is 5 in the fixture: the new one and the 4 newest older ones stay.
        expect(JSON.parse(r.stdout)).to.deep.equal({ identifier: NEW_ID, arn: null, status: "available", pruned: ["drydock-production-backend-20261111"] });
        expect(mocks.rds.commandCalls(DeleteDBClusterSnapshotCommand).map((c) => c.args[0].input.DBClusterSnapshotIdentifier)).to.deep.equal(["drydock-production-backend-20261111"]);
    });

    it("--wait gives up after snapshotTimeoutMinutes (exit 1)", async () => {
        cluster();
        mocks.rds.on(CreateDBClusterSnapshotCommand).resolves({ DBClusterSnapshot: { DBClusterSnapshotIdentifier: NEW_ID, Status: "creating" } });
        mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: NEW_ID, Status: "creating", PercentProgress: 10 }] });
        let t = NOW.getTime();
        const now = () => new Date((t += 5 * 60_000)); // 5 minutes pass per look at the clock
        const r = await drydock(dir, ["snapshot", "--stack", "production", "--wait"], { now });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(/^drydock: snapshot of drydock-production: snapshot drydock-production-manual-\d{8}-\d{6} is still "creating" \(10%\) after 30 min/);
        expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
        expect(r.stdout).to.include(": creating, 10%"); // progress was printed
    });

    it("refuses when the cluster is busy or missing, and on access denied (exit 1, one line)", async () => {
        cluster("backing-up");
        const busy = await drydock(dir, ["snapshot", "--stack", "production"]);
        expect(busy.code).to.equal(1);
        expect(busy.stderr).to.match(/^drydock: snapshot of drydock-production: the cluster is "backing-up", not "available", so RDS cannot snapshot it now\. Wait until it is available .* and try again\.\n$/);
        mocks.rds.reset();
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault", "DBCluster drydock-production not found."));
        const missing = await drydock(dir, ["snapshot", "--stack", "production", "--json"]);
        expect(missing.code).to.equal(1);
        expect(missing.stdout).to.equal("");
        expect(missing.stderr).to.equal("drydock: snapshot of drydock-production: could not read the cluster: DBClusterNotFoundFault: DBCluster drydock-production not found.\n");
        mocks.rds.reset();
        cluster();
        mocks.rds.on(CreateDBClusterSnapshotCommand).rejects(awsError("AccessDenied", "User is not authorized to perform: rds:CreateDBClusterSnapshot"));
        const denied = await drydock(dir, ["snapshot", "--stack", "production"]);
        expect(denied.code).to.equal(1);
        expect(denied.stderr).to.match(/^drydock: snapshot of drydock-production: could not create snapshot drydock-production-manual-\d{8}-\d{6}: AccessDenied: User is not authorized to perform: rds:CreateDBClusterSnapshot \(the deploying AWS identity needs rds:DescribeDBClusters, rds:CreateDBClusterSnapshot/);
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
                { ...drydockSnapshot(NEW_ID, "2026-11-24T10:00:00Z", [{ Key: "drydock:service", Value: "manual" }]), Status: "creating", PercentProgress: 60 },
                { DBClusterSnapshotIdentifier: "handmade-backup", DBClusterIdentifier: "drydock-production", Status: "available", SnapshotCreateTime: new Date("2026-11-20T00:00:00Z"), TagList: [] },
            ],
        });
        const json = await drydock(dir, ["snapshots", "--stack", "production", "--json"]);
        expect(json.code).to.equal(0);
        const doc = JSON.parse(json.stdout);
        expect(doc.stack).to.equal("production");
        expect(doc.cluster).to.equal("drydock-production");
        expect(doc.snapshots.map((s: { identifier: string }) => s.identifier)).to.deep.equal([NEW_ID, "drydock-production-backend-v1-2-2-to-v1-2-3-20261110-080000"]);
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
        expect(text.stdout).to.match(/^drydock-production-manual-20261124-100000\s+creating 60%\s+2026-11-24 10:00 UTC\s+manual\s+-\s+-$/m);
        expect(text.stdout).to.match(/v1\.2\.2 -> v1\.2\.3\s+backend image change$/m);
        expect(text.stdout).to.not.include("handmade-backup");
    });

    it("snapshots says so when there are none; unknown stack exits 2", async () => {
        mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
        const none = await drydock(dir, ["snapshots", "--stack", "staging"]);
        expect(none.code).to.equal(0);
        expect(none.stdout).to.include("No drydock snapshots of drydock-staging");
        const unknown = await drydock(dir, ["snapshots", "--stack", "qa"]);
        expect(unknown.code).to.equal(2);
        const unknownSnap = await drydock(dir, ["snapshot", "--stack", "qa", "--wait"]);
        expect(unknownSnap.code).to.equal(2);
        expect(mocks.rds.commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(0);
    });
});
