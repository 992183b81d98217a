/**
 * Every stack configuration key drydock reads, with its type, default, accepted range and description.
 *
 * This table is the single source of truth: `config.ts` validates against it (bounds, steps and
 * allowed values are read from here, never repeated), the components take their defaults and bounds
 * from it, and `npm run docs:config` generates `Pulumi.yaml`'s `config:` block and
 * docs/configuration.md from it (a test keeps both current). No Pulumi or AWS import: the CLI reads it too.
 */
import { AUTOSCALING_CPU_TARGET, FARGATE_CPU, LOG_RETENTION_DAYS } from "./release/limits";
import { services, ServiceSpec } from "./services";
import { strategyKeySpecs } from "./release/strategy";
import { UPDATE_CHANNELS } from "./release/channelTypes";

/**
 * A key's type. `string`, `integer`, `boolean` and `array` are Pulumi's project-config types and are
 * declared as such in `Pulumi.yaml`. `number` (a decimal such as 0.5) has no Pulumi project-config
 * type: Pulumi checks an `integer` key with strconv.Atoi and would refuse 0.5, so a `number` key is
 * declared `string` in `Pulumi.yaml` and config.ts parses and range-checks it.
 */
export type ConfigType = "string" | "integer" | "number" | "boolean" | "array";

/** The types `Pulumi.yaml`'s `config:` block accepts. */
export type PulumiConfigType = Exclude<ConfigType, "number">;

export interface ConfigKey {
    /** Key without the `drydock:` namespace. */
    key: string;
    type: ConfigType;
    /** Absent means required: Pulumi refuses to run a stack that does not set it. */
    default?: string | number | boolean | string[];
    /** Smallest accepted value (integer and number keys). */
    min?: number;
    /** Largest accepted value (integer and number keys). */
    max?: number;
    /** Values must be multiples of this (number keys), e.g. 0.5. */
    step?: number;
    /** The only values accepted (for an array key: for each item). */
    allowed?: readonly (string | number)[];
    /** Unit of a numeric value, for messages and docs: seconds, minutes, days, MiB, ACUs, percent, … */
    unit?: string;
    /** One line, shown in Pulumi.yaml and the configuration reference. */
    description: string;
}

export const CONFIG_NAMESPACE = "drydock";

/** The groups of per-service keys, each placed where its kind of key is listed. */
type ServiceKeyGroup = "version" | "image" | "size" | "taskRole" | "route";

const capitalized = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** One group's keys for one service (`i`: its place in the table, so the first entry's description says more). */
type ServiceKeyMaker = (spec: ServiceSpec, i: number, specs: readonly ServiceSpec[]) => ConfigKey[];

// A table: one line per key reads better than prettier's one line per property.
// prettier-ignore
const SERVICE_KEY_GROUPS: Record<ServiceKeyGroup, ServiceKeyMaker> = {
    version: (spec, i, specs) => [
        { key: `${spec.configPrefix}Version`, type: "string", description: i === 0 ? `${capitalized(spec.name)} image version: ${VERSION_FORMS}` : `${capitalized(spec.name)} image version (same forms as ${specs[0].configPrefix}Version)` },
    ],
    image: (spec, i) => [
        { key: `${spec.configPrefix}Image`, type: "string", description: `${capitalized(spec.name)} image repository: ECR repository URI without a tag${i === 0 ? `, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/${spec.name}-production` : ""}` },
    ],
    size: (spec, i) => {
        const [p, label, d] = [spec.configPrefix, capitalized(spec.name), spec.defaults];
        return [
            { key: `${p}Cpu`, type: "integer", default: d.cpu, allowed: FARGATE_CPU, unit: "CPU units", description: `${label} task CPU units${i === 0 ? " (a Fargate size)" : ""}` },
            { key: `${p}Memory`, type: "integer", default: d.memory, min: 512, max: 122880, unit: "MiB", description: `${label} task memory in MiB${i === 0 ? `; must fit ${p}Cpu` : ""}` },
            { key: `${p}DesiredCount`, type: "integer", default: d.desiredCount, min: 1, max: 1000, unit: "tasks", description: `${label} tasks to run` },
            { key: `${p}MaxCount`, type: "integer", default: d.maxCount, min: 1, max: 1000, unit: "tasks", description: `${label} autoscaling ceiling; above ${p}DesiredCount enables CPU target tracking` },
            { key: `${p}Port`, type: "integer", default: spec.port, min: 1, max: 65535, description: `Port the ${spec.name} container listens on` },
        ];
    },
    taskRole: (spec) => [
        { key: `${spec.configPrefix}TaskRoleStatements`, type: "string", default: "[]", description: `Extra IAM statements for the ${spec.name} task role (the application's own AWS access), JSON: [{"actions":["s3:GetObject"],"resources":["arn:aws:s3:::bucket/*"],"effect":"Allow"}]; no "*" action on "*"` },
    ],
    route: (spec, _i, specs) => {
        if (!spec.route?.configurable) return [];
        const catchAll = specs.find((s) => s !== spec && s.route?.pathPatterns.includes("/*"));
        const rest = catchAll ? `; everything else goes to the ${catchAll.name}` : "";
        return [{ key: `${spec.configPrefix}PathPatterns`, type: "array", default: [...spec.route.pathPatterns], description: `ALB path patterns routed to the ${spec.name}${rest}` }];
    },
};

/** The keys of one group for every service: names, defaults and bounds from the table, one description template. */
function serviceKeys(specs: readonly ServiceSpec[], group: ServiceKeyGroup): ConfigKey[] {
    return specs.flatMap((spec, i) => SERVICE_KEY_GROUPS[group](spec, i, specs));
}

const VERSION_FORMS =
    "v1.2.3, v1.2.3-rc.1, 20241213-152430, v1.2.3-20241213-152430-a1b2c3d4, sha256:<digest>, latest, v1, v1.2 or another tag";

/** What runs: the environment and how images are pinned. */
// prettier-ignore
const WHAT_RUNS_KEYS: readonly ConfigKey[] = [
    { key: "environment", type: "string", default: "", description: "production, staging or development; empty: from the stack name (names starting with staging, stage, dev, test, qa or preview are non-production, every other is production)" },
    { key: "pinDigests", type: "boolean", default: true, description: "Resolve each version to its sha256 digest through ECR at deploy time and run repo@sha256:... (must stay true in production)" },
    { key: "redeployToken", type: "string", default: "", description: "Change to any new value to force a new deployment of the same images (the forced update)" },
];

/** Release control. */
// prettier-ignore
const RELEASE_CONTROL_KEYS: readonly ConfigKey[] = [
    { key: "releaseWindows", type: "array", default: [], description: "Weekly windows when version changes may deploy, ddd:hh24:mi-ddd:hh24:mi in releaseTimeZone; empty means always open" },
    { key: "releaseTimeZone", type: "string", default: "UTC", description: "IANA time zone of releaseWindows, e.g. Europe/Berlin" },
    { key: "updatesPaused", type: "boolean", default: false, description: "Freeze versions: the release gate refuses any image change while true" },
    { key: "pauseReason", type: "string", default: "", description: "Why updates are paused (set by drydock pause --reason)" },
    { key: "pausedAt", type: "string", default: "", description: "When updates were paused, ISO 8601 UTC such as 2026-11-24T10:00:00Z (set by drydock pause, cleared by drydock resume)" },
    { key: "releaseOverride", type: "string", default: "", description: "A reason that lets an update through a closed window or a pause; recorded in the log and snapshot tags. Unset it afterwards" },
];

/** Automatic updates (drydock sync and the scheduled controller; docs/automatic-updates.md). */
// prettier-ignore
const AUTOMATIC_UPDATES_KEYS: readonly ConfigKey[] = [
    { key: "updateChannel", type: "string", default: "manual", allowed: [...UPDATE_CHANNELS], description: "Which newer versions drydock sync may move the stack to: manual (none), latest (the latest tag's digest), patch (same major.minor), minor (same major), major" },
    { key: "minimumReleaseAge", type: "string", default: "", description: "How long a version must have existed (ECR push time; with soakIn, run healthy there) before drydock sync proposes it: 0, 30m, 24h, 2d, 1d12h; empty means 24h in production, 0 elsewhere" },
    { key: "soakIn", type: "string", default: "", description: "Another stack (e.g. staging) a version must have run healthy in for minimumReleaseAge before drydock sync proposes it here; empty: no soak" },
    { key: "allowPrereleases", type: "boolean", default: false, description: "Let drydock sync follow pre-releases such as v1.3.0-rc.1" },
    { key: "autoApply", type: "string", default: "", allowed: ["", "true", "false"], description: "The scheduled controller runs drydock sync --apply (true) or opens a pull request with the change (false); empty means true in staging, false elsewhere" },
];

/** Services: what every service shares. */
// prettier-ignore
const SERVICE_KEYS: readonly ConfigKey[] = [
    { key: "autoscalingCpuTarget", type: "integer", default: 60, min: AUTOSCALING_CPU_TARGET.min, max: AUTOSCALING_CPU_TARGET.max, unit: "percent", description: "Target average CPU percent for autoscaling" },
    { key: "logRetentionDays", type: "integer", default: 30, allowed: LOG_RETENTION_DAYS, unit: "days", description: "CloudWatch log retention for /aws/ecs/<service>-logs-<stack>" },
];

/** Load balancer. */
// prettier-ignore
const LOAD_BALANCER_KEYS: readonly ConfigKey[] = [
    { key: "certificateArn", type: "string", default: "", description: "ACM certificate ARN: enables HTTPS on 443 and redirects HTTP; empty serves plain HTTP (warned at preview)" },
    { key: "domainName", type: "string", default: "", description: "Public host name of the application, used in outputs and health-check URLs" },
];

/** Health checks and draining: they gate every rollout. */
// prettier-ignore
const HEALTH_CHECK_KEYS: readonly ConfigKey[] = [
    { key: "healthCheckIntervalSeconds", type: "integer", default: 10, min: 5, max: 15, unit: "seconds", description: "Target group health-check interval; AWS accepts up to 300, drydock stops at 15 because slower checks slow every rollout" },
    { key: "healthyThreshold", type: "integer", default: 2, min: 2, max: 3, description: "Consecutive passing checks before a new task takes traffic; each extra check delays every new task by one interval" },
    { key: "unhealthyThreshold", type: "integer", default: 3, min: 2, max: 10, description: "Consecutive failing checks before a task is taken out" },
    { key: "deregistrationDelaySeconds", type: "integer", default: 30, min: 0, max: 3600, unit: "seconds", description: "Seconds an old task drains before it stops (AWS's default of 300 slows every rollout)" },
    { key: "healthCheckGracePeriodSeconds", type: "integer", default: 60, min: 1, max: 1800, unit: "seconds", description: "Seconds ECS ignores failing health checks of a starting task (migrations run then); 0 is refused because a task failing its first check would be killed at once" },
];

/** Database. */
// prettier-ignore
const DATABASE_KEYS: readonly ConfigKey[] = [
    { key: "maintenanceWindow", type: "string", default: "sun:05:00-sun:06:00", description: "Aurora weekly maintenance window, UTC, ddd:hh24:mi-ddd:hh24:mi, at least 30 minutes" },
    { key: "backupWindow", type: "string", default: "03:00-04:00", description: "Aurora daily backup window, UTC, hh24:mi-hh24:mi, at least 30 minutes, not overlapping maintenance" },
    { key: "backupRetentionDays", type: "integer", default: 7, min: 1, max: 35, unit: "days", description: "Automated backup retention (at least 7 in production)" },
    { key: "dbEngineVersion", type: "string", default: "16.6", description: "Aurora PostgreSQL engine version" },
    { key: "dbInstanceClass", type: "string", default: "db.serverless", description: "Instance class: db.serverless (Serverless v2) or a provisioned class such as db.r6g.large" },
    { key: "dbInstanceCount", type: "integer", default: 1, min: 1, max: 15, description: "Cluster instances (1 writer + readers)" },
    { key: "dbMinCapacity", type: "number", default: 1, min: 0, max: 256, step: 0.5, unit: "ACUs", description: "Serverless v2 minimum capacity in ACUs, in steps of 0.5; 0 lets an idle cluster pause (Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 or later)" },
    { key: "dbMaxCapacity", type: "number", default: 4, min: 1, max: 256, step: 0.5, unit: "ACUs", description: "Serverless v2 maximum capacity in ACUs, in steps of 0.5, at least dbMinCapacity" },
    { key: "dbName", type: "string", default: "app", description: "Name of the application database" },
    { key: "dbUsername", type: "string", default: "postgres", description: "Master user name (the password is generated and kept by RDS in Secrets Manager)" },
];

/** Network. */
// prettier-ignore
const NETWORK_KEYS: readonly ConfigKey[] = [
    { key: "vpcId", type: "string", default: "", description: "Existing VPC to use; empty creates a new VPC" },
    { key: "publicSubnetIds", type: "array", default: [], description: "Existing public subnets for the load balancer (with vpcId), at least 2" },
    { key: "privateSubnetIds", type: "array", default: [], description: "Existing private subnets for tasks and database (with vpcId), at least 2" },
    { key: "vpcCidr", type: "string", default: "10.0.0.0/16", description: "CIDR block of a new VPC" },
    { key: "availabilityZones", type: "integer", default: 2, min: 2, max: 6, description: "Availability zones of a new VPC (an ALB and Aurora need at least two)" },
    { key: "natGateways", type: "string", default: "single", allowed: ["single", "one-per-az"], description: "NAT gateways of a new VPC: one shared, or one per availability zone" },
];

/** Update safety. */
// prettier-ignore
const UPDATE_SAFETY_KEYS: readonly ConfigKey[] = [
    { key: "snapshotsToKeep", type: "integer", default: 10, min: 1, max: 100, description: "drydock pre-update snapshots kept per stack; older ones are pruned" },
    { key: "snapshotTimeoutMinutes", type: "integer", default: 30, min: 1, max: 720, unit: "minutes", description: "How long the pre-update snapshot may take before the update is stopped" },
    { key: "rolloutTimeoutMinutes", type: "integer", default: 30, min: 1, max: 720, unit: "minutes", description: "How long rollout verification waits for the new deployment to complete" },
];

/** Migrations: the one-off task before the backend rolls (docs/migrations.md). */
// prettier-ignore
const MIGRATION_KEYS: readonly ConfigKey[] = [
    { key: "migrationCommand", type: "array", default: [], description: "Command of the one-off migration task run on the backend's new image before it rolls, e.g. [\"alembic\", \"upgrade\", \"head\"]; empty keeps migrations at container start-up" },
    { key: "migrationTimeoutMinutes", type: "integer", default: 30, min: 1, max: 720, unit: "minutes", description: "How long the migration task may run before it is stopped and the update fails" },
];

/** Every key for a service table: the fixed keys, with each service's keys where their kind is listed. */
function buildKeys(specs: readonly ServiceSpec[]): ConfigKey[] {
    return [
        ...serviceKeys(specs, "version"),
        ...serviceKeys(specs, "image"),
        ...WHAT_RUNS_KEYS,
        ...RELEASE_CONTROL_KEYS,
        ...AUTOMATIC_UPDATES_KEYS,
        ...serviceKeys(specs, "size"),
        ...serviceKeys(specs, "taskRole"),
        ...SERVICE_KEYS,
        ...LOAD_BALANCER_KEYS,
        ...serviceKeys(specs, "route"),
        ...HEALTH_CHECK_KEYS,
        ...DATABASE_KEYS,
        ...NETWORK_KEYS,
        ...UPDATE_SAFETY_KEYS,
        // Deployment strategy per load-balanced service (blue-green, canary, linear need a route): release/strategy.ts.
        ...specs.filter((s) => s.route).flatMap((s) => strategyKeySpecs(s.configPrefix)),
        ...MIGRATION_KEYS,
    ];
}

let built: { table: readonly ServiceSpec[]; keys: readonly ConfigKey[]; byName: ReadonlyMap<string, ConfigKey> } | undefined;

/** Every key of the current service table (a test may add a service: see services.ts `withServices`). */
export function configKeys(): readonly ConfigKey[] {
    return current().keys;
}

function current(): NonNullable<typeof built> {
    const table = services();
    if (built?.table !== table) {
        const keys = buildKeys(table);
        built = { table, keys, byName: new Map(keys.map((k) => [k.key, k])) };
    }
    return built;
}

/** Every key of the committed service table: what `Pulumi.yaml` and docs/configuration.md list. */
export const CONFIG_KEYS: readonly ConfigKey[] = configKeys();

/** true if `key` (without namespace) is a declared key. */
export function isConfigKey(key: string): boolean {
    return current().byName.has(key);
}

/** The declaration of `key`; throws for a key configSchema.ts does not declare (a programming error). */
export function configKey(key: string): ConfigKey {
    const spec = current().byName.get(key);
    if (!spec) throw new Error(`internal: config key ${key} is not declared in configSchema.ts`);
    return spec;
}

/** The default of a key that has one (components use it, so a default is written once). */
export function defaultOf(key: string): string;
export function defaultOf<T extends string | number | boolean | string[]>(key: string): T;
export function defaultOf(key: string): unknown {
    const d = configKey(key).default;
    if (d === undefined) throw new Error(`internal: config key ${key} has no default`);
    return Array.isArray(d) ? [...d] : d;
}

/** The type a key is declared with in `Pulumi.yaml` (a `number` key is a string there: see {@link ConfigType}). */
export function pulumiType(k: ConfigKey): PulumiConfigType {
    return k.type === "number" ? "string" : k.type;
}

/** `an integer from 1 to 15`, `a number from 0 to 256 ACUs in steps of 0.5`, `one of 256, 512, …`: what a key accepts. */
export function acceptedText(k: ConfigKey): string {
    const unit = k.unit ? ` ${k.unit}` : "";
    if (k.allowed) return `${k.type === "array" ? "each item one of" : "one of"} ${k.allowed.join(", ")}${unit}`;
    const what = k.type === "integer" ? "an integer" : "a number";
    if (k.min === undefined && k.max === undefined) return `${what}${unit}`;
    const range = k.max === undefined ? ` of at least ${k.min}` : k.min === undefined ? ` up to ${k.max}` : ` from ${k.min} to ${k.max}`;
    return `${what}${range}${unit}${k.step ? ` in steps of ${k.step}` : ""}`;
}
