/**
 * An AppService's arguments normalized: defaults applied, ranges checked (messages name the argument, the value
 * and what is accepted), the container's variables assembled (database ones added, credentials refused in plain
 * environment), secret references resolved.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AppServiceArgs, HealthCheckArgs, NormalizedArgs, NormalizedRoute, SecretInput, ServiceRouteArgs } from "./appServiceArgs";
import { defaultOf } from "../configSchema";
import { defaultHealthCheckTimeout, LOG_RETENTION_DAYS } from "../release/limits";
import { checkEnvironmentNames, SecretReference, validateFargateSize } from "./taskContainer";
import { definedOnly, requireInSchemaRange, requireInteger } from "./validate";

/** `AppService "<name>" (<service>)`: how messages name the component. */
export function describe(name: string, service: string): string {
    return `AppService "${name}" (${service})`;
}

/** Defaults first, then the caller's arguments; then the checks. Throws naming the argument. */
export function normalizeArgs(name: string, args: AppServiceArgs): NormalizedArgs {
    if (typeof args.service !== "string" || !/^[a-z][a-z0-9]{0,19}$/.test(args.service)) {
        throw new Error(
            `AppService "${name}": service = ${JSON.stringify(args.service)} is not accepted; use a service name of the service table (1-20 lower-case letters and digits)`,
        );
    }
    const { route, maxCount, ...rest } = definedOnly(args);
    const a: NormalizedArgs = {
        stack: pulumi.getStack(),
        repositoryArn: "*",
        containerPort: 80,
        cpu: 256, // CPU units
        memory: 512, // MiB
        cpuArchitecture: "X86_64",
        desiredCount: 1,
        autoscalingCpuTarget: defaultOf<number>("autoscalingCpuTarget"), // percent
        rolloutTimeoutMinutes: defaultOf<number>("rolloutTimeoutMinutes"), // minutes
        environment: {},
        secrets: {},
        taskRoleStatements: [],
        internetEgressPorts: [443],
        logRetentionDays: defaultOf<number>("logRetentionDays"), // days
        tags: {},
        ...rest,
        maxCount: maxCount ?? args.desiredCount ?? 1,
    };
    const where = describe(name, a.service);
    validateService(where, a);
    if (route) a.route = normalizeRoute(where, route);
    return a;
}

function normalizeRoute(where: string, route: ServiceRouteArgs): NormalizedRoute {
    const checks = { interval: defaultOf<number>("healthCheckIntervalSeconds"), ...definedOnly(route.healthCheck) };
    const healthCheck: Required<HealthCheckArgs> = {
        path: "/",
        matcher: "200-399",
        healthyThreshold: defaultOf<number>("healthyThreshold"),
        unhealthyThreshold: defaultOf<number>("unhealthyThreshold"),
        timeout: defaultHealthCheckTimeout(checks.interval), // seconds, below the interval
        ...checks,
    };
    const r: NormalizedRoute = {
        pathPatterns: ["/*"],
        listenerRulePriority: 50000,
        deregistrationDelay: defaultOf<number>("deregistrationDelaySeconds"), // seconds
        healthCheckGracePeriod: defaultOf<number>("healthCheckGracePeriodSeconds"), // seconds
        ...definedOnly(route),
        healthCheck,
    };
    validateRoute(where, r);
    return r;
}

function validateService(where: string, a: NormalizedArgs): void {
    validateFargateSize(where, a.cpu, a.memory);
    requireInteger(where, "containerPort", a.containerPort, 1, 65535);
    requireInteger(where, "desiredCount", a.desiredCount, 1, 1000, "tasks", "zero-downtime rollouts need a running task");
    requireInteger(where, "maxCount", a.maxCount, a.desiredCount, 1000, "tasks", "at least desiredCount");
    requireInSchemaRange(where, "autoscalingCpuTarget", a.autoscalingCpuTarget, "autoscalingCpuTarget");
    requireInSchemaRange(where, "rolloutTimeoutMinutes", a.rolloutTimeoutMinutes, "rolloutTimeoutMinutes");
    if (!LOG_RETENTION_DAYS.includes(a.logRetentionDays)) {
        throw new Error(
            `${where}: logRetentionDays = ${a.logRetentionDays} is not accepted; CloudWatch takes ${LOG_RETENTION_DAYS.join(", ")}`,
        );
    }
    for (const port of a.internetEgressPorts) {
        requireInteger(where, "internetEgressPorts[]", port, 1, 65535);
    }
    a.taskRoleStatements.forEach((s, i) => {
        const bad = s.actions.filter((x) => !/^[a-z0-9-]+:[A-Za-z0-9*?]+$/.test(x));
        if (s.actions.length === 0 || s.resources.length === 0 || bad.length > 0) {
            throw new Error(
                `${where}: taskRoleStatements[${i}] is not accepted; use { actions: ["service:Action", …], resources: [arn, …] } (got actions ${JSON.stringify(s.actions)})`,
            );
        }
        if (s.effect !== "Deny" && s.resources.includes("*") && s.actions.some((x) => x.endsWith(":*"))) {
            throw new Error(
                `${where}: taskRoleStatements[${i}] grants a whole service on every resource (*); name the actions or the resources`,
            );
        }
    });
}

function validateRoute(where: string, r: NormalizedRoute): void {
    const hc = r.healthCheck;
    requireInSchemaRange(where, "healthCheck.interval", hc.interval, "healthCheckIntervalSeconds", {
        why: "slower checks slow every rollout",
    });
    requireInSchemaRange(where, "healthCheck.healthyThreshold", hc.healthyThreshold, "healthyThreshold", {
        why: "each extra check delays every new task by one interval",
    });
    requireInSchemaRange(where, "healthCheck.unhealthyThreshold", hc.unhealthyThreshold, "unhealthyThreshold");
    requireInteger(where, "healthCheck.timeout", hc.timeout, 2, hc.interval - 1, "seconds", "the ALB needs it below the interval");
    if (!hc.path.startsWith("/") || hc.path.length > 1024) {
        throw new Error(`${where}: healthCheck.path = ${JSON.stringify(hc.path)} is not accepted; use a path starting with "/"`);
    }
    if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(hc.matcher)) {
        throw new Error(
            `${where}: healthCheck.matcher = ${JSON.stringify(hc.matcher)} is not accepted; use HTTP codes such as "200", "200,204" or "200-399"`,
        );
    }
    requireInSchemaRange(where, "deregistrationDelay", r.deregistrationDelay, "deregistrationDelaySeconds");
    requireInSchemaRange(where, "healthCheckGracePeriod", r.healthCheckGracePeriod, "healthCheckGracePeriodSeconds");
    requireInteger(where, "listenerRulePriority", r.listenerRulePriority, 1, 50000);
    if (r.pathPatterns.length < 1 || r.pathPatterns.length > 5 || r.pathPatterns.some((p) => !p.startsWith("/") || p.length > 128)) {
        throw new Error(
            `${where}: pathPatterns = ${JSON.stringify(r.pathPatterns)} is not accepted; use 1 to 5 patterns starting with "/", e.g. ["/api/*"]`,
        );
    }
}

/** The container's plain and secret variables, with the database ones added; checks names and conflicts. */
export function containerVariables(
    where: string,
    a: NormalizedArgs,
): { environment: Record<string, pulumi.Input<string>>; secrets: Record<string, SecretInput> } {
    const environment: Record<string, pulumi.Input<string>> = { ...a.environment };
    const secrets: Record<string, SecretInput> = { ...a.secrets };
    checkEnvironmentNames(where, Object.keys(environment));
    if (a.database) {
        const v = {
            host: "DB_HOST",
            port: "DB_PORT",
            name: "DB_NAME",
            user: "DB_USER",
            password: "DB_PASSWORD",
            ...definedOnly(a.databaseVariables),
        };
        const db = a.database;
        const added: [Record<string, unknown>, string, pulumi.Input<string> | SecretInput][] = [
            [environment, v.host, db.endpoint],
            [environment, v.port, pulumi.output(db.port).apply(String)],
            [environment, v.name, db.databaseName],
            [secrets, v.user, { secretArn: db.masterUserSecretArn, jsonKey: "username" }],
            [secrets, v.password, { secretArn: db.masterUserSecretArn, jsonKey: "password" }],
        ];
        for (const [target, key, value] of added) {
            if (key in environment || key in secrets) {
                throw new Error(`${where}: "${key}" is set by \`database\` and must not also be in \`environment\` or \`secrets\``);
            }
            target[key] = value;
        }
    }
    for (const key of Object.keys(secrets)) {
        if (key in environment) {
            throw new Error(`${where}: "${key}" is in both \`environment\` and \`secrets\`; keep it in \`secrets\` only`);
        }
    }
    if ("APP_VERSION" in environment || "APP_VERSION" in secrets) {
        throw new Error(`${where}: "APP_VERSION" is set from requestedVersion; remove it from \`environment\`/\`secrets\``);
    }
    return { environment, secrets };
}

/** The secret references with their ARNs resolved. */
export function resolveSecrets(secrets: Record<string, SecretInput>): pulumi.Output<Record<string, SecretReference>> {
    const entries = Object.entries(secrets).map(([key, s]) =>
        pulumi
            .output(s.secretArn)
            .apply((secretArn): [string, SecretReference] => [key, s.jsonKey ? { secretArn, jsonKey: s.jsonKey } : { secretArn }]),
    );
    return pulumi.all(entries).apply((pairs) => Object.fromEntries(pairs));
}

/** Distinct inputs; Outputs are kept (they can only be compared by identity). */
export function uniqueInputs(values: pulumi.Input<string>[]): pulumi.Input<string>[] {
    return [...new Set(values)];
}
