/**
 * Which environment a stack is, and so which rules apply (production: pinned images and digests,
 * deletion protection, a week of backups). Pure logic.
 *
 * The stack's `drydock:environment` key says it explicitly. When it is not set, only names that clearly
 * mean non-production are non-production; every other name is production, so a mistake costs a refusal,
 * not the database: `production-eu`, `prd`, `prod_eu`, `live`, `acme` are production.
 *
 * | stack name starts with (then ends, or a digit, `-`, `_` or `.` follows) | environment |
 * |-------------------------------------------------------------------------|-------------|
 * | `dev`, `develop`, `development`                                           | development |
 * | `staging`, `stage`, `test`, `qa`, `preview`                               | staging     |
 * | anything else                                                             | production  |
 *
 * So `staging-eu`, `dev2` and `qa_1` are non-production, while `devops` and `stagecoach` are production.
 * The program tags every resource with {@link ENVIRONMENT_TAG}; the policy pack decides from that tag.
 */

/** The environments a stack can be. */
export const ENVIRONMENTS = ["production", "staging", "development"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The tag every resource carries with its stack's environment; the policies decide from it. */
export const ENVIRONMENT_TAG = "drydock:environment";

/** Name prefixes that mean a non-production stack, and which environment each means. */
export const NON_PRODUCTION_NAMES: Readonly<Record<string, Exclude<Environment, "production">>> = {
    development: "development",
    develop: "development",
    dev: "development",
    staging: "staging",
    stage: "staging",
    test: "staging",
    qa: "staging",
    preview: "staging",
};

/** `org/project/stack` → `stack`. */
function shortName(stack: string): string {
    return (stack.trim().split("/").pop() ?? "").toLowerCase();
}

/** The environment a stack name means when `drydock:environment` is not set (see the table above). */
export function environmentOfStackName(stack: string): Environment {
    const name = shortName(stack);
    for (const [prefix, environment] of Object.entries(NON_PRODUCTION_NAMES)) {
        if (name === prefix) return environment;
        if (name.startsWith(prefix) && /^[-_.0-9]/.test(name.slice(prefix.length))) return environment;
    }
    return "production";
}

/** true for one of {@link ENVIRONMENTS}. */
export function isEnvironment(value: unknown): value is Environment {
    return typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value);
}

/**
 * The stack's environment: `explicit` (the `drydock:environment` key) when set, else from its name.
 * An explicit value that is not one of {@link ENVIRONMENTS} counts as production (fail closed; config.ts reports it).
 */
export function stackEnvironment(stack: string, explicit?: string): Environment {
    const value = explicit?.trim();
    if (value === undefined || value === "") return environmentOfStackName(stack);
    return isEnvironment(value) ? value : "production";
}

/** true when the stack is production (its environment, see {@link stackEnvironment}). */
export function isProductionStack(stack: string, explicit?: string): boolean {
    return stackEnvironment(stack, explicit) === "production";
}

/**
 * true if `stack` matches one of `patterns` (`*` is a glob for any characters, case-insensitive).
 * A fully qualified `org/project/stack` is matched by its last part. Used for the policy pack's
 * `productionStacks` override, which can only add production stacks.
 */
export function matchesStackPattern(stack: string, patterns: readonly string[]): boolean {
    const name = stack.trim().split("/").pop() ?? "";
    if (name.length === 0) return false;
    return patterns.some((p) => globToRegExp(p.trim()).test(name));
}

function globToRegExp(pattern: string): RegExp {
    const body = pattern
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${body}$`, "i");
}
