/**
 * `drydock status --stack S [--json]`: what runs and whether it is healthy — per service the
 * version, image, task counts, the primary deployment's rollout state and target health; the
 * Aurora cluster; and whether releases are paused or inside a window.
 */
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeDBClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { dbClusterIdentifier, ecsClusterName, serviceLogGroupName, shortTaskDefinition } from "../../release/names";
import { Command } from "commander";
import { listDrydockSnapshots } from "../../aws/snapshots";
import { SERVICE_NAMES, Settings } from "../../config";
import { formatInZone, releaseWindowState } from "../../release/windows";
import { ClusterNotFound, describeServices, describeTaskDefinition, ServiceState, TaskDefinitionInfo } from "../../aws/ecs";
import { currentTaskDefinition } from "../deployed";
import { CliDeps } from "../deps";
import { aws } from "../errors";
import { createCtx, Ctx, isoUtc, renderTable, shortDigest, utcMinute } from "../output";
import { commandAction, jsonOption, stackOption } from "../program";
import { openStack, StackContext } from "../stackContext";

export interface TargetCounts {
    healthy: number;
    /** unhealthy or unavailable */
    unhealthy: number;
    /** initial, draining, unused: shown in the table only. */
    other: number;
}

/** One service row of `status --json`. */
export interface ServiceStatus {
    name: string;
    version: string | null;
    image: string | null;
    desired: number;
    running: number;
    pending: number;
    rolloutState: string | null;
    /** ECS rolled a deployment of this service back (a FAILED deployment is still listed). */
    rolledBack: boolean;
    targets: { healthy: number; unhealthy: number };
}

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

interface ServiceDetail {
    json: ServiceStatus;
    state: ServiceState;
    td?: TaskDefinitionInfo;
    targets: TargetCounts;
}

async function targetHealth(elbv2: ElasticLoadBalancingV2Client, arns: string[]): Promise<TargetCounts> {
    const counts: TargetCounts = { healthy: 0, unhealthy: 0, other: 0 };
    for (const arn of arns) {
        const out = await aws(`ELBv2 DescribeTargetHealth ${arn.split("/").slice(-2, -1)[0] ?? arn}`, () =>
            elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
        );
        for (const t of out.TargetHealthDescriptions ?? []) {
            const state = t.TargetHealth?.State;
            if (state === "healthy") counts.healthy++;
            else if (state === "unhealthy" || state === "unavailable") counts.unhealthy++;
            else counts.other++;
        }
    }
    return counts;
}

async function serviceDetails(deps: CliDeps, sc: StackContext): Promise<{ services: ServiceDetail[]; deployed: boolean }> {
    const ecs = deps.ecs(sc.region);
    let states: Map<string, ServiceState>;
    try {
        states = await describeServices(ecs, sc.stack, SERVICE_NAMES);
    } catch (e) {
        if (!(e instanceof ClusterNotFound)) throw e;
        states = new Map(SERVICE_NAMES.map((name) => [name, { name, found: false, desired: 0, running: 0, pending: 0, failed: [], targetGroupArns: [] }]));
        return { services: SERVICE_NAMES.map((name) => detail(states.get(name) as ServiceState)), deployed: false };
    }
    const services = await Promise.all(
        SERVICE_NAMES.map(async (name) => {
            const state = states.get(name) as ServiceState;
            const tdArn = currentTaskDefinition(state);
            if (!state.found || !tdArn) return detail(state);
            const [td, targets] = await Promise.all([
                describeTaskDefinition(ecs, tdArn, name, sc.settings[name].repository.uri),
                targetHealth(deps.elbv2(sc.region), state.targetGroupArns),
            ]);
            return detail(state, td, targets);
        }),
    );
    return { services, deployed: true };
}

function detail(state: ServiceState, td?: TaskDefinitionInfo, targets: TargetCounts = { healthy: 0, unhealthy: 0, other: 0 }): ServiceDetail {
    return {
        state,
        ...(td ? { td } : {}),
        targets,
        json: {
            name: state.name,
            version: td?.version ?? null,
            image: td?.image ?? null,
            desired: state.desired,
            running: state.running,
            pending: state.pending,
            rolloutState: state.primary?.rolloutState ?? null,
            rolledBack: state.failed.length > 0,
            targets: { healthy: targets.healthy, unhealthy: targets.unhealthy },
        },
    };
}

async function databaseStatus(rds: RDSClient, sc: StackContext): Promise<DatabaseStatus | null> {
    const identifier = dbClusterIdentifier(sc.stack);
    const cluster = await aws(`RDS DescribeDBClusters ${identifier}`, async () => {
        try {
            return (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters?.[0];
        } catch (e) {
            if ((e as Error).name === "DBClusterNotFoundFault") return undefined;
            throw e;
        }
    });
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
    const state = releaseWindowState(settings.release.windows, settings.release.timeZone, now);
    return {
        paused: settings.release.paused,
        windowOpen: state.open,
        nextWindowStart: isoUtc(state.next?.start),
        always: state.always,
        ...(state.next ? { nextStart: state.next.start } : {}),
        ...(state.current ? { currentEnd: state.current.end } : {}),
    };
}

/** `123….amazonaws.com/drydock/backend@sha256:…` → `drydock/backend@sha256:0123456789ab`. */
function shortImage(image: string | null): string {
    if (!image) return "-";
    const path = image.includes("/") ? image.slice(image.indexOf("/") + 1) : image;
    const at = path.indexOf("@");
    return at >= 0 ? `${path.slice(0, at)}@${shortDigest(path.slice(at + 1))}` : path;
}

function printText(ctx: Ctx, sc: StackContext, services: ServiceDetail[], deployed: boolean, db: DatabaseStatus | null, release: ReturnType<typeof releaseStatus>): void {
    const zone = sc.settings.release.timeZone;
    ctx.print(`Stack ${sc.stack} (${sc.region})`);
    ctx.print();
    ctx.print(
        renderTable(
            ["service", "version", "image", "running/desired", "pending", "rollout", "targets"],
            services.map((s) => [
                s.json.name,
                s.json.version ?? "-",
                s.state.found ? shortImage(s.json.image) : "not deployed",
                `${s.json.running}/${s.json.desired}`,
                s.json.pending,
                s.json.rolloutState ?? "-",
                s.state.found ? `${s.targets.healthy} healthy, ${s.targets.unhealthy} unhealthy${s.targets.other ? `, ${s.targets.other} other` : ""}` : "-",
            ]),
        ),
    );
    const notes: string[] = [];
    if (!deployed) notes.push(`Stack ${sc.stack} is not deployed: no ECS cluster ${ecsClusterName(sc.stack)}.`);
    for (const s of services) {
        const configured = sc.settings[s.state.name].version.raw;
        if (s.state.primary?.rolloutStateReason && s.state.primary.rolloutState !== "COMPLETED") {
            notes.push(`${s.json.name}: rollout ${s.state.primary.rolloutState}: ${s.state.primary.rolloutStateReason}`);
        }
        for (const f of s.state.failed) {
            notes.push(
                `${s.json.name}: ROLLED BACK — the deployment of ${shortTaskDefinition(f.taskDefinition)} FAILED${f.rolloutStateReason ? ` (${f.rolloutStateReason})` : ""}; ` +
                    `ECS now runs ${s.td ? `${shortTaskDefinition(s.td.arn)} (${s.td.version})` : "the previous task definition"}. Check: aws logs tail ${serviceLogGroupName(s.state.name, sc.stack)}`,
            );
        }
        if (s.td && s.td.version !== configured) {
            notes.push(`${s.json.name}: the stack file asks for ${configured} but ${s.td.version} runs (run pulumi up -s ${sc.stack}, or see drydock rollback).`);
        }
    }
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
    const pause = release.paused ? `PAUSED${sc.settings.release.pauseReason ? ` — ${sc.settings.release.pauseReason}` : ""} (drydock resume --stack ${sc.stack})` : "not paused";
    ctx.print(`Release: ${pause}`);
    if (release.always) ctx.print("  release window: none configured, always open");
    else if (release.windowOpen) ctx.print(`  release window: open now until ${formatInZone(release.currentEnd as Date, zone)}`);
    else ctx.print(`  release window: closed; next opens ${release.nextStart ? formatInZone(release.nextStart, zone) : "never"}`);
}

export function registerStatus(program: Command, deps: CliDeps): void {
    program
        .command("status")
        .description("show what each service runs, its rollout and target health, the database, and the release state")
        .addOption(stackOption())
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: { stack: string; json?: boolean }) => {
                const ctx = createCtx(deps, !!opts.json);
                const sc = openStack(deps, opts.stack);
                const [{ services, deployed }, database] = await ctx.step(`Reading stack ${sc.stack}`, () =>
                    Promise.all([serviceDetails(deps, sc), databaseStatus(deps.rds(sc.region), sc)]),
                );
                const release = releaseStatus(sc.settings, deps.now());
                if (ctx.json) {
                    ctx.printJson({
                        stack: sc.stack,
                        services: services.map((s) => s.json),
                        database,
                        release: { paused: release.paused, windowOpen: release.windowOpen, nextWindowStart: release.nextWindowStart },
                    });
                } else {
                    printText(ctx, sc, services, deployed, database, release);
                }
                return 0;
            }),
        );
}
