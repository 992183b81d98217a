/**
 * `drydock snapshot --stack S [--wait] [--reason "…"] [--json]`: a manual, drydock-tagged snapshot
 * of the stack's Aurora cluster (the runbook's "back up before an update" step), and
 * `drydock snapshots --stack S [--json]`: drydock's snapshots of it, newest first.
 *
 * With `--wait` the snapshot goes through `createPreUpdateSnapshot` (waits until available, then
 * prunes beyond snapshotsToKeep), exactly as the pre-update hook does. Without it the snapshot is
 * started and the command returns; nothing is pruned.
 */
import { Command, Option } from "commander";
import { dbClusterIdentifier } from "../../release/names";
import { MANUAL_SNAPSHOT_SERVICE } from "../../release/snapshots";
import { createPreUpdateSnapshot, listDrydockSnapshots, SnapshotError, startClusterSnapshot } from "../../aws/snapshots";
import { CliDeps } from "../deps";
import { findCluster } from "../../aws/rdsCluster";
import { aws, refused } from "../errors";
import { createCtx, Ctx, isoUtc, renderTable, utcMinute } from "../output";
import { commandAction, jsonOption, stackOption } from "../program";
import { openStack, StackContext, STACK_NAME_KEY } from "../stackContext";

const DEFAULT_REASON = "manual snapshot (drydock snapshot)";

/**
 * A SnapshotError becomes one refused line: `drydock: snapshot of <cluster>: <why>`; a cluster that does not
 * exist means the stack is not deployed, which is what the line then says.
 */
async function refusedOnFailure<T>(sc: StackContext, step: () => Promise<T>): Promise<T> {
    try {
        return await step();
    } catch (e) {
        if (e instanceof SnapshotError && /DBClusterNotFoundFault/.test(e.detail)) {
            throw refused(
                `stack ${sc.stack}`,
                `is not deployed: there is no Aurora cluster ${e.cluster} in ${sc.region} to snapshot`,
                `deploy it first: pulumi up -s ${sc.stack}`,
            );
        }
        if (e instanceof SnapshotError) throw refused(`snapshot of ${e.cluster}`, e.detail);
        throw e;
    }
}

async function waitedSnapshot(deps: CliDeps, sc: StackContext, reason: string, log: (m: string) => void) {
    return refusedOnFailure(sc, () =>
        createPreUpdateSnapshot(deps.rds(sc.region), {
            clusterIdentifier: dbClusterIdentifier(sc.stack),
            stack: sc.stack,
            service: MANUAL_SNAPSHOT_SERVICE,
            reason,
            keep: sc.settings.snapshots.keep,
            timeoutMs: sc.settings.snapshots.timeoutMinutes * 60_000,
            now: deps.now,
            sleep: deps.sleep,
            log,
        }),
    );
}

export function registerSnapshot(program: Command, deps: CliDeps): void {
    program
        .command("snapshot")
        .description("take a drydock-tagged manual snapshot of the stack's Aurora cluster (before an update)")
        .addOption(stackOption())
        .addOption(
            new Option("--wait", "wait until the snapshot is available (up to snapshotTimeoutMinutes), then prune beyond snapshotsToKeep"),
        )
        .addOption(new Option("--reason <text>", "why (kept in the drydock:reason tag)").default(DEFAULT_REASON))
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: { stack: string; wait?: boolean; reason: string; json?: boolean }) => {
                const ctx = createCtx(deps, !!opts.json);
                const sc = openStack(deps, opts.stack, { needs: [STACK_NAME_KEY, "snapshotsToKeep", "snapshotTimeoutMinutes"] });
                const reason = opts.reason.trim() || DEFAULT_REASON;
                if (opts.wait) {
                    // Progress (and the line saying what the reason tag records) goes to stderr under --json.
                    const r = await waitedSnapshot(deps, sc, reason, (m) => (ctx.json ? ctx.warn(m) : ctx.print(m)));
                    if (ctx.json) ctx.printJson({ identifier: r.identifier, arn: r.arn ?? null, status: "available", pruned: r.pruned });
                    else ctx.print(`Snapshot ${r.identifier} is available.${r.pruned.length ? ` Pruned: ${r.pruned.join(", ")}.` : ""}`);
                    return 0;
                }
                const cluster = dbClusterIdentifier(sc.stack);
                const r = await ctx.step(`Starting a snapshot of ${cluster}`, () =>
                    refusedOnFailure(sc, () =>
                        startClusterSnapshot(deps.rds(sc.region), {
                            clusterIdentifier: cluster,
                            stack: sc.stack,
                            service: MANUAL_SNAPSHOT_SERVICE,
                            reason,
                            now: deps.now,
                        }),
                    ),
                );
                // RDS refuses some characters in tag values: say what the reason tag records instead (issue 10).
                if (r.recordedReason !== undefined)
                    ctx.warn(
                        `drydock: warning: --reason has characters RDS does not accept in tags; the snapshot's drydock:reason tag records "${r.recordedReason}"`,
                    );
                if (ctx.json) {
                    ctx.printJson({ identifier: r.identifier, arn: r.arn ?? null, status: r.status, pruned: [] });
                } else {
                    ctx.print(`Snapshot ${r.identifier} of ${dbClusterIdentifier(sc.stack)} started (${r.status}).`);
                    ctx.print(`Follow it with npx drydock snapshots --stack ${sc.stack}; use --wait to block until it is available.`);
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
        .action(commandAction((opts: { stack: string; json?: boolean }) => listSnapshots(deps, opts)));
}

type Listed = Awaited<ReturnType<typeof listDrydockSnapshots>>;

/** One snapshot of `snapshots --json`. */
function snapshotJson(s: Listed[number]) {
    return {
        identifier: s.identifier,
        status: s.status,
        createdAt: isoUtc(s.createdAt),
        service: s.service ?? null,
        fromVersion: s.fromVersion ?? null,
        toVersion: s.toVersion ?? null,
        reason: s.reason ?? null,
        percentProgress: s.percentProgress ?? null,
    };
}

function printSnapshots(ctx: Ctx, snapshots: Listed): void {
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
    ctx.print(
        `\nRestore one: aws rds restore-db-cluster-from-snapshot --db-cluster-identifier <new-id> --snapshot-identifier <identifier> --engine aurora-postgresql`,
    );
}

async function listSnapshots(deps: CliDeps, opts: { stack: string; json?: boolean }): Promise<number> {
    const ctx = createCtx(deps, !!opts.json);
    const sc = openStack(deps, opts.stack, { needs: [STACK_NAME_KEY] });
    const cluster = dbClusterIdentifier(sc.stack);
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
    // An empty list from a cluster that does not exist means the stack was never deployed (or is gone).
    const deployed = snapshots.length > 0 || (await findCluster(deps.rds(sc.region), cluster)) !== undefined;
    if (ctx.json) {
        ctx.printJson({ stack: sc.stack, cluster, deployed, snapshots: snapshots.map(snapshotJson) });
    } else if (!deployed) {
        ctx.print(
            `Stack ${sc.stack} is not deployed: there is no Aurora cluster ${cluster} in ${sc.region}, so nothing to snapshot or list (deploy it with pulumi up -s ${sc.stack}).`,
        );
    } else if (snapshots.length === 0) {
        ctx.print(`No drydock snapshots of ${cluster}. Take one: npx drydock snapshot --stack ${sc.stack} --wait`);
    } else {
        printSnapshots(ctx, snapshots);
    }
    return 0;
}
