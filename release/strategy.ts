/**
 * Deployment strategies per service: rolling (ECS's rolling update, drydock's default) or one of ECS's
 * native progressive strategies (blue/green, canary, linear) with a bake time, deployment alarms and an
 * optional approval pause. Pure: the settings, AWS's bounds, the config keys that carry them and the
 * `deploymentConfiguration` input they become. No Pulumi, no AWS SDK.
 *
 * AWS's bounds (ECS API reference, `DeploymentConfiguration`, `CanaryConfiguration`, `LinearConfiguration`,
 * `DeploymentLifecycleHook`; the same in @aws-sdk/client-ecs 3.1162's model docs and @pulumi/aws 7.48's input types):
 * - bakeTimeInMinutes 0-1440 (required for BLUE_GREEN);
 * - canaryPercent: multiples of 0.1 from 0.1 to 100 (AWS default 5); canaryBakeTimeInMinutes 0-1440 (default 10);
 * - stepPercent: multiples of 0.1 from 3 to 100 (AWS default 10); stepBakeTimeInMinutes 0-1440 (default 6);
 * - a PAUSE hook may not sit on TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT; its timeout 1-20160 minutes
 *   (@pulumi/aws's documented range; ECS's default is 1440) with action CONTINUE or ROLLBACK (default ROLLBACK).
 */

/** The strategies a service may use, as config values. */
export const DEPLOYMENT_STRATEGIES = ["rolling", "blue-green", "canary", "linear"] as const;
export type DeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES)[number];

/** ECS's names for them (`deploymentConfiguration.strategy`). */
export const ECS_STRATEGY = { rolling: "ROLLING", "blue-green": "BLUE_GREEN", canary: "CANARY", linear: "LINEAR" } as const;
export type EcsStrategy = (typeof ECS_STRATEGY)[DeploymentStrategy];

/** AWS's accepted ranges (see the module comment) and drydock's defaults. */
export const STRATEGY_LIMITS = {
    bakeMinutes: { min: 0, max: 1440, default: 10 }, // minutes
    canaryPercent: { min: 0.1, max: 100, step: 0.1, default: 5 }, // percent of production traffic
    canaryBakeMinutes: { min: 0, max: 1440, default: 10 }, // minutes
    linearStepPercent: { min: 3, max: 100, step: 0.1, default: 10 }, // percent per step
    linearStepBakeMinutes: { min: 0, max: 1440, default: 6 }, // minutes
    approvalTimeoutMinutes: { min: 1, max: 20160, default: 60 }, // minutes
} as const;

/** The request header whose value is the stack name that reaches the new revision before users do. */
export const TEST_TRAFFIC_HEADER = "X-Drydock-Test";

/** The lifecycle stage the approval pause waits at: the new revision has all test traffic, users none yet. */
export const APPROVAL_STAGE = "POST_TEST_TRAFFIC_SHIFT";

/** How one service deploys. */
export interface DeploymentSettings {
    strategy: DeploymentStrategy;
    /** Minutes both revisions keep running after production traffic shifted (blue-green, and the final bake of canary/linear). */
    bakeMinutes: number;
    /** Percent of production traffic the canary gets first. */
    canaryPercent: number;
    /** Minutes the canary runs before the rest of the traffic shifts. */
    canaryBakeMinutes: number;
    /** Percent of production traffic shifted per linear step. */
    linearStepPercent: number;
    /** Minutes between linear steps. */
    linearStepBakeMinutes: number;
    /** verify-rollout waits through the bake (true) or returns once production traffic has shifted (false). */
    waitForBake: boolean;
    /** A PAUSE hook after the test-traffic shift waits for `drydock approve` (or `abort`). */
    approvalRequired: boolean;
    /** Minutes the pause waits before ECS rolls back. */
    approvalTimeoutMinutes: number;
}

/** Today's behaviour: a rolling update. */
export const ROLLING: DeploymentSettings = {
    strategy: "rolling",
    bakeMinutes: STRATEGY_LIMITS.bakeMinutes.default,
    canaryPercent: STRATEGY_LIMITS.canaryPercent.default,
    canaryBakeMinutes: STRATEGY_LIMITS.canaryBakeMinutes.default,
    linearStepPercent: STRATEGY_LIMITS.linearStepPercent.default,
    linearStepBakeMinutes: STRATEGY_LIMITS.linearStepBakeMinutes.default,
    waitForBake: true,
    approvalRequired: false,
    approvalTimeoutMinutes: STRATEGY_LIMITS.approvalTimeoutMinutes.default,
};

/** true for blue-green, canary and linear: the strategies with two target groups, listener rules and a bake. */
export function isProgressive(d: DeploymentSettings | undefined): boolean {
    return d !== undefined && d.strategy !== "rolling";
}

/** The config key of one strategy setting of a service, e.g. `backendBakeMinutes`. */
export function strategyKey(service: string, setting: StrategySetting): string {
    return `${service}${setting}`;
}

export type StrategySetting =
    | "DeploymentStrategy"
    | "BakeMinutes"
    | "CanaryPercent"
    | "CanaryBakeMinutes"
    | "LinearStepPercent"
    | "LinearStepBakeMinutes"
    | "WaitForBake"
    | "ApprovalRequired"
    | "ApprovalTimeoutMinutes";

/** A config key declaration (the shape of configSchema.ts's ConfigKey, declared here to stay in the bottom layer). */
export interface StrategyKeySpec {
    key: string;
    type: "string" | "integer" | "number" | "boolean";
    default: string | number | boolean;
    min?: number;
    max?: number;
    step?: number;
    allowed?: readonly string[];
    unit?: string;
    description: string;
}

/** A numeric key from its AWS limits: default, range, step and unit. */
function ranged(
    key: string,
    type: "integer" | "number",
    limits: { min: number; max: number; default: number; step?: number },
    unit: string,
    description: string,
): StrategyKeySpec {
    return {
        key,
        type,
        default: limits.default,
        min: limits.min,
        max: limits.max,
        ...(limits.step ? { step: limits.step } : {}),
        unit,
        description,
    };
}

/** What each strategy key does, for Pulumi.yaml and docs/configuration.md (`s` is the service). */
const DESCRIPTIONS: Record<StrategySetting, (s: string) => string> = {
    DeploymentStrategy: (s) =>
        `How ECS deploys ${s}: rolling (replace tasks), blue-green, canary or linear (ECS shifts traffic between two target groups, bakes, and rolls back in seconds)`,
    BakeMinutes: (s) =>
        `${s}: minutes the old revision keeps running after production traffic shifted (blue-green; the final bake of canary and linear); an alarm rolls back within it`,
    CanaryPercent: (s) => `${s} canary: percent of production traffic the new revision gets first (at most 50 by policy)`,
    CanaryBakeMinutes: (s) => `${s} canary: minutes the canary runs before the rest of the traffic shifts`,
    LinearStepPercent: (s) => `${s} linear: percent of production traffic shifted per step`,
    LinearStepBakeMinutes: (s) => `${s} linear: minutes between steps`,
    WaitForBake: (s) =>
        `${s}: pulumi up waits until the bake ends (true) or returns once production traffic has shifted (false; follow it with npx drydock status --watch)`,
    ApprovalRequired: (s) =>
        `${s}: pause each progressive deployment after the test-traffic shift until drydock approve (drydock abort rolls back)`,
    ApprovalTimeoutMinutes: (s) => `${s}: minutes the approval pause waits before ECS rolls the deployment back`,
};

/** The strategy keys of one service, for the config schema. */
export function strategyKeySpecs(service: string): StrategyKeySpec[] {
    const L = STRATEGY_LIMITS;
    const k = (s: StrategySetting) => strategyKey(service, s);
    const d = (s: StrategySetting) => DESCRIPTIONS[s](service);
    return [
        {
            key: k("DeploymentStrategy"),
            type: "string",
            default: "rolling",
            allowed: DEPLOYMENT_STRATEGIES,
            description: d("DeploymentStrategy"),
        },
        ranged(k("BakeMinutes"), "integer", L.bakeMinutes, "minutes", d("BakeMinutes")),
        ranged(k("CanaryPercent"), "number", L.canaryPercent, "percent", d("CanaryPercent")),
        ranged(k("CanaryBakeMinutes"), "integer", L.canaryBakeMinutes, "minutes", d("CanaryBakeMinutes")),
        ranged(k("LinearStepPercent"), "number", L.linearStepPercent, "percent", d("LinearStepPercent")),
        ranged(k("LinearStepBakeMinutes"), "integer", L.linearStepBakeMinutes, "minutes", d("LinearStepBakeMinutes")),
        { key: k("WaitForBake"), type: "boolean", default: true, description: d("WaitForBake") },
        { key: k("ApprovalRequired"), type: "boolean", default: false, description: d("ApprovalRequired") },
        ranged(k("ApprovalTimeoutMinutes"), "integer", L.approvalTimeoutMinutes, "minutes", d("ApprovalTimeoutMinutes")),
    ];
}

/** The `deploymentConfiguration` input of an `aws.ecs.Service` (@pulumi/aws 7.48 takes minutes as strings). */
export interface EcsDeploymentConfiguration {
    strategy: EcsStrategy;
    bakeTimeInMinutes?: string;
    canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: string };
    linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: string };
    lifecycleHooks?: {
        targetType: "PAUSE";
        lifecycleStages: string[];
        timeoutConfiguration: { timeoutInMinutes: string; action: "ROLLBACK" };
    }[];
}

/** What ECS is told for a progressive strategy; undefined for rolling (the service keeps today's inputs). */
export function ecsDeploymentConfiguration(d: DeploymentSettings): EcsDeploymentConfiguration | undefined {
    if (!isProgressive(d)) return undefined;
    return {
        strategy: ECS_STRATEGY[d.strategy],
        bakeTimeInMinutes: String(d.bakeMinutes),
        ...(d.strategy === "canary"
            ? { canaryConfiguration: { canaryPercent: d.canaryPercent, canaryBakeTimeInMinutes: String(d.canaryBakeMinutes) } }
            : {}),
        ...(d.strategy === "linear"
            ? { linearConfiguration: { stepPercent: d.linearStepPercent, stepBakeTimeInMinutes: String(d.linearStepBakeMinutes) } }
            : {}),
        ...(d.approvalRequired
            ? {
                  lifecycleHooks: [
                      {
                          targetType: "PAUSE" as const,
                          lifecycleStages: [APPROVAL_STAGE],
                          timeoutConfiguration: { timeoutInMinutes: String(d.approvalTimeoutMinutes), action: "ROLLBACK" as const },
                      },
                  ],
              }
            : {}),
    };
}

/** Linear steps to 100 %: ceil(100 / stepPercent). */
export function linearSteps(stepPercent: number): number {
    return Math.ceil(100 / stepPercent - 1e-9);
}

/**
 * Minutes a progressive deployment spends waiting once its tasks are up: the approval pause (at most its
 * timeout), the canary bake or the bakes between linear steps, and the final bake. 0 for rolling.
 */
export function progressiveWaitMinutes(d: DeploymentSettings, options: { includeFinalBake?: boolean } = {}): number {
    if (!isProgressive(d)) return 0;
    const approval = d.approvalRequired ? d.approvalTimeoutMinutes : 0;
    const shifting =
        d.strategy === "canary"
            ? d.canaryBakeMinutes
            : d.strategy === "linear"
              ? (linearSteps(d.linearStepPercent) - 1) * d.linearStepBakeMinutes
              : 0;
    return approval + shifting + (options.includeFinalBake === false ? 0 : d.bakeMinutes);
}

const record = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const num = (v: unknown, fallback: number): number =>
    v === undefined || v === null || v === "" || !Number.isFinite(Number(v)) ? fallback : Number(v);

/** The strategy settings an ECS service's planned inputs carry (rolling when it has no deploymentConfiguration.strategy). */
export function deploymentSettingsFromInputs(serviceInputs: Record<string, unknown> | undefined): DeploymentSettings {
    const dc = record(serviceInputs?.["deploymentConfiguration"]);
    const strategy = DEPLOYMENT_STRATEGIES.find((s) => ECS_STRATEGY[s] === dc["strategy"]) ?? "rolling";
    if (strategy === "rolling") return ROLLING;
    const canary = record(dc["canaryConfiguration"]);
    const linear = record(dc["linearConfiguration"]);
    const hooks = Array.isArray(dc["lifecycleHooks"]) ? (dc["lifecycleHooks"] as unknown[]).map(record) : [];
    const pause = hooks.find((h) => h["targetType"] === "PAUSE");
    return {
        ...ROLLING,
        strategy,
        bakeMinutes: num(dc["bakeTimeInMinutes"], 0),
        canaryPercent: num(canary["canaryPercent"], ROLLING.canaryPercent),
        canaryBakeMinutes: num(canary["canaryBakeTimeInMinutes"], ROLLING.canaryBakeMinutes),
        linearStepPercent: num(linear["stepPercent"], ROLLING.linearStepPercent),
        linearStepBakeMinutes: num(linear["stepBakeTimeInMinutes"], ROLLING.linearStepBakeMinutes),
        approvalRequired: pause !== undefined,
        approvalTimeoutMinutes: num(record(pause?.["timeoutConfiguration"])["timeoutInMinutes"], ROLLING.approvalTimeoutMinutes),
    };
}
