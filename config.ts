/**
 * The config funnel: the only place stack configuration is read.
 *
 * `parseSettings` turns raw values (as Pulumi stores them: strings, lists as JSON text) into typed,
 * grouped `Settings`, validating every key and reporting every problem at once. `loadSettings`
 * feeds it from `pulumi.Config`. The CLI feeds it from the stack file, so the program, the CLI
 * and `drydock check` agree on what a stack file means.
 */
import { CONFIG_KEYS, CONFIG_KEY_MAP, CONFIG_NAMESPACE, ConfigKey } from "./configSchema";
import { ACCEPTED_VERSION_FORMS, ImageVersion, tryParseVersion } from "./release/version";
import { parseRepositoryUri, RepositoryRef } from "./release/imageRef";
import { auroraWindowProblems, isValidTimeZone, parseWeeklyWindow, WEEKLY_WINDOW_FORMAT, WeeklyWindow } from "./release/windows";
import { isProductionStack } from "./release/stacks";
import { isRdsIdentifier } from "./release/snapshots";
import { dbClusterIdentifier, ServiceKind } from "./release/names";
import { AUTOSCALING_CPU_TARGET, FARGATE_MEMORY, fargateMemoryText, LOG_RETENTION_DAYS } from "./release/limits";

/** The two application services (the same names the components use). */
export type ServiceName = ServiceKind;
export const SERVICE_NAMES: readonly ServiceName[] = ["backend", "frontend"];

export interface ServiceSettings {
    name: ServiceName;
    /** The version as configured, parsed. */
    version: ImageVersion;
    repository: RepositoryRef;
    cpu: number; // CPU units
    memory: number; // MiB
    desiredCount: number;
    /** Autoscaling ceiling; equal to desiredCount means no autoscaling. */
    maxCount: number;
    port: number;
}

export interface Settings {
    project: string;
    stack: string;
    isProduction: boolean;
    /** `aws:region` of the stack, when set. */
    region?: string;
    backend: ServiceSettings;
    frontend: ServiceSettings;
    pinDigests: boolean;
    redeployToken?: string;
    autoscalingCpuTarget: number; // percent
    logRetentionDays: number;
    release: {
        windows: WeeklyWindow[];
        timeZone: string;
        paused: boolean;
        pauseReason?: string;
        override?: string;
    };
    loadBalancer: {
        certificateArn?: string;
        domainName?: string;
        backendPathPatterns: string[];
        healthCheckIntervalSeconds: number;
        healthyThreshold: number;
        unhealthyThreshold: number;
        deregistrationDelaySeconds: number;
        healthCheckGracePeriodSeconds: number;
    };
    database: {
        maintenanceWindow: string;
        backupWindow: string;
        backupRetentionDays: number;
        engineVersion: string;
        instanceClass: string;
        instanceCount: number;
        serverless: boolean;
        minCapacity: number; // ACUs
        maxCapacity: number; // ACUs
        name: string;
        username: string;
    };
    network: {
        vpcId?: string;
        publicSubnetIds: string[];
        privateSubnetIds: string[];
        cidr: string;
        availabilityZones: number;
        natGateways: "single" | "one-per-az";
    };
    snapshots: { keep: number; timeoutMinutes: number };
    rolloutTimeoutMinutes: number;
}

export interface ConfigProblem {
    /** Full key, e.g. `drydock:backendVersion`. */
    key: string;
    value?: string;
    message: string;
}

/** Invalid stack configuration; `problems` lists every bad key. */
export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: ConfigProblem[],
    ) {
        super(
            `invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems
                    .map((p) => `  - ${p.key}${p.value === undefined ? "" : ` = ${JSON.stringify(p.value)}`}: ${p.message}`)
                    .join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Raw values keyed without the namespace, as Pulumi stores them (strings; lists as JSON). */
export type RawConfig = Record<string, string | undefined>;

/**
 * Reads one key at a time, recording problems instead of throwing so every bad key is reported.
 */
class Reader {
    readonly problems: ConfigProblem[] = [];
    constructor(private readonly values: RawConfig) {}

    private spec(key: string): ConfigKey {
        const spec = CONFIG_KEY_MAP.get(key);
        if (!spec) throw new Error(`internal: config key ${key} is not declared in configSchema.ts`);
        return spec;
    }

    problem(key: string, value: string | undefined, message: string): void {
        this.problems.push({ key: `${CONFIG_NAMESPACE}:${key}`, value, message });
    }

    raw(key: string): string | undefined {
        const v = this.values[key];
        return v === undefined ? undefined : v;
    }

    string(key: string): string {
        const spec = this.spec(key);
        const v = this.raw(key);
        if (v === undefined) {
            if (spec.default === undefined) {
                this.problem(key, undefined, `required; set it with \`pulumi config set ${key} <value>\``);
                return "";
            }
            return String(spec.default);
        }
        return v;
    }

    /** An optional string: empty means unset. */
    optional(key: string): string | undefined {
        const v = this.string(key).trim();
        return v === "" ? undefined : v;
    }

    integer(key: string, min: number, max: number): number {
        const spec = this.spec(key);
        const v = this.raw(key);
        if (v === undefined) return Number(spec.default);
        const n = Number(v.trim());
        if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) {
            this.problem(key, v, `not a whole number; accepted: an integer from ${min} to ${max}`);
            return Number(spec.default);
        }
        if (n < min || n > max) {
            this.problem(key, v, `out of range; accepted: an integer from ${min} to ${max}`);
            return Number(spec.default);
        }
        return n;
    }

    boolean(key: string): boolean {
        const spec = this.spec(key);
        const v = this.raw(key);
        if (v === undefined) return Boolean(spec.default);
        const t = v.trim().toLowerCase();
        if (t === "true") return true;
        if (t === "false") return false;
        this.problem(key, v, "not a boolean; accepted: true or false");
        return Boolean(spec.default);
    }

    list(key: string): string[] {
        const spec = this.spec(key);
        const v = this.raw(key);
        if (v === undefined) return [...((spec.default as string[] | undefined) ?? [])];
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            this.problem(key, v, `not a list; accepted: a YAML list in the stack file or JSON text such as '["a","b"]'`);
            return [];
        }
        if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) {
            this.problem(key, v, "not a list of strings; accepted: a list of strings");
            return [];
        }
        return parsed as string[];
    }

    oneOf<T extends string>(key: string, accepted: readonly T[]): T {
        const v = this.string(key).trim();
        if ((accepted as readonly string[]).includes(v)) return v as T;
        this.problem(key, v, `not accepted; accepted: ${accepted.join(", ")}`);
        return String(this.spec(key).default) as T;
    }
}

function readVersion(r: Reader, key: string): ImageVersion {
    const raw = r.string(key);
    const parsed = tryParseVersion(raw);
    if (parsed.ok) return parsed.version;
    if (r.raw(key) !== undefined) {
        r.problem(key, raw, `${parsed.reason}. Accepted forms: ${ACCEPTED_VERSION_FORMS}`);
    }
    return { raw, kind: "other", immutable: false };
}

function readRepository(r: Reader, key: string): RepositoryRef {
    const raw = r.string(key).trim();
    try {
        if (raw !== "") return parseRepositoryUri(raw);
    } catch (err) {
        r.problem(
            key,
            raw,
            `${(err as Error).message}. Accepted: an image repository without tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-production`,
        );
    }
    return { uri: raw, registry: "", repositoryName: raw };
}

function readService(r: Reader, name: ServiceName): ServiceSettings {
    const version = readVersion(r, `${name}Version`);
    const repository = readRepository(r, `${name}Image`);
    const cpu = r.integer(`${name}Cpu`, 256, 16384);
    const memory = r.integer(`${name}Memory`, 512, 122880);
    if (!FARGATE_MEMORY[cpu]) {
        r.problem(`${name}Cpu`, String(cpu), `not a Fargate CPU size; accepted: ${Object.keys(FARGATE_MEMORY).join(", ")}`);
    } else if (!FARGATE_MEMORY[cpu].includes(memory)) {
        r.problem(`${name}Memory`, String(memory), `does not fit ${name}Cpu ${cpu}; accepted: ${fargateMemoryText(cpu)}`);
    }
    const desiredCount = r.integer(`${name}DesiredCount`, 1, 100);
    const maxCount = r.integer(`${name}MaxCount`, 1, 100);
    if (maxCount < desiredCount) {
        r.problem(`${name}MaxCount`, String(maxCount), `must be at least ${name}DesiredCount (${desiredCount})`);
    }
    const port = r.integer(`${name}Port`, 1, 65535);
    return { name, version, repository, cpu, memory, desiredCount, maxCount: Math.max(maxCount, desiredCount), port };
}

function readReleaseWindows(r: Reader): WeeklyWindow[] {
    const windows: WeeklyWindow[] = [];
    for (const raw of r.list("releaseWindows")) {
        try {
            windows.push(parseWeeklyWindow(raw.trim()));
        } catch (err) {
            r.problem("releaseWindows", raw, `${(err as Error).message}; accepted: a list of ${WEEKLY_WINDOW_FORMAT}, local time in releaseTimeZone`);
        }
    }
    return windows;
}

function readPatterns(r: Reader): string[] {
    const patterns = r.list("backendPathPatterns");
    if (patterns.length === 0 && r.problems.every((p) => p.key !== `${CONFIG_NAMESPACE}:backendPathPatterns`)) {
        r.problem("backendPathPatterns", "[]", "must list at least one path pattern, e.g. /api/*");
    }
    if (patterns.length > 5) {
        r.problem("backendPathPatterns", JSON.stringify(patterns), "an ALB rule accepts at most 5 path patterns");
    }
    for (const p of patterns) {
        if (!p.startsWith("/") || p.length > 128 || /\s/.test(p)) {
            r.problem("backendPathPatterns", p, "not a path pattern; accepted: a path starting with /, up to 128 characters, * and ? as wildcards");
        }
    }
    return patterns;
}

function readNetwork(r: Reader): Settings["network"] {
    const vpcId = r.optional("vpcId");
    const publicSubnetIds = r.list("publicSubnetIds");
    const privateSubnetIds = r.list("privateSubnetIds");
    if (vpcId !== undefined && !/^vpc-[0-9a-f]{8,17}$/.test(vpcId)) {
        r.problem("vpcId", vpcId, "not a VPC id; accepted: vpc- followed by 8 or 17 hex digits, or empty to create a VPC");
    }
    for (const [key, ids] of [["publicSubnetIds", publicSubnetIds], ["privateSubnetIds", privateSubnetIds]] as const) {
        if (vpcId !== undefined && ids.length < 2) {
            r.problem(key, JSON.stringify(ids), "with vpcId set, list at least 2 subnets in different availability zones");
        }
        if (vpcId === undefined && ids.length > 0) {
            r.problem(key, JSON.stringify(ids), "subnets are only used with an existing vpcId; set vpcId or remove this key");
        }
        for (const id of ids) {
            if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) r.problem(key, id, "not a subnet id; accepted: subnet- followed by 8 or 17 hex digits");
        }
    }
    const cidr = r.string("vpcCidr").trim();
    if (!/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/.test(cidr) || cidr.split("/")[0].split(".").some((o) => Number(o) > 255)) {
        r.problem("vpcCidr", cidr, "not an IPv4 CIDR block; accepted: a.b.c.d/16 to /24, e.g. 10.0.0.0/16");
    }
    const availabilityZones = r.integer("availabilityZones", 2, 6);
    const natGateways = r.oneOf("natGateways", ["single", "one-per-az"] as const);
    return { vpcId, publicSubnetIds, privateSubnetIds, cidr, availabilityZones, natGateways };
}

function readDatabase(r: Reader, isProduction: boolean): Settings["database"] {
    const maintenanceWindow = r.string("maintenanceWindow").trim();
    const backupWindow = r.string("backupWindow").trim();
    for (const p of auroraWindowProblems(maintenanceWindow, backupWindow)) {
        r.problem(p.window === "maintenance" ? "maintenanceWindow" : "backupWindow", p.value, p.message);
    }
    const backupRetentionDays = r.integer("backupRetentionDays", 1, 35);
    if (isProduction && backupRetentionDays < 7) {
        r.problem("backupRetentionDays", String(backupRetentionDays), "production stacks keep backups at least 7 days; accepted: 7-35");
    }
    const engineVersion = r.string("dbEngineVersion").trim();
    if (!/^\d+(\.\d+)?$/.test(engineVersion)) {
        r.problem("dbEngineVersion", engineVersion, "not an Aurora PostgreSQL engine version; accepted: major.minor, e.g. 16.6");
    }
    const instanceClass = r.string("dbInstanceClass").trim();
    if (!/^db\.(serverless|[a-z0-9]+\.[a-z0-9]+)$/.test(instanceClass)) {
        r.problem("dbInstanceClass", instanceClass, "not an instance class; accepted: db.serverless or e.g. db.r6g.large");
    }
    const minCapacity = r.integer("dbMinCapacity", 0, 256);
    const maxCapacity = r.integer("dbMaxCapacity", 1, 256);
    if (maxCapacity < minCapacity) {
        r.problem("dbMaxCapacity", String(maxCapacity), `must be at least dbMinCapacity (${minCapacity})`);
    }
    const name = r.string("dbName").trim();
    if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(name)) {
        r.problem("dbName", name, "not a PostgreSQL database name; accepted: a letter then letters, digits or _, up to 63");
    }
    const username = r.string("dbUsername").trim();
    if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(username) || username === "admin" || username === "rdsadmin") {
        r.problem("dbUsername", username, "not an allowed master user name; accepted: a letter then letters, digits or _, not a reserved word");
    }
    return {
        maintenanceWindow,
        backupWindow,
        backupRetentionDays,
        engineVersion,
        instanceClass,
        instanceCount: r.integer("dbInstanceCount", 1, 15),
        serverless: instanceClass === "db.serverless",
        minCapacity,
        maxCapacity,
        name,
        username,
    };
}

function readLoadBalancer(r: Reader): Settings["loadBalancer"] {
    const certificateArn = r.optional("certificateArn");
    if (certificateArn !== undefined && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(certificateArn)) {
        r.problem("certificateArn", certificateArn, "not an ACM certificate ARN; accepted: arn:aws:acm:<region>:<account>:certificate/<id>, or empty for HTTP only");
    }
    const domainName = r.optional("domainName");
    if (domainName !== undefined && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(domainName)) {
        r.problem("domainName", domainName, "not a host name; accepted: e.g. app.example.com");
    }
    return {
        certificateArn,
        domainName,
        backendPathPatterns: readPatterns(r),
        healthCheckIntervalSeconds: r.integer("healthCheckIntervalSeconds", 5, 15),
        healthyThreshold: r.integer("healthyThreshold", 2, 3),
        unhealthyThreshold: r.integer("unhealthyThreshold", 2, 10),
        deregistrationDelaySeconds: r.integer("deregistrationDelaySeconds", 0, 300),
        healthCheckGracePeriodSeconds: r.integer("healthCheckGracePeriodSeconds", 1, 1800),
    };
}

function readRelease(r: Reader): Settings["release"] {
    const windows = readReleaseWindows(r);
    const timeZone = r.string("releaseTimeZone").trim();
    if (!isValidTimeZone(timeZone)) {
        r.problem("releaseTimeZone", timeZone, "not an IANA time zone; accepted: e.g. UTC, Europe/Berlin, America/New_York");
    }
    return {
        windows,
        timeZone,
        paused: r.boolean("updatesPaused"),
        pauseReason: r.optional("pauseReason"),
        override: r.optional("releaseOverride"),
    };
}

/**
 * Validates raw stack configuration into typed settings.
 *
 * @param values raw values without the `drydock:` prefix; `aws:region` may be passed as `aws:region`.
 * @param stack the stack name (decides production defaults and checks).
 * @throws ConfigError listing every invalid key.
 */
export function parseSettings(values: RawConfig, stack: string, project = "drydock"): Settings {
    const r = new Reader(values);
    const isProduction = isProductionStack(stack);
    for (const key of Object.keys(values)) {
        if (key.includes(":")) continue; // another namespace, e.g. aws:region
        if (!CONFIG_KEY_MAP.has(key)) {
            const near = CONFIG_KEYS.map((k) => k.key).find((k) => k.toLowerCase() === key.toLowerCase());
            r.problem(key, values[key], `unknown key${near ? `; did you mean ${CONFIG_NAMESPACE}:${near}?` : "; see Pulumi.yaml for every key"}`);
        }
    }
    const backend = readService(r, "backend");
    const frontend = readService(r, "frontend");
    const settings: Settings = {
        project,
        stack,
        isProduction,
        region: values["aws:region"],
        backend,
        frontend,
        pinDigests: r.boolean("pinDigests"),
        redeployToken: r.optional("redeployToken"),
        autoscalingCpuTarget: r.integer("autoscalingCpuTarget", AUTOSCALING_CPU_TARGET.min, AUTOSCALING_CPU_TARGET.max),
        logRetentionDays: r.integer("logRetentionDays", 1, 3653),
        release: readRelease(r),
        loadBalancer: readLoadBalancer(r),
        database: readDatabase(r, isProduction),
        network: readNetwork(r),
        snapshots: { keep: r.integer("snapshotsToKeep", 1, 100), timeoutMinutes: r.integer("snapshotTimeoutMinutes", 1, 720) },
        rolloutTimeoutMinutes: r.integer("rolloutTimeoutMinutes", 1, 720),
    };
    const lastInstance = `${dbClusterIdentifier(stack)}-${settings.database.instanceCount}`;
    if (!isRdsIdentifier(dbClusterIdentifier(stack)) || !isRdsIdentifier(lastInstance)) {
        r.problems.push({
            key: "stack name",
            value: stack,
            message:
                `makes the Aurora identifiers ${dbClusterIdentifier(stack)} … ${lastInstance}, which RDS does not accept; ` +
                `accepted: a stack name of lowercase letters, digits and single hyphens, at most ${63 - lastInstance.length + stack.length} characters`,
        });
    }
    if (!LOG_RETENTION_DAYS.includes(settings.logRetentionDays)) {
        r.problem("logRetentionDays", String(settings.logRetentionDays), `CloudWatch does not accept it; accepted: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    if (r.problems.length > 0) throw new ConfigError(stack, r.problems);
    return settings;
}

/**
 * Reads and validates the current stack's configuration through `pulumi.Config`.
 * Pulumi is loaded here, not at module load, so the CLI can use `parseSettings` without it.
 * @throws pulumi.RunError listing every bad key, so the preview fails before anything is planned.
 */
export function loadSettings(): Settings {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const cfg = new pulumi.Config(CONFIG_NAMESPACE);
    const values: RawConfig = {};
    for (const { key } of CONFIG_KEYS) values[key] = cfg.get(key);
    // Unknown keys in our namespace are typos worth failing on.
    const all = pulumi.runtime.allConfig();
    for (const full of Object.keys(all)) {
        const [ns, key] = full.split(":");
        if (ns === CONFIG_NAMESPACE && key !== undefined && !CONFIG_KEY_MAP.has(key)) values[key] = all[full];
    }
    values["aws:region"] = new pulumi.Config("aws").get("region");
    try {
        return parseSettings(values, pulumi.getStack(), pulumi.getProject());
    } catch (err) {
        // A RunError fails `pulumi preview`/`up` with just the message: no program text, no stack trace.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}
