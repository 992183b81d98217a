import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, TargetHealthStateEnum } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeDBClustersCommand, DescribeDBClusterSnapshotsCommand } from "@aws-sdk/client-rds";
import { expect } from "chai";
import {
    awsError,
    BACKEND_REPO,
    cleanup,
    digest,
    drydock,
    ecsService,
    FRONTEND_REPO,
    mocks,
    resetMocks,
    stackDir,
    targetGroupArn,
    taskDefinition,
    tdArn,
} from "./fixtures/cli/harness";

const A = digest("a");
const F = digest("f");

function mockDatabase(): void {
    mocks.rds.on(DescribeDBClustersCommand).resolves({
        DBClusters: [
            {
                DBClusterIdentifier: "drydock-production",
                Status: "available",
                EngineVersion: "16.6",
                PreferredMaintenanceWindow: "sun:05:00-sun:06:00",
                PreferredBackupWindow: "03:00-04:00",
            },
        ],
    });
    const tags = (from: string, to: string) => [
        { Key: "drydock:managed-by", Value: "drydock" },
        { Key: "drydock:stack", Value: "production" },
        { Key: "drydock:service", Value: "backend" },
        { Key: "drydock:from-version", Value: from },
        { Key: "drydock:to-version", Value: to },
    ];
    mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({
        DBClusterSnapshots: [
            { DBClusterSnapshotIdentifier: "drydock-production-backend-v1-2-2-to-v1-2-3-20261110-080000", DBClusterIdentifier: "drydock-production", Status: "available", SnapshotCreateTime: new Date("2026-11-10T08:00:00Z"), TagList: tags("v1.2.2", "v1.2.3") },
            { DBClusterSnapshotIdentifier: "drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080000", DBClusterIdentifier: "drydock-production", Status: "available", SnapshotCreateTime: new Date("2026-11-23T08:00:00Z"), TagList: tags("v1.2.3", "v1.3.0") },
            { DBClusterSnapshotIdentifier: "someone-elses-snapshot", DBClusterIdentifier: "drydock-production", Status: "available", SnapshotCreateTime: new Date("2026-11-24T08:00:00Z"), TagList: [] },
        ],
    });
}

function mockTargets(backend: TargetHealthStateEnum[], frontend: TargetHealthStateEnum[]): void {
    const health = (states: TargetHealthStateEnum[]) => ({ TargetHealthDescriptions: states.map((State, i) => ({ Target: { Id: `10.0.0.${i}` }, TargetHealth: { State } })) });
    mocks.elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: targetGroupArn("backend") }).resolves(health(backend));
    mocks.elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: targetGroupArn("frontend") }).resolves(health(frontend));
}

describe("drydock status", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("reports services, database and release state as one JSON document", async () => {
        mocks.ecs.on(DescribeServicesCommand).resolves({
            services: [ecsService("production", "backend", { revision: 8 }), ecsService("production", "frontend", { revision: 5, running: 1, pending: 1, rolloutState: "IN_PROGRESS" })],
        });
        mocks.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "backend", 8) }).resolves(taskDefinition("production", "backend", 8, `${BACKEND_REPO}@${A}`, "v1.3.0"));
        mocks.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "frontend", 5) }).resolves(taskDefinition("production", "frontend", 5, `${FRONTEND_REPO}@${F}`, "v1.3.0"));
        mockTargets(["healthy", "healthy"], ["healthy", "initial", "unhealthy"]);
        mockDatabase();
        const r = await drydock(dir, ["status", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(JSON.parse(r.stdout)).to.deep.equal({
            stack: "production",
            services: [
                { name: "backend", version: "v1.3.0", image: `${BACKEND_REPO}@${A}`, desired: 2, running: 2, pending: 0, rolloutState: "COMPLETED", rolledBack: false, targets: { healthy: 2, unhealthy: 0 } },
                { name: "frontend", version: "v1.3.0", image: `${FRONTEND_REPO}@${F}`, desired: 2, running: 1, pending: 1, rolloutState: "IN_PROGRESS", rolledBack: false, targets: { healthy: 1, unhealthy: 1 } },
            ],
            database: {
                identifier: "drydock-production",
                status: "available",
                engineVersion: "16.6",
                maintenanceWindow: "sun:05:00-sun:06:00",
                backupWindow: "03:00-04:00",
                newestSnapshot: { identifier: "drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080000", status: "available", createdAt: "2026-11-23T08:00:00Z" },
            },
            // NOW is Tue 11:00 Europe/Berlin: inside tue:09:00-tue:16:00; next opening Thu 09:00 CET = 08:00 UTC.
            release: { paused: false, windowOpen: true, nextWindowStart: "2026-11-26T08:00:00Z" },
        });
        expect(r.stderr).to.equal("");
    });

    it("shows a rolled-back deployment: the version that really runs, the failed task definition and the drift", async () => {
        mocks.ecs.on(DescribeServicesCommand).resolves({
            services: [
                ecsService("production", "backend", {
                    revision: 7,
                    rolloutState: "IN_PROGRESS",
                    rolloutStateReason: "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/7.",
                    others: [{ revision: 8, status: "ACTIVE", rolloutState: "FAILED", rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start." }],
                }),
                ecsService("production", "frontend", { revision: 5 }),
            ],
        });
        mocks.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "backend", 7) }).resolves(taskDefinition("production", "backend", 7, `${BACKEND_REPO}@${A}`, "v1.2.2"));
        mocks.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "frontend", 5) }).resolves(taskDefinition("production", "frontend", 5, `${FRONTEND_REPO}@${F}`, "v1.3.0"));
        mockTargets(["healthy", "unhealthy"], ["healthy", "healthy"]);
        mockDatabase();
        const json = JSON.parse((await drydock(dir, ["status", "--stack", "production", "--json"])).stdout);
        expect(json.services[0]).to.deep.include({ name: "backend", version: "v1.2.2", rolloutState: "IN_PROGRESS", rolledBack: true, targets: { healthy: 1, unhealthy: 1 } });

        const r = await drydock(dir, ["status", "--stack", "production"]);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.match(/^backend\s+v1\.2\.2\s+drydock\/backend@sha256:aaaaaaaaaaaa\s+2\/2\s+0\s+IN_PROGRESS\s+1 healthy, 1 unhealthy$/m);
        expect(r.stdout).to.include("! backend: ROLLED BACK — the deployment of drydock-production-backend:8 FAILED (ECS deployment circuit breaker: tasks failed to start.)");
        expect(r.stdout).to.include("ECS now runs drydock-production-backend:7 (v1.2.2)");
        expect(r.stdout).to.include("! backend: the stack file asks for v1.3.0 but v1.2.2 runs");
        expect(r.stdout).to.not.include("! frontend");
        expect(r.stdout).to.include("newest drydock snapshot: drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080000 (available, 2026-11-23 08:00 UTC)");
        expect(r.stdout).to.include("release window: open now until Tue 2026-11-24 16:00 Europe/Berlin (15:00 UTC)");
    });

    it("reports a stack that is not deployed without failing", async () => {
        mocks.ecs.on(DescribeServicesCommand).rejects(awsError("ClusterNotFoundException", "Cluster not found."));
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault", "DBCluster drydock-staging not found."));
        const r = await drydock(dir, ["status", "--stack", "staging", "--json"]);
        expect(r.code).to.equal(0);
        const doc = JSON.parse(r.stdout);
        expect(doc.services[1]).to.deep.equal({ name: "frontend", version: null, image: null, desired: 0, running: 0, pending: 0, rolloutState: null, rolledBack: false, targets: { healthy: 0, unhealthy: 0 } });
        expect(doc.database).to.equal(null);
        // staging has no windows: always open, no next start.
        expect(doc.release).to.deep.equal({ paused: false, windowOpen: true, nextWindowStart: null });
        const text = await drydock(dir, ["status", "--stack", "staging"]);
        expect(text.stdout).to.include("Stack staging is not deployed");
        expect(text.stdout).to.include("release window: none configured, always open");
    });

    it("shows a paused stack and a closed window", async () => {
        await drydock(dir, ["pause", "--stack", "production", "--reason", "quarter-end freeze"]);
        mocks.ecs.on(DescribeServicesCommand).rejects(awsError("ClusterNotFoundException"));
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault"));
        const wednesday = () => new Date("2026-11-25T10:00:00Z");
        const json = JSON.parse((await drydock(dir, ["status", "--stack", "production", "--json"], { now: wednesday })).stdout);
        expect(json.release).to.deep.equal({ paused: true, windowOpen: false, nextWindowStart: "2026-11-26T08:00:00Z" });
        const text = await drydock(dir, ["status", "--stack", "production"], { now: wednesday });
        expect(text.stdout).to.include("Release: PAUSED — quarter-end freeze (drydock resume --stack production)");
        expect(text.stdout).to.include("release window: closed; next opens Thu 2026-11-26 09:00 Europe/Berlin (08:00 UTC)");
    });

    for (const [name, error, pattern] of [
        ["access denied", awsError("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:DescribeServices"), /^drydock: ECS DescribeServices drydock-production: access denied: User: .* ecs:DescribeServices \(grant .*\)$/],
        ["throttling", Object.assign(awsError("ThrottlingException", "Rate exceeded"), { $retryable: { throttling: true } }), /^drydock: ECS DescribeServices drydock-production: AWS kept throttling the request after the SDK's retries \(ThrottlingException\) \(wait a minute and retry, or raise AWS_MAX_ATTEMPTS\)$/],
        ["no credentials", Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }), /^drydock: ECS DescribeServices drydock-production: no AWS credentials found \(Could not load credentials from any providers\) \(set AWS_PROFILE/],
    ] as const) {
        it(`fails with one line on ${name} (exit 1, nothing on stdout)`, async () => {
            mocks.ecs.on(DescribeServicesCommand).rejects(error);
            mockDatabase();
            const r = await drydock(dir, ["status", "--stack", "production", "--json"]);
            expect(r.code).to.equal(1);
            expect(r.stdout).to.equal("");
            expect(r.stderr.endsWith("\n")).to.equal(true);
            expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
            expect(r.stderr.trimEnd()).to.match(pattern);
        });
    }
});
