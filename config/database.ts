/** Aurora keys: windows, backups, engine, instances, capacity, database and user names. */
import { auroraWindowProblems } from "../release/auroraWindows";
import { PRODUCTION_MIN_BACKUP_RETENTION_DAYS } from "../release/limits";
import { configKey } from "../configSchema";
import type { Reader } from "./reader";
import type { Settings } from "./types";

const PG_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

function readWindows(r: Reader): { maintenanceWindow: string; backupWindow: string } {
    const maintenanceWindow = r.string("maintenanceWindow").trim();
    const backupWindow = r.string("backupWindow").trim();
    for (const p of auroraWindowProblems(maintenanceWindow, backupWindow)) {
        r.problem(p.window === "maintenance" ? "maintenanceWindow" : "backupWindow", p.value, p.message);
    }
    return { maintenanceWindow, backupWindow };
}

function readRetention(r: Reader, isProduction: boolean): number {
    const days = r.integer("backupRetentionDays");
    if (isProduction && days < PRODUCTION_MIN_BACKUP_RETENTION_DAYS) {
        const max = configKey("backupRetentionDays").max;
        r.problem(
            "backupRetentionDays",
            String(days),
            `production stacks keep backups at least ${PRODUCTION_MIN_BACKUP_RETENTION_DAYS} days; accepted: ${PRODUCTION_MIN_BACKUP_RETENTION_DAYS}-${max}`,
        );
    }
    return days;
}

function readEngine(r: Reader): { engineVersion: string; instanceClass: string } {
    const engineVersion = r.string("dbEngineVersion").trim();
    if (!/^\d+(\.\d+)?$/.test(engineVersion)) {
        r.problem("dbEngineVersion", engineVersion, "not an Aurora PostgreSQL engine version; accepted: major.minor, e.g. 16.6");
    }
    const instanceClass = r.string("dbInstanceClass").trim();
    if (!/^db\.(serverless|[a-z0-9]+\.[a-z0-9]+)$/.test(instanceClass)) {
        r.problem("dbInstanceClass", instanceClass, "not an instance class; accepted: db.serverless or e.g. db.r6g.large");
    }
    return { engineVersion, instanceClass };
}

function readCapacity(r: Reader): { minCapacity: number; maxCapacity: number } {
    const minCapacity = r.number("dbMinCapacity");
    const maxCapacity = r.number("dbMaxCapacity");
    if (maxCapacity < minCapacity) {
        r.problem("dbMaxCapacity", String(maxCapacity), `must be at least dbMinCapacity (${minCapacity})`);
    }
    return { minCapacity, maxCapacity };
}

function readNames(r: Reader): { name: string; username: string } {
    const name = r.string("dbName").trim();
    if (!PG_IDENTIFIER.test(name)) {
        r.problem("dbName", name, "not a PostgreSQL database name; accepted: a letter then letters, digits or _, up to 63");
    }
    const username = r.string("dbUsername").trim();
    if (!PG_IDENTIFIER.test(username) || username === "admin" || username === "rdsadmin") {
        r.problem(
            "dbUsername",
            username,
            "not an allowed master user name; accepted: a letter then letters, digits or _, not a reserved word",
        );
    }
    return { name, username };
}

export function readDatabase(r: Reader, isProduction: boolean): Settings["database"] {
    const windows = readWindows(r);
    const backupRetentionDays = readRetention(r, isProduction);
    const engine = readEngine(r);
    const capacity = readCapacity(r);
    const names = readNames(r);
    return {
        ...windows,
        backupRetentionDays,
        ...engine,
        instanceCount: r.integer("dbInstanceCount"),
        serverless: engine.instanceClass === "db.serverless",
        ...capacity,
        ...names,
    };
}
