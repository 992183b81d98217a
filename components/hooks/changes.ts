/**
 * What an update changes, read from the old and new inputs Pulumi passes to a resource hook.
 *
 * Inputs use Pulumi property names (`taskDefinition`, `engineVersion`, `tags`, ...). During a preview a
 * value may be unknown (computed later); an unknown value counts as changed. Secret values arrive as
 * Outputs and cannot be compared here, so they count as changed too: a safety step never skips on a guess.
 *
 * The program tags each aws.ecs.Service with `drydock:requested-version` (the version as configured) and
 * `drydock:image` (the image deployed, `repo@sha256:...` with pinned digests); the image tag catches a new
 * digest under an unchanged version (a new `latest`, a re-pushed tag).
 */
import * as pulumi from "@pulumi/pulumi";
import { IMAGE_TAG, REQUESTED_VERSION_TAG } from "../../release/names";

/** Inputs of a resource as a hook receives them (absent for create hooks' old side). */
export type HookInputs = Record<string, unknown> | undefined;

/** aws.rds.Cluster inputs whose change alters what the database runs, so a snapshot is taken first. */
export const CLUSTER_RUNTIME_FIELDS = [
    "engineVersion",
    "dbClusterParameterGroupName",
    "dbInstanceParameterGroupName",
    "dbClusterInstanceClass",
    "serverlessv2ScalingConfiguration",
] as const;

/** aws.rds.ClusterInstance inputs whose change alters what the database runs (provisioned instance class). */
export const INSTANCE_RUNTIME_FIELDS = ["instanceClass", "engineVersion", "dbParameterGroupName"] as const;

/** true if the value (or anything inside it) cannot be compared: not known yet (preview) or a secret (an Output). */
function isOpaque(v: unknown): boolean {
    if (pulumi.isUnknown(v) || pulumi.Output.isInstance(v)) return true;
    if (Array.isArray(v)) return v.some(isOpaque);
    if (v !== null && typeof v === "object") return Object.values(v as Record<string, unknown>).some(isOpaque);
    return false;
}

/** Canonical text of a plain value: object keys sorted. */
function canonical(v: unknown): string {
    return (
        JSON.stringify(v, (_key, value: unknown) => {
            if (value !== null && typeof value === "object" && !Array.isArray(value)) {
                const obj = value as Record<string, unknown>;
                return Object.fromEntries(
                    Object.keys(obj)
                        .sort()
                        .map((k) => [k, obj[k]]),
                );
            }
            return value;
        }) ?? "undefined"
    );
}

/** true if the input `key` differs between old and new (an unknown or secret value counts as different). */
export function inputChanged(oldInputs: HookInputs, newInputs: HookInputs, key: string): boolean {
    const before = oldInputs?.[key];
    const after = newInputs?.[key];
    if (isOpaque(before) || isOpaque(after)) return true;
    return canonical(before) !== canonical(after);
}

/** Every top-level input key whose value differs, sorted (for log lines such as "changes tags, desiredCount"). */
export function changedInputKeys(oldInputs: HookInputs, newInputs: HookInputs): string[] {
    const keys = new Set([...Object.keys(oldInputs ?? {}), ...Object.keys(newInputs ?? {})]);
    return [...keys].filter((k) => inputChanged(oldInputs, newInputs, k)).sort();
}

/** A tag value from the inputs' `tags` map, if it is a known, non-empty string (unknown during a preview: undefined). */
export function tagValue(inputs: HookInputs, tag: string): string | undefined {
    const tags = inputs?.tags;
    if (tags === null || typeof tags !== "object" || pulumi.isUnknown(tags)) return undefined;
    const value = (tags as Record<string, unknown>)[tag];
    return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** A top-level input that is a known, non-empty string. */
export function stringInput(inputs: HookInputs, key: string): string | undefined {
    const value = inputs?.[key];
    return typeof value === "string" && value.length > 0 ? value : undefined;
}

export interface ServiceChange {
    /** The `taskDefinition` input changed (new image, or any task definition change). */
    taskDefinitionChanged: boolean;
    /**
     * The container image changed: the `drydock:requested-version` or the `drydock:image` tag differs.
     * Where either tag is missing or unknown on one side, any task definition change counts (conservative):
     * a new digest under an unchanged `latest` must not slip past the release gate.
     */
    imageChanged: boolean;
    /** `drydock:requested-version` before the update, if tagged. */
    fromVersion?: string;
    /** `drydock:requested-version` after the update, if tagged. */
    toVersion?: string;
    /** Every changed top-level input, for log lines. */
    changedKeys: string[];
}

/** What an update of an aws.ecs.Service changes. */
export function serviceChange(oldInputs: HookInputs, newInputs: HookInputs): ServiceChange {
    const taskDefinitionChanged = inputChanged(oldInputs, newInputs, "taskDefinition");
    const fromVersion = tagValue(oldInputs, REQUESTED_VERSION_TAG);
    const toVersion = tagValue(newInputs, REQUESTED_VERSION_TAG);
    const fromImage = tagValue(oldInputs, IMAGE_TAG);
    const toImage = tagValue(newInputs, IMAGE_TAG);
    // Conservative: only tags known on both sides can clear an update; otherwise any task definition change counts.
    const versionKnown = fromVersion !== undefined && toVersion !== undefined;
    const imageKnown = fromImage !== undefined && toImage !== undefined;
    const imageChanged =
        versionKnown && fromVersion !== toVersion ? true : versionKnown && imageKnown ? fromImage !== toImage : taskDefinitionChanged;
    return {
        taskDefinitionChanged,
        imageChanged,
        ...(fromVersion !== undefined ? { fromVersion } : {}),
        ...(toVersion !== undefined ? { toVersion } : {}),
        changedKeys: changedInputKeys(oldInputs, newInputs),
    };
}

export interface ClusterChange {
    /** The update changes one of {@link CLUSTER_RUNTIME_FIELDS}. */
    runtimeChanged: boolean;
    /** The runtime fields that change. */
    fields: string[];
    /** Engine versions, when `engineVersion` changes. */
    fromEngineVersion?: string;
    toEngineVersion?: string;
    /** Every changed top-level input, for log lines. */
    changedKeys: string[];
}

/** What an update of an aws.rds.Cluster changes. */
export function clusterChange(oldInputs: HookInputs, newInputs: HookInputs): ClusterChange {
    const fields = CLUSTER_RUNTIME_FIELDS.filter((k) => inputChanged(oldInputs, newInputs, k));
    const engine = fields.includes("engineVersion")
        ? { fromEngineVersion: stringInput(oldInputs, "engineVersion"), toEngineVersion: stringInput(newInputs, "engineVersion") }
        : {};
    return {
        runtimeChanged: fields.length > 0,
        fields: [...fields],
        ...(engine.fromEngineVersion !== undefined ? { fromEngineVersion: engine.fromEngineVersion } : {}),
        ...(engine.toEngineVersion !== undefined ? { toEngineVersion: engine.toEngineVersion } : {}),
        changedKeys: changedInputKeys(oldInputs, newInputs),
    };
}
