/**
 * What every drydock resource hook shares within one program run: the stack's settings, the AWS clients (made on
 * first use), the clock, the log, and the state hooks pass to each other (the override the gate let through, the
 * snapshot this update already took).
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { RDSClient } from "@aws-sdk/client-rds";
import * as pulumi from "@pulumi/pulumi";
import { awsClientConfig } from "../../aws/clients";
import type { PreUpdateSnapshotResult } from "../../aws/snapshots";
import type { ReleaseSettings } from "../../config";
import { serviceOfEcsName } from "../../services";
import { stringInput } from "./changes";

/** Hook names, in the order they run. */
export const HOOK_NAMES = {
    releaseGate: "release-gate",
    preUpdateSnapshot: "pre-update-snapshot",
    runMigrations: "run-migrations",
    verifyRollout: "verify-rollout",
} as const;

export const ECS_SERVICE_TYPE = "aws:ecs/service:Service";
export const RDS_CLUSTER_TYPE = "aws:rds/cluster:Cluster";
export const RDS_INSTANCE_TYPE = "aws:rds/clusterInstance:ClusterInstance";

export interface HookLog {
    info(msg: string): void;
    warn(msg: string): void;
}

export interface UpdateHooksContext {
    /** Pulumi stack name. */
    stack: string;
    /** AWS region (`aws:region`); unset = the SDK's standard resolution (AWS_REGION, profile). */
    region?: string;
    /** Aurora cluster identifier, `drydock-<stack>`. */
    clusterIdentifier: string;
    /** ECS cluster name, `drydock-<stack>`; used when the service's own `cluster` input is unknown. */
    ecsClusterName: string;
    release: ReleaseSettings;
    /** `snapshotsToKeep` (default 10), `snapshotTimeoutMinutes` (default 30). */
    snapshots: { keep: number; timeoutMinutes: number };
    /** `rolloutTimeoutMinutes` (default 30). */
    rolloutTimeoutMinutes: number;
    /** Per service name: `<service>WaitForBake` (verify-rollout of a blue-green, canary or linear deployment). @default waits */
    deployments?: Record<string, { waitForBake: boolean }>;
    /** `migrationCommand` and `migrationTimeoutMinutes`; unset or an empty command leaves run-migrations unbound. */
    migrations?: { command: string[]; timeoutMinutes: number };
    /** Client factories (tests, custom credentials); default: standard SDK clients, created on first use. */
    clients?: { rds?: () => RDSClient; ecs?: () => ECSClient; logs?: () => CloudWatchLogsClient };
    /** Test seams; defaults: real clock, setTimeout, pulumi.log, pulumi.runtime.isDryRun. */
    now?: () => Date;
    sleep?: (ms: number) => Promise<void>;
    log?: HookLog;
    isDryRun?: () => boolean;
    /** Poll intervals; defaults 10 s (snapshot), 15 s (rollout) and 10 s (migration task). */
    pollMs?: { snapshot?: number; rollout?: number; migration?: number }; // milliseconds
}

/** The context with its defaults, plus the state shared between the hooks of one run. */
export interface HookRuntime {
    ctx: UpdateHooksContext;
    now: () => Date;
    log: HookLog;
    isDryRun: () => boolean;
    rds: () => RDSClient;
    ecs: () => ECSClient;
    /** Override reasons the gate used, by resource URN, for the snapshot tags. */
    overridesUsed: Map<string, string>;
    /**
     * The snapshot taken in this update, per Aurora cluster. One `pulumi up` snapshots a cluster once, before the
     * first change that needs it: later hooks of the same run wait for that snapshot instead of racing it.
     */
    snapshotsThisUpdate: Map<string, Promise<PreUpdateSnapshotResult>>;
}

/** An RDS client with the SDK's standard configuration (credentials, AWS_ENDPOINT_URL, ...). */
export function createRdsClient(region?: string): RDSClient {
    return new RDSClient(awsClientConfig(region));
}

/** An ECS client with the SDK's standard configuration (credentials, AWS_ENDPOINT_URL, ...). */
export function createEcsClient(region?: string): ECSClient {
    return new ECSClient(awsClientConfig(region));
}

function lazy<T>(make: () => T): () => T {
    let value: T | undefined;
    return () => (value ??= make());
}

export function createHookRuntime(ctx: UpdateHooksContext): HookRuntime {
    return {
        ctx,
        now: ctx.now ?? (() => new Date()),
        log: ctx.log ?? { info: (m) => pulumi.log.info(m), warn: (m) => pulumi.log.warn(m) },
        isDryRun: ctx.isDryRun ?? (() => pulumi.runtime.isDryRun()),
        rds: lazy(ctx.clients?.rds ?? (() => createRdsClient(ctx.region))),
        ecs: lazy(ctx.clients?.ecs ?? (() => createEcsClient(ctx.region))),
        overridesUsed: new Map(),
        snapshotsThisUpdate: new Map(),
    };
}

/** `backend-service` → `backend` (the service names of the snapshot tags and log groups). */
export function serviceLabel(args: pulumi.ResourceHookArgs): string {
    const name = stringInput(args.newInputs, "name") ?? stringInput(args.oldInputs, "name") ?? args.name;
    return serviceOfEcsName(name)?.name ?? name;
}

/** ` v1.2.3 → v1.3.0` (or ` v1.2.3 to v1.3.0` for tag values, which do not allow arrows), or "" without versions. */
export function versions(from?: string, to?: string, arrow = "→"): string {
    return from || to ? ` ${from ?? "unknown"} ${arrow} ${to ?? "unknown"}` : "";
}
