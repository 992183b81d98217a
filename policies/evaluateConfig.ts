/**
 * Policy pack config as CrossGuard applies it: schema defaults, then `all`, then each policy's entry;
 * validated against the policy's schema; the enforcement level per policy. Used by evaluate.ts.
 */
import type { EnforcementLevel, Policies, ResourceValidation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { pulumiTypeOf } from "./evaluateResources";
import { PolicyConfigEntry, PolicyConfigError } from "./evaluateTypes";

const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
/** CrossGuard's default when neither the config nor the policy sets a level. */
const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

/** Entries that are neither a known enforcement level nor an object. */
function entryProblems(config: Record<string, PolicyConfigEntry>): string[] {
    const problems: string[] = [];
    for (const [key, entry] of Object.entries(config)) {
        const level = typeof entry === "string" ? entry : entry?.["enforcementLevel"];
        if (level !== undefined && !ENFORCEMENT_LEVELS.includes(level as EnforcementLevel)) {
            problems.push(`${key}: enforcementLevel ${JSON.stringify(level)} is not one of ${ENFORCEMENT_LEVELS.join(", ")}`);
        }
        if (typeof entry !== "string" && (entry === null || typeof entry !== "object" || Array.isArray(entry))) {
            problems.push(`${key}: ${JSON.stringify(entry)} is neither an enforcement level nor an object`);
        }
    }
    return problems;
}

/** A policy's config properties: its schema's defaults, then the entry's properties key by key. */
function policyProperties(p: Policies[number], entry: PolicyConfigEntry | undefined): Record<string, unknown> {
    const properties: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
        if (schema.default !== undefined) properties[key] = structuredClone(schema.default);
    }
    if (entry !== undefined && typeof entry === "object" && entry !== null) {
        for (const [key, value] of Object.entries(entry)) if (key !== "enforcementLevel") properties[key] = value;
    }
    return properties;
}

export interface PreparedPolicy {
    name: string;
    description: string;
    level: EnforcementLevel;
    resourcePolicy?: ResourceValidationPolicy;
    stackPolicy?: StackValidationPolicy;
    getConfig: <T extends object>() => T;
    /** The validations that can apply to `type` (typed validations of other types would only say "not applicable"). */
    validationsFor(type: string): ResourceValidation[];
}

export function preparePolicies(list: Policies, config: Record<string, PolicyConfigEntry>): PreparedPolicy[] {
    // Config for a policy the pack does not have is ignored, as CrossGuard does.
    const problems = entryProblems(config);
    const allLevel = levelOf(config["all"]);
    const prepared: PreparedPolicy[] = [];
    for (const p of list) {
        const entry = config[p.name];
        const properties = policyProperties(p, entry);
        problems.push(...validateConfig(p.name, properties, p.configSchema?.properties ?? {}, p.configSchema?.required ?? []));
        const level = levelOf(entry) ?? allLevel ?? p.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
        if (level === "disabled") continue;
        const frozen = Object.freeze(properties);
        const resourcePolicy = isResourcePolicy(p) ? p : undefined;
        prepared.push({
            name: p.name,
            description: p.description,
            level,
            resourcePolicy,
            // A policy with both callbacks runs in both phases, as in CrossGuard.
            stackPolicy: isStackPolicy(p) ? p : undefined,
            getConfig: <T extends object>() => ({ ...frozen }) as T,
            validationsFor: resourcePolicy ? validationIndex(resourcePolicy) : () => [],
        });
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return prepared;
}

function levelOf(entry: PolicyConfigEntry | undefined): EnforcementLevel | undefined {
    if (entry === undefined || entry === null || (typeof entry !== "string" && typeof entry !== "object")) return undefined;
    const level = typeof entry === "string" ? entry : entry["enforcementLevel"];
    return typeof level === "string" && level.length > 0 ? (level as EnforcementLevel) : undefined;
}

/** Per-type lists of a policy's validations, built once. */
function validationIndex(p: ResourceValidationPolicy): (type: string) => ResourceValidation[] {
    const all = p.validateResource === undefined ? [] : Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
    const untyped = all.filter((v) => pulumiTypeOf(v) === undefined);
    const byType = new Map<string, ResourceValidation[]>();
    return (type) => {
        let found = byType.get(type);
        if (found === undefined) {
            found = all.filter((v) => pulumiTypeOf(v) === type || untyped.includes(v));
            byType.set(type, found);
        }
        return found;
    };
}

function isResourcePolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is ResourceValidationPolicy {
    const v = (p as ResourceValidationPolicy).validateResource;
    return typeof v === "function" || (Array.isArray(v) && v.every((f) => typeof f === "function"));
}

function isStackPolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

/** Minimal JSON-schema check of the keywords policy config schemas use; returns the problems. */
function validateConfig(
    policy: string,
    config: Record<string, unknown>,
    properties: Record<string, PolicyConfigJSONSchema>,
    required: string[],
): string[] {
    const problems = required.filter((k) => config[k] === undefined).map((k) => `${policy}: ${k} is required`);
    for (const [key, schema] of Object.entries(properties)) {
        if (config[key] !== undefined) problems.push(...checkValue(`${policy}: ${key}`, config[key], schema));
    }
    return problems;
}

function checkValue(where: string, value: unknown, schema: PolicyConfigJSONSchema | boolean): string[] {
    if (typeof schema === "boolean") return schema ? [] : [`${where} is not allowed`];
    const shown = JSON.stringify(value);
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.length > 0 && !types.some((t) => hasJsonType(value, t))) return [`${where} is ${shown}, expected ${types.join(" or ")}`];
    const problems: string[] = [];
    if (schema.enum !== undefined && !schema.enum.some((e) => JSON.stringify(e) === shown)) {
        problems.push(`${where} is ${shown}, expected one of ${JSON.stringify(schema.enum)}`);
    }
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum)
            problems.push(`${where} is ${shown}, expected at least ${schema.minimum}`);
        if (schema.maximum !== undefined && value > schema.maximum)
            problems.push(`${where} is ${shown}, expected at most ${schema.maximum}`);
    }
    if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength) {
        problems.push(`${where} is ${shown}, expected at least ${schema.minLength} characters`);
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems)
            problems.push(`${where} has ${value.length} items, expected at least ${schema.minItems}`);
        const items = schema.items;
        if (items !== undefined && !Array.isArray(items)) value.forEach((v, i) => problems.push(...checkValue(`${where}[${i}]`, v, items)));
    }
    return problems;
}

function hasJsonType(value: unknown, type: string): boolean {
    switch (type) {
        case "integer":
            return Number.isInteger(value);
        case "number":
            return typeof value === "number" && Number.isFinite(value);
        case "array":
            return Array.isArray(value);
        case "object":
            return value !== null && typeof value === "object" && !Array.isArray(value);
        case "null":
            return value === null;
        default:
            return typeof value === type;
    }
}
