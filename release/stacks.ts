/**
 * Which stacks count as production (stricter gates and policies). Pure logic.
 */

/** Stack name patterns treated as production by default; `*` matches any run of characters. */
export const DEFAULT_PRODUCTION_STACKS: string[] = ["production", "prod", "prod-*"];

/**
 * true if `stack` matches one of `patterns` (`*` is a glob for any characters, matching is case-insensitive
 * so `Production` is production too). A fully qualified `org/project/stack` is matched by its last part.
 */
export function isProductionStack(stack: string, patterns: string[] = DEFAULT_PRODUCTION_STACKS): boolean {
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
