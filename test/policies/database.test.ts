/** policies/rules/database.ts: aurora-maintenance-and-backups. */
import { expect } from "chai";
import { cluster, details, run } from "./support";

describe("policies: aurora-maintenance-and-backups", () => {
    const of = (props: Record<string, unknown>, stack = "production") =>
        details(run([cluster(props, stack)]), "aurora-maintenance-and-backups");
    const subject = `Aurora cluster "drydock-production"`;

    it("requires a maintenance window", () => {
        expect(of({ preferredMaintenanceWindow: undefined })).to.deep.equal([
            `${subject} has no preferredMaintenanceWindow, so AWS picks a random window. Set one explicitly, e.g. preferredMaintenanceWindow: "sun:05:00-sun:06:00" (UTC).`,
        ]);
    });

    it("rejects a malformed maintenance window with the parser's reason", () => {
        expect(of({ preferredMaintenanceWindow: "sunday 05:00" })[0]).to.contain(
            `${subject} has an invalid preferredMaintenanceWindow "sunday 05:00"`,
        );
    });

    it("requires a backup window and rejects a malformed one", () => {
        expect(of({ preferredBackupWindow: undefined })[0]).to.contain(`${subject} has no preferredBackupWindow`);
        expect(of({ preferredBackupWindow: "3-4" })[0]).to.contain(`${subject} has an invalid preferredBackupWindow "3-4"`);
    });

    it("requires windows of at least 30 minutes", () => {
        expect(of({ preferredMaintenanceWindow: "sun:05:00-sun:05:20" })).to.deep.equal([
            `${subject} has a preferredMaintenanceWindow of 20 minutes ("sun:05:00-sun:05:20"); it must be at least 30 minutes.`,
        ]);
        expect(of({ preferredBackupWindow: "03:00-03:15" })[0]).to.contain("has a preferredBackupWindow of 15 minutes");
    });

    it("rejects a backup window that overlaps the maintenance window", () => {
        expect(of({ preferredBackupWindow: "05:30-06:30" })).to.deep.equal([
            `${subject} has a preferredBackupWindow "05:30-06:30" that overlaps the preferredMaintenanceWindow "sun:05:00-sun:06:00". Move the backup window so the two do not overlap.`,
        ]);
    });

    it("requires 7 days of backups in production (AWS's default is 1), but not in staging", () => {
        expect(of({ backupRetentionPeriod: 3 })[0]).to.contain(`${subject} has backupRetentionPeriod 3 in production stack "production"`);
        expect(of({ backupRetentionPeriod: undefined })[0]).to.contain("has no backupRetentionPeriod (AWS keeps 1 day)");
        expect(of({ backupRetentionPeriod: 3 }, "staging")).to.deep.equal([]);
        expect(
            details(
                run([cluster({ backupRetentionPeriod: 10 })], { "aurora-maintenance-and-backups": { minimumBackupRetentionDays: 14 } }),
                "aurora-maintenance-and-backups",
            )[0],
        ).to.contain("keep at least 14 days of backups");
    });

    it("requires encrypted storage", () => {
        expect(of({ storageEncrypted: false })[0]).to.contain(`${subject} does not encrypt its storage`);
        expect(of({ storageEncrypted: undefined })[0]).to.contain(`${subject} does not encrypt its storage`);
    });

    it("requires the final snapshot", () => {
        expect(of({ skipFinalSnapshot: true })[0]).to.contain(`${subject} skips its final snapshot (skipFinalSnapshot: true)`);
        expect(of({ finalSnapshotIdentifier: undefined })[0]).to.contain(`${subject} has no finalSnapshotIdentifier`);
    });

    it("requires deletion protection in production only", () => {
        expect(of({ deletionProtection: false })).to.deep.equal([
            `${subject} has no deletion protection in production stack "production". Set deletionProtection: true.`,
        ]);
        expect(of({ deletionProtection: false }, "staging")).to.deep.equal([]);
    });
});
