/** Listing drydock's snapshots of a cluster (`drydock snapshots`, pruning, status). No Pulumi import. */
import { DBClusterSnapshot, DescribeDBClusterSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { SNAPSHOT_MANAGED_BY, SNAPSHOT_TAGS } from "../release/snapshots";
import { askAws, requireAnswer } from "./errors";
import type { DrydockSnapshot } from "./snapshotBasics";

function toSummary(s: DBClusterSnapshot): DrydockSnapshot {
    const tag = (key: string) => s.TagList?.find((t) => t.Key === key)?.Value;
    const fields: Partial<DrydockSnapshot> = {
        arn: s.DBClusterSnapshotArn,
        createdAt: s.SnapshotCreateTime,
        clusterIdentifier: s.DBClusterIdentifier,
        stack: tag(SNAPSHOT_TAGS.stack),
        service: tag(SNAPSHOT_TAGS.service),
        fromVersion: tag(SNAPSHOT_TAGS.fromVersion),
        toVersion: tag(SNAPSHOT_TAGS.toVersion),
        reason: tag(SNAPSHOT_TAGS.reason),
        override: tag(SNAPSHOT_TAGS.override),
        percentProgress: s.PercentProgress,
    };
    const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    return { identifier: s.DBClusterSnapshotIdentifier ?? "", status: s.Status ?? "unknown", ...defined };
}

/**
 * drydock's manual snapshots of a cluster (tag `drydock:managed-by=drydock`; with `stack`, only that
 * stack's), newest first; snapshots still being created (no creation time yet) come first.
 * Reads every page (Marker). AWS errors propagate.
 */
export async function listDrydockSnapshots(rds: RDSClient, clusterIdentifier: string, stack?: string): Promise<DrydockSnapshot[]> {
    const found: DBClusterSnapshot[] = [];
    let marker: string | undefined;
    do {
        const out = await askAws(`RDS DescribeDBClusterSnapshots ${clusterIdentifier}`, () =>
            rds.send(
                new DescribeDBClusterSnapshotsCommand({
                    DBClusterIdentifier: clusterIdentifier,
                    SnapshotType: "manual",
                    ...(marker ? { Marker: marker } : {}),
                }),
            ),
        );
        found.push(...requireAnswer(out, "DBClusterSnapshots")); // "no snapshots" only from an answer that says so
        marker = out.Marker;
    } while (marker);
    const tagged = (s: DBClusterSnapshot, key: string, value: string) =>
        s.TagList?.some((t) => t.Key === key && t.Value === value) ?? false;
    const time = (s: DrydockSnapshot) => s.createdAt?.getTime() ?? Number.POSITIVE_INFINITY;
    return found
        .filter(
            (s) =>
                s.DBClusterSnapshotIdentifier &&
                (s.DBClusterIdentifier ?? clusterIdentifier).toLowerCase() === clusterIdentifier.toLowerCase(),
        )
        .filter((s) => tagged(s, SNAPSHOT_TAGS.managedBy, SNAPSHOT_MANAGED_BY))
        .filter((s) => stack === undefined || tagged(s, SNAPSHOT_TAGS.stack, stack))
        .map(toSummary)
        .sort((a, b) => time(b) - time(a) || b.identifier.localeCompare(a.identifier));
}
