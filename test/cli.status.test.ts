import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { writeFileSync } from "fs";
import { join } from "path";
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
    image,
    mocks,
    NOW,
    readStack,
    resetMocks,
    stackDir,
    targetGroupArn,
    taskDefinition,
    tdArn,
} from "./fixtures/cli/harness";

const A = digest("a");
const B = digest("b");
const F = digest("f");

/** ECR: each image by digest and by each of its tags. */
function mockImages(repositoryName: string, images: [string, string[]][]): void {
    for (const [d, tags] of images) {
        const detail = { imageDetails: [image(d, tags, "2026-11-20T08:00:00Z")] };
        mocks.ecr.on(DescribeImagesCommand, { repositoryName, imageIds: [{ imageDigest: d }] }).resolves(detail);
        for (const tag of tags) mocks.ecr.on(DescribeImagesCommand, { repositoryName, imageIds: [{ imageTag: tag }] }).resolves(detail);
    }
}

/** Production: backend A = v1.3.0 (the stack file's version), B = v1.2.2; frontend F = v1.3.0. */
function mockProductionImages(): void {
    mockImages("drydock/backend", [
        [A, ["v1.3.0"]],
        [B, ["v1.2.2", "latest"]],
    ]);
    mockImages("drydock/frontend", [[F, ["v1.3.0"]]]);
}

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
            {
                DBClusterSnapshotIdentifier: "drydock-production-backend-v1-2-2-to-v1-2-3-20261110-080000",
                DBClusterIdentifier: "drydock-production",
                Status: "available",
                SnapshotCreateTime: new Date("2026-11-10T08:00:00Z"),
                TagList: tags("v1.2.2", "v1.2.3"),
            },
            {
                DBClusterSnapshotIdentifier: "drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080000",
                DBClusterIdentifier: "drydock-production",
                Status: "available",
                SnapshotCreateTime: new Date("2026-11-23T08:00:00Z"),
                TagList: tags("v1.2.3", "v1.3.0"),
            },
            {
                DBClusterSnapshotIdentifier: "someone-elses-snapshot",
                DBClusterIdentifier: "drydock-production",
                Status: "available",
                SnapshotCreateTime: new Date("2026-11-24T08:00:00Z"),
                TagList: [],
            },
        ],
    });
}

/** ECS: the task definitions production runs: backend revision 8 (A, v1.3.0) and frontend revision 5 (F, v1.3.0). */
function mockRunningTaskDefinitions(): void {
    mocks.ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "backend", 8) })
        .resolves(taskDefinition("production", "backend", 8, `${BACKEND_REPO}@${A}`, "v1.3.0"));
    mocks.ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "frontend", 5) })
        .resolves(taskDefinition("production", "frontend", 5, `${FRONTEND_REPO}@${F}`, "v1.3.0"));
}

function mockTargets(backend: TargetHealthStateEnum[], frontend: TargetHealthStateEnum[]): void {
    const health = (states: TargetHealthStateEnum[]) => ({
        TargetHealthDescriptions: states.map((State, i) => ({ Target: { Id: `10.0.0.${i}` }, TargetHealth: { State } })),
    });
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
            services: [
                ecsService("production", "backend", { revision: 8 }),
                ecsService("production", "frontend", { revision: 5, running: 1, pending: 1, rolloutState: "IN_PROGRESS" }),
            ],
        });
        mockRunningTaskDefinitions();
        mockTargets(["healthy", "healthy"], ["healthy", "initial", "unhealthy"]);
        mockDatabase();
        mockProductionImages();
        const r = await drydock(dir, ["status", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        const same = { runningVersion: "v1.3.0", drift: false, driftNote: null };
        expect(JSON.parse(r.stdout)).to.deep.equal({
            stack: "production",
            services: [
                {
                    name: "backend",
                    version: "v1.3.0",
                    image: `${BACKEND_REPO}@${A}`,
                    digest: A,
                    ...same,
                    desired: 2,
                    running: 2,
                    pending: 0,
                    rolloutState: "COMPLETED",
                    rolledBack: false,
                    targets: { healthy: 2, unhealthy: 0 },
                    problems: [],
                },
                {
                    name: "frontend",
                    version: "v1.3.0",
                    image: `${FRONTEND_REPO}@${F}`,
                    digest: F,
                    ...same,
                    desired: 2,
                    running: 1,
                    pending: 1,
                    rolloutState: "IN_PROGRESS",
                    rolledBack: false,
                    targets: { healthy: 1, unhealthy: 1 },
                    problems: ["1 of 2 tasks running", "1 task pending"],
                },
            ],
            database: {
                identifier: "drydock-production",
                status: "available",
                engineVersion: "16.6",
                maintenanceWindow: "sun:05:00-sun:06:00",
                backupWindow: "03:00-04:00",
                newestSnapshot: {
                    identifier: "drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080000",
                    status: "available",
                    createdAt: "2026-11-23T08:00:00Z",
                },
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
                    others: [
                        {
                            revision: 8,
                            status: "ACTIVE",
                            rolloutState: "FAILED",
                            rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
                        },
                    ],
                }),
                ecsService("production", "frontend", { revision: 5 }),
            ],
        });
        mocks.ecs
            .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "backend", 7) })
            .resolves(taskDefinition("production", "backend", 7, `${BACKEND_REPO}@${B}`, "v1.2.2"));
        mocks.ecs
            .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "frontend", 5) })
            .resolves(taskDefinition("production", "frontend", 5, `${FRONTEND_REPO}@${F}`, "v1.3.0"));
        mockTargets(["healthy", "unhealthy"], ["healthy", "healthy"]);
        mockDatabase();
        mockProductionImages();
        const json = JSON.parse((await drydock(dir, ["status", "--stack", "production", "--json"])).stdout);
        const rolledBack =
            "ECS is rolling back the failed deployment of drydock-production-backend:8 (ECS deployment circuit breaker: tasks failed to start)";
        expect(json.services[0]).to.deep.include({
            name: "backend",
            version: "v1.2.2",
            runningVersion: "v1.2.2",
            drift: true,
            rolloutState: "IN_PROGRESS",
            rolledBack: true,
            problems: [rolledBack],
        });

        const r = await drydock(dir, ["status", "--stack", "production"]);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.match(
            /^backend\s+v1\.2\.2\s+drydock\/backend@sha256:bbbbbbbbbbbb\s+2\/2\s+0\s+IN_PROGRESS\s+1 healthy, 1 unhealthy\s+1 problem$/m,
        );
        expect(r.stdout).to.match(/^frontend\s+v1\.3\.0\s+.*\s+ok$/m);
        expect(r.stdout).to.include(`! backend: ${rolledBack}`);
        expect(r.stdout).to.include(
            "! backend: ROLLED BACK — ECS now runs drydock-production-backend:7 (v1.2.2). Check: aws logs tail /aws/ecs/backend-logs-production",
        );
        expect(r.stdout).to.include(
            "! backend: the stack file asks for v1.3.0 but v1.2.2 runs (run pulumi up -s production, or see npx drydock rollback)",
        );
        expect(r.stdout).to.not.include("! frontend");
        expect(r.stdout).to.include(
            "newest drydock snapshot: drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080000 (available, 2026-11-23 08:00 UTC)",
        );
        expect(r.stdout).to.include("release window: open now until Tue 2026-11-24 16:00 Europe/Berlin (15:00 UTC)");
    });

    it("reports a stack that is not deployed without failing", async () => {
        mocks.ecs.on(DescribeServicesCommand).rejects(awsError("ClusterNotFoundException", "Cluster not found."));
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault", "DBCluster drydock-staging not found."));
        const r = await drydock(dir, ["status", "--stack", "staging", "--json"]);
        expect(r.code).to.equal(0);
        const doc = JSON.parse(r.stdout);
        expect(doc.services[1]).to.deep.equal({
            name: "frontend",
            version: null,
            image: null,
            digest: null,
            runningVersion: null,
            drift: false,
            driftNote: null,
            desired: 0,
            running: 0,
            pending: 0,
            rolloutState: null,
            rolledBack: false,
            targets: { healthy: 0, unhealthy: 0 },
            problems: [],
        });
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
        expect(text.stdout).to.include(
            "Release: PAUSED since 2026-11-24 10:00 UTC — quarter-end freeze (npx drydock resume --stack production)",
        );
        expect(text.stdout).to.include("release window: closed; next opens Thu 2026-11-26 09:00 Europe/Berlin (08:00 UTC)");
    });

    it("drift is by digest: a task definition registered outside drydock that runs the stack's version is no drift, shown by its tag", async () => {
        mocks.ecs.on(DescribeServicesCommand).resolves({
            services: [ecsService("production", "backend", { revision: 9 }), ecsService("production", "frontend", { revision: 5 })],
        });
        // e.g. after an emergency `aws ecs update-service`: no drydock tags, the image by digest only.
        mocks.ecs
            .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "backend", 9) })
            .resolves(taskDefinition("production", "backend", 9, `${BACKEND_REPO}@${A}`));
        mocks.ecs
            .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "frontend", 5) })
            .resolves(taskDefinition("production", "frontend", 5, `${FRONTEND_REPO}@${F}`, "v1.3.0"));
        mockTargets(["healthy", "healthy"], ["healthy", "healthy"]);
        mockDatabase();
        mockProductionImages();
        const r = await drydock(dir, ["status", "--stack", "production"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.match(
            /^backend\s+v1\.3\.0\s+drydock\/backend@sha256:aaaaaaaaaaaa\s+2\/2\s+0\s+COMPLETED\s+2 healthy, 0 unhealthy\s+ok$/m,
        );
        expect(r.stdout).to.not.include("asks for");
        expect(r.stdout).to.not.include(A); // never the 71-character digest
        const json = JSON.parse((await drydock(dir, ["status", "--stack", "production", "--json"])).stdout);
        expect(json.services[0]).to.deep.include({ version: A, digest: A, runningVersion: "v1.3.0", drift: false, problems: [] });
    });

    it("flags running < desired, pending and failed tasks, and a rollback that just happened, in the table and in JSON", async () => {
        const backend = ecsService("production", "backend", { revision: 8, running: 0, desired: 2, pending: 2 });
        backend.deployments![0].failedTasks = 3;
        const frontend = ecsService("production", "frontend", { revision: 5 });
        frontend.events = [
            {
                id: "1",
                createdAt: new Date(NOW.getTime() - 10 * 60_000),
                message: "(service frontend-service) rolling back to deployment ecs-svc/4.",
            },
            {
                id: "0",
                createdAt: new Date(NOW.getTime() - 3 * 3600_000),
                message: "(service frontend-service) rolling back to deployment ecs-svc/2.",
            },
        ];
        mocks.ecs.on(DescribeServicesCommand).resolves({ services: [backend, frontend] });
        mockRunningTaskDefinitions();
        mockTargets([], ["healthy", "healthy"]);
        mockDatabase();
        mockProductionImages();
        const json = JSON.parse((await drydock(dir, ["status", "--stack", "production", "--json"])).stdout);
        expect(json.services[0].problems).to.deep.equal([
            "0 of 2 tasks running",
            "2 tasks pending",
            "3 tasks of the current deployment failed",
        ]);
        expect(json.services[1].problems).to.deep.equal([
            "ECS rolled back a deployment 10 minutes ago: (service frontend-service) rolling back to deployment ecs-svc/4.",
        ]);
        // The FAILED deployment is gone from the list once ECS finished rolling back: rolledBack still says so.
        expect(json.services.map((s: { rolledBack: boolean }) => s.rolledBack)).to.deep.equal([false, true]);
        const r = await drydock(dir, ["status", "--stack", "production"]);
        expect(r.stdout).to.match(/^backend\s+v1\.3\.0\s+.*\s+0\/2\s+2\s+COMPLETED\s+0 healthy, 0 unhealthy\s+3 problems$/m);
        expect(r.stdout).to.include(
            "! backend: 0 of 2 tasks running\n! backend: 2 tasks pending\n! backend: 3 tasks of the current deployment failed\n",
        );
        expect(r.stdout).to.include("! frontend: ECS rolled back a deployment 10 minutes ago");
        expect(r.stderr).to.equal("");
    });

    it("goes on with a warning on stderr when a key it does not need is bad (a typo in backendVersion)", async () => {
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            readStack(dir, "production").replace("drydock:backendVersion: v1.3.0", "drydock:backendVersion: v1.10..0"),
        );
        mocks.ecs.on(DescribeServicesCommand).resolves({
            services: [ecsService("production", "backend", { revision: 8 }), ecsService("production", "frontend", { revision: 5 })],
        });
        mockRunningTaskDefinitions();
        mockTargets(["healthy", "healthy"], ["healthy", "healthy"]);
        mockDatabase();
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/frontend" })
            .resolves({ imageDetails: [image(F, ["v1.3.0"], "2026-11-20T08:00:00Z")] }); // the listing
        mockProductionImages();
        const r = await drydock(dir, ["status", "--stack", "production"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.match(
            /^drydock: warning: Pulumi\.production\.yaml: drydock:backendVersion="v1\.10\.\.0": .*\(ignored by this command; fix it before pulumi up -s production\)\n$/,
        );
        expect(r.stdout).to.include("! backend: drift unknown: drydock:backendVersion in Pulumi.production.yaml is invalid");
        expect(r.stdout).to.match(/^frontend\s+v1\.3\.0\s+.*\s+ok$/m);
        // --json: a script must not read "no drift" when drift could not be told.
        const json = JSON.parse((await drydock(dir, ["status", "--stack", "production", "--json"])).stdout);
        expect(json.services[0]).to.deep.include({
            name: "backend",
            drift: null,
            driftNote: "drift unknown: drydock:backendVersion in Pulumi.production.yaml is invalid",
        });
        expect(json.services[1]).to.deep.include({ name: "frontend", drift: false, driftNote: null });
        for (const args of [["versions", "frontend"], ["window"], ["snapshots"]]) {
            const other = await drydock(dir, [...args, "--stack", "production", "--json"]);
            expect(other.code, `${args[0]}: ${other.stderr}`).to.equal(0);
            expect(other.stderr, args[0]).to.include("drydock:backendVersion");
            JSON.parse(other.stdout);
        }
        // promote writes backendVersion: it acts on the key, so that is where the stack file must be fixed first.
        const promote = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--service", "frontend"]);
        expect(promote.code).to.equal(2);
        expect(promote.stderr).to.include("drydock:backendVersion");
    });

    for (const [name, error, pattern] of [
        [
            "access denied",
            awsError("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:DescribeServices"),
            /^drydock: ECS DescribeServices drydock-production: access denied: User: .* ecs:DescribeServices \(grant .*\)$/,
        ],
        [
            "throttling",
            Object.assign(awsError("ThrottlingException", "Rate exceeded"), { $retryable: { throttling: true } }),
            /^drydock: ECS DescribeServices drydock-production: AWS kept throttling the request after the SDK's retries \(ThrottlingException\) \(wait a minute and retry, or raise AWS_MAX_ATTEMPTS\)$/,
        ],
        [
            "no credentials",
            Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
            /^drydock: ECS DescribeServices drydock-production: no AWS credentials found \(Could not load credentials from any providers\) \(set AWS_PROFILE/,
        ],
    ] as const) {
        it(`fails with one line on ${name} (exit 1; under --json also an error object on stdout)`, async () => {
            mocks.ecs.on(DescribeServicesCommand).rejects(error);
            mockDatabase();
            const r = await drydock(dir, ["status", "--stack", "production", "--json"]);
            expect(r.code).to.equal(1);
            expect(r.stderr.endsWith("\n")).to.equal(true);
            expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
            expect(r.stderr.trimEnd()).to.match(pattern);
            expect(JSON.parse(r.stdout)).to.deep.equal({ error: r.stderr.trimEnd().replace(/^drydock: /, ""), code: 1 });
            const text = await drydock(dir, ["status", "--stack", "production"]);
            expect(text.stdout).to.equal("");
        });
    }
    it("fails with one line when the target-health answer is empty, instead of reporting no targets", async () => {
        mocks.ecs.on(DescribeServicesCommand).resolves({
            services: [ecsService("production", "backend", { revision: 8 }), ecsService("production", "frontend", { revision: 5 })],
        });
        mockRunningTaskDefinitions();
        mocks.elbv2.on(DescribeTargetHealthCommand).resolves({});
        mockDatabase();
        mockProductionImages();
        const r = await drydock(dir, ["status", "--stack", "production"]);
        expect(r.code).to.equal(1);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(/DescribeTargetHealth.*not an answer/);
    });
});
