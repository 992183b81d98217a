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
import { strategyReport } from "./strategyReport";
import { releaseState } from "../release/state";
import { hookMarkerViolations, MigrationsReport, migrationsOf } from "./migrationCheck";
import { isoUtc } from "../release/timestamps";
import { HookKind, RecordedResource, startMockCloud } from "./mockCloud";

export interface CheckedResource {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, unknown>;
    /** Hook names per kind, in the order they run, e.g. `{ beforeUpdate: ["release-gate", "pre-update-snapshot"] }`. */
    hooks: Partial<Record<HookKind, string[]>>;
    /** Earlier URNs of the resource (`aliases`): a deployed resource with one of these URNs is updated, not replaced. */
    aliases?: string[];
}

export interface RolloutReport {
    service: string;
    /** Estimated seconds of one deployment (rolling; or the service's progressive strategy, see `strategy`). */
    seconds: number;
    waves: number;
    terms: { name: string; seconds: number }[];
    /** The service's deployment strategy; for blue-green, canary and linear `seconds`/`terms` are that strategy's rollout. */
    strategy: string;
    /** Seconds from "the new revision is bad" to the old one serving again, with its terms. */
    rollback: { seconds: number; when: string; terms: { name: string; seconds: number }[] };
    /** Seconds the deployment alarms need to fire, before any rollback. */
    alarmDetectionSeconds: number;
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
    /** Migrations at container start-up, or the run-migrations task (migrationCommand). */
    migrations: MigrationsReport;
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

/** The target group of a service's load-balanced route (a child of a child of the service's component), if any. */
function targetGroupOf(resources: RecordedResource[], service: RecordedResource): RecordedResource | undefined {
    const routes = new Set(resources.filter((r) => r.parent !== undefined && r.parent === service.parent).map((r) => r.urn));
    return resources.find(
        (r) =>
            r.type === "aws:lb/targetGroup:TargetGroup" &&
            (r.parent === service.parent || (r.parent !== undefined && routes.has(r.parent))),
    );
}

/**
 * Each ECS service's rolling deployment, from what the plan sets: the service's counts and percentages, its
 * route's health check and draining. A worker (no route) has no health-check or draining term.
 */
function rolloutOf(resources: RecordedResource[]): RolloutReport[] {
    const reports: RolloutReport[] = [];
    for (const service of resources.filter((r) => r.type === "aws:ecs/service:Service")) {
        const tg = targetGroupOf(resources, service);
        const s = service.inputs;
        const hc = (tg?.inputs.healthCheck ?? {}) as Record<string, unknown>;
        const params = {
            desiredCount: Number(s.desiredCount ?? 1),
            minimumHealthyPercent: Number(s.deploymentMinimumHealthyPercent ?? 100),
            maximumPercent: Number(s.deploymentMaximumPercent ?? 200),
            healthCheckIntervalSeconds: tg ? Number(hc.interval ?? 30) : 0,
            healthyThreshold: tg ? Number(hc.healthyThreshold ?? 5) : 0,
            healthCheckGracePeriodSeconds: Number(s.healthCheckGracePeriodSeconds ?? 0),
            deregistrationDelaySeconds: tg ? Number(tg.inputs.deregistrationDelay ?? 300) : 0,
        };
        const estimate = estimateRollout(params);
        // The strategy's own rollout (a progressive one bakes) and how long going back takes (offline/strategyReport.ts).
        const t = strategyReport(params, s, tg ? Number(hc.unhealthyThreshold ?? 3) : undefined);
        const own = t.strategy === "rolling" ? {} : { seconds: t.rolloutSeconds, waves: 1, terms: t.rolloutTerms };
        reports.push({
            service: String(s.name ?? service.name),
            ...estimate,
            ...own,
            strategy: t.strategy,
            rollback: t.rollback,
            alarmDetectionSeconds: t.alarmDetectionSeconds,
        });
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
        nextWindowStart: isoUtc(state.nextWindow?.start), // the one JSON timestamp format (release/timestamps.ts)
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
    // The Pulumi SDK records a stack trace for every promise and resource it creates; under mocks nobody reads
    // them, and formatting them cost about a tenth of check's CPU. Errors keep their messages.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        createDrydock(settings);
        await cloud.settle();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
    const { resources, warnings } = cloud;
    const violations = [
        ...evaluatePolicies(
            resources.map((r) => ({
                type: r.type,
                name: r.name,
                urn: r.urn,
                props: r.inputs,
                opts: { protect: r.protect, parent: r.parent },
            })),
            { config: opts.policyConfig },
        ),
        // CrossGuard sees the hook-order tags, not the hooks: check here that the tags tell the truth.
        ...hookMarkerViolations(resources),
    ];
    return {
        stack: opts.stack,
        ok: !violations.some((v) => v.enforcementLevel === "mandatory"),
        resources: resources.map(({ type, name, urn, inputs, hooks, aliases }) => ({
            type,
            name,
            urn,
            inputs,
            hooks,
            ...(aliases ? { aliases } : {}),
        })),
        violations,
        rollout: rolloutOf(resources),
        release: releaseOf(settings, opts.now ?? new Date()),
        warnings,
        migrations: migrationsOf(settings),
    };
}
