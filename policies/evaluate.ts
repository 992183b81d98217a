/**
 * The offline evaluator: runs the drydock policy list over a set of resources exactly as CrossGuard
 * does during `pulumi preview --policy-pack policies`, without the Pulumi CLI.
 *
 * What it reproduces (from @pulumi/policy 1.21 server.js and the Pulumi engine's config handling):
 * - config: schema defaults first, then `all` (an enforcement level for every policy), then each
 *   policy's own entry (a level string, or an object with `enforcementLevel` and properties, applied
 *   key by key); the result is validated against the policy's schema;
 * - enforcement: config level, else the policy's level, else the pack's (`advisory`); `disabled`
 *   skips the policy; violations of a `remediate` policy are reported as `mandatory`;
 * - resource policies: per resource in order, per policy in order, per validation in order, with
 *   `type`, `props` (behind CrossGuard's own unknown-checking proxy), `urn`, `name`, `opts`,
 *   `stackTags`, `isType`, `asType`, `getConfig` and `notApplicable`;
 * - stack policies: once, after the resources, over every resource;
 * - `reportViolation(message, urn?)`: message is the policy description, a newline and the detail;
 * - a value unknown during preview that escapes a validation becomes an advisory
 *   "can't run policy … during preview" note; "not applicable" is silent; any other error fails.
 * Differences: validations must be synchronous (drydock's are); remediations do not run (drydock
 * has none); stack policies see the inputs (CrossGuard passes them the planned outputs).
 */
import * as fs from "fs";
import * as path from "path";
import {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
    unknownCheckingProxy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { POLICY_PACK_NAME, policies as drydockPolicies, policyNames } from "./policies";

export { policyNames };

/** One policy violation, as CrossGuard would report it. */
export interface Violation {
    /** The policy's stable name, e.g. `production-images-pinned`. */
    policy: string;
    enforcementLevel: EnforcementLevel;
    /** The resource in violation; absent for a violation of the stack as a whole. */
    urn?: string;
    /** The policy description, a newline, then the detail (what CrossGuard prints). */
    message: string;
}

/** A resource to evaluate: its inputs as plain values (unknowns as CrossGuard's placeholders). */
export interface PolicyInputResource {
    /** Type token, e.g. `aws:ecs/taskDefinition:TaskDefinition`. */
    type: string;
    name: string;
    /** `urn:pulumi:<stack>::<project>::<type>::<name>`; the stack decides what counts as production. */
    urn: string;
    props: Record<string, unknown>;
    /** Resource options; unset ones take CrossGuard's empty defaults. */
    opts?: Partial<PolicyResourceOptions>;
}

/** Per-policy config: an enforcement level, or an object with `enforcementLevel` and properties. */
export type PolicyConfigEntry = EnforcementLevel | Record<string, unknown>;

export interface EvaluateOptions {
    /**
     * Policy pack config, keyed by policy name (or `all` for an enforcement level for every policy),
     * as in a `--policy-pack-config` file.
     */
    config?: Record<string, PolicyConfigEntry>;
    /** The policies to run. @default the drydock pack (policies.ts) */
    policies?: Policies;
    /** Stack tags given to policies. @default none */
    stackTags?: ReadonlyMap<string, string>;
}

/** Thrown for policy config CrossGuard would refuse; the message lists every problem. */
export class PolicyConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid policy pack config:\n  - ${problems.join("\n  - ")}`);
        this.name = "PolicyConfigError";
    }
}

const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
/** CrossGuard's default when neither the config nor the policy sets a level. */
const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

let packVersion: string | undefined;
/** The pack version from policies/package.json (CrossGuard reads it the same way). */
export function policyPackVersion(): string {
    packVersion ??= (JSON.parse(fs.readFileSync(path.join(__dirname, "package.json"), "utf8")) as { version: string }).version;
    return packVersion;
}

/**
 * Evaluates `resources` (in registration order) against the policy pack.
 * @throws PolicyConfigError for invalid config; Error when a policy fails with anything other
 *   than an unknown value or "not applicable" (CrossGuard fails the preview then, too).
 */
export function evaluatePolicies(resources: PolicyInputResource[], opts: EvaluateOptions = {}): Violation[] {
    const list = opts.policies ?? drydockPolicies;
    const prepared = preparePolicies(list, opts.config ?? {});
    const stackTags = opts.stackTags ?? EMPTY_TAGS;
    const violations: Violation[] = [];
    const resourcePolicies = prepared.filter((p) => p.resourcePolicy !== undefined);

    for (const r of resources) {
        const props = unknownCheckingProxy(toPolicyProps(r.props, r.urn)) as Record<string, unknown>;
        const options = resourceOptions(r.opts);
        for (const p of resourcePolicies) {
            const validations = p.validationsFor(r.type);
            if (validations.length === 0) continue;
            const report = makeReportViolation(p, violations, r.urn);
            const args: ResourceValidationArgs = {
                type: r.type,
                props,
                urn: r.urn,
                name: r.name,
                opts: options,
                stackTags,
                isType: (cls) => isTypeOf(r.type, cls),
                asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
                getConfig: p.getConfig,
                notApplicable: throwNotApplicable,
            };
            for (const validate of validations) {
                runGuarded(p, violations, r.urn, () => validate(args, report));
            }
        }
    }

    const stackPolicies = prepared.filter((p) => p.stackPolicy !== undefined);
    if (stackPolicies.length > 0) {
        const policyResources = toPolicyResources(resources);
        for (const p of stackPolicies) {
            const validateStack = (p.stackPolicy as StackValidationPolicy).validateStack;
            const pulumiType = pulumiTypeOf(validateStack);
            if (pulumiType !== undefined && !resources.some((r) => r.type === pulumiType)) continue;
            const args: StackValidationArgs = { resources: policyResources, stackTags, getConfig: p.getConfig, notApplicable: throwNotApplicable };
            runGuarded(p, violations, undefined, () => validateStack(args, makeReportViolation(p, violations, undefined)));
        }
    }
    return violations;
}

// --- policies, config and enforcement --------------------------------------------------------------

interface PreparedPolicy {
    name: string;
    description: string;
    level: EnforcementLevel;
    resourcePolicy?: ResourceValidationPolicy;
    stackPolicy?: StackValidationPolicy;
    getConfig: <T extends object>() => T;
    /** The validations that can apply to `type` (typed validations of other types would only say "not applicable"). */
    validationsFor(type: string): ResourceValidation[];
}

function preparePolicies(list: Policies, config: Record<string, PolicyConfigEntry>): PreparedPolicy[] {
    // Config for a policy the pack does not have is ignored, as CrossGuard does.
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
    const allLevel = levelOf(config["all"]);
    const prepared: PreparedPolicy[] = [];
    for (const p of list) {
        const entry = config[p.name];
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) properties[key] = structuredClone(schema.default);
        }
        if (entry !== undefined && typeof entry === "object" && entry !== null) {
            for (const [key, value] of Object.entries(entry)) if (key !== "enforcementLevel") properties[key] = value;
        }
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

/** The Pulumi type token @pulumi/policy attaches to typed validations and resource classes. */
function pulumiTypeOf(x: unknown): string | undefined {
    const t = (x as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof t === "string" && t.length > 0 ? t : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = pulumiTypeOf(resourceClass);
    if (pulumiType !== undefined) return type === pulumiType;
    const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
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
        if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${where} is ${shown}, expected at least ${schema.minimum}`);
        if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${where} is ${shown}, expected at most ${schema.maximum}`);
    }
    if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength) {
        problems.push(`${where} is ${shown}, expected at least ${schema.minLength} characters`);
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${where} has ${value.length} items, expected at least ${schema.minItems}`);
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

// --- running validations ---------------------------------------------------------------------------

/** Control flow, not a failure: thrown by `notApplicable`, caught below; skips the costly stack capture. */
class NotApplicableError extends Error {
    constructor(public readonly reason?: string) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        super(reason ?? "Policy does not apply");
        Error.stackTraceLimit = limit;
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason);
}

/** CrossGuard's reportViolation: description + "\n" + message; `remediate` reports as `mandatory`. */
function makeReportViolation(p: PreparedPolicy, out: Violation[], resourceUrn: string | undefined): ReportViolation {
    const level: EnforcementLevel = p.level === "remediate" ? "mandatory" : p.level;
    return (message: unknown, urn?: string) => {
        // Resource validations always report against their resource; stack validations name one (or none).
        const target = resourceUrn ?? urn;
        if (message !== null && typeof message === "object") {
            // The undocumented object form CrossGuard also accepts: { message, urn, enforcementLevel, ... }.
            const info = message as { message?: string; description?: string; urn?: string; enforcementLevel?: EnforcementLevel; name?: string };
            out.push({
                policy: info.name || p.name,
                enforcementLevel: info.enforcementLevel || level,
                ...(info.urn ? { urn: info.urn } : {}),
                message: info.message || info.description || p.description,
            });
            return;
        }
        const detail = typeof message === "string" ? message : "";
        out.push({ policy: p.name, enforcementLevel: level, ...(target ? { urn: target } : {}), message: detail ? `${p.description}\n${detail}` : p.description });
    };
}

/** Runs one validation the way CrossGuard's analyzer does (synchronously here); `urn` is the resource's, if any. */
function runGuarded(p: PreparedPolicy, out: Violation[], urn: string | undefined, run: () => unknown): void {
    const policyFrom = () => `policy '${p.name}' from policy pack '${POLICY_PACK_NAME}@v${policyPackVersion()}'`;
    try {
        const result = run();
        if (result !== undefined && typeof (result as { then?: unknown }).then === "function") {
            throw new Error(`${policyFrom()} returned a promise; the offline evaluator runs synchronous validations only`);
        }
    } catch (e) {
        if (e instanceof UnknownValueError) {
            out.push({
                policy: p.name,
                enforcementLevel: "advisory",
                ...(urn ? { urn } : {}),
                message: `can't run ${policyFrom()} during preview: ${(e as Error).message}`,
            });
        } else if (!(e instanceof NotApplicableError)) {
            const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
            throw new Error(`Error validating ${urn ? `resource ${urn}` : "the stack"} with ${policyFrom()}: ${detail}`);
        }
    }
}

// --- resources --------------------------------------------------------------------------------------

const EMPTY_TAGS: ReadonlyMap<string, string> = Object.freeze(new Map<string, string>());

/** Pulumi's wire signature of a secret: `{ [SIG]: SECRET_SIG, value }`. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Inputs as CrossGuard hands them to policies: secrets unwrapped to their plain values, undefined
 * properties dropped. Returns the same object when there is nothing to change.
 */
function toPolicyProps(props: Record<string, unknown>, urn: string): Record<string, unknown> {
    if (props === null || typeof props !== "object") throw new Error(`resource ${urn}: props must be an object, got ${JSON.stringify(props)}`);
    return plainValue(props, urn) as Record<string, unknown>;
}

function plainValue(value: unknown, urn: string): unknown {
    if (value === null || typeof value !== "object") return value;
    if (typeof (value as { then?: unknown }).then === "function") {
        throw new Error(`resource ${urn}: props contain a promise or an Output; pass resolved input values`);
    }
    if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
            const v = value[i] === undefined ? null : plainValue(value[i], urn);
            if (v !== value[i]) (copy ??= value.slice())[i] = v;
        }
        return copy ?? value;
    }
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return plainValue(record["value"], urn);
    let copy: Record<string, unknown> | undefined;
    for (const key in record) {
        const v = record[key];
        if (v === undefined) {
            copy ??= { ...record };
            delete copy[key];
            continue;
        }
        const plain = plainValue(v, urn);
        if (plain !== v) (copy ??= { ...record })[key] = plain;
    }
    return copy ?? value;
}

function resourceOptions(opts: Partial<PolicyResourceOptions> | undefined): PolicyResourceOptions {
    return {
        protect: opts?.protect ?? false,
        ignoreChanges: opts?.ignoreChanges ?? [],
        aliases: opts?.aliases ?? [],
        customTimeouts: opts?.customTimeouts ?? { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: opts?.additionalSecretOutputs ?? [],
        ...(opts?.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: opts.deleteBeforeReplace } : {}),
        ...(opts?.parent !== undefined ? { parent: opts.parent } : {}),
    };
}

function toPolicyResources(resources: PolicyInputResource[]): PolicyResource[] {
    const out: PolicyResource[] = resources.map((r) => {
        const props = unknownCheckingProxy(toPolicyProps(r.props, r.urn)) as Record<string, unknown>;
        return {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: resourceOptions(r.opts),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
    });
    const byUrn = new Map(out.map((r) => [r.urn, r]));
    for (const r of out) {
        const parent = r.opts.parent === undefined ? undefined : byUrn.get(r.opts.parent);
        if (parent) r.parent = parent;
    }
    return out;
}
