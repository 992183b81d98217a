import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import {
    CreateDBClusterSnapshotCommand,
    DescribeDBClustersCommand,
    DescribeDBClusterSnapshotsCommand,
    DescribeDBClusterSnapshotsCommandInput,
    RDSClient,
} from "@aws-sdk/client-rds";
import * as pulumi from "@pulumi/pulumi";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { createUpdateHooks } from "../components/hooks";
import { createMigrationsHook, createRunMigrationsHook, MigrationHookContext, newUpdateId } from "../components/hooks/migrations";
import { serviceSpec } from "../services";
import { startMockCloud } from "../offline/mockCloud";
import { rejection } from "./support/rejection";

const STACK = "production";
const ARN = "arn:aws:ecs:us-east-1:123456789012";
const td = (rev: number) => `${ARN}:task-definition/drydock-production-backend:${rev}`;
const TASK = `${ARN}:task/drydock-production/feedc0de`;
const NOW = new Date("2026-11-24T10:00:00Z");
const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "test" };

function inputs(version: string, rev: number, extra: Record<string, unknown> = {}) {
    return {
        name: "backend-service",
        cluster: `${ARN}:cluster/drydock-production`,
        taskDefinition: td(rev),
        desiredCount: 2,
        networkConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-backend"], assignPublicIp: false },
        tags: { "drydock:stack": STACK, "drydock:requested-version": version, "drydock:image": `repo/backend@sha256:${version}` },
        ...extra,
    };
}

function args(o: Partial<pulumi.ResourceHookArgs>): pulumi.ResourceHookArgs {
    return {
        urn: `urn:pulumi:${STACK}::drydock::aws:ecs/service:Service::backend`,
        id: "backend-id",
        name: "backend",
        type: "aws:ecs/service:Service",
        ...o,
    };
}

describe("hooks: run-migrations", () => {
    const ecs = new ECSClient({ region: "us-east-1", credentials });
    const logs = new CloudWatchLogsClient({ region: "us-east-1", credentials });
    /* eslint-disable @typescript-eslint/no-explicit-any */
    let ecsMock: AwsStub<any, any, any>;
    let logsMock: AwsStub<any, any, any>;
    /* eslint-enable @typescript-eslint/no-explicit-any */
    let info: string[];
    let dryRun: boolean;

    before(() => {
        startMockCloud({ stack: STACK });
        ecsMock = mockClient(ecs);
        logsMock = mockClient(logs);
    });
    after(() => {
        ecsMock.restore();
        logsMock.restore();
    });
    beforeEach(() => {
        ecsMock.reset();
        logsMock.reset();
        info = [];
        dryRun = false;
        ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
            taskDefinition: {
                taskDefinitionArn: input.taskDefinition,
                containerDefinitions: [
                    {
                        name: "backend",
                        image: "repo/backend@sha256:v1.3.0",
                        essential: true,
                        logConfiguration: {
                            logDriver: "awslogs",
                            options: {
                                "awslogs-group": "/aws/ecs/backend-logs-production",
                                "awslogs-stream-prefix": "backend",
                                "awslogs-region": "us-east-1",
                            },
                        },
                    },
                ],
            },
        }));
        ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: "PROVISIONING" }], failures: [] });
        ecsMock
            .on(DescribeTasksCommand)
            .resolves({ tasks: [{ taskArn: TASK, lastStatus: "STOPPED", containers: [{ name: "backend", exitCode: 0 }] }] });
        logsMock.on(GetLogEventsCommand).resolves({ events: [{ message: "alembic: Can't locate revision identified by 'b2'" }] });
    });

    function hook(over: Partial<MigrationHookContext> = {}) {
        return createMigrationsHook({
            stack: STACK,
            region: "us-east-1",
            ecsClusterName: "drydock-production",
            command: ["alembic", "upgrade", "head"],
            timeoutMinutes: 30,
            updateId: "20261124T100000Z-abcd",
            clients: { ecs: () => ecs, logs: () => logs },
            now: () => NOW,
            sleep: async () => undefined,
            log: { info: (m) => info.push(m), warn: (m) => info.push(`WARN ${m}`) },
            isDryRun: () => dryRun,
            ...over,
        });
    }

    it("is named run-migrations and runs during previews (to say what it would do)", () => {
        const h = hook();
        expect(h.name).to.equal("run-migrations");
        expect(h.opts?.onDryRun).to.equal(true);
    });

    it("a new image: runs one task of the NEW task definition with the command, in the service's subnets, tagged", async () => {
        await hook().callback(args({ oldInputs: inputs("v1.2.0", 41), newInputs: inputs("v1.3.0", 42) }));
        const input = ecsMock.commandCalls(RunTaskCommand)[0].args[0].input;
        expect(input.taskDefinition).to.equal(td(42));
        expect(input.cluster).to.equal(`${ARN}:cluster/drydock-production`);
        expect(input.overrides).to.deep.equal({ containerOverrides: [{ name: "backend", command: ["alembic", "upgrade", "head"] }] });
        expect(input.networkConfiguration).to.deep.equal({
            awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-backend"], assignPublicIp: "DISABLED" },
        });
        expect(input.tags).to.deep.equal([
            { key: "drydock:stack", value: "production" },
            { key: "drydock:service", value: "backend-service" },
            { key: "drydock:purpose", value: "migration" },
            { key: "drydock:from-version", value: "v1.2.0" },
            { key: "drydock:to-version", value: "v1.3.0" },
            { key: "drydock:update", value: "20261124T100000Z-abcd" },
        ]);
        expect(info.at(-1)).to.equal(`run-migrations: backend-service: migrations done (task ${TASK}, exit code 0)`);
    });

    it("first creation: runs too (an empty database needs its schema before the first task takes traffic)", async () => {
        await hook().callback(args({ newInputs: inputs("v1.3.0", 1) }));
        expect(ecsMock.commandCalls(RunTaskCommand)).to.have.length(1);
    });

    it("same image (a count change): skipped with a line saying why, no task", async () => {
        await hook().callback(args({ oldInputs: inputs("v1.3.0", 42), newInputs: inputs("v1.3.0", 42, { desiredCount: 4 }) }));
        expect(ecsMock.commandCalls(RunTaskCommand)).to.have.length(0);
        expect(info).to.deep.equal([
            "run-migrations: backend-service: skipped: the image did not change (this update changes desiredCount)",
        ]);
    });

    it("preview: says it would run, runs nothing", async () => {
        dryRun = true;
        await hook().callback(args({ oldInputs: inputs("v1.2.0", 41), newInputs: inputs("v1.3.0", 42) }));
        expect(ecsMock.calls()).to.have.length(0);
        expect(info).to.deep.equal([
            "run-migrations: backend-service: would run `alembic upgrade head` as one task of drydock-production-backend:42 (repo/backend@sha256:v1.3.0) before backend-service changes",
        ]);
    });

    it("exit code 1 stops the update: the error names the task, the code, the log lines and what to do", async () => {
        ecsMock.on(DescribeTasksCommand).resolves({
            tasks: [
                {
                    taskArn: TASK,
                    lastStatus: "STOPPED",
                    stoppedReason: "Essential container in task exited",
                    containers: [{ name: "backend", exitCode: 1 }],
                },
            ],
        });
        const err = await rejection(hook().callback(args({ oldInputs: inputs("v1.2.0", 41), newInputs: inputs("v1.3.0", 42) })));
        expect(err.message).to.include(
            `run-migrations: one-off task ${TASK} (drydock-production-backend:42, command: alembic upgrade head) container backend exited with code 1`,
        );
        expect(err.message).to.include("log stream: /aws/ecs/backend-logs-production backend/backend/feedc0de");
        expect(err.message).to.include("| alembic: Can't locate revision identified by 'b2'");
        expect(err.message).to.include(
            "The update of backend-service was stopped before it changed; it still runs its previous task definition.",
        );
        expect(err.message).to.include("npx drydock migrate --stack production --wait");
    });

    it("a task that stops without an exit code fails closed", async () => {
        ecsMock.on(DescribeTasksCommand).resolves({
            tasks: [
                {
                    taskArn: TASK,
                    lastStatus: "STOPPED",
                    stoppedReason: "ResourceInitializationError: unable to pull secrets",
                    containers: [{ name: "backend" }],
                },
            ],
        });
        const err = await rejection(hook().callback(args({ oldInputs: inputs("v1.2.0", 41), newInputs: inputs("v1.3.0", 42) })));
        expect(err.message).to.include(
            "stopped without an exit code of container backend: ResourceInitializationError: unable to pull secrets",
        );
    });

    it("timeout (migrationTimeoutMinutes) stops the task and the update", async () => {
        ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: "RUNNING", containers: [{ name: "backend" }] }] });
        ecsMock.on(StopTaskCommand).resolves({});
        let t = NOW.getTime();
        const err = await rejection(
            hook({ timeoutMinutes: 1, now: () => new Date(t), sleep: async (ms) => void (t += ms) }).callback(
                args({ oldInputs: inputs("v1.2.0", 41), newInputs: inputs("v1.3.0", 42) }),
            ),
        );
        expect(err.message).to.include("did not stop within 60s; the task was stopped.");
        expect(ecsMock.commandCalls(StopTaskCommand)).to.have.length(1);
    });

    it("without known subnets it refuses instead of guessing", async () => {
        const err = await rejection(
            hook().callback(
                args({ oldInputs: inputs("v1.2.0", 41), newInputs: inputs("v1.3.0", 42, { networkConfiguration: undefined }) }),
            ),
        );
        expect(err.message).to.equal(
            "run-migrations: backend-service has no known networkConfiguration (subnets, security groups); cannot run the migration, so the update stops before backend-service changes.",
        );
        expect(ecsMock.commandCalls(RunTaskCommand)).to.have.length(0);
    });

    it("refuses to be bound to anything but an ECS service", async () => {
        const err = await rejection(hook().callback(args({ type: "aws:rds/cluster:Cluster", newInputs: {} })));
        expect(err.message).to.match(/^run-migrations is bound to aws:rds\/cluster:Cluster/);
    });

    it("the factory's builder: no hook without migrationCommand; with it, run-migrations over the shared ECS client", async () => {
        const rt = (command: string[]) => ({
            ctx: {
                stack: STACK,
                ecsClusterName: "drydock-production",
                migrations: { command, timeoutMinutes: 30 },
                clients: { logs: () => logs },
                sleep: async () => undefined,
            },
            now: () => NOW,
            log: { info: (m: string) => info.push(m), warn: (m: string) => info.push(m) },
            isDryRun: () => false,
            ecs: () => ecs,
        });
        expect(createRunMigrationsHook(rt([]))).to.equal(undefined);
        expect(createRunMigrationsHook({ ...rt([]), ctx: { stack: STACK, ecsClusterName: "drydock-production" } })).to.equal(undefined);
        const h = createRunMigrationsHook(rt(["./manage.py", "migrate"]));
        expect(h?.name).to.equal("run-migrations");
        await h?.callback(args({ oldInputs: inputs("v1.2.0", 41), newInputs: inputs("v1.3.0", 42) }));
        expect(ecsMock.commandCalls(RunTaskCommand)[0].args[0].input.overrides?.containerOverrides?.[0].command).to.deep.equal([
            "./manage.py",
            "migrate",
        ]);
    });

    it("through the factory: the backend's hooks on create and update run gate → snapshot → migration, and the migration waits for the snapshot", async () => {
        const rds = new RDSClient({ region: "us-east-1", credentials });
        const rdsMock = mockClient(rds);
        const order: string[] = [];
        try {
            rdsMock
                .on(DescribeDBClustersCommand)
                .resolves({ DBClusters: [{ DBClusterIdentifier: "drydock-production", Status: "available" }] });
            rdsMock
                .on(CreateDBClusterSnapshotCommand)
                .callsFake(() => (order.push("snapshot"), { DBClusterSnapshot: { Status: "creating" } }));
            rdsMock
                .on(DescribeDBClusterSnapshotsCommand)
                .callsFake((input: DescribeDBClusterSnapshotsCommandInput) =>
                    input.DBClusterSnapshotIdentifier
                        ? { DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier, Status: "available" }] }
                        : { DBClusterSnapshots: [] },
                );
            ecsMock
                .on(RunTaskCommand)
                .callsFake(() => (order.push("migration"), { tasks: [{ taskArn: TASK, lastStatus: "PROVISIONING" }], failures: [] }));
            const hooks = createUpdateHooks({
                stack: STACK,
                region: "us-east-1",
                clusterIdentifier: "drydock-production",
                ecsClusterName: "drydock-production",
                release: { windows: [], timeZone: "UTC", paused: false },
                snapshots: { keep: 10, timeoutMinutes: 30 },
                rolloutTimeoutMinutes: 30,
                migrations: { command: ["alembic", "upgrade", "head"], timeoutMinutes: 30 },
                clients: { rds: () => rds, ecs: () => ecs, logs: () => logs },
                now: () => NOW,
                sleep: async () => undefined,
                log: { info: (m) => info.push(m), warn: (m) => info.push(m) },
                isDryRun: () => false,
            });
            const binding = hooks.forService(serviceSpec("backend"));
            for (const kind of ["beforeCreate", "beforeUpdate"] as const) {
                const list = (binding[kind] ?? []) as pulumi.ResourceHook[];
                expect(
                    list.map((h) => h.name),
                    kind,
                ).to.deep.equal(["release-gate", "pre-update-snapshot", "run-migrations"]);
            }
            expect(
                ((hooks.forService(serviceSpec("frontend")).beforeUpdate ?? []) as pulumi.ResourceHook[]).map((h) => h.name),
            ).to.deep.equal(["release-gate"]);
            const create = args({ newInputs: inputs("v1.3.0", 1) });
            for (const h of (binding.beforeCreate ?? []) as pulumi.ResourceHook[]) await h.callback(create);
            expect(order).to.deep.equal(["snapshot", "migration"]);
        } finally {
            rdsMock.restore();
        }
    });

    it("update ids: a time stamp and a random part; the GitHub run when there is one", () => {
        expect(newUpdateId(NOW, {})).to.match(/^20261124T100000Z-[0-9a-f]{4}$/);
        expect(newUpdateId(NOW, { GITHUB_RUN_ID: "123" })).to.match(/^gh-123-20261124T100000Z-[0-9a-f]{4}$/);
    });
});
