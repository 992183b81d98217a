/**
 * Following one ECS service deployment (blue/green, canary, linear; rolling too) until it completes, rolls back
 * or, when the caller does not wait for the bake, until production traffic has shifted. verify-rollout uses it
 * for progressive strategies; `drydock status --watch` uses {@link assessDeployment}. No Pulumi import.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { shortTaskDefinition } from "../release/names";
import { DEADLINE_MARGIN_MS, formatMs, realSleep, withDeadline } from "./deadline";
import { RolloutError, VerifyRolloutResult } from "./rollout";
import {
    bakeLeftMs,
    deploymentId,
    describeDeployment,
    isRolledBack,
    latestServiceDeployment,
    revisionTaskDefinition,
    ServiceDeploymentView,
    SHIFTED_STAGES,
} from "./serviceDeployments";

/** Default pause between reads of the deployment. */
export const DEPLOYMENT_POLL_MS = 15_000; // milliseconds

export type DeploymentAssessment =
    | { state: "completed"; summary: string }
    | { state: "shifted"; summary: string }
    | { state: "in-progress"; summary: string }
    | { state: "rolled-back" | "stopped"; summary: string; stage: string };

/**
 * Where a deployment stands. `waitForBake: false` counts a deployment past the production traffic shift
 * (POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP) as done enough ("shifted"). Pure.
 */
export function assessDeployment(v: ServiceDeploymentView, options: { waitForBake: boolean; now: Date }): DeploymentAssessment {
    const stage = v.lifecycleStage ?? "an unknown stage";
    if (v.status === "SUCCESSFUL") return { state: "completed", summary: `deployment ${deploymentId(v.arn)} SUCCESSFUL` };
    if (isRolledBack(v)) {
        const why =
            v.rollback?.reason ??
            v.statusReason ??
            (v.triggeredAlarms.length ? `alarm ${v.triggeredAlarms.join(", ")}` : "no reason given");
        return { state: "rolled-back", stage, summary: `ECS rolled the deployment back (${v.status}) in stage ${stage}: ${why}` };
    }
    if (v.status === "STOPPED" || v.status === "STOP_REQUESTED") {
        return {
            state: "stopped",
            stage,
            summary: `the deployment was stopped (${v.status}) in stage ${stage}: ${v.statusReason ?? "no reason given"}`,
        };
    }
    const left = bakeLeftMs(v, options.now);
    const bake = left !== undefined ? `, about ${formatMs(left)} of bake left` : "";
    if (!options.waitForBake && v.lifecycleStage && (SHIFTED_STAGES as readonly string[]).includes(v.lifecycleStage)) {
        return { state: "shifted", summary: `production traffic has shifted; ${describeDeployment(v)}${bake}` };
    }
    return { state: "in-progress", summary: `${describeDeployment(v)}${bake}` };
}

export interface WaitForDeploymentRequest {
    /** ECS cluster name or ARN. */
    cluster: string;
    /** ECS service name or ARN. */
    service: string;
    /** Task definition ARN (or `family:revision`) this update deployed. */
    expectedTaskDefinition: string;
    /** false: return once production traffic has shifted (`<service>WaitForBake`). */
    waitForBake: boolean;
    /** Give up after this long (rolloutTimeoutMinutes plus the strategy's bakes and approval timeout). */
    timeoutMs: number; // milliseconds
    pollMs?: number; // milliseconds
    /** The stack, for the hints in messages. */
    stack?: string;
    now?: () => Date;
    sleep?: (ms: number) => Promise<void>;
    log?: (msg: string) => void;
}

/**
 * Waits until the service's newest deployment, which must run `expectedTaskDefinition`, completes (or has
 * shifted production traffic, with `waitForBake: false`). Throws {@link RolloutError} naming the lifecycle
 * stage when ECS rolled it back or it was stopped, when another deployment replaced it, or on timeout.
 */
export async function waitForServiceDeployment(ecs: ECSClient, req: WaitForDeploymentRequest): Promise<VerifyRolloutResult> {
    return withDeadline(`verify-rollout of ${req.service}`, req.timeoutMs + DEADLINE_MARGIN_MS, () => follow(ecs, req));
}

async function follow(ecs: ECSClient, req: WaitForDeploymentRequest): Promise<VerifyRolloutResult> {
    const now = req.now ?? (() => new Date());
    const sleep = req.sleep ?? realSleep;
    const log = req.log ?? (() => undefined);
    const started = now().getTime();
    const expected = shortTaskDefinition(req.expectedTaskDefinition);
    const checked = new Set<string>();
    let last = "";
    for (;;) {
        const d = await read(ecs, req, expected);
        if (!checked.has(d.arn) && (await requireOurs(ecs, req, d, expected))) checked.add(d.arn);
        // Success counts only for a deployment known to deploy this update's task definition; until then, keep reading.
        const confirmed = checked.has(d.arn);
        const assessed = assessDeployment(d, { waitForBake: req.waitForBake, now: now() });
        const a = confirmed
            ? assessed
            : { ...assessed, summary: `${assessed.summary}; ECS does not say yet which task definition it deploys` };
        const waitedMs = now().getTime() - started;
        if (confirmed && (a.state === "completed" || a.state === "shifted")) {
            log(`${req.service}: ${expected}: ${a.summary}`);
            return { deploymentId: deploymentId(d.arn), taskDefinition: req.expectedTaskDefinition, waitedMs };
        }
        if (a.state === "rolled-back" || a.state === "stopped") {
            const headline =
                a.state === "rolled-back"
                    ? `ECS rolled back ${req.service} in stage ${a.stage}`
                    : `the deployment of ${req.service} was stopped in stage ${a.stage}`;
            throw failure(req, a.state === "rolled-back" ? "rolled-back" : "failed", `${headline}: ${a.summary}`, expected, d);
        }
        if (a.summary !== last) log(`${req.service}: deploying ${expected}: ${a.summary}`);
        last = a.summary;
        if (waitedMs >= req.timeoutMs) {
            throw failure(
                req,
                "timed-out",
                `the deployment of ${req.service} did not finish within ${formatMs(req.timeoutMs)}; last: ${a.summary}`,
                expected,
                d,
            );
        }
        await sleep(Math.min(req.pollMs ?? DEPLOYMENT_POLL_MS, Math.max(1, req.timeoutMs - waitedMs)));
    }
}

async function read(ecs: ECSClient, req: WaitForDeploymentRequest, expected: string): Promise<ServiceDeploymentView> {
    let d: ServiceDeploymentView | undefined;
    try {
        d = await latestServiceDeployment(ecs, req.cluster, req.service);
    } catch (err) {
        const perms = /access denied/i.test((err as Error).message)
            ? " (the deploying AWS identity needs ecs:ListServiceDeployments, ecs:DescribeServiceDeployments, ecs:DescribeServiceRevisions)"
            : "";
        throw new Error(
            `verify-rollout: could not read the deployments of ${req.service} in cluster ${req.cluster}: ${(err as Error).message}${perms}. Whether ${expected} is serving is unknown.`,
            { cause: err },
        );
    }
    if (!d)
        throw new RolloutError(
            `verify-rollout: ECS lists no deployment of ${req.service} in cluster ${req.cluster}; cannot confirm that ${expected} is serving.`,
            "missing",
            expected,
            undefined,
            [],
            [],
        );
    return d;
}

/**
 * The newest deployment must be this update's: its target revision runs the expected task definition.
 * @returns true when it is; false when ECS does not say (no target revision, or one without a task definition):
 *   the caller keeps reading and never counts such a deployment as a success. Throws when it is another's.
 */
async function requireOurs(ecs: ECSClient, req: WaitForDeploymentRequest, d: ServiceDeploymentView, expected: string): Promise<boolean> {
    if (!d.targetRevisionArn) return false;
    let td: string | undefined;
    try {
        td = await revisionTaskDefinition(ecs, d.targetRevisionArn);
    } catch (err) {
        throw new Error(
            `verify-rollout: could not read the revision ${req.service}'s deployment targets: ${(err as Error).message}. Whether ${expected} is serving is unknown.`,
            { cause: err },
        );
    }
    if (td && td !== expected) {
        throw failure(req, "rolled-back", `another deployment of ${req.service} (to ${td}) replaced this update's`, expected, d, td);
    }
    return td !== undefined;
}

function failure(
    req: WaitForDeploymentRequest,
    outcome: "rolled-back" | "failed" | "timed-out",
    why: string,
    expected: string,
    d: ServiceDeploymentView,
    serving?: string,
): RolloutError {
    const lines = [
        `verify-rollout: ${why.replace(/\.+$/, "")}.`,
        `  task definition deployed by this update: ${expected}`,
        `  service deployment: ${d.arn || "?"} (${describeDeployment(d)})`,
        ...(d.triggeredAlarms.length ? [`  alarms that fired: ${d.triggeredAlarms.join(", ")}`] : []),
        ...(req.stack ? [`  follow it: npx drydock status --stack ${req.stack} --watch`] : []),
    ];
    return new RolloutError(lines.join("\n"), outcome, expected, serving, [], []);
}
