/**
 * `drydock history --stack S [--limit N] [--json]`: what each update of the stack changed — versions,
 * the image digests it deployed, who or what ran it, the pre-update snapshot it took and whether its
 * rollout verification passed. From Pulumi's update history (through the Automation API) joined with
 * drydock's snapshot tags (RDS) and the task definitions ECS registered during each update.
 *
 * Verification: `verify-rollout` fails the update when ECS rolled the new deployment back, so an update
 * that changed an image and succeeded passed it; a failed update either failed it or stopped earlier
 * (release gate, snapshot, migrations) — Pulumi's history does not say which, so it is `update-failed`.
 */
import { Command, Option } from "commander";
import { describeTaskDefinition, taskDefinitionHistory, TaskDefinitionInfo } from "../../aws/ecs";
import { DrydockSnapshot, listDrydockSnapshots } from "../../aws/snapshots";
import { CONFIG_NAMESPACE } from "../../configSchema";
import { dbClusterIdentifier } from "../../release/names";
import { serviceNames } from "../../services";
import { failureLine } from "../apply";
import { StackUpdate } from "../automation";
import { CliDeps } from "../deps";
import { aws, describeError, refused } from "../errors";
import { createCtx, Ctx, isoUtc, renderTable, shortDigest, utcMinute } from "../output";
import { commandAction, jsonOption, positiveInteger, stackOption } from "../program";
import { imageKey, openStack, projectDir, StackContext, versionKey } from "../stackContext";

export interface DeployedImage {
    service: string;
    digest: string | null;
    image: string;
    registeredAt: Date;
}

export type Verification = "passed" | "not-run" | "update-failed" | "in-progress";

export interface HistoryRow {
    version: number;
    kind: string;
    result: string;
    startTime: Date;
    endTime?: Date;
    /** Version and redeploy-token changes against the previous update shown (from null for the oldest). */
    changes: { key: string; from: string | null; to: string | null }[];
    /** Images ECS registered during the update. */
    images: DeployedImage[];
    triggeredBy: string;
    message: string;
    snapshot: DrydockSnapshot | null;
    verification: Verification;
}

/** `GitHub schedule by jane (drydock --apply)`: where Pulumi says the update ran, by whom, and how. */
export function triggeredBy(env: Record<string, string>): string {
    const ci = env["ci.system"] ? `${env["ci.system"]}${env["ci.build.type"] ? ` ${env["ci.build.type"]}` : ""}` : "local";
    const who = env["git.author"] ?? env["github.login"] ?? env["updatedBy"];
    const how = env["exec.kind"]?.startsWith("auto.") ? " (drydock --apply)" : env["exec.kind"] === "cli" ? " (pulumi up)" : "";
    return `${ci}${who ? ` by ${who}` : ""}${how}`;
}

const WATCHED = () => [...serviceNames().map(versionKey), "redeployToken"].map((k) => `${CONFIG_NAMESPACE}:${k}`);

function changesOf(update: StackUpdate, previous: StackUpdate | undefined): HistoryRow["changes"] {
    return WATCHED()
        .map((key) => ({
            key: key.slice(CONFIG_NAMESPACE.length + 1),
            from: previous ? (previous.config[key] ?? null) : null,
            to: update.config[key] ?? null,
        }))
        .filter((c) => c.from !== c.to);
}

function verificationOf(update: StackUpdate, images: DeployedImage[], changes: HistoryRow["changes"]): Verification {
    if (update.result === "failed") return "update-failed";
    if (update.result !== "succeeded") return "in-progress";
    return images.length > 0 || changes.length > 0 ? "passed" : "not-run";
}

/**
 * The rows of `drydock history`, newest first: Pulumi's updates (refreshes and previews left out) joined
 * with the snapshot created and the task definitions registered between each update's start and end.
 */
export function historyRows(updates: StackUpdate[], snapshots: DrydockSnapshot[], images: DeployedImage[]): HistoryRow[] {
    const shown = updates.filter((u) => u.kind === "update" || u.kind === "destroy").sort((a, b) => b.version - a.version);
    return shown.map((u, i) => {
        const start = u.startTime.getTime();
        const end = u.endTime?.getTime() ?? Infinity;
        const during = (d: Date | undefined) => d !== undefined && d.getTime() >= start && d.getTime() <= end;
        const registered = images.filter((im) => during(im.registeredAt));
        const changes = changesOf(u, shown[i + 1]);
        return {
            version: u.version,
            kind: u.kind,
            result: u.result,
            startTime: u.startTime,
            ...(u.endTime ? { endTime: u.endTime } : {}),
            changes,
            images: registered,
            triggeredBy: triggeredBy(u.environment),
            message: u.message,
            snapshot: snapshots.find((s) => during(s.createdAt)) ?? null,
            verification: verificationOf(u, registered, changes),
        };
    });
}

/** Runs an AWS read that only enriches the history; a failure is a warning and the history goes on. */
async function enrich<T>(ctx: Ctx, what: string, fallback: T, read: () => Promise<T>): Promise<T> {
    try {
        return await read();
    } catch (e) {
        ctx.warn(`drydock: warning: ${describeError(e).line.replace(/^drydock: /, "")} (history shown without ${what})`);
        return fallback;
    }
}

/** The newest `perService` task definition revisions of each service and the images they name. */
async function deployedImages(deps: CliDeps, sc: StackContext, perService: number): Promise<DeployedImage[]> {
    const ecs = deps.ecs(sc.region);
    const lists = await Promise.all(
        serviceNames().map(async (service) => {
            const arns = (await taskDefinitionHistory(ecs, sc.stack, service)).slice(0, perService);
            const infos: TaskDefinitionInfo[] = await Promise.all(
                arns.map((a) => describeTaskDefinition(ecs, a, service, sc.settings.services[service].repository.uri)),
            );
            return infos.flatMap((td) =>
                td.registeredAt ? [{ service, digest: td.ref.digest ?? null, image: td.image, registeredAt: td.registeredAt }] : [],
            );
        }),
    );
    return lists.flat();
}

const PULUMI_INSTALL = "https://www.pulumi.com/docs/install/";

/** Pulumi's history of the stack, newest first. @throws CliError (exit 1) when Pulumi cannot answer. */
async function pulumiHistory(deps: CliDeps, stack: string, limit: number): Promise<StackUpdate[]> {
    try {
        return await deps.automation.history(stack, projectDir(deps.cwd), limit);
    } catch (e) {
        const cli = await deps.automation.cliVersion();
        if (!cli.found)
            throw refused(
                "history",
                `${cli.why}: drydock history reads Pulumi's update history through it`,
                `install it: ${PULUMI_INSTALL}`,
            );
        throw refused(
            `pulumi stack history -s ${stack}`,
            `failed: ${failureLine(e)}`,
            "log in to the stack's Pulumi backend (pulumi login) and check that the stack exists",
        );
    }
}

function historyJson(stack: string, rows: HistoryRow[]) {
    return {
        stack,
        updates: rows.map((r) => ({
            ...r,
            startTime: isoUtc(r.startTime),
            endTime: isoUtc(r.endTime),
            images: r.images.map((i) => ({ ...i, registeredAt: isoUtc(i.registeredAt) })),
            snapshot: r.snapshot
                ? {
                      identifier: r.snapshot.identifier,
                      status: r.snapshot.status,
                      fromVersion: r.snapshot.fromVersion ?? null,
                      toVersion: r.snapshot.toVersion ?? null,
                      override: r.snapshot.override ?? null,
                  }
                : null,
        })),
    };
}

function changeText(r: HistoryRow): string {
    const versions = r.changes.map((c) => `${c.key.replace(/Version$/, "")} ${c.from ?? "?"} -> ${c.to ?? "(unset)"}`);
    const images = r.images.map((i) => `${i.service}=${shortDigest(i.digest ?? i.image)}`);
    return [...versions, ...(images.length ? [`images ${images.join(" ")}`] : [])].join("; ") || "-";
}

function printHistory(ctx: Ctx, sc: StackContext, rows: HistoryRow[]): void {
    if (rows.length === 0) {
        ctx.print(`Stack ${sc.stack} has no updates in Pulumi's history yet.`);
        return;
    }
    ctx.print(
        renderTable(
            ["#", "started", "result", "changed", "triggered by", "snapshot", "verification"],
            rows.map((r) => [
                r.version,
                utcMinute(r.startTime),
                r.result,
                changeText(r),
                r.triggeredBy,
                r.snapshot?.identifier ?? "-",
                r.verification,
            ]),
        ),
    );
}

export function registerHistory(program: Command, deps: CliDeps): void {
    program
        .command("history")
        .description("show what each update of the stack changed: versions, digests, who ran it, its snapshot and its verification")
        .addOption(stackOption())
        .addOption(new Option("--limit <n>", "show the newest N updates").argParser(positiveInteger).default(20))
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: { stack: string; limit: number; json?: boolean }) => {
                const ctx = createCtx(deps, !!opts.json);
                const sc = openStack(deps, opts.stack, { needs: serviceNames().flatMap((s) => [versionKey(s), imageKey(s)]) });
                const updates = await ctx.step(`Reading ${sc.stack}'s update history`, () => pulumiHistory(deps, sc.stack, opts.limit));
                const cluster = dbClusterIdentifier(sc.stack);
                const [snapshots, images] = await Promise.all([
                    enrich(ctx, "snapshots", [], () =>
                        aws(`RDS DescribeDBClusterSnapshots ${cluster}`, () =>
                            listDrydockSnapshots(deps.rds(sc.region), cluster, sc.stack),
                        ),
                    ),
                    enrich(ctx, "image digests", [], () => deployedImages(deps, sc, opts.limit * 2)),
                ]);
                const rows = historyRows(updates, snapshots, images);
                if (ctx.json) ctx.printJson(historyJson(sc.stack, rows));
                else printHistory(ctx, sc, rows);
                return 0;
            }),
        );
}
