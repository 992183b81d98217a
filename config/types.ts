/** The typed, grouped settings the config funnel produces, and its error type. Pure types: no Pulumi import. */
import type { ImageVersion } from "../release/version";
import type { RepositoryRef } from "../release/imageRef";
import type { WeeklyWindow } from "../release/windows";
import type { Environment } from "../release/stacks";
import type { UpdateChannel } from "../release/channels";
import type { ServiceSpec } from "../services";
import type { DeploymentSettings } from "../release/strategy";

/** A service's name: an entry of the service table (services.ts). */
export type ServiceName = string;

/** One extra statement of a service's task role (`<service>TaskRoleStatements`). */
export interface TaskRoleStatement {
    /** `service:Action` names, e.g. `s3:GetObject`; wildcards inside the action name only. */
    actions: string[];
    /** ARNs, or `*`. */
    resources: string[];
    effect: "Allow" | "Deny";
}

export interface ServiceSettings {
    name: ServiceName;
    /** The service's entry in the service table. */
    spec: ServiceSpec;
    /** The version as configured, parsed. */
    version: ImageVersion;
    repository: RepositoryRef;
    cpu: number; // CPU units
    memory: number; // MiB
    desiredCount: number;
    /** Autoscaling ceiling; equal to desiredCount means no autoscaling. */
    maxCount: number;
    port: number;
    /** ALB path patterns of the service's route (from `<prefix>PathPatterns` where configurable); absent for a worker. */
    pathPatterns?: string[];
    /** Extra task-role statements (`<prefix>TaskRoleStatements`). */
    taskRoleStatements: TaskRoleStatement[];
    /** How ECS deploys it (`<prefix>DeploymentStrategy` …); absent in hand-built settings, which deploy rolling. */
    deployment?: DeploymentSettings;
}

/** Automatic-update settings (`updateChannel`, `minimumReleaseAge`, `soakIn`, `allowPrereleases`, `autoApply`). */
export interface UpdateSettings {
    channel: UpdateChannel;
    /** As written (or the environment's default), e.g. `24h`. */
    minimumReleaseAge: string;
    minimumReleaseAgeMs: number; // milliseconds
    /** Another stack a version must have run healthy in first. */
    soakIn?: string;
    allowPrereleases: boolean;
    /** The controller runs `sync --apply` (else it opens a pull request with `sync --write`). */
    autoApply: boolean;
}

/** The release settings of a stack: what `release/state.ts` decides from. */
export interface ReleaseSettings {
    windows: WeeklyWindow[];
    timeZone: string;
    paused: boolean;
    pauseReason?: string;
    /** When updates were paused (`pausedAt`, written by `drydock pause`). */
    pausedAt?: Date;
    override?: string;
}

export interface Settings {
    project: string;
    stack: string;
    /** `drydock:environment`, or what the stack's name means (release/stacks.ts); tagged on every resource. */
    environment: Environment;
    /** environment === "production". */
    isProduction: boolean;
    /** `aws:region` of the stack, when set. */
    region?: string;
    /** Every service of the service table, by name, in table order. */
    services: Record<ServiceName, ServiceSettings>;
    pinDigests: boolean;
    redeployToken?: string;
    autoscalingCpuTarget: number; // percent
    logRetentionDays: number;
    release: ReleaseSettings;
    loadBalancer: {
        certificateArn?: string;
        domainName?: string;
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
    /** Automatic updates: what `drydock sync` and the scheduled controller may do (config/updates.ts). */
    updates: UpdateSettings;
    rolloutTimeoutMinutes: number;
    /** `migrationCommand` (empty: migrations run at container start-up) and `migrationTimeoutMinutes`. */
    migrations: MigrationSettings;
}

/** The one-off migration task run before the backend rolls (docs/migrations.md). */
export interface MigrationSettings {
    /** The command, e.g. `["alembic", "upgrade", "head"]`; empty = no migration task. */
    command: string[];
    timeoutMinutes: number;
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
                problems.map((p) => `  - ${p.key}${p.value === undefined ? "" : ` = ${JSON.stringify(p.value)}`}: ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Raw values keyed without the namespace, as Pulumi stores them (strings; lists as JSON). */
export type RawConfig = Record<string, string | undefined>;
