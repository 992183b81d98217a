/**
 * The service table: every application service drydock runs, as data.
 *
 * One entry per service. Everything service-specific in drydock reads this table: the stack-config
 * keys (`<configPrefix>Version`, `<configPrefix>Cpu`, …, generated in configSchema.ts), the settings
 * (config.ts), the resources (program.ts builds one Fargate service per entry, plus a load-balanced
 * route when the entry has `route`), the update hooks each service gets, the policies' fix hints and
 * the CLI's `--service` choices, `versions`, `status`, `promote` and `rollback`. No other non-test
 * file names a service.
 *
 * Physical names follow from `name` (release/names.ts): ECS service `<name>-service`, task family
 * `drydock-<stack>-<name>`, log group `/aws/ecs/<name>-logs-<stack>`, container `<name>`.
 *
 * Pure: no Pulumi or AWS import (the CLI and the policies read it too).
 */
import { ecsServiceName, serviceLogGroupName } from "./release/names";

/**
 * The update hooks a service can be guarded by, in the order they run before a change
 * (`release-gate` → `pre-update-snapshot` → `run-migrations`) and after it (`verify-rollout`).
 */
export const SERVICE_HOOK_ORDER = ["release-gate", "pre-update-snapshot", "run-migrations", "verify-rollout"] as const;
export type ServiceHookName = (typeof SERVICE_HOOK_ORDER)[number];

/** How the load balancer reaches a service. A service without a route (a worker) takes no traffic. */
export interface ServiceRouteSpec {
    /** ALB path patterns routed to the service (1-5); `["/*"]` with priority 50000 is the catch-all. */
    pathPatterns: readonly string[];
    /** A `<configPrefix>PathPatterns` stack-config key may override `pathPatterns`. @default false */
    configurable?: boolean;
    /** Listener-rule priority, 1-50000; lower wins. */
    priority: number;
    /** The target group's health-check path (must answer 200-399). */
    healthCheckPath: string;
}

/** Defaults of the per-service stack-config keys (`<configPrefix>Cpu`, …). */
export interface ServiceSizeDefaults {
    cpu: number; // CPU units
    memory: number; // MiB
    desiredCount: number; // tasks
    maxCount: number; // tasks
}

export interface ServiceSpec {
    /** Lower-case name: physical names, the container name, `--service` choices. */
    name: string;
    /** Prefix of the service's stack-config keys: `<configPrefix>Version`, `<configPrefix>Cpu`, …. */
    configPrefix: string;
    /** Default of `<configPrefix>Port`: the port the container listens on. */
    port: number;
    /** Behind the load balancer when set; a worker has none. */
    route?: ServiceRouteSpec;
    /** Reaches the Aurora database: DB_* variables, the credentials secret, port 5432 from its security group. */
    database: boolean;
    /** The update hooks that guard the service, a subset of {@link SERVICE_HOOK_ORDER} (bound in that order). */
    hooks: readonly ServiceHookName[];
    /** Defaults of the size keys. */
    defaults: ServiceSizeDefaults;
}

/** The services of every drydock stack. */
const BUILT_IN: readonly ServiceSpec[] = [
    {
        name: "backend",
        configPrefix: "backend",
        port: 8000,
        route: { pathPatterns: ["/api/*"], configurable: true, priority: 100, healthCheckPath: "/api/v1/utils/health-check/" },
        database: true,
        // run-migrations is bound only when migrationCommand is set (docs/migrations.md).
        hooks: ["release-gate", "pre-update-snapshot", "run-migrations", "verify-rollout"],
        defaults: { cpu: 512, memory: 1024, desiredCount: 2, maxCount: 2 },
    },
    {
        name: "frontend",
        configPrefix: "frontend",
        port: 80,
        route: { pathPatterns: ["/*"], priority: 50000, healthCheckPath: "/" },
        database: false,
        hooks: ["release-gate", "verify-rollout"],
        defaults: { cpu: 256, memory: 512, desiredCount: 2, maxCount: 2 },
    },
];

let table: readonly ServiceSpec[] = BUILT_IN;

/** The service table, in order. */
export function services(): readonly ServiceSpec[] {
    return table;
}

/** The names of the services, in table order. */
export function serviceNames(): string[] {
    return table.map((s) => s.name);
}

/** The entry of `name`; throws for a name the table does not have (a programming error or a bad argument). */
export function serviceSpec(name: string): ServiceSpec {
    const spec = table.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown service ${JSON.stringify(name)}; accepted: ${serviceNames().join(", ")}`);
    return spec;
}

/** `backend-service` → the backend entry, if the ECS service name is one of drydock's. */
export function serviceOfEcsName(ecsName: string): ServiceSpec | undefined {
    return table.find((s) => ecsServiceName(s.name) === ecsName);
}

/** The CloudWatch log group of a service in a stack. */
export function logGroupOf(spec: ServiceSpec, stack: string): string {
    return serviceLogGroupName(spec.name, stack);
}

/** Problems with a table (names, prefixes, priorities, hooks), one line each; empty when it is sound. */
export function tableProblems(specs: readonly ServiceSpec[]): string[] {
    const problems: string[] = [];
    const seen = (pick: (s: ServiceSpec) => string | number | undefined, what: string): void => {
        const values = specs.map(pick).filter((v) => v !== undefined);
        for (const v of new Set(values))
            if (values.filter((x) => x === v).length > 1) problems.push(`two services share the ${what} ${JSON.stringify(v)}`);
    };
    seen((s) => s.name, "name");
    seen((s) => s.configPrefix, "config prefix");
    seen((s) => s.route?.priority, "listener-rule priority");
    for (const s of specs) {
        if (!/^[a-z][a-z0-9]{0,19}$/.test(s.name))
            problems.push(`service name ${JSON.stringify(s.name)}: use 1-20 lower-case letters and digits`);
        if (!/^[a-z][A-Za-z0-9]*$/.test(s.configPrefix))
            problems.push(`${s.name}: config prefix ${JSON.stringify(s.configPrefix)} is not a key prefix`);
        const unknown = s.hooks.filter((h) => !SERVICE_HOOK_ORDER.includes(h));
        if (unknown.length > 0) problems.push(`${s.name}: unknown hooks ${unknown.join(", ")}; accepted: ${SERVICE_HOOK_ORDER.join(", ")}`);
        if (s.route && (s.route.pathPatterns.length < 1 || s.route.pathPatterns.length > 5))
            problems.push(`${s.name}: a route needs 1-5 path patterns`);
    }
    return problems;
}

/**
 * For tests only: runs `fn` with `extra` entries appended to the table, then restores the table (also when
 * `fn` throws or its promise rejects). The proof that a service is one entry: test/services.worker.test.ts
 * adds a worker this way and runs the program, the check, the policies and the CLI against it.
 */
export async function withServices<T>(extra: readonly ServiceSpec[], fn: () => T | Promise<T>): Promise<T> {
    const before = table;
    const next = [...before, ...extra];
    const problems = tableProblems(next);
    if (problems.length > 0) throw new Error(`withServices: ${problems.join("; ")}`);
    table = next;
    try {
        return await fn();
    } finally {
        table = before;
    }
}
