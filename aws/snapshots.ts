/**
 * Pre-update snapshot of the Aurora cluster: create a tagged manual cluster snapshot, wait until it is
 * `available`, then prune drydock's own older snapshots of the same stack. Used by the
 * `pre-update-snapshot` hook and by `drydock snapshot` / `drydock snapshots`.
 *
 * Throttling and transient errors are retried by the AWS SDK's standard retry strategy (the client's
 * `maxAttempts`); anything it gives up on fails the snapshot.
 */
import { DBClusterSnapshot, DeleteDBClusterSnapshotCommand, DescribeDBClusterSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { MANUAL_SNAPSHOT_SERVICE, SNAPSHOT_TAGS } from "../release/snapshots";
import { DEADLINE_MARGIN_MS, realSleep, withDeadline } from "./deadline";
import { askAws, requireAnswer } from "./errors";
import {
    awsErrorText,
    DEAD_SNAPSHOT_STATES,
    failure,
    formatDuration,
    PreUpdateSnapshotRequest,
    PreUpdateSnapshotResult,
    SNAPSHOT_ACTIONS,
    SNAPSHOT_POLL_MS,
    SnapshotError,
} from "./snapshotBasics";
import { listDrydockSnapshots } from "./snapshotList";
import { createClusterSnapshot } from "./snapshotStart";
import { ClusterWait, waitForClusterAvailable } from "./clusterWait";

export * from "./snapshotBasics";
export { listDrydockSnapshots } from "./snapshotList";
export { startClusterSnapshot } from "./snapshotStart";

function validate(req: PreUpdateSnapshotRequest): void {
    const bad = (key: string, value: unknown, accepted: string) =>
        new SnapshotError(req.clusterIdentifier || "(none)", `invalid ${key} ${JSON.stringify(value)}; expected ${accepted}`);
    if (!req.clusterIdentifier)
        throw bad("clusterIdentifier", req.clusterIdentifier, "an Aurora cluster identifier such as drydock-production");
    if (!req.stack) throw bad("stack", req.stack, "the Pulumi stack name");
    if (!Number.isInteger(req.keep) || req.keep < 1) throw bad("keep (snapshotsToKeep)", req.keep, "an integer >= 1");
    if (!(req.timeoutMs > 0)) throw bad("timeoutMs (snapshotTimeoutMinutes)", req.timeoutMs, "a positive duration");
}

/**
 * Take a manual snapshot of the cluster before an update and wait until it is `available`, then prune
 * drydock's older snapshots of this stack beyond `keep`.
 *
 * Throws {@link SnapshotError} when the cluster is not `available`, an AWS call fails (access denied,
 * throttled beyond the SDK's retries, ...), the snapshot fails, or waiting exceeds `timeoutMs`.
 * A pruning failure does not throw (the new snapshot exists; the update is protected): it is logged.
 */
export async function createPreUpdateSnapshot(rds: RDSClient, req: PreUpdateSnapshotRequest): Promise<PreUpdateSnapshotResult> {
    validate(req);
    // Overall deadline: the configured wait plus a margin for the calls around it, so an RDS call that never answers fails the update.
    return withDeadline(`pre-update snapshot of ${req.clusterIdentifier}`, req.timeoutMs + DEADLINE_MARGIN_MS, () =>
        snapshotAndPrune(rds, req),
    );
}

async function snapshotAndPrune(rds: RDSClient, req: PreUpdateSnapshotRequest): Promise<PreUpdateSnapshotResult> {
    const now = req.now ?? (() => new Date());
    const sleep = req.sleep ?? realSleep;
    const log = req.log ?? (() => undefined);
    const warn = req.warn ?? ((m: string) => log(`WARNING: ${m}`));
    const cluster = req.clusterIdentifier;
    const fail = failure(cluster);
    const pollMs = req.pollMs ?? SNAPSHOT_POLL_MS;
    // One budget (snapshotTimeoutMinutes) for waiting on the cluster (a new stack's is still creating) and on the snapshot.
    const started = now().getTime();
    await waitForClusterAvailable(rds, cluster, { stack: req.stack, timeoutMs: req.timeoutMs, pollMs, started, now, sleep, log, fail });
    const { identifier, arn, recordedReason } = await createClusterSnapshot(rds, { ...req, now });
    log(`snapshot ${identifier} of ${cluster} started (${req.reason})`);
    if (recordedReason !== undefined)
        log(`the reason has characters RDS refuses in tags; tag ${SNAPSHOT_TAGS.reason} records "${recordedReason}"`);

    await waitUntilAvailable(rds, identifier, { stack: req.stack, timeoutMs: req.timeoutMs, pollMs, started, now, sleep, log, fail });
    log(`snapshot ${identifier} is available`);

    let pruned: string[] = [];
    try {
        pruned = await pruneSnapshots(rds, { cluster, stack: req.stack, keep: req.keep, newest: identifier, log });
    } catch (err) {
        warn(
            `could not prune old drydock snapshots of ${cluster}: ${awsErrorText(err, SNAPSHOT_ACTIONS)}. ` +
                `The new snapshot ${identifier} is available; delete old ones by hand (npx drydock snapshots --stack ${req.stack}).`,
        );
    }
    return { identifier, ...(arn !== undefined ? { arn } : {}), pruned, ...(recordedReason !== undefined ? { recordedReason } : {}) };
}

async function waitUntilAvailable(rds: RDSClient, identifier: string, o: ClusterWait): Promise<void> {
    const started = o.started;
    let lastReport = "";
    for (;;) {
        let snap: DBClusterSnapshot | undefined;
        try {
            const out = await askAws(`RDS DescribeDBClusterSnapshots ${identifier}`, () =>
                rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier })),
            );
            snap = requireAnswer(out, "DBClusterSnapshots")[0]; // an empty response is not "deleted"
        } catch (err) {
            if ((err as Error)?.name === "DBClusterSnapshotNotFoundFault")
                throw o.fail(`snapshot ${identifier} was deleted while it was being created`);
            throw o.fail(`could not read snapshot ${identifier}: ${awsErrorText(err, SNAPSHOT_ACTIONS)}`);
        }
        const status = snap?.Status ?? "unknown";
        if (status === "available") return;
        if (!snap) throw o.fail(`snapshot ${identifier} was deleted while it was being created`);
        if (DEAD_SNAPSHOT_STATES.has(status)) throw o.fail(`snapshot ${identifier} is "${status}"; it will not become available`);
        const elapsedMs = o.now().getTime() - started;
        const report = `snapshot ${identifier}: ${status}, ${snap.PercentProgress ?? 0}%`;
        if (report !== lastReport) o.log(`${report} (${formatDuration(elapsedMs)})`);
        lastReport = report;
        if (elapsedMs >= o.timeoutMs) {
            throw o.fail(
                `snapshot ${identifier} is still "${status}" (${snap.PercentProgress ?? 0}%) after ${formatDuration(o.timeoutMs)} ` +
                    `(snapshotTimeoutMinutes). RDS keeps creating it; follow it with npx drydock snapshots --stack ${o.stack}, ` +
                    `or raise the timeout: pulumi config set snapshotTimeoutMinutes <minutes> -s ${o.stack}`,
            );
        }
        await o.sleep(Math.min(o.pollMs, Math.max(1, o.timeoutMs - elapsedMs)));
    }
}

/** Delete drydock snapshots of `stack` beyond the newest `keep` (the new one counts and is never deleted). */
async function pruneSnapshots(
    rds: RDSClient,
    o: { cluster: string; stack: string; keep: number; newest: string; log: (m: string) => void },
): Promise<string[]> {
    // Snapshots someone took on purpose (`drydock snapshot`) are theirs to delete; only pre-update ones are pruned.
    const older = (await listDrydockSnapshots(rds, o.cluster, o.stack)).filter(
        (s) => s.identifier !== o.newest && s.service !== MANUAL_SNAPSHOT_SERVICE,
    );
    const pruned: string[] = [];
    for (const s of older.slice(o.keep - 1)) {
        if (s.status !== "available") {
            o.log(`not pruning snapshot ${s.identifier}: it is "${s.status}"`);
            continue;
        }
        await askAws(`RDS DeleteDBClusterSnapshot ${s.identifier}`, () =>
            rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: s.identifier })),
        );
        pruned.push(s.identifier);
        o.log(`pruned snapshot ${s.identifier} (keeping the newest ${o.keep})`);
    }
    return pruned;
}
