/**
 * drydock's Pulumi resource hooks (Pulumi CLI >= 3.238) and where they bind:
 *
 * | resource         | beforeUpdate                          | afterCreate / afterUpdate |
 * | ---------------- | ------------------------------------- | ------------------------- |
 * | backend service  | release-gate, pre-update-snapshot     | verify-rollout            |
 * | frontend service | release-gate                          | verify-rollout            |
 * | Aurora cluster   | pre-update-snapshot                   |                           |
 *
 * No delete hooks, so `pulumi destroy` does not need `--run-program`.
 * The hooks only adapt Pulumi's hook arguments; the logic is in gate.ts, snapshot.ts and verify.ts.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { RDSClient } from "@aws-sdk/client-rds";
import * as pulumi from "@pulumi/pulumi";
import { AddTagsToResourceCommand } from "@aws-sdk/client-rds";
import { SNAPSHOT_TAGS } from "../../release/snapshots";
import { WeeklyWindow } from "../../release/windows";
import { serviceLogGroupName, serviceOfEcsName } from "../../release/names";
import { awsClientConfig } from "../../aws/clients";
import { changedInputKeys, clusterChange, HookInputs, INSTANCE_RUNTIME_FIELDS, inputChanged, serviceChange, stringInput } from "./changes";
import { evaluateReleaseGate } from "../../release/gate";
import { createPreUpdateSnapshot, PreUpdateSnapshotResult, toTagValue } from "../../aws/snapshots";
import { RolloutError, verifyRollout } from "../../aws/rollout";

export { createPreUpdateSnapshot, listDrydockSnapshots } from "../../aws/snapshots";
export { verifyRollout } from "../../aws/rollout";

/** Hook names, in the order they run. */
export const HOOK_NAMES = {
  releaseGate: "release-gate",
  preUpdateSnapshot: "pre-update-snapshot",
  verifyRollout: "verify-rollout",
} as const;

export { AWS_MAX_ATTEMPTS } from "../../aws/clients";

const ECS_SERVICE_TYPE = "aws:ecs/service:Service";
const RDS_CLUSTER_TYPE = "aws:rds/cluster:Cluster";
const RDS_INSTANCE_TYPE = "aws:rds/clusterInstance:ClusterInstance";

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
  release: { windows: WeeklyWindow[]; timeZone: string; paused: boolean; pauseReason?: string; override?: string };
  /** `snapshotsToKeep` (default 10), `snapshotTimeoutMinutes` (default 30). */
  snapshots: { keep: number; timeoutMinutes: number };
  /** `rolloutTimeoutMinutes` (default 30). */
  rolloutTimeoutMinutes: number;
  /** Client factories (tests, custom credentials); default: standard SDK clients, created on first use. */
  clients?: { rds?: () => RDSClient; ecs?: () => ECSClient };
  /** Test seams; defaults: real clock, setTimeout, pulumi.log, pulumi.runtime.isDryRun. */
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  log?: HookLog;
  isDryRun?: () => boolean;
  /** Poll intervals; defaults 10 s (snapshot) and 15 s (rollout). */
  pollMs?: { snapshot?: number; rollout?: number }; // milliseconds
}

export interface UpdateHooks {
  releaseGate: pulumi.ResourceHook;
  preUpdateSnapshot: pulumi.ResourceHook;
  verifyRollout: pulumi.ResourceHook;
  /** Pass as the `hooks` resource option of each resource. */
  bindings: {
    backendService: pulumi.ResourceHookBinding;
    frontendService: pulumi.ResourceHookBinding;
    databaseCluster: pulumi.ResourceHookBinding;
    /** Each Aurora cluster instance: a provisioned instance class lives here, not on the cluster. */
    databaseInstance: pulumi.ResourceHookBinding;
  };
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

/** `backend-service` → `backend` (the service names of the snapshot tags and log groups). */
function serviceLabel(args: pulumi.ResourceHookArgs): string {
  const name = stringInput(args.newInputs, "name") ?? stringInput(args.oldInputs, "name") ?? args.name;
  return serviceOfEcsName(name) ?? name;
}

/** ` v1.2.3 → v1.3.0` (or ` v1.2.3 to v1.3.0` for tag values, which do not allow arrows), or "" without versions. */
function versions(from?: string, to?: string, arrow = "→"): string {
  return from || to ? ` ${from ?? "unknown"} ${arrow} ${to ?? "unknown"}` : "";
}

/** Build the three hooks and their bindings for one stack. */
export function createUpdateHooks(ctx: UpdateHooksContext): UpdateHooks {
  const now = ctx.now ?? (() => new Date());
  const log: HookLog = ctx.log ?? { info: (m) => pulumi.log.info(m), warn: (m) => pulumi.log.warn(m) };
  const isDryRun = ctx.isDryRun ?? (() => pulumi.runtime.isDryRun());
  const rds = lazy(ctx.clients?.rds ?? (() => createRdsClient(ctx.region)));
  const ecs = lazy(ctx.clients?.ecs ?? (() => createEcsClient(ctx.region)));
  /** Override reasons the gate used, by resource URN, for the snapshot tags. */
  const overridesUsed = new Map<string, string>();
  /**
   * The snapshot taken in this update, per Aurora cluster. One `pulumi up` snapshots a cluster once,
   * before the first change that needs it: later hooks of the same run (the backend after an engine
   * upgrade, several instances changing class at once) wait for that snapshot instead of racing it.
   */
  const snapshotsThisUpdate = new Map<string, Promise<PreUpdateSnapshotResult>>();

  const releaseGate = new pulumi.ResourceHook(
    HOOK_NAMES.releaseGate,
    async (args) => {
      const change = serviceChange(args.oldInputs, args.newInputs);
      const subject = `${stringInput(args.newInputs, "name") ?? args.name}${versions(change.fromVersion, change.toVersion)}`;
      const decision = evaluateReleaseGate({ ...ctx.release, now: now(), imageChanged: change.imageChanged, stack: ctx.stack, subject });
      if (!decision.allowed) {
        if (isDryRun()) {
          log.warn(`this version change would be refused at \`pulumi up\`: ${decision.message}`);
          return;
        }
        throw new Error(decision.message);
      }
      if (decision.overridden && ctx.release.override) {
        overridesUsed.set(args.urn, ctx.release.override);
        log.warn(decision.message);
      } else {
        log.info(decision.message);
      }
    },
    { onDryRun: true },
  );

  const preUpdateSnapshot = new pulumi.ResourceHook(HOOK_NAMES.preUpdateSnapshot, async (args) => {
    if (isDryRun()) return;
    const override = overridesUsed.get(args.urn);
    overridesUsed.delete(args.urn);
    const plan = snapshotPlan(args, ctx);
    if (typeof plan === "string") {
      log.info(`${HOOK_NAMES.preUpdateSnapshot}: no snapshot: ${plan}`);
      return;
    }
    const earlier = snapshotsThisUpdate.get(plan.clusterIdentifier);
    const snapshot =
      earlier ??
      createPreUpdateSnapshot(rds(), {
        ...plan,
        stack: ctx.stack,
        ...(override ? { override } : {}),
        keep: ctx.snapshots.keep,
        timeoutMs: ctx.snapshots.timeoutMinutes * 60_000,
        ...(ctx.pollMs?.snapshot !== undefined ? { pollMs: ctx.pollMs.snapshot } : {}),
        now,
        ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
        log: (m) => log.info(`${HOOK_NAMES.preUpdateSnapshot}: ${m}`),
        warn: (m) => log.warn(`${HOOK_NAMES.preUpdateSnapshot}: ${m}`),
      });
    if (!earlier) snapshotsThisUpdate.set(plan.clusterIdentifier, snapshot);
    let taken: Awaited<typeof snapshot>;
    try {
      taken = await snapshot;
      // A snapshot this update already took covers this change too; it records the override that let this one through.
      if (earlier && override && taken.arn) {
        await rds().send(new AddTagsToResourceCommand({ ResourceName: taken.arn, Tags: [{ Key: SNAPSHOT_TAGS.override, Value: toTagValue(override) }] }));
      }
    } catch (err) {
      throw new Error(`${(err as Error).message}\nThe update of ${args.name} was stopped before it started; nothing changed.`);
    }
    if (earlier) log.info(`${HOOK_NAMES.preUpdateSnapshot}: ${args.name}: snapshot ${taken.identifier}, taken earlier in this update, covers ${plan.reason}`);
    if (plan.deferredTo) {
      log.warn(
        `${HOOK_NAMES.preUpdateSnapshot}: ${plan.reason}, but applyImmediately is false: AWS applies it in the maintenance window ` +
          `(${plan.deferredTo}, UTC), not now. Snapshot ${taken.identifier} is from now, not from just before the change; ` +
          `point-in-time recovery (backupRetentionDays) covers the time in between. For a snapshot right before the window, ` +
          `run npx drydock snapshot --stack ${ctx.stack} --wait shortly before it.`,
      );
    }
  });

  const verify = new pulumi.ResourceHook(HOOK_NAMES.verifyRollout, async (args) => {
    if (isDryRun()) return;
    if (args.type !== ECS_SERVICE_TYPE) {
      throw new Error(`${HOOK_NAMES.verifyRollout} is bound to ${args.type} "${args.name}"; it only supports ${ECS_SERVICE_TYPE}`);
    }
    const expected = stringInput(args.newOutputs, "taskDefinition") ?? stringInput(args.newInputs, "taskDefinition");
    const service = stringInput(args.newOutputs, "name") ?? stringInput(args.newInputs, "name") ?? args.name;
    const cluster = stringInput(args.newOutputs, "cluster") ?? stringInput(args.newInputs, "cluster") ?? ctx.ecsClusterName;
    if (!expected) throw new Error(`${HOOK_NAMES.verifyRollout}: service ${service} has no known taskDefinition; cannot verify what ECS serves.`);
    try {
      await verifyRollout(ecs(), {
        cluster,
        service,
        expectedTaskDefinition: expected,
        timeoutMs: ctx.rolloutTimeoutMinutes * 60_000,
        ...(ctx.pollMs?.rollout !== undefined ? { pollMs: ctx.pollMs.rollout } : {}),
        now,
        ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
        log: (m) => log.info(`${HOOK_NAMES.verifyRollout}: ${m}`),
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${rolloutAdvice(err, serviceLabel(args), ctx.stack)}`);
    }
  });

  return {
    releaseGate,
    preUpdateSnapshot,
    verifyRollout: verify,
    bindings: {
      backendService: { beforeUpdate: [releaseGate, preUpdateSnapshot], afterCreate: [verify], afterUpdate: [verify] },
      frontendService: { beforeUpdate: [releaseGate], afterCreate: [verify], afterUpdate: [verify] },
      databaseCluster: { beforeUpdate: [preUpdateSnapshot] },
      databaseInstance: { beforeUpdate: [preUpdateSnapshot] },
    },
  };
}

/** What to do after verify-rollout failed. */
function rolloutAdvice(err: unknown, service: string, stack: string): string {
  const kind = serviceOfEcsName(`${service}-service`);
  const logs = kind ? `aws logs tail ${serviceLogGroupName(kind, stack)} --since 30m` : "the service's CloudWatch logs";
  const status = `npx drydock status --stack ${stack}`;
  const outcome = err instanceof RolloutError ? err.outcome : undefined;
  if (outcome === "timed-out") {
    return (
      `ECS may still finish the rollout; watch it with ${status}. Running pulumi up again will not check it again ` +
      `(Pulumi's state already records the new task definition). If it does not finish, go back: npx drydock rollback --stack ${stack}, ` +
      `or retry the rollout: pulumi config set redeployToken "$(date +%s)" -s ${stack} && pulumi up -s ${stack}`
    );
  }
  if (outcome === "rolled-back" || outcome === "failed") {
    return (
      `Pulumi's state records the new task definition, but it is not what serves traffic. ` +
      `Read the task logs (${logs}) and deploy a fixed version, ` +
      `retry the same one (pulumi config set redeployToken "$(date +%s)" -s ${stack} && pulumi up -s ${stack}), ` +
      `or go back: npx drydock rollback --stack ${stack}`
    );
  }
  return `Check what the service runs with ${status}.`;
}

interface SnapshotPlan {
  clusterIdentifier: string;
  service: string;
  fromVersion?: string;
  toVersion?: string;
  reason: string;
  /** A database change with `applyImmediately: false`: AWS applies it in this maintenance window, not now. */
  deferredTo?: string;
}

/** The maintenance window a database change waits for, when it is not applied immediately. */
function deferredTo(newInputs: HookInputs): { deferredTo?: string } {
  if (newInputs?.applyImmediately !== false) return {};
  return { deferredTo: stringInput(newInputs, "preferredMaintenanceWindow") ?? "the next maintenance window" };
}

/** What to snapshot for this update, or why no snapshot is needed. */
function snapshotPlan(args: pulumi.ResourceHookArgs, ctx: UpdateHooksContext): SnapshotPlan | string {
  const oldInputs: HookInputs = args.oldInputs;
  const newInputs: HookInputs = args.newInputs;
  if (args.type === ECS_SERVICE_TYPE) {
    const service = serviceLabel(args);
    const change = serviceChange(oldInputs, newInputs);
    if (!change.taskDefinitionChanged) {
      return `${args.name}: the task definition is unchanged (this update changes ${change.changedKeys.join(", ") || "nothing"})`;
    }
    return {
      clusterIdentifier: ctx.clusterIdentifier,
      service,
      ...(change.fromVersion ? { fromVersion: change.fromVersion } : {}),
      ...(change.toVersion ? { toVersion: change.toVersion } : {}),
      reason: change.imageChanged ? `${service} image${versions(change.fromVersion, change.toVersion, "to")}` : `${service} task definition changed`,
    };
  }
  if (args.type === RDS_CLUSTER_TYPE) {
    const change = clusterChange(oldInputs, newInputs);
    if (!change.runtimeChanged) {
      return `${args.name}: engine version, parameter groups and instance class are unchanged (this update changes ${change.changedKeys.join(", ") || "nothing"})`;
    }
    const clusterIdentifier =
      stringInput(args.oldOutputs, "clusterIdentifier") ?? stringInput(newInputs, "clusterIdentifier") ?? ctx.clusterIdentifier;
    return {
      clusterIdentifier,
      service: "database",
      ...(change.fromEngineVersion ? { fromVersion: change.fromEngineVersion } : {}),
      ...(change.toEngineVersion ? { toVersion: change.toEngineVersion } : {}),
      reason: `database ${change.fields.join(" ")} changed`,
      ...deferredTo(newInputs),
    };
  }
  if (args.type === RDS_INSTANCE_TYPE) {
    const fields = INSTANCE_RUNTIME_FIELDS.filter((k) => inputChanged(oldInputs, newInputs, k));
    if (fields.length === 0) {
      return `${args.name}: instance class, engine version and parameter group are unchanged (this update changes ${changedInputKeys(oldInputs, newInputs).join(", ") || "nothing"})`;
    }
    const clusterIdentifier = stringInput(args.oldOutputs, "clusterIdentifier") ?? stringInput(newInputs, "clusterIdentifier") ?? ctx.clusterIdentifier;
    const classChange = fields.includes("instanceClass")
      ? { fromVersion: stringInput(oldInputs, "instanceClass"), toVersion: stringInput(newInputs, "instanceClass") }
      : {};
    return {
      clusterIdentifier,
      service: "database",
      ...(classChange.fromVersion ? { fromVersion: classChange.fromVersion } : {}),
      ...(classChange.toVersion ? { toVersion: classChange.toVersion } : {}),
      reason: `database instance ${stringInput(newInputs, "identifier") ?? args.name} ${fields.join(" ")} changed`,
      ...deferredTo(newInputs),
    };
  }
  throw new Error(
    `${HOOK_NAMES.preUpdateSnapshot} is bound to ${args.type} "${args.name}"; it supports ${ECS_SERVICE_TYPE}, ${RDS_CLUSTER_TYPE} and ${RDS_INSTANCE_TYPE}`,
  );
}
