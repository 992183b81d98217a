/**
 * Database: Aurora clusters keep their maintenance and backups predictable and their data safe.
 *
 * Without explicit windows AWS picks random ones, so a minor-version upgrade can restart the writer in
 * the middle of a deployment; overlapping windows let maintenance and the daily backup collide. A
 * final snapshot and (in production) deletion protection and a week of backups mean a mistaken
 * `pulumi destroy` or a bad migration can be undone.
 */
import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { WeeklyWindow, WindowError, parseWeeklyWindow } from "../../release/windows";
import { AURORA_MIN_WINDOW_MINUTES, DailyWindow, parseDailyWindow, windowMinutes, windowsOverlap } from "../../release/auroraWindows";
import { PRODUCTION_MIN_BACKUP_RETENTION_DAYS } from "../../release/limits";
import { AuroraConfig, auroraConfigSchema, productionStacksOf, stackInfo } from "../config";
import { SubChecks, displayName, nonEmpty, q } from "./common";

type ClusterInputs = Partial<Unwrap<aws.rds.ClusterArgs>>;

/** AWS's backup retention when none is set, in days. */
const AWS_DEFAULT_RETENTION_DAYS = 1;

/** Parses a window; reports and returns undefined when it is missing or malformed. */
function window<W extends WeeklyWindow | DailyWindow>(
    value: unknown,
    key: string,
    example: string,
    parse: (s: string) => W,
    report: (message: string) => void,
): W | undefined {
    const text = nonEmpty(value);
    if (text === undefined) {
        report(`has no ${key}, so AWS picks a random window. Set one explicitly, e.g. ${key}: ${q(example)} (UTC).`);
        return undefined;
    }
    try {
        return parse(text);
    } catch (e) {
        if (!(e instanceof WindowError)) throw e;
        report(`has an invalid ${key} ${q(text)}: ${e.reason}.`);
        return undefined;
    }
}

/** Mandatory: maintenance and backup windows, retention, encryption, final snapshot, deletion protection. */
export const auroraMaintenanceAndBackups: ResourceValidationPolicy = {
    name: "aurora-maintenance-and-backups",
    description:
        "Aurora clusters have valid, non-overlapping maintenance and backup windows, encrypted storage and a final snapshot; production keeps 7 days of backups and deletion protection.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: auroraConfigSchema,
    remediationSteps: [
        "Set on the aws.rds.Cluster (drydock's components/database.ts reads them from stack config):",
        '  preferredMaintenanceWindow: "sun:05:00-sun:06:00", // UTC; drydock:maintenanceWindow',
        '  preferredBackupWindow: "03:00-04:00",              // UTC, not overlapping maintenance; drydock:backupWindow',
        "  backupRetentionPeriod: 7,                          // days; drydock:backupRetentionDays (at least 7 in production)",
        "  storageEncrypted: true,",
        '  skipFinalSnapshot: false, finalSnapshotIdentifier: "drydock-<stack>-final-<unique>",',
        "  deletionProtection: true,                          // production",
        "Both windows must be at least 30 minutes long.",
    ].join("\n"),
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster: ClusterInputs, args, reportViolation) => {
        const config = args.getConfig<Partial<AuroraConfig>>();
        const where = stackInfo(args.urn, productionStacksOf(config), args.props);
        const minRetention = config.minimumBackupRetentionDays ?? PRODUCTION_MIN_BACKUP_RETENTION_DAYS;
        const minWindow = config.minimumWindowMinutes ?? AURORA_MIN_WINDOW_MINUTES;
        const subject = `Aurora cluster ${q(displayName(() => cluster.clusterIdentifier, args.name))}`;
        const report = (message: string) => reportViolation(`${subject} ${message}`);
        const checks = new SubChecks();

        checkWindows(cluster, checks, minWindow, report);
        checks.run(() => {
            if (!where.production) return;
            const retention = cluster.backupRetentionPeriod;
            const days = typeof retention === "number" ? retention : AWS_DEFAULT_RETENTION_DAYS;
            if (days < minRetention) {
                const what =
                    typeof retention === "number"
                        ? `backupRetentionPeriod ${retention}`
                        : `no backupRetentionPeriod (AWS keeps ${AWS_DEFAULT_RETENTION_DAYS} day)`;
                report(
                    `has ${what} in production stack ${q(where.stack)}; keep at least ${minRetention} days of backups ` +
                        `(pulumi config set backupRetentionDays ${minRetention} -s ${where.stack}).`,
                );
            }
        });
        checks.run(() => {
            if (cluster.storageEncrypted !== true)
                report(
                    "does not encrypt its storage. Set storageEncrypted: true (a new cluster restored from a snapshot is needed for an existing one).",
                );
        });
        checks.run(() => {
            if (cluster.skipFinalSnapshot === true) {
                report(
                    "skips its final snapshot (skipFinalSnapshot: true): deleting the cluster loses the data. Set skipFinalSnapshot: false and a finalSnapshotIdentifier.",
                );
            } else if (nonEmpty(cluster.finalSnapshotIdentifier) === undefined) {
                report(
                    "has no finalSnapshotIdentifier, so deleting the cluster cannot take its final snapshot. Set a unique finalSnapshotIdentifier.",
                );
            }
        });
        checks.run(() => {
            if (where.production && cluster.deletionProtection !== true) {
                report(`has no deletion protection in production stack ${q(where.stack)}. Set deletionProtection: true.`);
            }
        });
        checks.done();
    }),
};

/** Both Aurora windows well-formed, long enough, and not overlapping. */
function checkWindows(cluster: ClusterInputs, checks: SubChecks, minWindow: number, report: (message: string) => void): void {
    const maintenance = checks.read(
        () => window(cluster.preferredMaintenanceWindow, "preferredMaintenanceWindow", "sun:05:00-sun:06:00", parseWeeklyWindow, report),
        undefined,
    );
    const backup = checks.read(
        () => window(cluster.preferredBackupWindow, "preferredBackupWindow", "03:00-04:00", parseDailyWindow, report),
        undefined,
    );
    for (const [key, w] of [
        ["preferredMaintenanceWindow", maintenance],
        ["preferredBackupWindow", backup],
    ] as const) {
        if (w !== undefined && windowMinutes(w) < minWindow) {
            report(`has a ${key} of ${windowMinutes(w)} minutes (${q(w.raw)}); it must be at least ${minWindow} minutes.`);
        }
    }
    if (maintenance !== undefined && backup !== undefined && windowsOverlap(maintenance, backup)) {
        report(
            `has a preferredBackupWindow ${q(backup.raw)} that overlaps the preferredMaintenanceWindow ${q(maintenance.raw)}. ` +
                `Move the backup window so the two do not overlap.`,
        );
    }
}
