/**
 * `pre-update-snapshot`: before a change that alters what the database runs or what the backend runs against it
 * (a new task definition of a guarded service, an engine version, parameter group or instance class change), take
 * a manual Aurora cluster snapshot and wait until it is available; prune older drydock snapshots (aws/snapshots.ts).
 * A snapshot that fails stops the update before it starts.
 */
import { AddTagsToResourceCommand } from "@aws-sdk/client-rds";
import * as pulumi from "@pulumi/pulumi";
import { createPreUpdateSnapshot, toTagValue } from "../../aws/snapshots";
import { SNAPSHOT_TAGS } from "../../release/snapshots";
import { changedInputKeys, clusterChange, HookInputs, INSTANCE_RUNTIME_FIELDS, inputChanged, serviceChange, stringInput } from "./changes";
import {
    ECS_SERVICE_TYPE,
    HOOK_NAMES,
    HookRuntime,
    RDS_CLUSTER_TYPE,
    RDS_INSTANCE_TYPE,
    serviceLabel,
    UpdateHooksContext,
    versions,
} from "./runtime";

export function createPreUpdateSnapshotHook(rt: HookRuntime): pulumi.ResourceHook {
    const { ctx } = rt;
    return new pulumi.ResourceHook(HOOK_NAMES.preUpdateSnapshot, async (args) => {
        if (rt.isDryRun()) return;
        const override = rt.overridesUsed.get(args.urn);
        rt.overridesUsed.delete(args.urn);
        const plan = snapshotPlan(args, ctx);
        if (typeof plan === "string") {
            rt.log.info(`${HOOK_NAMES.preUpdateSnapshot}: no snapshot: ${plan}`);
            return;
        }
        const earlier = rt.snapshotsThisUpdate.get(plan.clusterIdentifier);
        const snapshot =
            earlier ??
            createPreUpdateSnapshot(rt.rds(), {
                ...plan,
                stack: ctx.stack,
                ...(override ? { override } : {}),
                keep: ctx.snapshots.keep,
                timeoutMs: ctx.snapshots.timeoutMinutes * 60_000,
                ...(ctx.pollMs?.snapshot !== undefined ? { pollMs: ctx.pollMs.snapshot } : {}),
                now: rt.now,
                ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
                log: (m) => rt.log.info(`${HOOK_NAMES.preUpdateSnapshot}: ${m}`),
                warn: (m) => rt.log.warn(`${HOOK_NAMES.preUpdateSnapshot}: ${m}`),
            });
        if (!earlier) rt.snapshotsThisUpdate.set(plan.clusterIdentifier, snapshot);
        let taken: Awaited<typeof snapshot>;
        try {
            taken = await snapshot;
            // A snapshot this update already took covers this change too; it records the override that let this one through.
            if (earlier && override && taken.arn) {
                await rt.rds().send(
                    new AddTagsToResourceCommand({
                        ResourceName: taken.arn,
                        Tags: [{ Key: SNAPSHOT_TAGS.override, Value: toTagValue(override) }],
                    }),
                );
            }
        } catch (err) {
            throw new Error(`${(err as Error).message}\nThe update of ${args.name} was stopped before it started; nothing changed.`, {
                cause: err,
            });
        }
        if (earlier)
            rt.log.info(
                `${HOOK_NAMES.preUpdateSnapshot}: ${args.name}: snapshot ${taken.identifier}, taken earlier in this update, covers ${plan.reason}`,
            );
        if (plan.deferredTo) {
            rt.log.warn(
                `${HOOK_NAMES.preUpdateSnapshot}: ${plan.reason}, but applyImmediately is false: AWS applies it in the maintenance window ` +
                    `(${plan.deferredTo}, UTC), not now. Snapshot ${taken.identifier} is from now, not from just before the change; ` +
                    `point-in-time recovery (backupRetentionDays) covers the time in between. For a snapshot right before the window, ` +
                    `run npx drydock snapshot --stack ${ctx.stack} --wait shortly before it.`,
            );
        }
    });
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
export function snapshotPlan(args: pulumi.ResourceHookArgs, ctx: UpdateHooksContext): SnapshotPlan | string {
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
            reason: change.imageChanged
                ? `${service} image${versions(change.fromVersion, change.toVersion, "to")}`
                : `${service} task definition changed`,
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
        const clusterIdentifier =
            stringInput(args.oldOutputs, "clusterIdentifier") ?? stringInput(newInputs, "clusterIdentifier") ?? ctx.clusterIdentifier;
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
