/** The migration task keys: `migrationCommand` and `migrationTimeoutMinutes` (docs/migrations.md). */
import { services, ServiceSpec } from "../services";
import { RUN_MIGRATIONS_HOOK } from "../release/hookOrder";
import type { Reader } from "./reader";
import type { MigrationSettings } from "./types";

export function readMigrations(r: Reader): MigrationSettings {
    const command = r.list("migrationCommand");
    if (command.some((part) => part.trim() === "")) {
        r.problem(
            "migrationCommand",
            r.raw("migrationCommand"),
            'has an empty item; accepted: a list of non-empty strings, e.g. ["alembic", "upgrade", "head"], or an empty list',
        );
    }
    return { command, timeoutMinutes: r.integer("migrationTimeoutMinutes") };
}

/**
 * The service the migration task belongs to: the service-table entry guarded by `run-migrations`, else the
 * first one that reaches the database. Its image, task definition, network and container run the task.
 */
export function migrationService(): ServiceSpec {
    const table = services();
    const spec = table.find((s) => s.hooks.includes(RUN_MIGRATIONS_HOOK)) ?? table.find((s) => s.database);
    if (!spec)
        throw new Error(
            `no service runs migrations: none has the run-migrations hook or reaches the database (services: ${table.map((s) => s.name).join(", ")})`,
        );
    return spec;
}
