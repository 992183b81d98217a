/**
 * Migrations: in a production stack, a service that runs its database migrations as a one-off task
 * (`migrationCommand` set: the `run-migrations` hook) runs them only after `pre-update-snapshot` — never
 * migrate without the snapshot — and both after `release-gate`.
 *
 * CrossGuard shows a policy no resource hooks, so this rule judges the hook-order tags drydock's component
 * writes from the binding it passes as `hooks` (release/hookOrder.ts); `drydock check` also compares those
 * tags with the hooks it recorded, so a marker that disagrees with the binding is reported too.
 */
import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import {
    BEFORE_HOOK_KINDS,
    HOOK_ORDER_TAGS,
    RUN_MIGRATIONS_HOOK,
    migrationOrderProblems,
    parseHookOrderTag,
} from "../../release/hookOrder";
import { ProductionConfig, productionStacksOf, productionStacksProperty, stackInfo } from "../config";
import { SubChecks, asRecord, displayName, q } from "./common";

type ServiceInputs = Partial<Unwrap<aws.ecs.ServiceArgs>>;

export const MIGRATIONS_AFTER_SNAPSHOT = "migrations-after-snapshot";

/** The remedy, shared with `drydock check`'s own comparison. */
export const MIGRATION_ORDER_FIX =
    "Bind them as release-gate → pre-update-snapshot → run-migrations (components/hooks/index.ts SERVICE_HOOKS), or unset migrationCommand to migrate at start-up.";

/** Mandatory: in production, run-migrations runs after pre-update-snapshot (and both after release-gate). */
export const migrationsAfterSnapshot: ResourceValidationPolicy = {
    name: MIGRATIONS_AFTER_SNAPSHOT,
    description:
        "In production, a service's run-migrations hook runs after pre-update-snapshot (and both after release-gate): never migrate without the snapshot.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: { properties: { productionStacks: productionStacksProperty } },
    remediationSteps: [
        "drydock binds a migrating service's hooks in this order, on create and on update:",
        "  beforeCreate/beforeUpdate: release-gate → pre-update-snapshot → run-migrations",
        `and records the order in the service's ${HOOK_ORDER_TAGS.beforeCreate} / ${HOOK_ORDER_TAGS.beforeUpdate} tags.`,
    ].join("\n"),
    validateResource: validateResourceOfType(aws.ecs.Service, (svc: ServiceInputs, args, report) => {
        const checks = new SubChecks();
        const tags = checks.read(() => asRecord(svc.tags), undefined);
        const lists = BEFORE_HOOK_KINDS.map((kind) => {
            const value = checks.read(() => tags?.[HOOK_ORDER_TAGS[kind]], undefined);
            return [kind, typeof value === "string" ? parseHookOrderTag(value) : []] as const;
        });
        if (!lists.some(([, names]) => names.includes(RUN_MIGRATIONS_HOOK))) {
            checks.done();
            args.notApplicable("the service runs no migration task (migrationCommand is empty)");
            return;
        }
        const where = stackInfo(args.urn, productionStacksOf(args.getConfig<Partial<ProductionConfig>>()), args.props);
        if (!where.production) {
            checks.done();
            args.notApplicable(`stack ${q(where.stack)} is not production (${where.decidedBy})`);
            return;
        }
        const name = displayName(() => svc.name, args.name);
        for (const [kind, names] of lists) {
            for (const problem of migrationOrderProblems(kind, names)) {
                report(
                    `service ${q(name)} in production stack ${q(where.stack)}: ${problem}. A migration must never run without the snapshot. ${MIGRATION_ORDER_FIX}`,
                );
            }
        }
        checks.done();
    }),
};
