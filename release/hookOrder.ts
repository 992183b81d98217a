/**
 * The order of a service's before-hooks, as the policy pack can see it. Pure: no Pulumi or AWS import.
 *
 * CrossGuard does not show a policy the resource hooks bound to a resource (the analyzer's resource
 * options carry protect, ignoreChanges, aliases, timeouts…, no hooks). So a service whose hooks include
 * `run-migrations` carries the names of its before-hooks, in the order they run, in two tags the
 * component writes from the very binding it passes as the `hooks` option; the `migrations-after-snapshot`
 * policy judges those tags, and `drydock check` also compares them with the hooks it recorded.
 */

/** Tag per hook kind: the hook names in run order, separated by spaces (ECS tag values allow no commas). */
export const HOOK_ORDER_TAGS = {
    beforeCreate: "drydock:hooks-before-create",
    beforeUpdate: "drydock:hooks-before-update",
} as const;

export type BeforeHookKind = keyof typeof HOOK_ORDER_TAGS;
export const BEFORE_HOOK_KINDS = Object.keys(HOOK_ORDER_TAGS) as BeforeHookKind[];

export const RUN_MIGRATIONS_HOOK = "run-migrations";
export const SNAPSHOT_HOOK = "pre-update-snapshot";
export const GATE_HOOK = "release-gate";

/**
 * The marker tags of a binding (hook names per kind), or none when no before-hook list holds
 * `run-migrations`: only services that migrate carry them.
 */
export function hookOrderTags(names: Partial<Record<string, readonly string[]>>): Record<string, string> {
    const lists = BEFORE_HOOK_KINDS.map((kind) => [kind, names[kind] ?? []] as const);
    if (!lists.some(([, list]) => list.includes(RUN_MIGRATIONS_HOOK))) return {};
    return Object.fromEntries(lists.filter(([, list]) => list.length > 0).map(([kind, list]) => [HOOK_ORDER_TAGS[kind], list.join(" ")]));
}

/** The hook names of a marker tag value. */
export function parseHookOrderTag(value: string): string[] {
    return value.split(/\s+/).filter((x) => x.length > 0);
}

/**
 * What is wrong with one kind's hook order for a migrating service, one sentence each; empty when the list
 * has no `run-migrations` or runs it after `pre-update-snapshot` (and both after `release-gate`, if bound).
 */
export function migrationOrderProblems(kind: string, names: readonly string[]): string[] {
    const migrate = names.indexOf(RUN_MIGRATIONS_HOOK);
    if (migrate < 0) return [];
    const order = `(${kind}: ${names.join(" → ")})`;
    const problems: string[] = [];
    const snapshot = names.indexOf(SNAPSHOT_HOOK);
    if (snapshot < 0) problems.push(`${RUN_MIGRATIONS_HOOK} runs without ${SNAPSHOT_HOOK} ${order}`);
    else if (snapshot > migrate) problems.push(`${RUN_MIGRATIONS_HOOK} runs before ${SNAPSHOT_HOOK} ${order}`);
    const gate = names.indexOf(GATE_HOOK);
    if (gate > migrate || (gate >= 0 && snapshot >= 0 && gate > snapshot))
        problems.push(`${GATE_HOOK} runs after the step it guards ${order}`);
    return problems;
}

/** Before-hook names per kind of a `hooks` resource option (a hook and a hook function both have a `name`). */
export function hookNamesOf(
    binding: { beforeCreate?: readonly { name: string }[]; beforeUpdate?: readonly { name: string }[] } | undefined,
): Partial<Record<BeforeHookKind, string[]>> {
    return Object.fromEntries(BEFORE_HOOK_KINDS.filter((k) => binding?.[k]).map((k) => [k, (binding?.[k] ?? []).map((h) => h.name)]));
}
