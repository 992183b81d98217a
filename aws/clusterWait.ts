/**
 * Waiting for an Aurora cluster to be `available` before a pre-update snapshot: the first `pulumi up` of a
 * new stack snapshots a cluster created minutes earlier (still `creating` or `backing-up`). Transient
 * states are waited out, bounded by the snapshot's own timeout; states that never end by themselves fail at once.
 */
import { DescribeDBClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { askAws, requireAnswer } from "./errors";
import { awsErrorText, formatDuration, SNAPSHOT_ACTIONS, SnapshotError } from "./snapshotBasics";

/** Cluster states that do not become `available` without someone acting (or ever). */
export const NEVER_AVAILABLE_CLUSTER_STATES = new Set([
    "deleting",
    "failed",
    "cloning-failed",
    "migration-failed",
    "inaccessible-encryption-credentials",
    "inaccessible-encryption-credentials-recoverable",
    "incompatible-parameters",
    "incompatible-restore",
    "stopped",
    "stopping",
]);

export interface ClusterWait {
    stack: string;
    /** The snapshot's whole budget (snapshotTimeoutMinutes), counted from `started`. */
    timeoutMs: number;
    pollMs: number;
    started: number;
    now: () => Date;
    sleep: (ms: number) => Promise<void>;
    log: (m: string) => void;
    fail: (d: string) => SnapshotError;
}

async function clusterStatus(rds: RDSClient, cluster: string, o: ClusterWait): Promise<string | undefined> {
    try {
        const out = await askAws(`RDS DescribeDBClusters ${cluster}`, () =>
            rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: cluster })),
        );
        return requireAnswer(out, "DBClusters")[0]?.Status;
    } catch (err) {
        throw o.fail(`could not read the cluster: ${awsErrorText(err, SNAPSHOT_ACTIONS)}`);
    }
}

/** Polls DescribeDBClusters until the cluster is `available`; throws SnapshotError (one line) otherwise. */
export async function waitForClusterAvailable(rds: RDSClient, cluster: string, o: ClusterWait): Promise<void> {
    const look = `aws rds describe-db-clusters --db-cluster-identifier ${cluster} --query "DBClusters[0].Status"`;
    let last = "";
    for (;;) {
        const status = await clusterStatus(rds, cluster, o);
        if (status === "available") return;
        if (status === undefined)
            throw o.fail(
                `the cluster was not found, so RDS cannot snapshot it; nothing was snapshotted. Check the AWS account and region (${look})`,
            );
        if (NEVER_AVAILABLE_CLUSTER_STATES.has(status)) {
            const act = status.startsWith("stop")
                ? `start it (aws rds start-db-cluster --db-cluster-identifier ${cluster})`
                : `see ${look}`;
            throw o.fail(
                `the cluster is "${status}", which does not become "available" by itself, so RDS cannot snapshot it; ${act} and run the update again`,
            );
        }
        const elapsed = o.now().getTime() - o.started;
        if (status !== last)
            o.log(`cluster ${cluster} is "${status}"; waiting until it is available to snapshot it (${formatDuration(elapsed)})`);
        last = status;
        if (elapsed >= o.timeoutMs) {
            throw o.fail(
                `the cluster is still "${status}", not "available", after ${formatDuration(o.timeoutMs)} (snapshotTimeoutMinutes); nothing was snapshotted. ` +
                    `Follow it with ${look} and run the update again, or raise the timeout: pulumi config set snapshotTimeoutMinutes <minutes> -s ${o.stack}`,
            );
        }
        await o.sleep(Math.min(o.pollMs, Math.max(1, o.timeoutMs - elapsed)));
    }
}
