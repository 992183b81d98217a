/**
 * Rough duration of an ECS rolling deployment behind an ALB. Pure logic.
 *
 * Model (documented so the numbers can be checked by hand):
 * - ECS may run at most `floor(desired × maximumPercent / 100)` tasks and must keep at least
 *   `ceil(desired × minimumHealthyPercent / 100)` healthy (AWS rounds the maximum down and the minimum up).
 *   So one wave replaces `batch = floor(desired × max / 100) − ceil(desired × min / 100)` tasks
 *   (capped at `desired`). With min 100 / max 200 that is `desired`: a single wave.
 * - `waves = ceil(desired / batch)`.
 * - Each wave costs
 *   - `taskStartSeconds` (default 60): image pull, container start, app start-up;
 *   - `healthyThreshold × healthCheckIntervalSeconds`: the ALB marks a new target healthy only after
 *     that many consecutive passing checks;
 *   - `deregistrationDelaySeconds`: old targets drain before their tasks stop (the next wave needs their room).
 * - `healthCheckGracePeriodSeconds` adds nothing: it only stops ECS from killing a task on failed health
 *   checks during start-up; it does not make a healthy target available sooner or later. It is reported
 *   as a 0-second term so the output shows it was considered.
 */

/** Inputs of {@link estimateRollout}. All durations in seconds. */
export interface RolloutParams {
    /** Number of tasks of the service. */
    desiredCount: number;
    /** ECS deployment minimumHealthyPercent (0..100, typically 100). */
    minimumHealthyPercent: number;
    /** ECS deployment maximumPercent (>= 100, typically 200). */
    maximumPercent: number;
    /** ALB target group health check interval, seconds. */
    healthCheckIntervalSeconds: number;
    /** ALB consecutive successful checks before a target is healthy. */
    healthyThreshold: number;
    /** ECS health check grace period, seconds (does not change the estimate, see the module comment). */
    healthCheckGracePeriodSeconds: number;
    /** ALB target group deregistration delay, seconds. */
    deregistrationDelaySeconds: number;
    /** Time from task placement to the app listening, seconds. Default 60. */
    taskStartSeconds?: number;
}

export interface RolloutEstimate {
    /** Total seconds; equals the sum of `terms`. */
    seconds: number;
    waves: number;
    terms: { name: string; seconds: number }[];
}

/** Estimate the duration of a rolling deployment; throws RangeError naming a bad parameter. */
export function estimateRollout(p: RolloutParams): RolloutEstimate {
    const taskStart = p.taskStartSeconds ?? 60;
    nonNegative("desiredCount", p.desiredCount, true);
    nonNegative("healthCheckIntervalSeconds", p.healthCheckIntervalSeconds);
    nonNegative("healthyThreshold", p.healthyThreshold, true);
    nonNegative("healthCheckGracePeriodSeconds", p.healthCheckGracePeriodSeconds);
    nonNegative("deregistrationDelaySeconds", p.deregistrationDelaySeconds);
    nonNegative("taskStartSeconds", taskStart);
    nonNegative("minimumHealthyPercent", p.minimumHealthyPercent);
    nonNegative("maximumPercent", p.maximumPercent);
    if (p.minimumHealthyPercent > 100) throw new RangeError(`minimumHealthyPercent must be 0..100, got ${p.minimumHealthyPercent}`);
    if (p.maximumPercent < 100) throw new RangeError(`maximumPercent must be at least 100, got ${p.maximumPercent}`);

    const desired = p.desiredCount;
    if (desired === 0) return { seconds: 0, waves: 0, terms: [] };
    const maxTasks = Math.floor((desired * p.maximumPercent) / 100);
    const minHealthy = Math.ceil((desired * p.minimumHealthyPercent) / 100);
    const batch = Math.min(desired, maxTasks - minHealthy);
    if (batch <= 0) {
        throw new RangeError(
            `with desiredCount ${desired}, minimumHealthyPercent ${p.minimumHealthyPercent} and maximumPercent ${p.maximumPercent} ` +
                `ECS cannot replace any task (at most ${maxTasks} running, at least ${minHealthy} healthy); raise maximumPercent or lower minimumHealthyPercent`,
        );
    }
    const waves = Math.ceil(desired / batch);
    const terms = [
        { name: `task start (${waves} × ${taskStart}s)`, seconds: waves * taskStart },
        {
            name: `ALB health checks (${waves} × ${p.healthyThreshold} checks × ${p.healthCheckIntervalSeconds}s)`,
            seconds: waves * p.healthyThreshold * p.healthCheckIntervalSeconds,
        },
        { name: `deregistration delay (${waves} × ${p.deregistrationDelaySeconds}s)`, seconds: waves * p.deregistrationDelaySeconds },
        { name: `health check grace period (${p.healthCheckGracePeriodSeconds}s, overlaps the health checks)`, seconds: 0 },
    ];
    return { seconds: terms.reduce((s, t) => s + t.seconds, 0), waves, terms };
}

function nonNegative(name: string, value: number, integer = false): void {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
        throw new RangeError(`${name} must be a non-negative ${integer ? "integer" : "number"}, got ${String(value)}`);
    }
}
