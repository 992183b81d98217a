/**
 * What `drydock check` says about migrations: whether the stack migrates at container start-up or with the
 * `run-migrations` task, and — because the policy pack sees only the hook-order tags, never the hooks
 * themselves — whether those tags agree with the hooks the program really bound (recorded by the mock cloud).
 */
import type { Settings } from "../config";
import { migrationService } from "../config/migrations";
import { migrationsAfterSnapshot, MIGRATION_ORDER_FIX } from "../policies/rules/migrations";
import type { Violation } from "../policies/evaluate";
import { BEFORE_HOOK_KINDS, HOOK_ORDER_TAGS, hookOrderTags } from "../release/hookOrder";
import type { RecordedResource } from "./mockCloud";

/** The `migrations` part of the check report. */
export interface MigrationsReport {
    /** `task`: the run-migrations hook runs `command` before the service rolls; `start-up`: the containers migrate when they start. */
    mode: "task" | "start-up";
    service: string;
    command: string[];
    timeoutMinutes: number;
    /** One line for people. */
    note: string;
}

export function migrationsOf(settings: Settings): MigrationsReport {
    const service = migrationService().name;
    const { command, timeoutMinutes } = settings.migrations;
    if (command.length === 0) {
        return {
            mode: "start-up",
            service,
            command,
            timeoutMinutes,
            note: `${service} runs its migrations at container start-up (migrationCommand is empty)`,
        };
    }
    return {
        mode: "task",
        service,
        command,
        timeoutMinutes,
        note: `run-migrations runs \`${command.join(" ")}\` as one task before ${service} changes (timeout ${timeoutMinutes} min)`,
    };
}

/** The hook-order tags among a service's inputs. */
function markerTags(inputs: Record<string, unknown>): Record<string, string> {
    const tags = (inputs.tags ?? {}) as Record<string, unknown>;
    const kinds = BEFORE_HOOK_KINDS.map((k) => HOOK_ORDER_TAGS[k]);
    return Object.fromEntries(kinds.filter((k) => typeof tags[k] === "string").map((k) => [k, tags[k] as string]));
}

/**
 * A violation of `migrations-after-snapshot` for every ECS service whose hook-order tags differ from the hooks
 * bound to it: the policy would judge an order that is not the one that runs.
 */
export function hookMarkerViolations(resources: readonly RecordedResource[]): Violation[] {
    const violations: Violation[] = [];
    for (const r of resources.filter((x) => x.type === "aws:ecs/service:Service")) {
        const expected = hookOrderTags(r.hooks);
        const actual = markerTags(r.inputs);
        if (JSON.stringify(Object.entries(expected).sort()) === JSON.stringify(Object.entries(actual).sort())) continue;
        const bound = BEFORE_HOOK_KINDS.map((k) => `${k}: ${(r.hooks[k] ?? []).join(" → ") || "none"}`).join("; ");
        violations.push({
            policy: migrationsAfterSnapshot.name,
            enforcementLevel: "mandatory",
            urn: r.urn,
            message:
                `${migrationsAfterSnapshot.description}\n` +
                `service ${JSON.stringify(String(r.inputs.name ?? r.name))}: its hook-order tags (${JSON.stringify(actual)}) do not match the hooks bound to it (${bound}); ` +
                `the policy pack would judge an order that is not the one that runs. ${MIGRATION_ORDER_FIX}`,
        });
    }
    return violations;
}
