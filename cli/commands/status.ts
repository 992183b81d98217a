/**
 * `drydock status --stack S [--json]`: what runs and whether it is healthy — per service the
 * version, image, task counts, the primary deployment's rollout state and target health; the
 * Aurora cluster; and whether releases are paused or inside a window.
 */
import type { RDSClient } from "@aws-sdk/client-rds";
import { findCluster } from "../../aws/rdsCluster";
import { dbClusterIdentifier } from "../../release/names";
import { Command, Option } from "commander";
import { listDrydockSnapshots } from "../../aws/snapshots";
import { Settings } from "../../config";
import { releaseState } from "../../release/state";
import { formatInZone } from "../../release/windows";
import { CliDeps } from "../deps";
import { aws } from "../errors";
import { createCtx, Ctx, isoUtc, utcMinute } from "../output";
import { commandAction, jsonOption, positiveInteger, stackOption } from "../program";
import { deploymentLines, progressiveServices, readDeploymentsOrWarn, WATCH_INTERVAL_MS, watchDeployments } from "../deploymentStatus";
import { ServiceDetail, serviceDetails, serviceNotes, servicesTable } from "../serviceStatus";
import { fullKeyName, openStack, StackContext, STACK_NAME_KEY } from "../stackContext";

export type { ServiceStatus, TargetCounts } from "../serviceStatus";

export interface DatabaseStatus {
    identifier: string;
    status: string | null;
    engineVersion: string | null;
    maintenanceWindow: string | null;
    backupWindow: string | null;
    newestSnapshot: { identifier: string; status: string; createdAt: string | null } | null;
}

export interface ReleaseStatus {
    paused: boolean;
    windowOpen: boolean;
    /** ISO-8601 UTC; null when no windows are configured (always open). */
    nextWindowStart: string | null;
}

async function databaseStatus(rds: RDSClient, sc: StackContext): Promise<DatabaseStatus | null> {
    const identifier = dbClusterIdentifier(sc.stack);
    const cluster = await findCluster(rds, identifier);
    if (!cluster) return null;
    const snapshots = await aws(`RDS DescribeDBClusterSnapshots ${identifier}`, () => listDrydockSnapshots(rds, identifier, sc.stack));
    const newest = snapshots[0];
    return {
        identifier,
        status: cluster.Status ?? null,
        engineVersion: cluster.EngineVersion ?? null,
        maintenanceWindow: cluster.PreferredMaintenanceWindow ?? null,
        backupWindow: cluster.PreferredBackupWindow ?? null,
        newestSnapshot: newest ? { identifier: newest.identifier, status: newest.status, createdAt: isoUtc(newest.createdAt) } : null,
    };
}

/** Paused? window open at `now`? next opening? — from the stack file. */
export function releaseStatus(settings: Settings, now: Date): ReleaseStatus & { nextStart?: Date; currentEnd?: Date; always: boolean } {
    const state = releaseState(settings.release, now);
    return {
        paused: state.paused,
        windowOpen: state.windowOpen,
        nextWindowStart: isoUtc(state.nextWindow?.start),
        always: state.alwaysOpen,
        ...(state.nextWindow ? { nextStart: state.nextWindow.start } : {}),
        ...(state.currentWindow ? { currentEnd: state.currentWindow.end } : {}),
    };
}

/** The keys the release state is computed from: when one is invalid, status says the release state is unknown. */
const RELEASE_KEYS = ["releaseWindows", "releaseTimeZone", "updatesPaused"];

function printRelease(ctx: Ctx, sc: StackContext, release: ReturnType<typeof releaseStatus> | string): void {
    if (typeof release === "string") return ctx.print(`Release: ${release}`);
    const zone = sc.settings.release.timeZone;
    const { pauseReason, pausedAt } = sc.settings.release;
    const since = pausedAt ? ` since ${utcMinute(pausedAt)}` : "";
    const pause = release.paused
        ? `PAUSED${since}${pauseReason ? ` — ${pauseReason}` : ""} (npx drydock resume --stack ${sc.stack})`
        : "not paused";
    ctx.print(`Release: ${pause}`);
    if (release.always) ctx.print("  release window: none configured, always open");
    else if (release.windowOpen) ctx.print(`  release window: open now until ${formatInZone(release.currentEnd as Date, zone)}`);
    else ctx.print(`  release window: closed; next opens ${release.nextStart ? formatInZone(release.nextStart, zone) : "never"}`);
}

function printText(
    ctx: Ctx,
    sc: StackContext,
    services: ServiceDetail[],
    deployed: boolean,
    db: DatabaseStatus | null,
    release: ReturnType<typeof releaseStatus> | string,
): void {
    ctx.print(`Stack ${sc.stack} (${sc.region})`);
    ctx.print();
    ctx.print(servicesTable(services));
    const notes = serviceNotes(sc, services, deployed);
    if (notes.length) {
        ctx.print();
        for (const n of notes) ctx.print(`! ${n}`);
    }
    ctx.print();
    if (db) {
        ctx.print(`Database ${db.identifier}: ${db.status ?? "?"}, aurora-postgresql ${db.engineVersion ?? "?"}`);
        ctx.print(`  maintenance window ${db.maintenanceWindow ?? "-"} UTC, backup window ${db.backupWindow ?? "-"} UTC`);
        ctx.print(
            `  newest drydock snapshot: ${db.newestSnapshot ? `${db.newestSnapshot.identifier} (${db.newestSnapshot.status}, ${utcMinute(db.newestSnapshot.createdAt ? new Date(db.newestSnapshot.createdAt) : undefined)})` : "none"}`,
        );
    } else {
        ctx.print(`Database ${dbClusterIdentifier(sc.stack)}: not found`);
    }
    ctx.print();
    printRelease(ctx, sc, release);
}

export function registerStatus(program: Command, deps: CliDeps): void {
    program
        .command("status")
        .description("show what each service runs, its rollout and target health, the database, and the release state")
        .addOption(stackOption())
        .addOption(jsonOption())
        .addOption(new Option("--watch", "follow the services' deployments until each completes (exit 0) or one rolls back (exit 1)"))
        .addOption(
            new Option("--interval <seconds>", "seconds between reads with --watch")
                .argParser(positiveInteger)
                .default(WATCH_INTERVAL_MS / 1000),
        )
        .action(
            commandAction(async (opts: { stack: string; json?: boolean; watch?: boolean; interval: number }) => {
                const ctx = createCtx(deps, !!opts.json);
                // Only the stack name matters to what status reads (it makes the AWS names); a bad key elsewhere is a warning.
                const sc = openStack(deps, opts.stack, { needs: [STACK_NAME_KEY] });
                if (opts.watch) return watchDeployments(ctx, deps, sc, { intervalMs: opts.interval * 1000 });
                const [{ services, deployed }, database] = await ctx.step(`Reading stack ${sc.stack}`, () =>
                    Promise.all([serviceDetails(deps, sc), databaseStatus(deps.rds(sc.region), sc)]),
                );
                // Blue/green, canary and linear services: the lifecycle stage and bake time left of their newest deployment
                // (undefined: they could not be read; a warning said why).
                const deployments = deployed ? await readDeploymentsOrWarn(ctx, deps, sc, progressiveServices(sc)) : [];
                const badRelease = RELEASE_KEYS.map(fullKeyName).find((k) => sc.invalid.has(k));
                const release = badRelease ? undefined : releaseStatus(sc.settings, deps.now());
                if (ctx.json) {
                    ctx.printJson({
                        stack: sc.stack,
                        services: services.map((s) => s.json),
                        database,
                        release: release
                            ? { paused: release.paused, windowOpen: release.windowOpen, nextWindowStart: release.nextWindowStart }
                            : null,
                        ...(deployments === undefined ? { deployments: null } : deployments.length ? { deployments } : {}),
                    });
                } else {
                    printText(ctx, sc, services, deployed, database, release ?? `unknown: ${badRelease} in ${sc.file.fileName} is invalid`);
                    const lines = deploymentLines(deployments ?? [], sc.stack);
                    if (lines.length) ctx.print(["", "Deployments in progress:", ...lines.map((l) => `  ${l}`)].join("\n"));
                }
                return 0;
            }),
        );
}
