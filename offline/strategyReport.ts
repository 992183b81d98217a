/**
 * `drydock check`'s rollout and rollback model per service: the strategy read back from the planned ECS
 * service's `deploymentConfiguration`, timed by release/strategyTiming.ts.
 */
import type { RolloutParams } from "../release/rollout";
import { DeploymentSettings, deploymentSettingsFromInputs } from "../release/strategy";
import { estimateStrategy, StrategyTiming } from "../release/strategyTiming";

/** What `drydock check` reports beside the rolling estimate: the strategy, its rollout and its rollback. */
export interface StrategyReport {
    strategy: DeploymentSettings["strategy"];
    /** Seconds from `pulumi up` starting the deployment to the old revision gone. */
    rolloutSeconds: number;
    rolloutTerms: { name: string; seconds: number }[];
    /** Seconds from "the new revision is bad" to the old one serving again. */
    rollback: StrategyTiming["rollback"];
    /** Seconds the deployment alarms take to fire, before any rollback. */
    alarmDetectionSeconds: number;
}

export function strategyReport(params: RolloutParams, serviceInputs: Record<string, unknown>, unhealthyThreshold?: number): StrategyReport {
    const t = estimateStrategy(params, deploymentSettingsFromInputs(serviceInputs), unhealthyThreshold ? { unhealthyThreshold } : {});
    return {
        strategy: t.strategy,
        rolloutSeconds: t.rollout.seconds,
        rolloutTerms: t.rollout.terms,
        rollback: t.rollback,
        alarmDetectionSeconds: t.alarmDetectionSeconds,
    };
}
