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
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { POLICY_PACK_NAME, policies as drydockPolicies, policyNames } from "./policies";
import { PreparedPolicy, preparePolicies } from "./evaluateConfig";
import { EMPTY_TAGS, isTypeOf, pulumiTypeOf, resourceOptions, toPolicyProps, toPolicyResources } from "./evaluateResources";
import type { EvaluateOptions, PolicyInputResource, Violation } from "./evaluateTypes";

export { policyNames };
export * from "./evaluateTypes";

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
    const prepared = preparePolicies(opts.policies ?? drydockPolicies, opts.config ?? {});
    const stackTags = opts.stackTags ?? EMPTY_TAGS;
    const violations: Violation[] = [];
    const resourcePolicies = prepared.filter((p) => p.resourcePolicy !== undefined);
    for (const r of resources) runResourcePolicies(r, resourcePolicies, stackTags, violations);
    runStackPolicies(
        resources,
        prepared.filter((p) => p.stackPolicy !== undefined),
        stackTags,
        violations,
    );
    return violations;
}

/** Per resource: per policy in order, per validation in order. */
function runResourcePolicies(
    r: PolicyInputResource,
    policies: PreparedPolicy[],
    stackTags: ReadonlyMap<string, string>,
    violations: Violation[],
): void {
    const props = unknownCheckingProxy(toPolicyProps(r.props, r.urn)) as Record<string, unknown>;
    const options = resourceOptions(r.opts);
    for (const p of policies) {
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

/** Once, after the resources, over every resource. */
function runStackPolicies(
    resources: PolicyInputResource[],
    policies: PreparedPolicy[],
    stackTags: ReadonlyMap<string, string>,
    violations: Violation[],
): void {
    if (policies.length === 0) return;
    const policyResources = toPolicyResources(resources);
    for (const p of policies) {
        const validateStack = (p.stackPolicy as StackValidationPolicy).validateStack;
        const pulumiType = pulumiTypeOf(validateStack);
        if (pulumiType !== undefined && !resources.some((r) => r.type === pulumiType)) continue;
        const args: StackValidationArgs = {
            resources: policyResources,
            stackTags,
            getConfig: p.getConfig,
            notApplicable: throwNotApplicable,
        };
        runGuarded(p, violations, undefined, () => validateStack(args, makeReportViolation(p, violations, undefined)));
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
            const info = message as {
                message?: string;
                description?: string;
                urn?: string;
                enforcementLevel?: EnforcementLevel;
                name?: string;
            };
            out.push({
                policy: info.name || p.name,
                enforcementLevel: info.enforcementLevel || level,
                ...(info.urn ? { urn: info.urn } : {}),
                message: info.message || info.description || p.description,
            });
            return;
        }
        const detail = typeof message === "string" ? message : "";
        out.push({
            policy: p.name,
            enforcementLevel: level,
            ...(target ? { urn: target } : {}),
            message: detail ? `${p.description}\n${detail}` : p.description,
        });
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
            throw new Error(`Error validating ${urn ? `resource ${urn}` : "the stack"} with ${policyFrom()}: ${detail}`, { cause: e });
        }
    }
}
