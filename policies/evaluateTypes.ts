/** The evaluator's input and output types (evaluate.ts re-exports them). */
import type { EnforcementLevel, Policies, PolicyResourceOptions } from "@pulumi/policy";

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
