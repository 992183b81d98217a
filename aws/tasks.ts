/**
 * One-off Fargate tasks (database migrations): run one task of a task definition with the container's
 * command overridden, in private subnets without a public IP, wait until it stops, and require exit code 0
 * of the container. Used by the `run-migrations` hook and by `drydock migrate`. No Pulumi import.
 *
 * Every failure is a {@link TaskError} naming the task ARN, the exit code or stop reason, and the log stream
 * with the last lines of the task's log: a non-zero exit, a task that stopped without an exit code (image
 * pull, secrets, out of memory), a task ECS could not place (RunTask `failures`), and the timeout (the task
 * is stopped first). RunTask carries a client token, so the SDK's retries never start a second task.
 */
import { randomUUID } from "node:crypto";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import {
    ContainerDefinition,
    DescribeTaskDefinitionCommand,
    DescribeTasksCommand,
    ECSClient,
    RunTaskCommand,
    StopTaskCommand,
    Task,
} from "@aws-sdk/client-ecs";
import { shortTaskDefinition } from "../release/names";
import { DEADLINE_MARGIN_MS, DeadlineError, formatMs, realSleep, withDeadline } from "./deadline";
import { aws, CliError, requireAnswer } from "./errors";
import { regionOfArn, TaskLogStream, taskLogStream } from "./taskLogs";
import { taskFailure, TaskError } from "./taskReport";

export { TASK_LOG_LINES, type TaskLogStream } from "./taskLogs";
export { TaskError, type TaskOutcome } from "./taskReport";

/** Tags of a migration task (the values: stack, ECS service, `migration`, versions, the update it belongs to). */
export const MIGRATION_TASK_TAGS = {
    stack: "drydock:stack",
    service: "drydock:service",
    purpose: "drydock:purpose",
    fromVersion: "drydock:from-version",
    toVersion: "drydock:to-version",
    update: "drydock:update",
} as const;

/** Default pause between DescribeTasks calls while the task runs. */
export const TASK_POLL_MS = 10_000; // milliseconds

export interface RunTaskRequest {
    /** ECS cluster name or ARN, e.g. `drydock-production`. */
    cluster: string;
    /** Task definition ARN or `family:revision` to run (the exact revision the service is about to run). */
    taskDefinition: string;
    /** Container whose command is overridden and whose exit code decides; default: the task definition's one essential container. */
    container?: string;
    /** The command, e.g. `["alembic", "upgrade", "head"]`. */
    command: string[];
    /** Private subnets and security groups (the service's own). */
    subnets: string[];
    securityGroups: string[];
    /** Tags of the task (stack, versions, update). */
    tags: Record<string, string>;
    /** ECS `startedBy` (letters, digits, `-`, `/`, `_`; at most 36). */
    startedBy: string;
    /** Stop the task and fail after this long (config `migrationTimeoutMinutes`). */
    timeoutMs: number; // milliseconds
    /** Return once the task runs, without waiting for it to stop (`drydock migrate` without `--wait`). */
    noWait?: boolean;
    /** Pause between DescribeTasks calls; default {@link TASK_POLL_MS}. */
    pollMs?: number; // milliseconds
    now?: () => Date;
    sleep?: (ms: number) => Promise<void>;
    log?: (msg: string) => void;
}

export interface RunTaskResult {
    taskArn: string;
    /** The task definition ARN that ran. */
    taskDefinition: string;
    container: string;
    image?: string;
    /** 0 when waited for; undefined with `noWait` while the task still runs. */
    exitCode?: number;
    stoppedReason?: string;
    lastStatus: string;
    logStream?: TaskLogStream;
    durationMs: number; // milliseconds
}

/** The container the task is about: the named one, or the only essential one. */
function pickContainer(containers: ContainerDefinition[], name: string | undefined, td: string): ContainerDefinition {
    if (name) {
        const found = containers.find((c) => c.name === name);
        if (!found)
            throw new CliError(
                `task definition ${shortTaskDefinition(td)}`,
                `has no container "${name}" (it has ${containers.map((c) => c.name).join(", ") || "none"})`,
                undefined,
                1,
            );
        return found;
    }
    const essential = containers.filter((c) => c.essential !== false);
    if (essential.length !== 1) {
        throw new CliError(
            `task definition ${shortTaskDefinition(td)}`,
            `has ${essential.length} essential containers; name the one to run the command in`,
            undefined,
            1,
        );
    }
    return essential[0];
}

/**
 * Run one task and wait until it stops with exit code 0 of the container (or, with `noWait`, until it runs).
 * @throws TaskError for every outcome but exit code 0; CliError (from aws/errors.ts) when an AWS call fails
 *   before the task was started.
 */
export async function runOneOffTask(ecs: ECSClient, logs: CloudWatchLogsClient, req: RunTaskRequest): Promise<RunTaskResult> {
    const started: { taskArn?: string } = {};
    try {
        // Overall deadline: the configured wait plus a margin, so a call that never answers fails instead of hanging.
        return await withDeadline(`one-off task of ${shortTaskDefinition(req.taskDefinition)}`, req.timeoutMs + DEADLINE_MARGIN_MS, () =>
            runAndWait(ecs, logs, req, started),
        );
    } catch (e) {
        if (e instanceof DeadlineError && started.taskArn) {
            const stop = await stopTask(ecs, req.cluster, started.taskArn, `drydock: no answer from AWS within ${formatMs(e.limitMs)}`);
            throw new TaskError(
                `${e.message}\n  task ${started.taskArn}: ${stop}`,
                "timed-out",
                started.taskArn,
                undefined,
                undefined,
                undefined,
                [],
            );
        }
        throw e;
    }
}

async function runAndWait(
    ecs: ECSClient,
    logs: CloudWatchLogsClient,
    req: RunTaskRequest,
    started: { taskArn?: string },
): Promise<RunTaskResult> {
    const now = req.now ?? (() => new Date());
    const log = req.log ?? (() => undefined);
    const t0 = now().getTime();
    const td = await aws(`ECS DescribeTaskDefinition ${shortTaskDefinition(req.taskDefinition)}`, async () =>
        requireAnswer(await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: req.taskDefinition })), "taskDefinition"),
    );
    const tdArn = td.taskDefinitionArn ?? req.taskDefinition;
    const container = pickContainer(td.containerDefinitions ?? [], req.container, tdArn);
    const name = container.name ?? "";
    const task = await startTask(ecs, req, tdArn, name);
    started.taskArn = task.taskArn;
    const stream = taskLogStream(container, task.taskArn ?? "", regionOfArn(tdArn));
    log(`started task ${task.taskArn} (${shortTaskDefinition(tdArn)}, ${container.image ?? "image unknown"}): ${req.command.join(" ")}`);
    if (stream) log(`log stream ${stream.group} ${stream.stream}`);
    const last = await waitForTask(ecs, req, task, { now, log, t0 });
    const base = {
        taskArn: task.taskArn ?? "",
        taskDefinition: tdArn,
        container: name,
        ...(container.image ? { image: container.image } : {}),
    };
    const report = { cluster: req.cluster, command: req.command, tdArn, taskArn: base.taskArn, logs, ...(stream ? { stream } : {}) };
    const durationMs = now().getTime() - t0;
    if (last.timedOut) {
        const stop = await stopTask(ecs, req.cluster, base.taskArn, `drydock: timed out after ${formatMs(req.timeoutMs)}`);
        throw await taskFailure(report, "timed-out", `did not stop within ${formatMs(req.timeoutMs)}; ${stop}`, undefined, undefined);
    }
    if (last.task.lastStatus !== "STOPPED") {
        return { ...base, lastStatus: last.task.lastStatus ?? "RUNNING", ...(stream ? { logStream: stream } : {}), durationMs };
    }
    const c = last.task.containers?.find((x) => x.name === name);
    const reason = [last.task.stoppedReason, c?.reason].filter(Boolean).join("; ") || last.task.stopCode || "no reason given";
    if (c?.exitCode === 0) {
        log(`task ${base.taskArn} exited with code 0 after ${formatMs(durationMs)}`);
        return { ...base, exitCode: 0, stoppedReason: reason, lastStatus: "STOPPED", ...(stream ? { logStream: stream } : {}), durationMs };
    }
    if (c?.exitCode === undefined || c.exitCode === null) {
        throw await taskFailure(report, "no-exit-code", `stopped without an exit code of container ${name}: ${reason}`, undefined, reason);
    }
    throw await taskFailure(report, "exit-code", `container ${name} exited with code ${c.exitCode} (${reason})`, c.exitCode, reason);
}

/** RunTask; RunTask `failures` (no capacity, bad subnet, …) and an answer without a task are "not placed". */
async function startTask(ecs: ECSClient, req: RunTaskRequest, tdArn: string, container: string): Promise<Task> {
    const out = await aws(`ECS RunTask ${shortTaskDefinition(tdArn)}`, () =>
        ecs.send(
            new RunTaskCommand({
                cluster: req.cluster,
                taskDefinition: tdArn,
                launchType: "FARGATE",
                count: 1,
                startedBy: req.startedBy,
                clientToken: randomUUID(),
                networkConfiguration: {
                    awsvpcConfiguration: { subnets: req.subnets, securityGroups: req.securityGroups, assignPublicIp: "DISABLED" },
                },
                overrides: { containerOverrides: [{ name: container, command: req.command }] },
                tags: Object.entries(req.tags).map(([key, value]) => ({ key, value })),
                enableECSManagedTags: true,
            }),
        ),
    );
    const task = out.tasks?.[0];
    if (task?.taskArn && (out.failures ?? []).length === 0) return task;
    const why = (out.failures ?? [])
        .map((f) => `${f.reason ?? "failed"}${f.detail ? ` (${f.detail})` : ""}${f.arn ? ` [${f.arn}]` : ""}`)
        .join("; ");
    throw new TaskError(
        `one-off task of ${shortTaskDefinition(tdArn)} could not be placed in cluster ${req.cluster}: ${why || "RunTask returned no task"}. ` +
            `No task ran; check the subnets (${req.subnets.join(", ")}), Fargate capacity and the task definition, then retry.`,
        "not-placed",
        task?.taskArn,
        undefined,
        why || undefined,
        undefined,
        [],
    );
}

async function waitForTask(
    ecs: ECSClient,
    req: RunTaskRequest,
    first: Task,
    o: { now: () => Date; log: (m: string) => void; t0: number },
): Promise<{ task: Task; timedOut: boolean }> {
    const sleep = req.sleep ?? realSleep;
    const pollMs = req.pollMs ?? TASK_POLL_MS;
    const arn = first.taskArn ?? "";
    let task = first;
    let status = first.lastStatus ?? "PROVISIONING";
    // The first look comes at once (a task that cannot start often stops within seconds), then every pollMs.
    for (let looks = 0; ; looks++) {
        if (task.lastStatus === "STOPPED" || (req.noWait && task.lastStatus === "RUNNING")) return { task, timedOut: false };
        const elapsed = o.now().getTime() - o.t0;
        if (elapsed >= req.timeoutMs) return { task, timedOut: true };
        if (looks > 0) await sleep(Math.min(pollMs, Math.max(1, req.timeoutMs - elapsed)));
        const out = await aws(`ECS DescribeTasks ${arn}`, () =>
            ecs.send(new DescribeTasksCommand({ cluster: req.cluster, tasks: [arn] })),
        ).catch((e: CliError) => {
            throw new TaskError(
                `${e.message}; the task may still be running: ${arn} (aws ecs describe-tasks --cluster ${req.cluster} --tasks ${arn})`,
                "lost",
                arn,
                undefined,
                undefined,
                undefined,
                [],
            );
        });
        const next = out.tasks?.find((t) => t.taskArn === arn);
        if (!next) {
            const why = out.failures?.[0]?.reason ?? "not in the answer";
            throw new TaskError(
                `ECS no longer knows task ${arn} (${why}); whether it succeeded is unknown.`,
                "lost",
                arn,
                undefined,
                why,
                undefined,
                [],
            );
        }
        task = next;
        if (task.lastStatus && task.lastStatus !== status) o.log(`task ${arn.slice(arn.lastIndexOf("/") + 1)}: ${task.lastStatus}`);
        status = task.lastStatus ?? status;
    }
}

/** StopTask; returns what happened, for the failure message (a failed stop is said, not thrown). */
async function stopTask(ecs: ECSClient, cluster: string, taskArn: string, reason: string): Promise<string> {
    try {
        await withDeadline(`ECS StopTask ${taskArn}`, DEADLINE_MARGIN_MS, () =>
            aws(`ECS StopTask ${taskArn}`, () => ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason }))),
        );
        return "the task was stopped";
    } catch (e) {
        return `stopping it failed (${(e as Error).message}); stop it by hand: aws ecs stop-task --cluster ${cluster} --task ${taskArn}`;
    }
}
