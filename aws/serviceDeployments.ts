/**
 * ECS service deployments (ListServiceDeployments / DescribeServiceDeployments / ContinueServiceDeployment /
 * StopServiceDeployment): where a blue/green, canary or linear deployment stands (status, lifecycle stage,
 * bake, a paused approval hook, a rollback), and the two actions a person takes on it. Used by the
 * verify-rollout hook and by `drydock status`, `approve` and `abort`. No Pulumi import.
 */
import {
    ContinueServiceDeploymentCommand,
    DescribeServiceDeploymentsCommand,
    DescribeServiceRevisionsCommand,
    ECSClient,
    ListServiceDeploymentsCommand,
    ServiceDeployment,
    StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import { shortTaskDefinition } from "../release/names";
import { aws, refused, requireAnswer } from "./errors";

/** Deployment statuses in which ECS is still working (a person may approve or abort). */
export const ACTIVE_STATUSES = ["PENDING", "IN_PROGRESS"] as const;
/** Statuses that mean ECS rolled the deployment back (or is doing so). */
export const ROLLBACK_STATUSES = ["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"] as const;
/** Lifecycle stages reached once production traffic has shifted to the new revision. */
export const SHIFTED_STAGES = ["POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"] as const;

/** A PAUSE lifecycle hook waiting for ContinueServiceDeployment. */
export interface WaitingHook {
    hookId: string;
    /** When ECS takes the timeout action. */
    expiresAt?: Date;
    /** CONTINUE or ROLLBACK. */
    timeoutAction?: string;
}

/** One service deployment as drydock reports it. */
export interface ServiceDeploymentView {
    arn: string;
    status: string;
    statusReason?: string;
    /** RECONCILE_SERVICE … BAKE_TIME, CLEAN_UP. */
    lifecycleStage?: string;
    /** ROLLING, BLUE_GREEN, CANARY, LINEAR. */
    strategy?: string;
    bakeMinutes?: number;
    createdAt?: Date;
    /** The last change of the deployment (entering its current stage, among others). */
    updatedAt?: Date;
    finishedAt?: Date;
    targetRevisionArn?: string;
    /** Percent of production traffic the new revision is meant to get now. */
    productionWeight?: number;
    rollback?: { reason?: string; startedAt?: Date };
    waitingHook?: WaitingHook;
    triggeredAlarms: string[];
}

/** `arn:aws:ecs:…:service-deployment/drydock-production/backend-service/AbC…` → `AbC…`. */
export function deploymentId(arn: string): string {
    return arn.slice(arn.lastIndexOf("/") + 1);
}

/** A DescribeServiceDeployments entry as a view. Pure. */
export function toView(d: ServiceDeployment): ServiceDeploymentView {
    const hook = (d.lifecycleHookDetails ?? []).find((h) => h.status === "AWAITING_ACTION" && h.hookId);
    const bake = Number(d.deploymentConfiguration?.bakeTimeInMinutes);
    return {
        arn: d.serviceDeploymentArn ?? "",
        status: d.status ?? "UNKNOWN",
        ...(d.statusReason ? { statusReason: d.statusReason } : {}),
        ...(d.lifecycleStage ? { lifecycleStage: d.lifecycleStage } : {}),
        ...(d.deploymentConfiguration?.strategy ? { strategy: d.deploymentConfiguration.strategy } : {}),
        ...(Number.isFinite(bake) && d.deploymentConfiguration?.bakeTimeInMinutes !== undefined ? { bakeMinutes: bake } : {}),
        ...(d.createdAt ? { createdAt: d.createdAt } : {}),
        ...(d.updatedAt ? { updatedAt: d.updatedAt } : {}),
        ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}),
        ...(d.targetServiceRevision?.arn ? { targetRevisionArn: d.targetServiceRevision.arn } : {}),
        ...(d.targetServiceRevision?.requestedProductionTrafficWeight !== undefined
            ? { productionWeight: d.targetServiceRevision.requestedProductionTrafficWeight }
            : {}),
        ...(d.rollback
            ? {
                  rollback: {
                      ...(d.rollback.reason ? { reason: d.rollback.reason } : {}),
                      ...(d.rollback.startedAt ? { startedAt: d.rollback.startedAt } : {}),
                  },
              }
            : {}),
        ...(hook?.hookId
            ? {
                  waitingHook: {
                      hookId: hook.hookId,
                      ...(hook.expiresAt ? { expiresAt: hook.expiresAt } : {}),
                      ...(hook.timeoutAction ? { timeoutAction: hook.timeoutAction } : {}),
                  },
              }
            : {}),
        triggeredAlarms: d.alarms?.triggeredAlarmNames ?? [],
    };
}

/** true while ECS still works on the deployment. */
export function isActive(v: Pick<ServiceDeploymentView, "status">): boolean {
    return (ACTIVE_STATUSES as readonly string[]).includes(v.status);
}

/** true when ECS rolled the deployment back or is rolling it back. */
export function isRolledBack(v: Pick<ServiceDeploymentView, "status">): boolean {
    return (ROLLBACK_STATUSES as readonly string[]).includes(v.status);
}

/** Minutes of bake left at `now`, from the deployment's last update (when it entered BAKE_TIME); undefined outside the bake. */
export function bakeLeftMs(v: ServiceDeploymentView, now: Date): number | undefined {
    if (v.lifecycleStage !== "BAKE_TIME" || v.bakeMinutes === undefined || !v.updatedAt) return undefined;
    return Math.max(0, v.updatedAt.getTime() + v.bakeMinutes * 60_000 - now.getTime());
}

/** What the deployment is doing, in a few words: `IN_PROGRESS in BAKE_TIME (BLUE_GREEN)`. */
export function describeDeployment(v: ServiceDeploymentView): string {
    const stage = v.lifecycleStage ? ` in ${v.lifecycleStage}` : "";
    const strategy = v.strategy ? ` (${v.strategy})` : "";
    const hook = v.waitingHook ? ", waiting for approval" : "";
    const reason = v.statusReason ? `: ${v.statusReason}` : "";
    return `${v.status}${stage}${strategy}${hook}${reason}`;
}

/**
 * The newest service deployment of a service (any status), described; undefined when ECS lists none
 * (a service that never deployed, or one whose deployments all predate service deployments).
 */
export async function latestServiceDeployment(
    ecs: ECSClient,
    cluster: string,
    service: string,
): Promise<ServiceDeploymentView | undefined> {
    const list = await aws(`ECS ListServiceDeployments ${service}`, () =>
        ecs.send(new ListServiceDeploymentsCommand({ cluster, service, maxResults: 20 })),
    );
    const briefs = requireAnswer(list, "serviceDeployments");
    const newest = [...briefs].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
    if (!newest?.serviceDeploymentArn) return undefined;
    const arn = newest.serviceDeploymentArn;
    const out = await aws(`ECS DescribeServiceDeployments ${deploymentId(arn)}`, () =>
        ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })),
    );
    const found = requireAnswer(out, "serviceDeployments")[0];
    if (!found) {
        throw refused(
            `ECS DescribeServiceDeployments ${deploymentId(arn)}`,
            `ECS listed the deployment but cannot describe it (${out.failures?.[0]?.reason ?? "no reason given"})`,
            "retry in a minute",
        );
    }
    return toView(found);
}

/** The task definition (short `family:revision`) a service revision runs, e.g. to tell which deployment is this update's. */
export async function revisionTaskDefinition(ecs: ECSClient, revisionArn: string): Promise<string | undefined> {
    const out = await aws(`ECS DescribeServiceRevisions`, () =>
        ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn] })),
    );
    const td = requireAnswer(out, "serviceRevisions")[0]?.taskDefinition;
    return td ? shortTaskDefinition(td) : undefined;
}

/** What a person asked for and what ECS was told. */
export interface DeploymentAction {
    service: string;
    deploymentArn: string;
    /** What the deployment was doing before the action. */
    before: string;
}

/**
 * `drydock approve`: continues the deployment's paused approval hook (ContinueServiceDeployment, CONTINUE).
 * Refuses, without calling ECS, when no deployment waits for approval, saying what the deployment is doing.
 */
export async function approveDeployment(
    ecs: ECSClient,
    p: { cluster: string; service: string; stack: string; name?: string },
): Promise<DeploymentAction> {
    const d = await latestServiceDeployment(ecs, p.cluster, p.service);
    const what = `approve ${p.name ?? p.service}`; // follows the error line's "drydock: "
    if (!d)
        throw refused(
            what,
            `no deployment of ${p.service} in cluster ${p.cluster}`,
            `nothing waits for approval; see npx drydock status --stack ${p.stack}`,
        );
    if (!isActive(d) || !d.waitingHook) {
        throw refused(
            what,
            `nothing waits for approval: the latest deployment is ${describeDeployment(d)}`,
            `see npx drydock status --stack ${p.stack}`,
        );
    }
    const hookId = d.waitingHook.hookId;
    await aws(`ECS ContinueServiceDeployment ${deploymentId(d.arn)}`, () =>
        ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: d.arn, hookId, action: "CONTINUE" })),
    );
    return { service: p.service, deploymentArn: d.arn, before: describeDeployment(d) };
}

/**
 * `drydock abort`: stops the deployment in progress and rolls it back (StopServiceDeployment, ROLLBACK): during
 * an approval pause, a canary, a linear shift or the bake, production traffic goes back to the old revision.
 * Refuses, without calling ECS, when no deployment is in progress.
 */
export async function abortDeployment(
    ecs: ECSClient,
    p: { cluster: string; service: string; stack: string; name?: string },
): Promise<DeploymentAction> {
    const d = await latestServiceDeployment(ecs, p.cluster, p.service);
    const what = `abort ${p.name ?? p.service}`; // follows the error line's "drydock: "
    if (!d)
        throw refused(
            what,
            `no deployment of ${p.service} in cluster ${p.cluster}`,
            `nothing to abort; see npx drydock status --stack ${p.stack}`,
        );
    if (!isActive(d)) {
        throw refused(
            what,
            `no deployment is in progress: the latest is ${describeDeployment(d)}`,
            `to go back to an earlier version use npx drydock rollback --stack ${p.stack}`,
        );
    }
    await aws(`ECS StopServiceDeployment ${deploymentId(d.arn)}`, () =>
        ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: d.arn, stopType: "ROLLBACK" })),
    );
    return { service: p.service, deploymentArn: d.arn, before: describeDeployment(d) };
}
