/**
 * How long a deployment takes with each strategy, and how long going back takes. Pure logic; the numbers
 * are a model, written so they can be checked by hand (every term is named, in seconds).
 *
 * Rollout:
 * - rolling: {@link estimateRollout} (waves of task start + ALB health checks + deregistration delay).
 * - blue-green, canary, linear: the new revision's tasks start next to the old ones in the alternate target
 *   group (task start + health checks, one wave), test traffic shifts, the approval pause (counted at 0: it
 *   waits for a person, at most its timeout), production traffic shifts (the canary bake, or the bakes between
 *   linear steps), the bake, then the old tasks drain (deregistration delay).
 *
 * Rollback, from the moment the new revision is known bad:
 * - rolling: the circuit breaker must first see enough failed tasks (threshold: half the desired count, at
 *   least 3 — AWS's default BOUNDED_PERCENT 50 with its minimum of 3), launched in waves of `desiredCount`, each
 *   failing after task start + the grace period + unhealthyThreshold failed checks; then ECS redeploys the old
 *   task definition (one more rolling deployment).
 * - progressive, during the approval pause, the canary, a linear step or the bake: the old revision still runs
 *   and still is registered, so ECS only moves the listener rule's weights back: ECS noticing the alarm (or the
 *   `drydock abort`) plus the ALB applying the rule change.
 * Assumptions (not AWS-published figures): ECS reacts to an alarm state change within `ecsReactionSeconds`
 * (default 20) and a listener-rule change takes effect within `trafficShiftSeconds` (default 10). The alarm's own
 * detection time (its evaluation minutes) comes before either strategy's rollback and is reported apart.
 */
import { estimateRollout, RolloutParams } from "./rollout";
import { DeploymentSettings, isProgressive, linearSteps } from "./strategy";

export interface TimingTerm {
    name: string;
    seconds: number;
}

export interface Timing {
    seconds: number;
    terms: TimingTerm[];
}

export interface StrategyTiming {
    strategy: DeploymentSettings["strategy"];
    rollout: Timing;
    rollback: Timing & { when: string };
    /** Seconds the deployment alarms need to fire (evaluation minutes × 60), before any rollback starts. */
    alarmDetectionSeconds: number;
}

export interface TimingAssumptions {
    /** Consecutive failing checks before ALB marks a target unhealthy. @default 3 */
    unhealthyThreshold?: number;
    /** Minutes a deployment alarm must breach before it fires. @default 2 */
    alarmMinutes?: number;
    /** Seconds for ECS to act on an alarm or a stop request. @default 20 */
    ecsReactionSeconds?: number;
    /** Seconds for a listener-rule weight change to take effect. @default 10 */
    trafficShiftSeconds?: number;
    /** Seconds from task placement to the app listening. @default 60 */
    taskStartSeconds?: number;
}

const sum = (terms: TimingTerm[]): Timing => ({ seconds: terms.reduce((s, t) => s + t.seconds, 0), terms });

/** Failed tasks the circuit breaker waits for: half the desired count, clamped to 3..200 (AWS's default threshold). */
export function circuitBreakerThreshold(desiredCount: number): number {
    return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}

function rollingRollback(p: RolloutParams, a: Required<TimingAssumptions>): Timing & { when: string } {
    const threshold = circuitBreakerThreshold(p.desiredCount);
    const waves = Math.ceil(threshold / Math.max(1, p.desiredCount));
    const perFailure = a.taskStartSeconds + p.healthCheckGracePeriodSeconds + a.unhealthyThreshold * p.healthCheckIntervalSeconds;
    const redeploy = estimateRollout({ ...p, taskStartSeconds: a.taskStartSeconds });
    return {
        when: "tasks of the new version keep failing",
        ...sum([
            {
                name: `circuit breaker: ${threshold} failed tasks in ${waves} wave${waves === 1 ? "" : "s"} × (task start ${a.taskStartSeconds}s + grace ${p.healthCheckGracePeriodSeconds}s + ${a.unhealthyThreshold} failed checks × ${p.healthCheckIntervalSeconds}s)`,
                seconds: waves * perFailure,
            },
            { name: "redeploy of the old task definition (one rolling deployment)", seconds: redeploy.seconds },
        ]),
    };
}

function progressiveRollout(p: RolloutParams, d: DeploymentSettings, a: Required<TimingAssumptions>): Timing {
    const shifting: TimingTerm[] =
        d.strategy === "canary"
            ? [
                  {
                      name: `canary ${d.canaryPercent}% for ${d.canaryBakeMinutes} min, then the rest`,
                      seconds: d.canaryBakeMinutes * 60 + 2 * a.trafficShiftSeconds,
                  },
              ]
            : d.strategy === "linear"
              ? [
                    {
                        name: `${linearSteps(d.linearStepPercent)} steps of ${d.linearStepPercent}% with ${d.linearStepBakeMinutes} min between`,
                        seconds:
                            (linearSteps(d.linearStepPercent) - 1) * d.linearStepBakeMinutes * 60 +
                            linearSteps(d.linearStepPercent) * a.trafficShiftSeconds,
                    },
                ]
              : [{ name: "production traffic shift", seconds: a.trafficShiftSeconds }];
    return sum([
        {
            name: `new revision starts next to the old (task start ${a.taskStartSeconds}s + ${p.healthyThreshold} checks × ${p.healthCheckIntervalSeconds}s)`,
            seconds: a.taskStartSeconds + p.healthyThreshold * p.healthCheckIntervalSeconds,
        },
        { name: "test traffic shift", seconds: a.trafficShiftSeconds },
        ...(d.approvalRequired
            ? [{ name: `approval pause (waits for drydock approve, at most ${d.approvalTimeoutMinutes} min; not counted)`, seconds: 0 }]
            : []),
        ...shifting,
        { name: `bake ${d.bakeMinutes} min`, seconds: d.bakeMinutes * 60 },
        { name: `old tasks drain (deregistration delay ${p.deregistrationDelaySeconds}s)`, seconds: p.deregistrationDelaySeconds },
    ]);
}

/** Rollout and rollback time of one service's strategy. Throws RangeError (from estimateRollout) for bad parameters. */
export function estimateStrategy(p: RolloutParams, d: DeploymentSettings, assumptions: TimingAssumptions = {}): StrategyTiming {
    const a: Required<TimingAssumptions> = {
        unhealthyThreshold: 3,
        alarmMinutes: 2,
        ecsReactionSeconds: 20,
        trafficShiftSeconds: 10,
        taskStartSeconds: p.taskStartSeconds ?? 60,
        ...assumptions,
    };
    const alarmDetectionSeconds = a.alarmMinutes * 60;
    if (!isProgressive(d)) {
        const rollout = estimateRollout({ ...p, taskStartSeconds: a.taskStartSeconds });
        return {
            strategy: d.strategy,
            rollout: { seconds: rollout.seconds, terms: rollout.terms },
            rollback: rollingRollback(p, a),
            alarmDetectionSeconds,
        };
    }
    return {
        strategy: d.strategy,
        rollout: progressiveRollout(p, d, a),
        rollback: {
            when: "during the approval pause, the canary, a linear shift or the bake",
            ...sum([
                { name: "ECS acts on the alarm or drydock abort (assumed)", seconds: a.ecsReactionSeconds },
                { name: "listener rule back to the old target group (assumed)", seconds: a.trafficShiftSeconds },
            ]),
        },
        alarmDetectionSeconds,
    };
}
