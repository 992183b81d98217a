/**
 * `drydock snapshot --stack S [--wait] [--reason "…"] [--json]`: a manual, drydock-tagged snapshot
 * of the stack's Aurora cluster (the seed's "backup before update" step), and
 * `drydock snapshots --stack S [--json]`: drydock's snapshots of it, newest first.
 *
 * With `--wait` the snapshot goes through `createPreUpdateSnapshot` (waits until available, then
 * prunes beyond snapshotsToKeep), exactly as the pre-update hook does. Without it the snapshot is
 * started and the command returns; nothing is pruned.
 */
import { CreateDBClusterSnapshotCommand, DescribeDBClustersCommand, RDSClient, Tag } from "@aws-sdk/client-rds";
import { Command, Option } from "commander";
import { dbClusterIdentifier } from "../../components/names";
import { createPreUpdateSnapshot, listDrydockSnapshots, SnapshotError, toTagValue } from "../../components/hooks/snapshot";
import { SNAPSHOT_MANAGED_BY, SNAPSHOT_TAGS, snapshotIdentifier } from "../../release/snapshots";
import { CliDeps } from "../deps";
import { aws, refused } from "../errors";
import { createCtx, isoUtc, renderTable, utcMinute } from "../output";
import { commandAction, jsonOption, stackOption } from "../program";
import { openStack, StackContext } from "../stackContext";

/** `service` tag of snapshots taken by hand. */
export const MANUAL_SERVICE = "manual";
const DEFAULT_REASON = "manual snapshot (drydock snapshot)";

export const auroraCluster = dbClusterIdentifier;

/** Starts a tagged snapshot without waiting; refuses unless the cluster is `available`. */
export async function startSnapshot(rds: RDSClient, stack: string, reason: string, at: Date): Promise<{ identifier: string; arn?: string; status: string }> {
    const cluster = auroraCluster(stack);
    const found = await aws(`RDS DescribeDBClusters ${cluster}`, async () => {
        try {
            return (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: cluster }))).DBClusters?.[0];
        } catch (e) {
            if ((e as Error).name === "DBClusterNotFoundFault") return undefined;
            throw e;
        }
    });
    if (!found) throw refused(`Aurora cluster ${cluster}`, "not found", `has stack ${stack} been deployed? check the AWS account and region`);
    if (found.Status !== "available") {
        throw refused(`Aurora cluster ${cluster}`, `is "${found.Status ?? "unknown"}", not "available", so RDS cannot snapshot it now`, "wait until it is available and try again");
    }
    const identifier = snapshotIdentifier({ stack, service: MANUAL_SERVICE, at });
    const tags: Tag[] = [
        { Key: SNAPSHOT_TAGS.managedBy, Value: SNAPSHOT_MANAGED_BY },
        { Key: SNAPSHOT_TAGS.stack, Value: toTagValue(stack) },
        { Key: SNAPSHOT_TAGS.service, Value: MANUAL_SERVICE },
        { Key: SNAPSHOT_TAGS.reason, Value: toTagValue(reason) },
    ].filter((t) => t.Value !== "");
    const out = await aws(`RDS CreateDBClusterSnapshot ${identifier}`, () =>
        rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: cluster, DBClusterSnapshotIdentifier: identifier, Tags: tags })),
    );
    const arn = out.DBClusterSnapshot?.DBClusterSnapshotArn;
    return { identifier, ...(arn ? { arn } : {}), status: out.DBClusterSnapshot?.Status ?? "creating" };
}

async function waitedSnapshot(deps: CliDeps, sc: StackContext, reason: string, log: (m: string) => void) {
    try {
        return await createPreUpdateSnapshot(deps.rds(sc.region), {
            clusterIdentifier: auroraCluster(sc.stack),
            stack: sc.stack,
            service: MANUAL_SERVICE,
            reason,
            keep: sc.settings.snapshots.keep,
            timeoutMs: sc.settings.snapshots.timeoutMinutes * 60_000,
            now: deps.now,
            sleep: deps.sleep,
            log,
        });
    } catch (e) {
        if (e instanceof SnapshotError) throw refused(`snapshot of ${auroraCluster(sc.stack)}`, e.message.replace(/^pre-update snapshot of Aurora cluster \S+ failed: /, ""));
        throw e;
    }
}

export function registerSnapshot(program: Command, deps: CliDeps): void {
    program
        .command("snapshot")
        .description("take a drydock-tagged manual snapshot of the stack's Aurora cluster (before an update)")
        .addOption(stackOption())
        .addOption(new Option("--wait", "wait until the snapshot is available (up to snapshotTimeoutMinutes), then prune beyond snapshotsToKeep"))
        .addOption(new Option("--reason <text>", "why (kept in the drydock:reason tag)").default(DEFAULT_REASON))
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: { stack: string; wait?: boolean; reason: string; json?: boolean }) => {
                const ctx = createCtx(deps, !!opts.json);
                const sc = openStack(deps, opts.stack);
                const reason = opts.reason.trim() || DEFAULT_REASON;
                if (opts.wait) {
                    const r = await waitedSnapshot(deps, sc, reason, (m) => ctx.print(m));
                    if (ctx.json) ctx.printJson({ identifier: r.identifier, arn: r.arn ?? null, status: "available", pruned: r.pruned });
                    else ctx.print(`Snapshot ${r.identifier} is available.${r.pruned.length ? ` Pruned: ${r.pruned.join(", ")}.` : ""}`);
                    return 0;
                }
                const r = await ctx.step(`Starting a snapshot of ${auroraCluster(sc.stack)}`, () => startSnapshot(deps.rds(sc.region), sc.stack, reason, deps.now()));
                if (ctx.json) {
                    ctx.printJson({ identifier: r.identifier, arn: r.arn ?? null, status: r.status, pruned: [] });
                } else {
                    ctx.print(`Snapshot ${r.identifier} of ${auroraCluster(sc.stack)} started (${r.status}).`);
                    ctx.print(`Follow it with drydock snapshots --stack ${sc.stack}; use --wait to block until it is available.`);
                }
                return 0;
            }),
        );
}

export function registerSnapshots(program: Command, deps: CliDeps): void {
    program
        .command("snapshots")
        .description("list drydock's snapshots of the stack's Aurora cluster, newest first")
        .addOption(stackOption())
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: { stack: string; json?: boolean }) => {
                const ctx = createCtx(deps, !!opts.json);
                const sc = openStack(deps, opts.stack);
                const cluster = auroraCluster(sc.stack);
                const snapshots = await ctx.step(`Listing snapshots of ${cluster}`, () =>
                    aws(`RDS DescribeDBClusterSnapshots ${cluster}`, async () => {
                        try {
                            return await listDrydockSnapshots(deps.rds(sc.region), cluster, sc.stack);
                        } catch (e) {
                            if ((e as Error).name === "DBClusterNotFoundFault") return [];
                            throw e;
                        }
                    }),
                );
                if (ctx.json) {
                    ctx.printJson({
                        stack: sc.stack,
                        cluster,
                        snapshots: snapshots.map((s) => ({
                            identifier: s.identifier,
                            status: s.status,
                            createdAt: isoUtc(s.createdAt),
                            service: s.service ?? null,
                            fromVersion: s.fromVersion ?? null,
                            toVersion: s.toVersion ?? null,
                            reason: s.reason ?? null,
                            percentProgress: s.percentProgress ?? null,
                        })),
                    });
                    return 0;
                }
                if (snapshots.length === 0) {
                    ctx.print(`No drydock snapshots of ${cluster}. Take one: drydock snapshot --stack ${sc.stack} --wait`);
                    return 0;
                }
                ctx.print(
                    renderTable(
                        ["identifier", "status", "created", "service", "versions", "reason"],
                        snapshots.map((s) => [
                            s.identifier,
                            s.status === "creating" && s.percentProgress !== undefined ? `creating ${s.percentProgress}%` : s.status,
                            utcMinute(s.createdAt),
                            s.service ?? "-",
                            s.fromVersion || s.toVersion ? `${s.fromVersion ?? "?"} -> ${s.toVersion ?? "?"}` : "-",
                            s.reason ?? "-",
                        ]),
                    ),
                );
                ctx.print(`\nRestore one: aws rds restore-db-cluster-from-snapshot --db-cluster-identifier <new-id> --snapshot-identifier <identifier> --engine aurora-postgresql`);
                return 0;
            }),
        );
}
