/**
 * Is an ECS service healthy? One-line problems read from its state (no AWS call): fewer tasks running
 * than desired, pending tasks, tasks that failed in the current deployment, a rollout that failed, and a
 * rollback by ECS (in progress, or reported by the service's events within the last hour).
 * `drydock status` shows them; `drydock promote` refuses to promote from a service that has any.
 */
import { shortTaskDefinition } from "../release/names";
import { ServiceState } from "./ecs";

/** How long after a rollback event a service still counts as "just rolled back". */
export const RECENT_ROLLBACK_MS = 60 * 60_000;

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function minutesAgo(at: Date, now: Date): string {
    const m = Math.max(0, Math.round((now.getTime() - at.getTime()) / 60_000));
    return m === 0 ? "just now" : `${plural(m, "minute")} ago`;
}

/** Rollback events of the service within {@link RECENT_ROLLBACK_MS} of `now`. */
function recentRollbackEvents(state: ServiceState, now: Date): NonNullable<ServiceState["rollbackEvents"]> {
    return (state.rollbackEvents ?? []).filter((e) => now.getTime() - e.at.getTime() <= RECENT_ROLLBACK_MS);
}

/** ECS rolled a deployment back: a FAILED deployment is still listed, or a rollback event is recent (the list no longer shows it). */
export function rolledBack(state: ServiceState, now: Date): boolean {
    return state.failed.length > 0 || recentRollbackEvents(state, now).length > 0;
}

/** The rollback lines: deployments ECS marked FAILED, else a recent rollback event. */
function rollbackProblems(state: ServiceState, now: Date): string[] {
    const rollingBack = state.primary?.rolloutState === "IN_PROGRESS";
    const out = state.failed.map(
        (f) =>
            `ECS ${rollingBack ? "is rolling back" : "rolled back"} the failed deployment of ${shortTaskDefinition(f.taskDefinition)}` +
            `${f.rolloutStateReason ? ` (${f.rolloutStateReason.replace(/\.$/, "")})` : ""}`,
    );
    if (out.length > 0) return out;
    const newest = [...recentRollbackEvents(state, now)].sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    return newest ? [`ECS rolled back a deployment ${minutesAgo(newest.at, now)}: ${newest.message.replace(/\s+/g, " ").trim()}`] : [];
}

/** One-line problems of a deployed service; empty when it is healthy (or not deployed: that is said elsewhere). */
export function serviceProblems(state: ServiceState, now: Date): string[] {
    if (!state.found) return [];
    const problems: string[] = [];
    if (state.running < state.desired) problems.push(`${state.running} of ${plural(state.desired, "task")} running`);
    if (state.pending > 0) problems.push(`${plural(state.pending, "task")} pending`);
    const failedTasks = state.primary?.failedTasks ?? 0;
    if (failedTasks > 0) problems.push(`${plural(failedTasks, "task")} of the current deployment failed`);
    if (state.primary?.rolloutState === "FAILED") {
        problems.push(
            `the rollout of ${shortTaskDefinition(state.primary.taskDefinition)} FAILED${state.primary.rolloutStateReason ? ` (${state.primary.rolloutStateReason.replace(/\.$/, "")})` : ""}`,
        );
    }
    problems.push(...rollbackProblems(state, now));
    return problems;
}
