/**
 * Policy configuration: the config schema each drydock policy declares, and which stacks count as
 * production.
 *
 * CrossGuard gives every policy its own config (`pulumi preview --policy-pack-config <file>`), filled
 * in with the schema defaults below. Production is decided per resource from its URN
 * (`urn:pulumi:<stack>::<project>::<type>::<name>`), because a policy pack has no other reliable view
 * of the stack it runs against.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { DEFAULT_PRODUCTION_STACKS, isProductionStack } from "../release/stacks";

/** Config shared by every policy that treats production stacks differently. */
export interface ProductionConfig {
    /**
     * Stack names (globs, `*` matches any run of characters) treated as production.
     * @default ["production", "prod", "prod-*"]
     */
    productionStacks: string[];
}

/** Schema of `productionStacks`, with the default from release/stacks.ts. */
export const productionStacksProperty: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "string", minLength: 1 },
    default: [...DEFAULT_PRODUCTION_STACKS],
    description: "Stack names treated as production; `*` is a glob (e.g. prod-* matches prod-eu).",
};

/** Config schema of the two image-pinning policies. */
export const imagesPinnedConfigSchema: PolicyConfigSchema = {
    properties: { productionStacks: productionStacksProperty },
};

/** Config of `aurora-maintenance-and-backups`. */
export interface AuroraConfig extends ProductionConfig {
    /** Minimum automated backup retention in production, in days. @default 7 */
    minimumBackupRetentionDays: number;
    /** Minimum length of the maintenance and backup windows, in minutes. @default 30 */
    minimumWindowMinutes: number;
}

/** Config schema of `aurora-maintenance-and-backups`. */
export const auroraConfigSchema: PolicyConfigSchema = {
    properties: {
        productionStacks: productionStacksProperty,
        minimumBackupRetentionDays: {
            type: "integer",
            minimum: 1,
            maximum: 35,
            default: 7,
            description: "Minimum backupRetentionPeriod in production stacks, in days (AWS allows 1-35).",
        },
        minimumWindowMinutes: {
            type: "integer",
            minimum: 30,
            default: 30,
            description: "Minimum length of preferredMaintenanceWindow and preferredBackupWindow, in minutes (AWS minimum: 30).",
        },
    },
};

/** Config of `network-exposure`. */
export interface NetworkConfig {
    /** Database ports that must never be reachable from 0.0.0.0/0 or ::/0. @default [5432] */
    databasePorts: number[];
}

/** Config schema of `network-exposure`. */
export const networkConfigSchema: PolicyConfigSchema = {
    properties: {
        databasePorts: {
            type: "array",
            items: { type: "integer", minimum: 0, maximum: 65535 },
            default: [5432],
            description: "Database ports that must not be open to the internet (PostgreSQL: 5432).",
        },
    },
};

/**
 * The stack name in a Pulumi URN (`urn:pulumi:<stack>::<project>::<type>::<name>`), or undefined if
 * `urn` is not shaped like one.
 */
export function stackFromUrn(urn: string): string | undefined {
    const prefix = "urn:pulumi:";
    if (typeof urn !== "string" || !urn.startsWith(prefix)) return undefined;
    const end = urn.indexOf("::", prefix.length);
    if (end <= prefix.length) return undefined;
    return urn.slice(prefix.length, end);
}

const DEFAULT_PATTERNS: readonly string[] = Object.freeze([...DEFAULT_PRODUCTION_STACKS]);

/** Reads `productionStacks` from a policy's config, falling back to the default when it is absent. */
export function productionStacksOf(config: Partial<ProductionConfig>): readonly string[] {
    const stacks = config.productionStacks;
    return Array.isArray(stacks) ? stacks : DEFAULT_PATTERNS;
}

/** Where a resource runs: its stack (from the URN) and whether that stack is production. */
export interface StackInfo {
    /** The stack name, or `"<unknown stack>"` when the URN has none. */
    stack: string;
    /** true for a production stack; also true when the stack cannot be read (fail closed). */
    production: boolean;
}

/**
 * Production detection for one resource. A URN without a stack is treated as production, so a
 * malformed URN can never switch a mandatory check off.
 */
export function stackInfo(urn: string, patterns: readonly string[]): StackInfo {
    const stack = stackFromUrn(urn);
    if (stack === undefined) return { stack: "<unknown stack>", production: true };
    // A preview asks the same question for every resource: memoize per config array and stack.
    let byStack = productionCache.get(patterns);
    if (byStack === undefined) productionCache.set(patterns, (byStack = new Map()));
    let production = byStack.get(stack);
    if (production === undefined) {
        production = isProductionStack(stack, [...patterns]);
        byStack.set(stack, production);
    }
    return { stack, production };
}

const productionCache = new WeakMap<readonly string[], Map<string, boolean>>();

/**
 * drydock's own checks of a policy pack config, on top of what CrossGuard validates (run by
 * `drydock check --policy-config`): a property a policy does not declare is a typo that would silently
 * run with the default; and every policy with `productionStacks` must get the same list, or a stack can
 * fall between `production-images-pinned` and `non-production-images-pinned` and go unchecked.
 */
export function policyConfigProblems(
    config: Record<string, unknown>,
    policies: ReadonlyArray<{ name: string; configSchema?: PolicyConfigSchema }>,
): string[] {
    const problems: string[] = [];
    const lists = new Map<string, string>();
    for (const p of policies) {
        const declared = p.configSchema?.properties ?? {};
        const entry = config[p.name];
        const given = entry !== null && typeof entry === "object" && !Array.isArray(entry) ? (entry as Record<string, unknown>) : {};
        for (const key of Object.keys(given)) {
            if (key !== "enforcementLevel" && !(key in declared)) {
                problems.push(`${p.name}: unknown property "${key}"; accepted: ${["enforcementLevel", ...Object.keys(declared)].join(", ")}`);
            }
        }
        if ("productionStacks" in declared) lists.set(p.name, JSON.stringify(given.productionStacks ?? DEFAULT_PRODUCTION_STACKS));
    }
    if (new Set(lists.values()).size > 1) {
        problems.push(
            `productionStacks differs between ${[...lists.keys()].join(", ")} (${[...lists].map(([n, l]) => `${n}: ${l}`).join("; ")}); ` +
                "give them all the same list, or a stack can be judged by neither image policy",
        );
    }
    return problems;
}
