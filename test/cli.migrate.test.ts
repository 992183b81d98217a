import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import {
    DescribeServicesCommand,
    DescribeTaskDefinitionCommand,
    DescribeTasksCommand,
    RegisterTaskDefinitionCommand,
    RunTaskCommand,
} from "@aws-sdk/client-ecs";
import {
    CreateDBClusterSnapshotCommand,
    DescribeDBClustersCommand,
    DescribeDBClusterSnapshotsCommand,
    DescribeDBClusterSnapshotsCommandInput,
} from "@aws-sdk/client-rds";
import { expect } from "chai";
import { appendFileSync } from "fs";
import { join } from "path";
import { BACKEND_REPO, cleanup, digest, drydock, ecsService, image, mocks, resetMocks, stackDir, tdArn } from "./fixtures/cli/harness";

const TASK = "arn:aws:ecs:us-east-1:123456789012:task/drydock-production/feedc0de";
const RUNNING = `${BACKEND_REPO}@${digest("a")}`;
const WANTED = `${BACKEND_REPO}@${digest("b")}`;
const GROUP = "/aws/ecs/backend-logs-production";

function setCommand(dir: string, stack: string, command = '["alembic", "upgrade", "head"]'): void {
    appendFileSync(join(dir, `Pulumi.${stack}.yaml`), `  drydock:migrationCommand: ${command}\n`);
}

/** The order of the writes the command made. */
let writes: string[];

function cloud(
    taskEnd: Record<string, unknown> = {
        lastStatus: "STOPPED",
        stoppedReason: "Essential container in task exited",
        containers: [{ name: "backend", exitCode: 0 }],
    },
): void {
    writes = [];
    mocks.ecr
        .on(DescribeImagesCommand, { repositoryName: "drydock/backend", imageIds: [{ imageTag: "v1.3.0" }] })
        .resolves({ imageDetails: [image(digest("b"), ["v1.3.0"], "2026-11-20T09:00:00Z")] });
    mocks.ecs.on(DescribeServicesCommand).resolves({
        services: [
            {
                ...ecsService("production", "backend", { revision: 41 }),
                networkConfiguration: {
                    awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-backend"], assignPublicIp: "DISABLED" },
                },
            },
        ],
    });
    mocks.ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
        taskDefinition: {
            taskDefinitionArn: input.taskDefinition,
            family: "drydock-production-backend",
            executionRoleArn: "arn:aws:iam::123456789012:role/backend-execution",
            taskRoleArn: "arn:aws:iam::123456789012:role/backend-task",
            networkMode: "awsvpc",
            cpu: "512",
            memory: "1024",
            requiresCompatibilities: ["FARGATE"],
            containerDefinitions: [
                {
                    name: "backend",
                    image: input.taskDefinition === tdArn("production", "backend", 42) ? WANTED : RUNNING,
                    essential: true,
                    environment: [
                        { name: "APP_VERSION", value: "v1.2.3" },
                        { name: "DATABASE_HOST", value: "db.internal" },
                    ],
                    dockerLabels: { "org.opencontainers.image.version": "v1.2.3" },
                    logConfiguration: {
                        logDriver: "awslogs",
                        options: { "awslogs-group": GROUP, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "backend" },
                    },
                },
            ],
        },
        tags: [{ key: "drydock:stack", value: "production" }],
    }));
    mocks.ecs.on(RegisterTaskDefinitionCommand).callsFake(() => {
        writes.push("RegisterTaskDefinition");
        return { taskDefinition: { taskDefinitionArn: tdArn("production", "backend", 42) } };
    });
    mocks.ecs.on(RunTaskCommand).callsFake(() => {
        writes.push("RunTask");
        return { tasks: [{ taskArn: TASK, lastStatus: "PROVISIONING" }], failures: [] };
    });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, ...taskEnd }] });
    mocks.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: "drydock-production", Status: "available" }] });
    mocks.rds.on(CreateDBClusterSnapshotCommand).callsFake((input: { DBClusterSnapshotIdentifier: string }) => {
        writes.push("CreateDBClusterSnapshot");
        return { DBClusterSnapshot: { DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier, Status: "creating" } };
    });
    mocks.rds
        .on(DescribeDBClusterSnapshotsCommand)
        .callsFake((input: DescribeDBClusterSnapshotsCommandInput) =>
            input.DBClusterSnapshotIdentifier
                ? { DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier, Status: "available" }] }
                : { DBClusterSnapshots: [] },
        );
    mocks.logs
        .on(GetLogEventsCommand)
        .resolves({ events: [{ message: "INFO  Running upgrade a1 -> b2" }, { message: 'ERROR relation "users" already exists' }] });
}

describe("drydock migrate", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("snapshots first, registers the version's image as a revision of the running task definition, runs the command override, exit 0 on exit code 0", async () => {
        setCommand(dir, "production");
        cloud();
        const r = await drydock(dir, ["migrate", "--stack", "production", "--wait", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(writes).to.deep.equal(["CreateDBClusterSnapshot", "RegisterTaskDefinition", "RunTask"]);
        const doc = JSON.parse(r.stdout);
        expect(doc).to.deep.include({
            stack: "production",
            taskArn: TASK,
            taskDefinition: tdArn("production", "backend", 42),
            image: WANTED,
            exitCode: 0,
            stoppedReason: "Essential container in task exited",
            logStream: { group: GROUP, stream: "backend/backend/feedc0de", url: doc.logStream.url },
        });
        expect(doc.snapshot).to.match(/^drydock-production-backend-to-v1-3-0-\d{8}-\d{6}-\d{3}-[0-9a-f]{4}$/);
        expect(doc.durationSeconds).to.be.a("number");
        const run = mocks.ecs.commandCalls(RunTaskCommand)[0].args[0].input;
        expect(run.overrides).to.deep.equal({ containerOverrides: [{ name: "backend", command: ["alembic", "upgrade", "head"] }] });
        expect(run.taskDefinition).to.equal(tdArn("production", "backend", 42));
        expect(run.tags).to.deep.include({ key: "drydock:update", value: "migrate-20261124T100000Z" });
        expect(run.startedBy).to.equal("drydock/migrate");
        expect(run.networkConfiguration).to.deep.equal({
            awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-backend"], assignPublicIp: "DISABLED" },
        });
        const registered = mocks.ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
        expect(registered.family).to.equal("drydock-production-backend");
        expect(registered.containerDefinitions?.[0].image).to.equal(WANTED);
        expect(registered.executionRoleArn).to.equal("arn:aws:iam::123456789012:role/backend-execution");
        expect(registered.tags).to.deep.include({ key: "drydock:requested-version", value: "v1.3.0" });
        // The task says the version it runs, not the one its task definition was copied from.
        expect(registered.containerDefinitions?.[0].environment).to.deep.equal([
            { name: "APP_VERSION", value: "v1.3.0" },
            { name: "DATABASE_HOST", value: "db.internal" },
        ]);
        expect(registered.containerDefinitions?.[0].dockerLabels).to.deep.equal({ "org.opencontainers.image.version": "v1.3.0" });
        expect(r.stderr).to.include("migrate: alembic upgrade head on");
    });

    it("fails closed when the task stops without exit code 0: exit 1, the log's last lines, one error line", async () => {
        setCommand(dir, "production");
        cloud({
            lastStatus: "STOPPED",
            stopCode: "TaskFailedToStart",
            stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth",
            containers: [{ name: "backend" }],
        });
        const r = await drydock(dir, ["migrate", "--stack", "production", "--wait"]);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.equal("");
        const lines = r.stderr.trimEnd().split("\n");
        expect(lines.at(-1)).to.equal(
            `drydock: migration task ${TASK}: stopped without exit code 0: ResourceInitializationError: unable to pull secrets or registry auth ` +
                "(read the log above, fix the migration, then retry: npx drydock migrate --stack production --wait; restore: docs/migrations.md)",
        );
        expect(r.stderr).to.include('    | ERROR relation "users" already exists');
        expect(r.stderr).to.include(`log stream: ${GROUP} backend/backend/feedc0de`);
    });

    it("--json on a failed task: one JSON document with the exit code and the report, exit 1", async () => {
        setCommand(dir, "production");
        cloud({
            lastStatus: "STOPPED",
            stoppedReason: "Essential container in task exited",
            containers: [{ name: "backend", exitCode: 3 }],
        });
        const r = await drydock(dir, ["migrate", "--stack", "production", "--wait", "--json"]);
        expect(r.code).to.equal(1);
        const doc = JSON.parse(r.stdout);
        expect(doc).to.deep.include({ taskArn: TASK, exitCode: 3, stoppedReason: "Essential container in task exited", code: 1 });
        expect(doc.error).to.include("container backend exited with code 3");
        // As every --json error: the one line on stderr too.
        expect(r.stderr.trimEnd().split("\n").pop()).to.equal(
            `drydock: migration task ${TASK}: exited with code 3 (read the log above, fix the migration, then retry: npx drydock migrate --stack production --wait; restore: docs/migrations.md)`,
        );
    });

    it("without --wait, a task that already stopped with exit code 0 shows its exit code", async () => {
        setCommand(dir, "production");
        cloud();
        const r = await drydock(dir, ["migrate", "--stack", "production"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.include("Exit code:       0 (Essential container in task exited)");
        expect(r.stdout).not.to.include("its exit code is not known yet");
    });

    it("--no-snapshot is refused in production before anything is written", async () => {
        setCommand(dir, "production");
        cloud();
        const r = await drydock(dir, ["migrate", "--stack", "production", "--no-snapshot", "--wait"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            "drydock: --no-snapshot: refused in production stack production: a migration there always runs after a fresh snapshot (run npx drydock migrate --stack production --wait)\n",
        );
        expect(writes).to.deep.equal([]);
        expect(mocks.ecs.commandCalls(RunTaskCommand)).to.have.length(0);
    });

    it("a snapshot that cannot be taken refuses with what to run next, and no task runs", async () => {
        setCommand(dir, "production");
        cloud();
        mocks.rds
            .on(CreateDBClusterSnapshotCommand)
            .rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied", $metadata: {} }));
        const r = await drydock(dir, ["migrate", "--stack", "production", "--version", "v1.3.0", "--wait"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
            /^drydock: snapshot of drydock-production: .*no migration ran \(look: npx drydock snapshots --stack production; retry: npx drydock migrate --stack production --version v1\.3\.0 --wait\)\n$/m,
        );
        expect(mocks.ecs.commandCalls(RunTaskCommand)).to.have.length(0);
    });

    it("without migrationCommand it refuses: migrations run at start-up", async () => {
        cloud();
        const r = await drydock(dir, ["migrate", "--stack", "production", "--wait"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
            /^drydock: Pulumi\.production\.yaml: drydock:migrationCommand: is empty, so the backend runs its migrations at container start-up/,
        );
        expect(mocks.ecs.calls()).to.have.length(0);
    });

    it("--version uses that version's image; a version ECR does not have is refused before anything is written", async () => {
        setCommand(dir, "production");
        cloud();
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/backend", imageIds: [{ imageTag: "v9.9.9" }] })
            .rejects(Object.assign(new Error("not found"), { name: "ImageNotFoundException", $metadata: {} }));
        const r = await drydock(dir, ["migrate", "--stack", "production", "--version", "v9.9.9", "--wait"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
            /^drydock: version v9\.9\.9: not found in ECR repository .*drydock\/backend \(list the versions: npx drydock versions backend --stack production\)\n$/,
        );
        expect(writes).to.deep.equal([]);
    });

    it("the running image needs no new revision; without --wait it returns once the task runs", async () => {
        setCommand(dir, "production");
        cloud({ lastStatus: "RUNNING", containers: [{ name: "backend" }] });
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/backend", imageIds: [{ imageTag: "v1.2.0" }] })
            .resolves({ imageDetails: [image(digest("a"), ["v1.2.0"], "2026-11-01T09:00:00Z")] });
        const r = await drydock(dir, ["migrate", "--stack", "production", "--version", "v1.2.0", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(writes).to.deep.equal(["CreateDBClusterSnapshot", "RunTask"]);
        expect(JSON.parse(r.stdout)).to.deep.include({
            taskDefinition: tdArn("production", "backend", 41),
            image: RUNNING,
            exitCode: null,
        });
    });
});
