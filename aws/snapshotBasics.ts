/**
 * What drydock's snapshot routines share (aws/snapshots.ts, snapshotStart.ts, snapshotList.ts): the
 * request and result types, the error type, tag values RDS accepts and error texts. No Pulumi import.
 */
import { awsFailureText } from "./errors";

/** Default pause between DescribeDBClusterSnapshots calls while waiting. */
export const SNAPSHOT_POLL_MS = 10_000; // milliseconds

/** Snapshot states that will never become `available`. */
export const DEAD_SNAPSHOT_STATES = new Set(["failed", "deleting", "deleted", "error"]);

/** The RDS actions a snapshot needs, for access-denied messages. */
export const SNAPSHOT_ACTIONS =
    "rds:DescribeDBClusters, rds:CreateDBClusterSnapshot, rds:AddTagsToResource, rds:DescribeDBClusterSnapshots, rds:DeleteDBClusterSnapshot";

export interface PreUpdateSnapshotRequest {
    /** Aurora cluster identifier, e.g. `drydock-production`. */
    clusterIdentifier: string;
    /** Pulumi stack; recorded in the `drydock:stack` tag and used to choose what may be pruned. */
    stack: string;
    /** What triggered the snapshot: `backend`, `database`, `manual`. */
    service: string;
    /** Version running before the update (tag `drydock:from-version`). */
    fromVersion?: string;
    /** Version the update deploys (tag `drydock:to-version`). */
    toVersion?: string;
    /** Why the snapshot is taken (tag `drydock:reason`). */
    reason: string;
    /** Release override reason that let this update through (tag `drydock:release-override`). */
    override?: string;
    /** drydock snapshots of this stack to keep, the new one included; integer >= 1 (config `snapshotsToKeep`, default 10). */
    keep: number;
    /** Give up waiting for `available` after this long. */
    timeoutMs: number; // milliseconds
    /** Pause between status checks; default {@link SNAPSHOT_POLL_MS}. */
    pollMs?: number; // milliseconds
    now?: () => Date;
    /** The identifier's random part (4 lowercase hex); default random. */
    suffix?: () => string;
    sleep?: (ms: number) => Promise<void>;
    log?: (msg: string) => void;
    /** Problems that do not stop the update (a failed prune); default: `log` with a WARNING prefix. */
    warn?: (msg: string) => void;
}

export interface PreUpdateSnapshotResult {
    /** The new snapshot's identifier. */
    identifier: string;
    arn?: string;
    /** Identifiers of older drydock snapshots deleted by pruning. */
    pruned: string[];
    /** Set when the reason had characters RDS refuses in tags: what the tag records instead. */
    recordedReason?: string;
}

/** One drydock snapshot, as `drydock snapshots` lists it. */
export interface DrydockSnapshot {
    identifier: string;
    arn?: string;
    /** RDS status: `creating`, `available`, ... */
    status: string;
    createdAt?: Date;
    clusterIdentifier?: string;
    stack?: string;
    service?: string;
    fromVersion?: string;
    toVersion?: string;
    reason?: string;
    override?: string;
    /** 0..100 while creating. */
    percentProgress?: number;
}

/** A snapshot step failed; the message says what and what to do. */
export class SnapshotError extends Error {
    constructor(
        /** The Aurora cluster concerned. */
        readonly cluster: string,
        /** What went wrong and what to do, without the "pre-update snapshot … failed" preamble. */
        readonly detail: string,
    ) {
        super(`pre-update snapshot of Aurora cluster ${cluster} failed: ${detail}`);
        this.name = "SnapshotError";
    }
}

/** `90s`, `30 min`. */
export function formatDuration(ms: number): string {
    return ms < 120_000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms / 60_000)} min`;
}

/**
 * `Name: message`, plus which permissions to grant when AWS denied access. Missing credentials, an endpoint
 * that cannot be reached, throttling, timeouts and unreadable responses are described by the one translator
 * (aws/errors.ts), as for every other command and hook.
 */
export function awsErrorText(err: unknown, actions: string): string {
    return awsFailureText(err, actions);
}

/**
 * RDS tag values allow letters, digits, spaces and `_ . : / = + - @`, up to 256 characters; anything
 * else (commas, quotes, arrows) becomes a space so free-text reasons can be recorded.
 */
export function toTagValue(text: string): string {
    return text
        .replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, " ")
        .replace(/\s+/g, " ")
        .trim()
        .slice(0, 256);
}

export const failure = (cluster: string) => (detail: string) => new SnapshotError(cluster, detail);

/** What {@link startClusterSnapshot} needs: the request without the waiting and pruning settings. */
export type StartSnapshotRequest = Omit<PreUpdateSnapshotRequest, "keep" | "timeoutMs" | "pollMs" | "sleep" | "warn">;

/** What {@link startClusterSnapshot} returns. */
export interface StartedSnapshot {
    identifier: string;
    arn?: string;
    status: string;
    /** Set when the reason had characters RDS refuses in tags: what the `drydock:reason` tag records instead. */
    recordedReason?: string;
}
