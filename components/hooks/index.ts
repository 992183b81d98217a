/**
 * drydock's Pulumi resource hooks (Pulumi CLI >= 3.238) and where they bind.
 *
 * A service's entry in the service table (services.ts `hooks`) says which hooks guard it; `forService(spec)`
 * binds them in the order of {@link SERVICE_HOOKS}. With today's table:
 *
 * | resource         | beforeCreate  | beforeUpdate                          | afterCreate / afterUpdate |
 * | ---------------- | ------------- | ------------------------------------- | ------------------------- |
 * | backend service  | release-gate  | release-gate, pre-update-snapshot     | verify-rollout            |
 * | frontend service | release-gate  | release-gate                          | verify-rollout            |
 * | Aurora cluster   |               | pre-update-snapshot                   |                           |
 * | Aurora instances |               | pre-update-snapshot                   |                           |
 *
 * With `migrationCommand` set, the backend's beforeCreate and beforeUpdate are both release-gate, pre-update-snapshot,
 * run-migrations (migrations.ts; docs/migrations.md): a migration never runs without the snapshot, also on creation.
 *
 * The gate is also bound at creation: a replacement is a create plus a delete, so a guarded service cannot be
 * replaced outside a release window or during a pause either. No delete hooks, so `pulumi destroy` does not need
 * `--run-program`. One file per hook (gate.ts, snapshot.ts, migrations.ts, verify.ts), each thin over aws/.
 *
 * Adding a hook: write its file with a `create…Hook(rt: HookRuntime)` function, add an entry to
 * {@link SERVICE_HOOKS} at the position it runs, and name it in the `hooks` of the services it guards.
 */
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_HOOK_ORDER, ServiceHookName, ServiceSpec } from "../../services";
import { createReleaseGateHook } from "./gate";
import { createHookRuntime, HookRuntime, UpdateHooksContext } from "./runtime";
import { createPreUpdateSnapshotHook } from "./snapshot";
import { createVerifyRolloutHook } from "./verify";
import { createRunMigrationsHook } from "./migrations";

export { AWS_MAX_ATTEMPTS } from "../../aws/clients";
export { createEcsClient, createRdsClient, HOOK_NAMES } from "./runtime";
export type { HookLog, HookRuntime, UpdateHooksContext } from "./runtime";

/** The resource-hook kinds a service hook binds to. */
export type ServiceHookKind = "beforeCreate" | "beforeUpdate" | "afterCreate" | "afterUpdate";

/** How one service hook is made and where it binds. */
export interface ServiceHookBuilder {
    name: ServiceHookName;
    /** The kinds it binds to on a guarded service's `aws.ecs.Service`. */
    kinds: readonly ServiceHookKind[];
    /** Makes the hook once per program run; `undefined` leaves it unbound (e.g. nothing configured for it). */
    build(rt: HookRuntime): pulumi.ResourceHook | undefined;
    /** Also bind it on beforeCreate of a service that has this (later) hook bound: it must never run without this one. */
    beforeCreateWith?: ServiceHookName;
}

/** Every service hook, in the order they run (the order of {@link SERVICE_HOOK_ORDER}). */
export const SERVICE_HOOKS: readonly ServiceHookBuilder[] = [
    { name: "release-gate", kinds: ["beforeCreate", "beforeUpdate"], build: createReleaseGateHook },
    // A create has no earlier state of the service to protect; a replacement's data is covered by the gate's refusal
    // outside windows and by the snapshot of the next update. See docs/architecture.md.
    // …except for a service that migrates: a migration on create (a first deployment, or a replacement's new service)
    // never runs without the snapshot either.
    { name: "pre-update-snapshot", kinds: ["beforeUpdate"], build: createPreUpdateSnapshotHook, beforeCreateWith: "run-migrations" },
    // migrationCommand set: one task on the new image, exit code 0 required, before the service changes or is created.
    { name: "run-migrations", kinds: ["beforeCreate", "beforeUpdate"], build: createRunMigrationsHook },
    { name: "verify-rollout", kinds: ["afterCreate", "afterUpdate"], build: createVerifyRolloutHook },
];

export interface UpdateHooks {
    releaseGate: pulumi.ResourceHook;
    preUpdateSnapshot: pulumi.ResourceHook;
    verifyRollout: pulumi.ResourceHook;
    /** The hook named `name`, if it is built (made on first use, once per program run). */
    hook(name: ServiceHookName): pulumi.ResourceHook | undefined;
    /** The `hooks` resource option of a service's `aws.ecs.Service`, from its table entry. */
    forService(spec: ServiceSpec): pulumi.ResourceHookBinding;
    /** The `hooks` option of the Aurora cluster and of each cluster instance (a provisioned class lives there). */
    forDatabase(): pulumi.ResourceHookBinding;
}

/** Build the hooks of one stack; each hook is made once and shared by every resource it guards. */
export function createUpdateHooks(ctx: UpdateHooksContext, builders: readonly ServiceHookBuilder[] = SERVICE_HOOKS): UpdateHooks {
    const rt = createHookRuntime(ctx);
    const made = new Map<ServiceHookName, pulumi.ResourceHook | undefined>();
    const hook = (name: ServiceHookName): pulumi.ResourceHook | undefined => {
        if (!made.has(name)) made.set(name, builders.find((b) => b.name === name)?.build(rt));
        return made.get(name);
    };
    const required = (name: ServiceHookName): pulumi.ResourceHook => {
        const h = hook(name);
        if (!h) throw new Error(`internal: the ${name} hook is not built`);
        return h;
    };
    const ordered = [...builders].sort((a, b) => SERVICE_HOOK_ORDER.indexOf(a.name) - SERVICE_HOOK_ORDER.indexOf(b.name));
    return {
        releaseGate: required("release-gate"),
        preUpdateSnapshot: required("pre-update-snapshot"),
        verifyRollout: required("verify-rollout"),
        hook,
        forService: (spec) => {
            const binding: Partial<Record<ServiceHookKind, pulumi.ResourceHook[]>> = {};
            const bound = ordered.filter((x) => spec.hooks.includes(x.name) && hook(x.name) !== undefined);
            for (const b of bound) {
                const withCreate =
                    b.beforeCreateWith !== undefined &&
                    bound.some((x) => x.name === b.beforeCreateWith) &&
                    !b.kinds.includes("beforeCreate");
                for (const kind of withCreate ? ["beforeCreate" as const, ...b.kinds] : b.kinds)
                    (binding[kind] ??= []).push(hook(b.name) as pulumi.ResourceHook);
            }
            return binding;
        },
        forDatabase: () => ({ beforeUpdate: [required("pre-update-snapshot")] }),
    };
}
