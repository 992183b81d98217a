import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand, Task } from "@aws-sdk/client-ecs";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { Readable } from "node:stream";
import { runOneOffTask, RunTaskRequest, TaskError } from "../aws/tasks";
import { logStreamUrl } from "../aws/taskLogs";
import { rejection } from "./support/rejection";

const ARN = "arn:aws:ecs:us-east-1:123456789012";
const TD = `${ARN}:task-definition/drydock-production-backend:42`;
const TASK = `${ARN}:task/drydock-production/0123456789abcdef`;
const START = new Date("2026-11-24T10:00:00Z");
const STREAM = "backend/backend/0123456789abcdef";
const GROUP = "/aws/ecs/backend-logs-production";
const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "test" };

function taskDefinition() {
    return {
        taskDefinition: {
            taskDefinitionArn: TD,
            family: "drydock-production-backend",
            containerDefinitions: [
                {
                    name: "backend",
                    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend@sha256:aaaa",
                    essential: true,
                    logConfiguration: {
                        logDriver: "awslogs" as const,
                        options: { "awslogs-group": GROUP, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "backend" },
                    },
                },
            ],
        },
    };
}

const task = (lastStatus: string, extra: Partial<Task> = {}): Task => ({ taskArn: TASK, taskDefinitionArn: TD, lastStatus, ...extra });
const stopped = (exitCode: number | undefined, stoppedReason = "Essential container in task exited", extra: Partial<Task> = {}): Task =>
    task("STOPPED", {
        stoppedReason,
        stopCode: "EssentialContainerExited",
        containers: [{ name: "backend", exitCode, lastStatus: "STOPPED" }],
        ...extra,
    });

describe("aws/tasks: one-off Fargate task (migrations)", () => {
    const ecs = new ECSClient({ region: "us-east-1", credentials });
    const logs = new CloudWatchLogsClient({ region: "us-east-1", credentials });
    /* eslint-disable @typescript-eslint/no-explicit-any */
    let ecsMock: AwsStub<any, any, any>;
    let logsMock: AwsStub<any, any, any>;
    /* eslint-enable @typescript-eslint/no-explicit-any */
    let t: number;
    let sleeps: number[];
    let lines: string[];

    before(() => {
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
        t = START.getTime();
        sleeps = [];
        lines = [];
        ecsMock.on(DescribeTaskDefinitionCommand).resolves(taskDefinition());
        ecsMock.on(RunTaskCommand).resolves({ tasks: [task("PROVISIONING")], failures: [] });
        ecsMock.on(StopTaskCommand).resolves({ task: task("STOPPING") });
        logsMock.on(GetLogEventsCommand).resolves({
            events: [
                { message: "INFO  [alembic.runtime.migration] Running upgrade a1 -> b2" },
                { message: 'sqlalchemy.exc.ProgrammingError: relation "users" does not exist\n' },
            ],
        });
    });

    function req(extra: Partial<RunTaskRequest> = {}): RunTaskRequest {
        return {
            cluster: "drydock-production",
            taskDefinition: TD,
            command: ["alembic", "upgrade", "head"],
            subnets: ["subnet-a", "subnet-b"],
            securityGroups: ["sg-backend"],
            tags: { "drydock:stack": "production", "drydock:to-version": "v1.3.0" },
            startedBy: "drydock/run-migrations",
            timeoutMs: 30 * 60_000,
            pollMs: 10_000,
            now: () => new Date(t),
            sleep: async (ms) => {
                sleeps.push(ms);
                t += ms;
            },
            log: (m) => lines.push(m),
            ...extra,
        };
    }

    /** DescribeTasks answers `tasks` in turn; the last one repeats. */
    function describes(...tasks: Task[]): void {
        let i = 0;
        ecsMock.on(DescribeTasksCommand).callsFake(() => ({ tasks: [tasks[Math.min(i++, tasks.length - 1)]], failures: [] }));
    }

    it("exit 0: runs one task with the command override, private networking and tags, waits until STOPPED", async () => {
        describes(task("PENDING"), task("RUNNING"), stopped(0));
        const r = await runOneOffTask(ecs, logs, req());
        expect(r).to.deep.include({
            taskArn: TASK,
            taskDefinition: TD,
            container: "backend",
            exitCode: 0,
            lastStatus: "STOPPED",
            durationMs: 20_000,
        });
        expect(r.logStream).to.deep.include({ group: GROUP, stream: STREAM, region: "us-east-1" });
        const input = ecsMock.commandCalls(RunTaskCommand)[0].args[0].input;
        expect(input).to.deep.include({
            cluster: "drydock-production",
            taskDefinition: TD,
            launchType: "FARGATE",
            count: 1,
            startedBy: "drydock/run-migrations",
            networkConfiguration: {
                awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-backend"], assignPublicIp: "DISABLED" },
            },
            overrides: { containerOverrides: [{ name: "backend", command: ["alembic", "upgrade", "head"] }] },
            tags: [
                { key: "drydock:stack", value: "production" },
                { key: "drydock:to-version", value: "v1.3.0" },
            ],
        });
        expect(input.clientToken).to.match(/^[0-9a-f-]{36}$/);
        expect(sleeps).to.deep.equal([10_000, 10_000]); // the first look at once, then every pollMs
        expect(lines).to.include("task 0123456789abcdef: RUNNING");
        expect(logsMock.commandCalls(GetLogEventsCommand)).to.have.length(0);
    });

    it("exit 1: fails naming the task, the exit code, the log stream, a console link and the last log lines", async () => {
        describes(task("RUNNING"), stopped(1));
        const err = await rejection(runOneOffTask(ecs, logs, req()));
        expect(err).to.be.instanceOf(TaskError);
        const e = err as TaskError;
        expect(e.outcome).to.equal("exit-code");
        expect(e.exitCode).to.equal(1);
        expect(e.message).to.include(
            `one-off task ${TASK} (drydock-production-backend:42, command: alembic upgrade head) container backend exited with code 1`,
        );
        expect(e.message).to.include(`log stream: ${GROUP} ${STREAM}`);
        expect(e.message).to.include(`console: ${logStreamUrl("us-east-1", GROUP, STREAM)}`);
        expect(e.message).to.include('    | sqlalchemy.exc.ProgrammingError: relation "users" does not exist');
        expect(logStreamUrl("us-east-1", GROUP, STREAM)).to.include(
            "log-group/$252Faws$252Fecs$252Fbackend-logs-production/log-events/backend$252Fbackend$252F0123456789abcdef",
        );
        expect(logsMock.commandCalls(GetLogEventsCommand)[0].args[0].input).to.deep.include({
            logGroupName: GROUP,
            logStreamName: STREAM,
            startFromHead: false,
            limit: 20,
        });
    });

    it("no exit code: a task that stopped before the container ran fails with the stop reason", async () => {
        describes(
            stopped(undefined, "CannotPullContainerError: pull image manifest has been retried 5 time(s)", {
                stopCode: "TaskFailedToStart",
                containers: [{ name: "backend", lastStatus: "STOPPED", reason: "CannotPullContainerError" }],
            }),
        );
        logsMock
            .on(GetLogEventsCommand)
            .rejects(
                Object.assign(new Error("The specified log stream does not exist."), { name: "ResourceNotFoundException", $metadata: {} }),
            );
        const e = (await rejection(runOneOffTask(ecs, logs, req()))) as TaskError;
        expect(e.outcome).to.equal("no-exit-code");
        expect(e.exitCode).to.equal(undefined);
        expect(e.stoppedReason).to.equal(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s); CannotPullContainerError",
        );
        expect(e.message).to.include("stopped without an exit code of container backend: CannotPullContainerError");
        expect(e.message).to.include("(no log stream: the container did not start or wrote nothing)");
    });

    it("placement failure: RunTask failures fail at once, nothing is waited for", async () => {
        ecsMock
            .on(RunTaskCommand)
            .resolves({ tasks: [], failures: [{ reason: "RESOURCE:ENI", detail: "subnet-a has no free addresses", arn: "subnet-a" }] });
        const e = (await rejection(runOneOffTask(ecs, logs, req()))) as TaskError;
        expect(e.outcome).to.equal("not-placed");
        expect(e.message).to.equal(
            "one-off task of drydock-production-backend:42 could not be placed in cluster drydock-production: RESOURCE:ENI (subnet-a has no free addresses) [subnet-a]. " +
                "No task ran; check the subnets (subnet-a, subnet-b), Fargate capacity and the task definition, then retry.",
        );
        expect(ecsMock.commandCalls(DescribeTasksCommand)).to.have.length(0);
    });

    it("timeout: stops the task, then fails naming the timeout and the log", async () => {
        describes(task("RUNNING"));
        const e = (await rejection(runOneOffTask(ecs, logs, req({ timeoutMs: 60_000 })))) as TaskError;
        expect(e.outcome).to.equal("timed-out");
        expect(e.message).to.include(
            `one-off task ${TASK} (drydock-production-backend:42, command: alembic upgrade head) did not stop within 60s; the task was stopped.`,
        );
        expect(e.message).to.include(`log stream: ${GROUP} ${STREAM}`);
        const stop = ecsMock.commandCalls(StopTaskCommand);
        expect(stop).to.have.length(1);
        expect(stop[0].args[0].input).to.deep.equal({ cluster: "drydock-production", task: TASK, reason: "drydock: timed out after 60s" });
        expect(sleeps.reduce((a, b) => a + b, 0)).to.equal(60_000);
    });

    it("access denied: RunTask refused names the call and the permission; no task, no wait", async () => {
        ecsMock.on(RunTaskCommand).rejects(
            Object.assign(new Error("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:RunTask"), {
                name: "AccessDeniedException",
                $metadata: {},
            }),
        );
        const e = await rejection(runOneOffTask(ecs, logs, req()));
        expect(e.message).to.equal(
            "ECS RunTask drydock-production-backend:42: access denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:RunTask",
        );
        expect(ecsMock.commandCalls(DescribeTasksCommand)).to.have.length(0);
    });

    it("throttling beyond the SDK's retries fails with the translator's words; no task started", async () => {
        ecsMock
            .on(RunTaskCommand)
            .rejects(
                Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: {}, $retryable: { throttling: true } }),
            );
        const e = await rejection(runOneOffTask(ecs, logs, req()));
        expect(e.message).to.equal(
            "ECS RunTask drydock-production-backend:42: AWS kept throttling the request after the SDK's retries (ThrottlingException)",
        );
    });

    it("a task ECS no longer knows fails closed: the outcome is unknown", async () => {
        ecsMock.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: TASK, reason: "MISSING" }] });
        const e = (await rejection(runOneOffTask(ecs, logs, req()))) as TaskError;
        expect(e.outcome).to.equal("lost");
        expect(e.message).to.equal(`ECS no longer knows task ${TASK} (MISSING); whether it succeeded is unknown.`);
    });

    it("noWait returns once the task runs (no exit code yet)", async () => {
        describes(task("PENDING"), task("RUNNING"));
        const r = await runOneOffTask(ecs, logs, req({ noWait: true }));
        expect(r.lastStatus).to.equal("RUNNING");
        expect(r.exitCode).to.equal(undefined);
    });
});

describe("aws/tasks: throttling retried by the SDK, one task started", () => {
    /** A fake HTTP handler speaking ECS's JSON protocol, throttling the first RunTask. */
    function fakeEcs() {
        const calls: { target: string; body: Record<string, unknown> }[] = [];
        const handler = {
            handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
                const target = (request.headers["x-amz-target"] ?? "").split(".").pop() ?? "?";
                const raw = request.body instanceof Uint8Array ? Buffer.from(request.body).toString() : String(request.body ?? "{}");
                const body = JSON.parse(raw) as Record<string, unknown>;
                calls.push({ target, body });
                let status = 200;
                let answer: unknown;
                if (target === "RunTask" && calls.filter((c) => c.target === "RunTask").length === 1) {
                    status = 400;
                    answer = { __type: "ThrottlingException", message: "Rate exceeded" };
                } else if (target === "DescribeTaskDefinition") {
                    answer = taskDefinition();
                } else if (target === "RunTask") {
                    answer = { tasks: [{ taskArn: TASK, lastStatus: "PROVISIONING" }], failures: [] };
                } else if (target === "DescribeTasks") {
                    answer = {
                        tasks: [{ taskArn: TASK, lastStatus: "STOPPED", containers: [{ name: "backend", exitCode: 0 }] }],
                        failures: [],
                    };
                } else {
                    throw new Error(`unexpected ${target}`);
                }
                const headers = { "content-type": "application/x-amz-json-1.1" };
                return { response: { statusCode: status, headers, body: Readable.from([Buffer.from(JSON.stringify(answer))]) } };
            },
        };
        return { handler, calls };
    }

    it("a throttled RunTask is retried with the same client token and succeeds", async () => {
        const fake = fakeEcs();
        const ecs = new ECSClient({
            region: "us-east-1",
            maxAttempts: 3,
            credentials,
            requestHandler: fake.handler as unknown as NonNullable<ConstructorParameters<typeof ECSClient>[0]>["requestHandler"],
        });
        const logs = new CloudWatchLogsClient({ region: "us-east-1", credentials });
        const r = await runOneOffTask(ecs, logs, {
            cluster: "drydock-production",
            taskDefinition: TD,
            command: ["alembic", "upgrade", "head"],
            subnets: ["subnet-a"],
            securityGroups: ["sg-backend"],
            tags: {},
            startedBy: "drydock/run-migrations",
            timeoutMs: 60_000,
            sleep: async () => undefined,
        });
        expect(r.exitCode).to.equal(0);
        expect(fake.calls.map((c) => c.target)).to.deep.equal(["DescribeTaskDefinition", "RunTask", "RunTask", "DescribeTasks"]);
        const tokens = fake.calls.filter((c) => c.target === "RunTask").map((c) => c.body.clientToken);
        expect(tokens[0]).to.be.a("string").and.equal(tokens[1]);
    });
});
