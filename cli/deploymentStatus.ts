/**
 * The deployments part of `drydock status`: for each service with a blue/green, canary or linear strategy,
 * its newest ECS service deployment (lifecycle stage, bake time left, a pause waiting for approval); and
 * `drydock status --watch`, which follows the deployments in progress until each completes (exit 0) or one
 * rolls back or stops (exit 1).
 */
import { assessDeployment } from "../aws/deploymentWait";
import { bakeLeftMs, deploymentId, isActive, latestServiceDeployment, ServiceDeploymentView } from "../aws/serviceDeployments";
import { commandDeadlineMs, DeadlineError, formatMs, outsideDeadline, withDeadline } from "../aws/deadline";
import { ecsClusterName, ecsServiceName } from "../release/names";
import { isProgressive } from "../release/strategy";
import { isoUtc } from "../release/timestamps";
import { serviceNames } from "../services";
import { CliDeps } from "./deps";
import { CliError, EXIT } from "./errors";
import { Ctx } from "./output";
import { StackContext } from "./stackContext";

/** Default pause between reads of `status --watch`. */
export const WATCH_INTERVAL_MS = 15_000; // milliseconds

/** One row of `status --json`'s `deployments`. */
export interface DeploymentStatus {
    service: string;
    deploymentArn: string;
    status: string;
    strategy: string | null;
    lifecycleStage: string | null;
    /** Seconds of bake left (during BAKE_TIME), else null. */
    bakeSecondsLeft: number | null;
    /** A PAUSE hook waits for `drydock approve` (or `abort`). */
    waitingForApproval: boolean;
    /** When the approval pause times out (ISO-8601), else null. */
    approvalExpiresAt: string | null;
    rollbackReason: string | null;
}

function toStatus(service: string, v: ServiceDeploymentView, now: Date): DeploymentStatus {
    const left = bakeLeftMs(v, now);
    return {
        service,
        deploymentArn: v.arn,
        status: v.status,
        strategy: v.strategy ?? null,
        lifecycleStage: v.lifecycleStage ?? null,
        bakeSecondsLeft: left === undefined ? null : Math.round(left / 1000),
        waitingForApproval: !!v.waitingHook,
        approvalExpiresAt: isoUtc(v.waitingHook?.expiresAt),
        rollbackReason: v.rollback?.reason ?? null,
    };
}

/** The services whose configured strategy is progressive (the ones with service deployments worth showing). */
export function progressiveServices(sc: StackContext): string[] {
    return serviceNames().filter((name) => isProgressive(sc.settings.services?.[name]?.deployment));
}

/** The newest deployment of each of `services` (ECS service names as keys). */
export async function readDeployments(deps: CliDeps, sc: StackContext, services: string[]): Promise<DeploymentStatus[]> {
    const ecs = deps.ecs(sc.region);
    const now = deps.now();
    const rows = await Promise.all(
        services.map(async (name) => {
            const v = await latestServiceDeployment(ecs, ecsClusterName(sc.stack), ecsServiceName(name));
            return v ? toStatus(name, v, now) : undefined;
        }),
    );
    return rows.filter((r): r is DeploymentStatus => r !== undefined);
}

/**
 * {@link readDeployments} for the read-only `status`: an AWS error while reading them (say ecs:ListServiceDeployments
 * is not granted yet) is a warning on stderr and the rest of the status is still shown; undefined then.
 * The command's deadline still ends the command.
 */
export async function readDeploymentsOrWarn(
    ctx: Ctx,
    deps: CliDeps,
    sc: StackContext,
    services: string[],
): Promise<DeploymentStatus[] | undefined> {
    try {
        return await readDeployments(deps, sc, services);
    } catch (e) {
        if (!(e instanceof CliError) || e instanceof DeadlineError) throw e;
        ctx.warn(`drydock: warning: ${e.what}: ${e.why} (status shown without the deployments${e.hint ? `; ${e.hint}` : ""})`);
        return undefined;
    }
}

/** One line per deployment in progress (or just ended in a rollback), for the text output. */
export function deploymentLines(rows: DeploymentStatus[], stack: string): string[] {
    return rows
        .filter((d) => isActive(d) || d.status.startsWith("ROLLBACK"))
        .map((d) => {
            const where = `${d.service}: ${d.strategy ?? "ECS"} deployment ${deploymentId(d.deploymentArn)} ${d.status}${d.lifecycleStage ? ` in ${d.lifecycleStage}` : ""}`;
            if (d.waitingForApproval) {
                return `${where}, waiting for approval${d.approvalExpiresAt ? ` (rolls back at ${d.approvalExpiresAt})` : ""}: npx drydock approve --stack ${stack} --service ${d.service}, or abort`;
            }
            if (d.bakeSecondsLeft !== null)
                return `${where}, about ${formatMs(d.bakeSecondsLeft * 1000)} of bake left (roll back now: npx drydock abort --stack ${stack} --service ${d.service})`;
            if (d.rollbackReason) return `${where}: ${d.rollbackReason}`;
            return where;
        });
}

/**
 * `status --watch`: prints each deployment's state when it changes until none is in progress.
 * @returns 0 when every watched deployment completed (or none was in progress), 1 when one rolled back or stopped.
 */
export async function watchDeployments(
    ctx: Ctx,
    deps: CliDeps,
    sc: StackContext,
    options: { intervalMs: number; services?: string[] },
): Promise<number> {
    const services = options.services ?? serviceNames().filter((n) => !!sc.settings.services?.[n]?.spec?.route);
    const ended = new Map<string, "completed" | "failed">();
    const last = new Map<string, string>();
    // Watching has no overall deadline (a bake may last hours); each round of reads has the command's.
    await outsideDeadline(async () => {
        for (;;) {
            await withDeadline("status --watch", commandDeadlineMs(), () =>
                watchRound(
                    ctx,
                    deps,
                    sc,
                    services.filter((n) => !ended.has(n)),
                    { ended, last },
                ),
            );
            if (ended.size === services.length) return;
            await deps.sleep(options.intervalMs);
        }
    });
    const failed = [...ended].filter(([, how]) => how === "failed").map(([n]) => n);
    if (ctx.json) ctx.printJson({ stack: sc.stack, watched: services, rolledBack: failed, ok: failed.length === 0 });
    else ctx.print(failed.length ? `Rolled back or stopped: ${failed.join(", ")}.` : "Every deployment completed.");
    return failed.length ? EXIT.failed : EXIT.ok;
}

/** One read of each service still watched: prints what changed, records what ended. */
async function watchRound(
    ctx: Ctx,
    deps: CliDeps,
    sc: StackContext,
    services: string[],
    seen: { ended: Map<string, "completed" | "failed">; last: Map<string, string> },
): Promise<void> {
    const ecs = deps.ecs(sc.region);
    for (const name of services) {
        const v = await latestServiceDeployment(ecs, ecsClusterName(sc.stack), ecsServiceName(name));
        if (!v) {
            // Nothing to follow (never deployed, or only deployments from before ECS kept service deployments): said, not hidden.
            ctx.print(`${isoUtc(deps.now())} ${name}: ECS lists no deployment of ${ecsServiceName(name)}; nothing to follow`);
            seen.ended.set(name, "completed");
            continue;
        }
        const a = assessDeployment(v, { waitForBake: true, now: deps.now() });
        const line = `${name}: ${a.summary}`;
        if (seen.last.get(name) !== line) ctx.print(`${isoUtc(deps.now())} ${line}`);
        seen.last.set(name, line);
        if (a.state === "completed") seen.ended.set(name, "completed");
        else if (a.state === "rolled-back" || a.state === "stopped") seen.ended.set(name, "failed");
    }
}
