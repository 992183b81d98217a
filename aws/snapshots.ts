/**
 * Pre-update snapshot of the Aurora cluster: create a tagged manual cluster snapshot, wait until it is
 * `available`, then prune drydock's own older snapshots of the same stack. Used by the
 * `pre-update-snapshot` hook and by `drydock snapshot` / `drydock snapshots`.
 *
 * Throttling and transient errors are retried by the AWS SDK's standard retry strategy (the client's
 * `maxAttempts`); anything it gives up on fails the snapshot.
 */
import {
  CreateDBClusterSnapshotCommand,
  DBClusterSnapshot,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
  Tag,
} from "@aws-sdk/client-rds";
import { MANUAL_SNAPSHOT_SERVICE, randomSnapshotSuffix, SNAPSHOT_MANAGED_BY, SNAPSHOT_TAGS, snapshotIdentifier } from "../release/snapshots";
import { DEADLINE_MARGIN_MS, withDeadline } from "./deadline";
import { askAws, fromAwsError, isUnreadableResponse, requireAnswer } from "./errors";

/** Default pause between DescribeDBClusterSnapshots calls while waiting. */
export const SNAPSHOT_POLL_MS = 10_000; // milliseconds

/** Snapshot states that will never become `available`. */
const DEAD_SNAPSHOT_STATES = new Set(["failed", "deleting", "deleted", "error"]);

/** The RDS actions a snapshot needs, for access-denied messages. */
const SNAPSHOT_ACTIONS =
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

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `Name: message`, plus which permissions to grant when AWS denied access. */
function awsErrorText(err: unknown, actions: string): string {
  if (isUnreadableResponse(err)) return fromAwsError("", err).why; // never the SDK's multi-line parser hint
  if ((err as Error)?.name === "TimeoutError") return fromAwsError("", err).why;
  const e = err instanceof Error ? err : new Error(String(err));
  const name = e.name && e.name !== "Error" ? `${e.name}: ` : "";
  const denied = /AccessDenied|NotAuthorized|UnauthorizedOperation|is not authorized/i.test(`${e.name} ${e.message}`);
  return `${name}${e.message}${denied ? ` (the deploying AWS identity needs ${actions})` : ""}`;
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
  return tags
    .map(([Key, value]) => ({ Key, Value: value === undefined ? "" : toTagValue(value) }))
    .filter((t) => t.Value !== "");
}

function validate(req: PreUpdateSnapshotRequest): void {
  const bad = (key: string, value: unknown, accepted: string) =>
    new SnapshotError(req.clusterIdentifier || "(none)", `invalid ${key} ${JSON.stringify(value)}; expected ${accepted}`);
  if (!req.clusterIdentifier) throw bad("clusterIdentifier", req.clusterIdentifier, "an Aurora cluster identifier such as drydock-production");
  if (!req.stack) throw bad("stack", req.stack, "the Pulumi stack name");
  if (!Number.isInteger(req.keep) || req.keep < 1) throw bad("keep (snapshotsToKeep)", req.keep, "an integer >= 1");
  if (!(req.timeoutMs > 0)) throw bad("timeoutMs (snapshotTimeoutMinutes)", req.timeoutMs, "a positive duration");
}

const failure = (cluster: string) => (detail: string) => new SnapshotError(cluster, detail);

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

/**
 * Start a drydock-tagged manual snapshot of the cluster and return at once (`drydock snapshot`
 * without `--wait`; the first half of {@link createPreUpdateSnapshot}).
 * The identifier is unique (milliseconds and a random suffix). Creation is idempotent: when RDS says the
 * identifier this call asked for already exists (a retry after a lost response), the snapshot is adopted
 * if it belongs to this cluster and carries exactly this call's tags.
 * Throws {@link SnapshotError} when the cluster cannot be read or is not `available`, or RDS refuses.
 */
export async function startClusterSnapshot(rds: RDSClient, req: StartSnapshotRequest): Promise<StartedSnapshot> {
  const now = req.now ?? (() => new Date());
  const cluster = req.clusterIdentifier;
  const fail = failure(cluster);
  let status: string | undefined;
  try {
    const out = await askAws(`RDS DescribeDBClusters ${cluster}`, () => rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: cluster })));
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

  const suffix = (req.suffix ?? randomSnapshotSuffix)();
  const identifier = snapshotIdentifier({ stack: req.stack, service: req.service, fromVersion: req.fromVersion, toVersion: req.toVersion, at: now(), suffix });
  const tags = snapshotTags(req);
  const recorded = toTagValue(req.reason);
  const note = recorded !== req.reason.trim() ? { recordedReason: recorded } : {};
  let created: DBClusterSnapshot | undefined;
  try {
    // Asked again when the response is unreadable: a second create of the same identifier is adopted below.
    const out = await askAws(`RDS CreateDBClusterSnapshot ${identifier}`, () =>
      rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: cluster, DBClusterSnapshotIdentifier: identifier, Tags: tags })),
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
  return withDeadline(`pre-update snapshot of ${req.clusterIdentifier}`, req.timeoutMs + DEADLINE_MARGIN_MS, () => snapshotAndPrune(rds, req));
}

async function snapshotAndPrune(rds: RDSClient, req: PreUpdateSnapshotRequest): Promise<PreUpdateSnapshotResult> {
  const now = req.now ?? (() => new Date());
  const sleep = req.sleep ?? realSleep;
  const log = req.log ?? (() => undefined);
  const warn = req.warn ?? ((m: string) => log(`WARNING: ${m}`));
  const cluster = req.clusterIdentifier;
  const fail = failure(cluster);
  const { identifier, arn, recordedReason } = await startClusterSnapshot(rds, { ...req, now });
  log(`snapshot ${identifier} of ${cluster} started (${req.reason})`);
  if (recordedReason !== undefined) log(`the reason has characters RDS refuses in tags; tag ${SNAPSHOT_TAGS.reason} records "${recordedReason}"`);

  await waitUntilAvailable(rds, identifier, { stack: req.stack, timeoutMs: req.timeoutMs, pollMs: req.pollMs ?? SNAPSHOT_POLL_MS, now, sleep, log, fail });
  log(`snapshot ${identifier} is available`);

  let pruned: string[] = [];
  try {
    pruned = await pruneSnapshots(rds, { cluster, stack: req.stack, keep: req.keep, newest: identifier, log });
  } catch (err) {
    warn(`could not prune old drydock snapshots of ${cluster}: ${awsErrorText(err, SNAPSHOT_ACTIONS)}. ` +
      `The new snapshot ${identifier} is available; delete old ones by hand (npx drydock snapshots --stack ${req.stack}).`);
  }
  return { identifier, ...(arn !== undefined ? { arn } : {}), pruned, ...(recordedReason !== undefined ? { recordedReason } : {}) };
}

async function waitUntilAvailable(
  rds: RDSClient,
  identifier: string,
  o: { stack: string; timeoutMs: number; pollMs: number; now: () => Date; sleep: (ms: number) => Promise<void>; log: (m: string) => void; fail: (d: string) => SnapshotError },
): Promise<void> {
  const started = o.now().getTime();
  let lastReport = "";
  for (;;) {
    let snap: DBClusterSnapshot | undefined;
    try {
      const out = await askAws(`RDS DescribeDBClusterSnapshots ${identifier}`, () =>
        rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier })),
      );
      snap = requireAnswer(out, "DBClusterSnapshots")[0]; // an empty response is not "deleted"
    } catch (err) {
      if ((err as Error)?.name === "DBClusterSnapshotNotFoundFault") throw o.fail(`snapshot ${identifier} was deleted while it was being created`);
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
  const older = (await listDrydockSnapshots(rds, o.cluster, o.stack)).filter((s) => s.identifier !== o.newest && s.service !== MANUAL_SNAPSHOT_SERVICE);
  const pruned: string[] = [];
  for (const s of older.slice(o.keep - 1)) {
    if (s.status !== "available") {
      o.log(`not pruning snapshot ${s.identifier}: it is "${s.status}"`);
      continue;
    }
    await askAws(`RDS DeleteDBClusterSnapshot ${s.identifier}`, () => rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: s.identifier })));
    pruned.push(s.identifier);
    o.log(`pruned snapshot ${s.identifier} (keeping the newest ${o.keep})`);
  }
  return pruned;
}

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
      rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: clusterIdentifier, SnapshotType: "manual", ...(marker ? { Marker: marker } : {}) })),
    );
    found.push(...requireAnswer(out, "DBClusterSnapshots")); // "no snapshots" only from an answer that says so
    marker = out.Marker;
  } while (marker);
  const tagged = (s: DBClusterSnapshot, key: string, value: string) => s.TagList?.some((t) => t.Key === key && t.Value === value) ?? false;
  const time = (s: DrydockSnapshot) => s.createdAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return found
    .filter((s) => s.DBClusterSnapshotIdentifier && (s.DBClusterIdentifier ?? clusterIdentifier).toLowerCase() === clusterIdentifier.toLowerCase())
    .filter((s) => tagged(s, SNAPSHOT_TAGS.managedBy, SNAPSHOT_MANAGED_BY))
    .filter((s) => stack === undefined || tagged(s, SNAPSHOT_TAGS.stack, stack))
    .map(toSummary)
    .sort((a, b) => time(b) - time(a) || b.identifier.localeCompare(a.identifier));
}
