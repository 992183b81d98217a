/**
 * Policy configuration: the config schema each drydock policy declares, and which resources count as
 * production.
 *
 * CrossGuard gives every policy its own config (`pulumi preview --policy-pack-config <file>`), filled
 * in with the schema defaults below. Production is decided per resource from its `drydock:environment`
 * tag (the program tags every resource with its stack's environment, from the `drydock:environment` key or
 * the stack name), so the pack and `drydock check` agree for any stack name. A resource without the tag is
 * judged by its stack's name (from the URN) with the same rule (release/stacks.ts); a URN without a stack,
 * or a tag value drydock does not know, is production (fail closed). `productionStacks` can only add:
 * a stack matching it is production whatever its tag says.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ENVIRONMENT_TAG, environmentOfStackName, isEnvironment, matchesStackPattern } from "../release/stacks";
import { PRODUCTION_MIN_BACKUP_RETENTION_DAYS } from "../release/limits";
import { AURORA_MIN_WINDOW_MINUTES } from "../release/auroraWindows";

/** Default of `productionStacks`: no stack beyond those the environment tag and the naming rule make production. */
export const DEFAULT_PRODUCTION_STACKS: readonly string[] = Object.freeze([]);

/** Config shared by every policy that treats production stacks differently. */
export interface ProductionConfig {
    /**
     * Extra stack names (globs, `*` matches any run of characters) treated as production whatever their
     * environment tag says; it can only add production stacks.
     * @default []
     */
    productionStacks: string[];
}

/** Schema of `productionStacks`, with the default from release/stacks.ts. */
export const productionStacksProperty: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "string", minLength: 1 },
    default: [...DEFAULT_PRODUCTION_STACKS],
    description:
        "Extra stack names treated as production whatever their drydock:environment tag says (it can only add); `*` is a glob (e.g. eu-* matches eu-central).",
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
            default: PRODUCTION_MIN_BACKUP_RETENTION_DAYS,
            description: "Minimum backupRetentionPeriod in production stacks, in days (AWS allows 1-35).",
        },
        minimumWindowMinutes: {
            type: "integer",
            minimum: AURORA_MIN_WINDOW_MINUTES,
            default: AURORA_MIN_WINDOW_MINUTES,
            description: "Minimum length of preferredMaintenanceWindow and preferredBackupWindow, in minutes (AWS minimum: 30).",
        },
    },
};

/** Default of `databasePorts`: PostgreSQL. */
export const DEFAULT_DATABASE_PORTS: readonly number[] = Object.freeze([5432]);

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
            default: [...DEFAULT_DATABASE_PORTS],
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

/** Reads `productionStacks` from a policy's config, falling back to the default when it is absent. */
export function productionStacksOf(config: Partial<ProductionConfig>): readonly string[] {
    const stacks = config.productionStacks;
    return Array.isArray(stacks) ? stacks : DEFAULT_PRODUCTION_STACKS;
}

/** Where a resource runs: its stack (from the URN) and whether it is production. */
export interface StackInfo {
    /** The stack name, or `"<unknown stack>"` when the URN has none. */
    stack: string;
    /** true for a production resource; also true when it cannot be told (fail closed). */
    production: boolean;
    /** Why: `tag drydock:environment=staging`, `stack name`, `productionStacks`, `unknown stack`. */
    decidedBy: string;
}

/** The `drydock:environment` tag among a resource's inputs: a string, undefined when absent or unknown in a preview. */
function environmentTag(props: Record<string, unknown> | undefined): unknown {
    try {
        const tags = props?.["tags"];
        return tags !== null && typeof tags === "object" ? (tags as Record<string, unknown>)[ENVIRONMENT_TAG] : undefined;
    } catch {
        return undefined; // unknown during a preview: judged by the stack name below
    }
}

/**
 * Production detection for one resource: `productionStacks` (adds only), else its `drydock:environment`
 * tag, else its stack's name. A URN without a stack and an unknown tag value are production.
 */
export function stackInfo(urn: string, patterns: readonly string[], props?: Record<string, unknown>): StackInfo {
    const stack = stackFromUrn(urn);
    if (stack === undefined) return { stack: "<unknown stack>", production: true, decidedBy: "unknown stack" };
    if (patterns.length > 0 && matchesStackPattern(stack, patterns)) return { stack, production: true, decidedBy: "productionStacks" };
    const tag = environmentTag(props);
    if (tag !== undefined) {
        const production = !isEnvironment(tag) || tag === "production";
        return { stack, production, decidedBy: `tag ${ENVIRONMENT_TAG}=${String(tag)}` };
    }
    return { stack, production: environmentOfStackName(stack) === "production", decidedBy: "stack name" };
}

/**
 * drydock's own checks of a policy pack config, on top of what CrossGuard validates (run by
 * `drydock check --policy-config`): a policy the pack does not have, or a property a policy does not
 * declare, is a typo that would silently run with the default; and every policy with `productionStacks` must get the same list, or a stack can
 * fall between `production-images-pinned` and `non-production-images-pinned` and go unchecked.
 */
export function policyConfigProblems(
    config: Record<string, unknown>,
    policies: ReadonlyArray<{ name: string; configSchema?: PolicyConfigSchema }>,
): string[] {
    const problems: string[] = [];
    // An entry for a policy the pack does not have is ignored by CrossGuard: a typo would silently keep the defaults.
    const names = policies.map((p) => p.name);
    for (const key of Object.keys(config)) {
        if (key !== "all" && !names.includes(key)) problems.push(`unknown policy "${key}"; accepted: all, ${names.join(", ")}`);
    }
    const lists = new Map<string, string>();
    for (const p of policies) {
        const declared = p.configSchema?.properties ?? {};
        const entry = config[p.name];
        const given = entry !== null && typeof entry === "object" && !Array.isArray(entry) ? (entry as Record<string, unknown>) : {};
        for (const key of Object.keys(given)) {
            if (key !== "enforcementLevel" && !(key in declared)) {
                problems.push(
                    `${p.name}: unknown property "${key}"; accepted: ${["enforcementLevel", ...Object.keys(declared)].join(", ")}`,
                );
            }
        }
        if ("productionStacks" in declared) lists.set(p.name, JSON.stringify(given.productionStacks ?? DEFAULT_PRODUCTION_STACKS));
    }
    if (new Set(lists.values()).size > 1) {
        problems.push(
            `productionStacks differs between ${[...lists.keys()].join(", ")} (${[...lists].map(([n, l]) => `${n}: ${l}`).join("; ")}); ` +
                "give them all the same list, or a stack is production for one policy and not for another",
        );
    }
    return problems;
}
