/**
 * Starting a drydock snapshot: a unique identifier, drydock's tags, and an idempotent create (a retried
 * create whose first response was lost adopts the snapshot it made). No Pulumi import.
 */
import {
    CreateDBClusterSnapshotCommand,
    DBClusterSnapshot,
    DescribeDBClustersCommand,
    DescribeDBClusterSnapshotsCommand,
    RDSClient,
    Tag,
} from "@aws-sdk/client-rds";
import { randomSnapshotSuffix, SNAPSHOT_MANAGED_BY, SNAPSHOT_TAGS, snapshotIdentifier } from "../release/snapshots";
import { askAws, requireAnswer } from "./errors";
import {
    awsErrorText,
    failure,
    SNAPSHOT_ACTIONS,
    SnapshotError,
    StartedSnapshot,
    StartSnapshotRequest,
    toTagValue,
} from "./snapshotBasics";

function snapshotTags(req: StartSnapshotRequest): Tag[] {
    const tags: [string, string | undefined][] = [
        [SNAPSHOT_TAGS.managedBy, SNAPSHOT_MANAGED_BY],
        [SNAPSHOT_TAGS.stack, req.stack],
        [SNAPSHOT_TAGS.service, req.service],
        [SNAPSHOT_TAGS.fromVersion, req.fromVersion],
        [SNAPSHOT_TAGS.toVersion, req.toVersion],
        [SNAPSHOT_TAGS.reason, req.reason],
        [SNAPSHOT_TAGS.override, req.override],
    ];
    return tags.map(([Key, value]) => ({ Key, Value: value === undefined ? "" : toTagValue(value) })).filter((t) => t.Value !== "");
}

/**
 * Start a drydock-tagged manual snapshot of the cluster and return at once (`drydock snapshot`
 * without `--wait`; the first half of {@link createPreUpdateSnapshot}).
 * The identifier is unique (milliseconds and a random suffix). Creation is idempotent: when RDS says the
 * identifier this call asked for already exists (a retry after a lost response), the snapshot is adopted
 * if it belongs to this cluster and carries exactly this call's tags.
 * Throws {@link SnapshotError} when the cluster cannot be read or is not `available`, or RDS refuses.
 */
export async function startClusterSnapshot(rds: RDSClient, req: StartSnapshotRequest): Promise<StartedSnapshot> {
    const cluster = req.clusterIdentifier;
    const fail = failure(cluster);
    let status: string | undefined;
    try {
        const out = await askAws(`RDS DescribeDBClusters ${cluster}`, () =>
            rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: cluster })),
        );
        status = requireAnswer(out, "DBClusters")[0]?.Status;
    } catch (err) {
        throw fail(`could not read the cluster: ${awsErrorText(err, SNAPSHOT_ACTIONS)}`);
    }
    if (status !== "available") {
        throw fail(
            `the cluster is "${status ?? "not found"}", not "available", so RDS cannot snapshot it now. ` +
                `Wait until it is available (aws rds describe-db-clusters --db-cluster-identifier ${cluster} --query "DBClusters[0].Status") and try again.`,
        );
    }
    return createClusterSnapshot(rds, req);
}

/**
 * The create half of {@link startClusterSnapshot}, for a cluster already known to be `available`
 * (the pre-update snapshot waits for that first: aws/clusterWait.ts).
 */
export async function createClusterSnapshot(rds: RDSClient, req: StartSnapshotRequest): Promise<StartedSnapshot> {
    const now = req.now ?? (() => new Date());
    const cluster = req.clusterIdentifier;
    const fail = failure(cluster);
    const suffix = (req.suffix ?? randomSnapshotSuffix)();
    const identifier = snapshotIdentifier({
        stack: req.stack,
        service: req.service,
        fromVersion: req.fromVersion,
        toVersion: req.toVersion,
        at: now(),
        suffix,
    });
    const tags = snapshotTags(req);
    const recorded = toTagValue(req.reason);
    const note = recorded !== req.reason.trim() ? { recordedReason: recorded } : {};
    let created: DBClusterSnapshot | undefined;
    try {
        // Asked again when the response is unreadable: a second create of the same identifier is adopted below.
        const out = await askAws(`RDS CreateDBClusterSnapshot ${identifier}`, () =>
            rds.send(
                new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: cluster, DBClusterSnapshotIdentifier: identifier, Tags: tags }),
            ),
        );
        created = out.DBClusterSnapshot;
    } catch (err) {
        if ((err as Error)?.name !== "DBClusterSnapshotAlreadyExistsFault") {
            throw fail(`could not create snapshot ${identifier}: ${awsErrorText(err, SNAPSHOT_ACTIONS)}`);
        }
        created = await adoptExisting(rds, { cluster, identifier, tags, fail });
    }
    const arn = created?.DBClusterSnapshotArn;
    return { identifier, ...(arn !== undefined ? { arn } : {}), status: created?.Status ?? "creating", ...note };
}

/**
 * `DBClusterSnapshotAlreadyExistsFault` for the identifier this run chose: the SDK retried a create whose
 * response was lost. Adopt the snapshot when it is of this cluster and has exactly the tags asked for;
 * anything else is someone else's snapshot and fails.
 */
async function adoptExisting(
    rds: RDSClient,
    o: { cluster: string; identifier: string; tags: Tag[]; fail: (d: string) => SnapshotError },
): Promise<DBClusterSnapshot> {
    let snap: DBClusterSnapshot | undefined;
    try {
        const out = await askAws(`RDS DescribeDBClusterSnapshots ${o.identifier}`, () =>
            rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: o.identifier })),
        );
        snap = requireAnswer(out, "DBClusterSnapshots")[0];
    } catch (err) {
        throw o.fail(`snapshot ${o.identifier} already exists and could not be read: ${awsErrorText(err, SNAPSHOT_ACTIONS)}`);
    }
    const sameCluster = snap?.DBClusterIdentifier?.toLowerCase() === o.cluster.toLowerCase();
    const has = (t: Tag) => snap?.TagList?.some((x) => x.Key === t.Key && x.Value === t.Value) ?? false;
    const ours = (snap?.TagList ?? []).filter((t) => t.Key?.startsWith("drydock:"));
    if (!snap || !sameCluster || !o.tags.every(has) || ours.length !== o.tags.length) {
        throw o.fail(
            `snapshot ${o.identifier} already exists but is not the one this run asked for ` +
                `(${!snap ? "it is gone" : !sameCluster ? `it is of cluster ${snap.DBClusterIdentifier}` : "its drydock tags differ"}); nothing was adopted. Run the update again.`,
        );
    }
    return snap;
}
