/**
 * Rollout verification: after Pulumi updated an ECS service, wait until ECS really serves the new task
 * definition. `pulumi up` alone reports success even when ECS's circuit breaker rolled the deployment
 * back (pulumi-aws#4487, pulumi-awsx#1848); the `verify-rollout` hook fails the update instead.
 */
import {
    Deployment,
    DescribeServicesCommand,
    DescribeServicesCommandOutput,
    DescribeTasksCommand,
    ECSClient,
    ListTasksCommand,
    Service,
    Task,
} from "@aws-sdk/client-ecs";
import { shortTaskDefinition } from "../release/names";
import { isoUtc } from "../release/timestamps";
import { formatDuration } from "./snapshots";
import { DEADLINE_MARGIN_MS, realSleep, trackCall, withDeadline } from "./deadline";
import { awsFailureText, requireAnswer } from "./errors";

/** Default pause between DescribeServices calls. */
export const ROLLOUT_POLL_MS = 15_000; // milliseconds
/** Stopped tasks and service events quoted in a failure message. */
export const ROLLOUT_DETAIL_LIMIT = 5;

export interface VerifyRolloutRequest {
    /** ECS cluster name or ARN, e.g. `drydock-production`. */
    cluster: string;
    /** ECS service name or ARN, e.g. `backend-service`. */
    service: string;
    /** Task definition ARN (or `family:revision`) this update deployed. */
    expectedTaskDefinition: string;
    /** Give up after this long (config `rolloutTimeoutMinutes`). */
    timeoutMs: number; // milliseconds
    /** Pause between checks; default {@link ROLLOUT_POLL_MS}. */
    pollMs?: number; // milliseconds
    now?: () => Date;
    sleep?: (ms: number) => Promise<void>;
    log?: (msg: string) => void;
}

export interface VerifyRolloutResult {
    /** The completed PRIMARY deployment. */
    deploymentId?: string;
    taskDefinition: string;
    waitedMs: number; // milliseconds
}

export type RolloutOutcome = "rolled-back" | "failed" | "timed-out" | "missing";

/** The rollout did not complete with the expected task definition. */
export class RolloutError extends Error {
    constructor(
        message: string,
        public readonly outcome: RolloutOutcome,
        /** The task definition this update deployed (short `family:revision`). */
        public readonly failedTaskDefinition: string,
        /** The task definition the PRIMARY deployment runs now, if known. */
        public readonly servingTaskDefinition: string | undefined,
        public readonly stoppedReasons: string[],
        public readonly events: string[],
    ) {
        super(message);
        this.name = "RolloutError";
    }
}

/** `arn:aws:ecs:...:cluster/drydock-production` → `drydock-production`; a plain name stays as it is. */
function lastSegment(nameOrArn: string): string {
    return nameOrArn.startsWith("arn:") ? nameOrArn.slice(nameOrArn.lastIndexOf("/") + 1) : nameOrArn;
}

function sameTaskDefinition(a: string | undefined, b: string): boolean {
    return a !== undefined && (a === b || shortTaskDefinition(a) === shortTaskDefinition(b));
}

type Assessment =
    | { state: "completed"; primary: Deployment }
    | { state: "in-progress"; progress: string }
    | { state: "rolled-back" | "failed"; why: string; serving?: string; since?: Date };

/** Where the rollout of `expected` stands, from one DescribeServices answer. Pure. */
export function assessRollout(service: Service, expected: string): Assessment {
    const deployments = service.deployments ?? [];
    const primary = deployments.find((d) => d.status === "PRIMARY");
    const ours = deployments.find((d) => sameTaskDefinition(d.taskDefinition, expected));
    const since = ours?.createdAt ?? primary?.createdAt;
    if (service.status && service.status !== "ACTIVE") return { state: "failed", why: `the service is ${service.status}` };
    if (!primary) return { state: "in-progress", progress: "waiting for ECS to start a deployment" };
    if (!sameTaskDefinition(primary.taskDefinition, expected)) {
        const why =
            ours?.rolloutState === "FAILED"
                ? `the deployment of ${shortTaskDefinition(expected)} failed: ${ours.rolloutStateReason ?? "no reason given"}`
                : `the PRIMARY deployment no longer runs ${shortTaskDefinition(expected)} (an ECS rollback, or another deployment replaced it)`;
        return { state: "rolled-back", why, serving: primary.taskDefinition, ...(since ? { since } : {}) };
    }
    const rollbackEvent = (service.events ?? []).find(
        (e) => e.message && primary.id && e.message.includes(primary.id) && /rolling back|rolled back|deployment failed/i.test(e.message),
    );
    if (primary.rolloutState === "FAILED" || rollbackEvent) {
        const why = primary.rolloutStateReason ?? rollbackEvent?.message ?? "the deployment failed";
        return { state: "failed", why: `the rollout FAILED: ${why}`, serving: primary.taskDefinition, ...(since ? { since } : {}) };
    }
    const counts = `${primary.runningCount ?? 0}/${primary.desiredCount ?? 0} running, ${primary.pendingCount ?? 0} pending`;
    const done =
        primary.rolloutState === "COMPLETED" ||
        // No rolloutState (e.g. an external deployment controller): steady when only the primary is left at full count.
        (primary.rolloutState === undefined &&
            deployments.length === 1 &&
            primary.runningCount === primary.desiredCount &&
            !primary.pendingCount);
    if (done) return { state: "completed", primary };
    const failed = primary.failedTasks ? `, ${primary.failedTasks} failed` : "";
    const reason = primary.rolloutStateReason
        ? ` (${primary.rolloutState}: ${primary.rolloutStateReason})`
        : primary.rolloutState
          ? ` (${primary.rolloutState})`
          : "";
    return { state: "in-progress", progress: `${counts}${failed}${reason}` };
}

function errorText(err: unknown): string {
    return awsFailureText(err, "ecs:DescribeServices, ecs:ListTasks, ecs:DescribeTasks"); // the one translator's words
}

/**
 * Wait until the service's PRIMARY deployment is COMPLETED and runs `expectedTaskDefinition`.
 * Throws {@link RolloutError} if ECS rolled back, the rollout failed, the service is missing, or
 * `timeoutMs` passes; the message names the failed and the serving task definitions, the stopped
 * reasons of the latest failed tasks and the latest service events. Other AWS errors also throw.
 */
export async function verifyRollout(ecs: ECSClient, req: VerifyRolloutRequest): Promise<VerifyRolloutResult> {
    // Overall deadline: the configured wait plus a margin, so a DescribeServices that never answers fails the hook instead of hanging it.
    return withDeadline(`verify-rollout of ${req.service}`, req.timeoutMs + DEADLINE_MARGIN_MS, () => waitForRollout(ecs, req));
}

async function waitForRollout(ecs: ECSClient, req: VerifyRolloutRequest): Promise<VerifyRolloutResult> {
    const now = req.now ?? (() => new Date());
    const sleep = req.sleep ?? realSleep;
    const log = req.log ?? (() => undefined);
    const pollMs = req.pollMs ?? ROLLOUT_POLL_MS;
    const started = now().getTime();
    const expected = shortTaskDefinition(req.expectedTaskDefinition);
    let lastProgress = "";
    for (;;) {
        let out: DescribeServicesCommandOutput;
        try {
            out = await trackCall(`ECS DescribeServices ${req.service}`, () =>
                ecs.send(new DescribeServicesCommand({ cluster: req.cluster, services: [req.service] })),
            );
            requireAnswer(out, "services"); // an empty or cut-off response is not "service not found"
        } catch (err) {
            throw new Error(
                `verify-rollout: could not read service ${req.service} in cluster ${req.cluster}: ${errorText(err)}. Whether ${expected} is serving is unknown.`,
                { cause: err },
            );
        }
        const service = out.services?.[0];
        if (!service) {
            const why = out.failures?.[0]?.reason ?? "not found";
            const message = `verify-rollout: service ${req.service} in cluster ${req.cluster} is ${why}; cannot confirm that ${expected} is serving.`;
            throw new RolloutError(message, "missing", expected, undefined, [], []);
        }
        const a = assessRollout(service, req.expectedTaskDefinition);
        const waitedMs = now().getTime() - started;
        if (a.state === "completed") {
            log(`${req.service}: rollout of ${expected} COMPLETED (${a.primary.runningCount ?? 0}/${a.primary.desiredCount ?? 0} running)`);
            return {
                ...(a.primary.id ? { deploymentId: a.primary.id } : {}),
                taskDefinition: a.primary.taskDefinition ?? req.expectedTaskDefinition,
                waitedMs,
            };
        }
        if (a.state !== "in-progress") {
            throw await rolloutError(ecs, req, service, a.state, a.why, a.serving, a.since);
        }
        if (a.progress !== lastProgress) log(`${req.service}: deploying ${expected}: ${a.progress}`);
        lastProgress = a.progress;
        if (waitedMs >= req.timeoutMs) {
            const primary = service.deployments?.find((d) => d.status === "PRIMARY");
            const why = `the rollout did not complete within ${formatDuration(req.timeoutMs)} (rolloutTimeoutMinutes); last state: ${a.progress}`;
            throw await rolloutError(ecs, req, service, "timed-out", why, primary?.taskDefinition, primary?.createdAt);
        }
        await sleep(Math.min(pollMs, Math.max(1, req.timeoutMs - waitedMs)));
    }
}

async function rolloutError(
    ecs: ECSClient,
    req: VerifyRolloutRequest,
    service: Service,
    outcome: RolloutOutcome,
    why: string,
    serving?: string,
    since?: Date,
): Promise<RolloutError> {
    const expected = shortTaskDefinition(req.expectedTaskDefinition);
    const stopped = await stoppedReasons(ecs, req, since);
    const events = (service.events ?? []).slice(0, ROLLOUT_DETAIL_LIMIT).map((e) => `${isoUtc(e.createdAt) ?? "?"} ${e.message ?? ""}`);
    const headline = {
        "rolled-back": `ECS rolled back ${req.service}`,
        failed: `the rollout of ${req.service} failed`,
        "timed-out": `the rollout of ${req.service} timed out`,
        missing: `${req.service} is missing`,
    }[outcome];
    const lines = [
        `verify-rollout: ${headline} (cluster ${lastSegment(req.cluster)}): ${why.replace(/\.+$/, "")}.`,
        `  task definition deployed by this update: ${expected}`,
        `  task definition now serving:             ${shortTaskDefinition(serving)}`,
        `  stopped tasks (latest ${ROLLOUT_DETAIL_LIMIT}):`,
        ...(stopped.length > 0 ? stopped.map((s) => `    - ${s}`) : ["    (none found)"]),
        `  latest service events:`,
        ...(events.length > 0 ? events.map((e) => `    - ${e}`) : ["    (none)"]),
    ];
    return new RolloutError(lines.join("\n"), outcome, expected, serving ? shortTaskDefinition(serving) : undefined, stopped, events);
}

/** Why the latest stopped tasks of the deployed task definition stopped (all stopped tasks if none match). */
async function stoppedReasons(ecs: ECSClient, req: VerifyRolloutRequest, since?: Date): Promise<string[]> {
    try {
        const list = await ecs.send(new ListTasksCommand({ cluster: req.cluster, serviceName: req.service, desiredStatus: "STOPPED" }));
        const arns = (list.taskArns ?? []).slice(0, 100);
        if (arns.length === 0) return [];
        const out = await ecs.send(new DescribeTasksCommand({ cluster: req.cluster, tasks: arns }));
        const tasks = (out.tasks ?? []).filter((t) => !since || !t.stoppedAt || t.stoppedAt >= since);
        const ours = tasks.filter((t) => sameTaskDefinition(t.taskDefinitionArn, req.expectedTaskDefinition));
        return (ours.length > 0 ? ours : tasks)
            .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
            .slice(0, ROLLOUT_DETAIL_LIMIT)
            .map(describeStoppedTask);
    } catch (err) {
        return [`(could not read stopped tasks: ${errorText(err)})`];
    }
}

function describeStoppedTask(t: Task): string {
    const id = t.taskArn?.split("/").pop() ?? "?";
    const containers = (t.containers ?? [])
        .filter((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0))
        .map(
            (c) =>
                `${c.name ?? "container"}: ${[c.exitCode !== undefined ? `exit ${c.exitCode}` : "", c.reason ?? ""].filter(Boolean).join(", ")}`,
        );
    const when = t.stoppedAt ? ` at ${isoUtc(t.stoppedAt)}` : "";
    return `task ${id} (${shortTaskDefinition(t.taskDefinitionArn)}) stopped${when}: ${t.stoppedReason ?? t.stopCode ?? "no reason given"}${containers.length ? `; ${containers.join("; ")}` : ""}`;
}
