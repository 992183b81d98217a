/**
 * The offline plan behind `drydock check`: run the program under mocks with a stack's
 * configuration, collect every resource with its inputs and hooks, evaluate the policy pack
 * exactly as CrossGuard would, and estimate each service's rollout time. No cloud, no
 * credentials, no Pulumi CLI.
 */
import { parseSettings, RawConfig, Settings } from "../config";
import { CONFIG_NAMESPACE } from "../configSchema";
import { policyConfigProblems } from "../policies/config";
import { evaluatePolicies, PolicyConfigEntry, PolicyConfigError, Violation } from "../policies/evaluate";
import { policies } from "../policies/policies";
import { createDrydock } from "../program";
import { estimateRollout } from "../release/rollout";
import { releaseState } from "../release/state";
import { HookKind, RecordedResource, startMockCloud } from "./mockCloud";

export interface CheckedResource {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, unknown>;
    /** Hook names per kind, in the order they run, e.g. `{ beforeUpdate: ["release-gate", "pre-update-snapshot"] }`. */
    hooks: Partial<Record<HookKind, string[]>>;
}

export interface RolloutReport {
    service: string;
    /** Estimated seconds of one rolling deployment. */
    seconds: number;
    waves: number;
    terms: { name: string; seconds: number }[];
}

export interface CheckReport {
    stack: string;
    /** No mandatory violation. */
    ok: boolean;
    resources: CheckedResource[];
    violations: Violation[];
    rollout: RolloutReport[];
    release: { paused: boolean; pauseReason?: string; timeZone: string; windowOpen: boolean; nextWindowStart: string | null };
    /** Warnings the program printed (e.g. plain HTTP without a certificate). */
    warnings: string[];
}

export interface CheckOptions {
    stack: string;
    /** Raw values as Pulumi stores them (stack file merged with overrides), keys without `drydock:`. */
    values: RawConfig;
    /** Policy pack config as in `--policy-pack-config`. */
    policyConfig?: Record<string, PolicyConfigEntry>;
    /** The moment the release window is judged at. @default now */
    now?: Date;
}

/** Merges `key=value` overrides (keys with or without `drydock:`) over stack-file values. */
export function applyOverrides(values: RawConfig, overrides: Array<[string, string]>): RawConfig {
    const merged: RawConfig = { ...values };
    for (const [key, value] of overrides) {
        const short = key.startsWith(`${CONFIG_NAMESPACE}:`) ? key.slice(CONFIG_NAMESPACE.length + 1) : key;
        merged[short] = value;
    }
    return merged;
}

/** Pulumi config as the engine would pass it to the program: every key namespaced. */
export function engineConfig(values: RawConfig): Record<string, string> {
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        if (value !== undefined) config[key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`] = value;
    }
    return config;
}

/** Each ECS service with the target group of the same component, as rollout parameters. */
function rolloutOf(resources: RecordedResource[]): RolloutReport[] {
    const reports: RolloutReport[] = [];
    for (const service of resources.filter((r) => r.type === "aws:ecs/service:Service")) {
        const tg = resources.find((r) => r.type === "aws:lb/targetGroup:TargetGroup" && r.parent === service.parent);
        const s = service.inputs;
        const hc = (tg?.inputs.healthCheck ?? {}) as Record<string, unknown>;
        const estimate = estimateRollout({
            desiredCount: Number(s.desiredCount ?? 1),
            minimumHealthyPercent: Number(s.deploymentMinimumHealthyPercent ?? 100),
            maximumPercent: Number(s.deploymentMaximumPercent ?? 200),
            healthCheckIntervalSeconds: Number(hc.interval ?? 30),
            healthyThreshold: Number(hc.healthyThreshold ?? 5),
            healthCheckGracePeriodSeconds: Number(s.healthCheckGracePeriodSeconds ?? 0),
            deregistrationDelaySeconds: Number(tg?.inputs.deregistrationDelay ?? 300),
        });
        reports.push({ service: String(s.name ?? service.name), ...estimate });
    }
    return reports;
}

function releaseOf(settings: Settings, now: Date): CheckReport["release"] {
    const state = releaseState(settings.release, now);
    return {
        paused: state.paused,
        pauseReason: state.pauseReason,
        timeZone: state.timeZone,
        windowOpen: state.windowOpen,
        nextWindowStart: state.nextWindow ? state.nextWindow.start.toISOString() : null,
    };
}

/**
 * Synthesizes the stack offline and judges it.
 * @throws ConfigError for invalid configuration, PolicyConfigError for an invalid policy config
 *   (nothing is synthesized then).
 */
export async function runCheck(opts: CheckOptions): Promise<CheckReport> {
    const settings = parseSettings(opts.values, opts.stack);
    const configProblems = policyConfigProblems(opts.policyConfig ?? {}, policies);
    if (configProblems.length > 0) throw new PolicyConfigError(configProblems);
    const cloud = startMockCloud({ stack: opts.stack, config: engineConfig(opts.values), preview: true });
    createDrydock(settings);
    await cloud.settle();
    const { resources, warnings } = cloud;
    const violations = evaluatePolicies(
        resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs, opts: { protect: r.protect, parent: r.parent } })),
        { config: opts.policyConfig },
    );
    return {
        stack: opts.stack,
        ok: !violations.some((v) => v.enforcementLevel === "mandatory"),
        resources: resources.map(({ type, name, urn, inputs, hooks }) => ({ type, name, urn, inputs, hooks })),
        violations,
        rollout: rolloutOf(resources),
        release: releaseOf(settings, opts.now ?? new Date()),
        warnings,
    };
}
