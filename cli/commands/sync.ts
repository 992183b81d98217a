/**
 * `drydock sync --stack S [--json] [--at TIME] [--write] [--apply]`: within the stack's update channel,
 * the newest version each service may move to now, and why every newer one is held (release/channels.ts).
 * Read-only by default. `--write` edits the stack file as `promote` does (comments kept) and prints a
 * one-line reason for the commit; `--apply` then runs preview and update exactly as `promote --apply`.
 * A latest-channel stack whose `latest` digest moved gets `redeployToken` set to the new digests: the
 * version stays `latest`, the token records what was approved and forces the new deployment.
 */
import { Command, Option } from "commander";
import { formatDuration } from "../../release/duration";
import { ChannelDecision, decideUpdates, Held, holdFailedUpdate, ServiceDecision } from "../../release/channels";
import { formatInZone } from "../../release/windows";
import { serviceNames } from "../../services";
import { applyStack, checkReleaseGate, failureLine, requireApplyTools, saveAndShow } from "../apply";
import { CliDeps } from "../deps";
import { refused, usageError } from "../errors";
import { createCtx, Ctx, isoUtc, shortDigest } from "../output";
import { commandAction, jsonOption, stackOption } from "../program";
import { imageKey, openStack, StackContext, versionKey } from "../stackContext";
import { failedUpdateLine, lastFailedUpdate, readDecisionInput } from "../updates";
import { parseAt } from "./window";

/** One stack-file edit `--write` makes. */
export interface SyncEdit {
    key: string;
    value: string;
}

/** The keys a read-only sync reads: a bad value elsewhere in the stack file is only a warning. */
export function syncKeys(): string[] {
    const release = ["releaseWindows", "releaseTimeZone", "updatesPaused", "pauseReason", "releaseOverride"];
    const updates = ["updateChannel", "minimumReleaseAge", "soakIn", "allowPrereleases", "autoApply"];
    return [...release, ...updates, ...serviceNames().flatMap((s) => [versionKey(s), imageKey(s)])];
}

/** What `drydock sync` decides for `sc` at `at` (reads ECR and ECS; nothing for a manual stack). */
export async function planSync(deps: CliDeps, sc: StackContext, at: Date): Promise<ChannelDecision> {
    return decideUpdates(await readDecisionInput(deps, sc, at));
}

/** `latest backend=sha256:0123456789ab frontend=…`: the latest-channel token naming every service's image after the sync. */
export function latestToken(decision: ChannelDecision): string {
    return `latest ${decision.services.map((s) => `${s.name}=${shortDigest(s.proposedDigest ?? s.runningDigest ?? undefined)}`).join(" ")}`;
}

/** The stack-file edits that carry out the proposals: versions, or for the latest channel the redeploy token. */
export function syncEdits(decision: ChannelDecision): SyncEdit[] {
    const proposed = decision.services.filter((s) => s.proposed !== null);
    if (proposed.length === 0) return [];
    if (decision.channel === "latest") return [{ key: "redeployToken", value: latestToken(decision) }];
    return proposed.map((s) => ({ key: versionKey(s.name), value: s.proposed as string }));
}

/** One line for the commit (or pull request) title, e.g. `drydock sync production: backend v1.10.0 -> v1.10.1 (channel patch)`. */
export function commitMessage(stack: string, decision: ChannelDecision): string {
    const changes = decision.services
        .filter((s) => s.proposed !== null)
        .map((s) =>
            decision.channel === "latest"
                ? `${s.name} latest -> ${shortDigest(s.proposedDigest ?? undefined)}`
                : `${s.name} ${s.running} -> ${s.proposed}`,
        );
    return `drydock sync ${stack}: ${changes.join(", ")} (channel ${decision.channel})`;
}

const heldJson = (h: Held) => ({
    version: h.version,
    reason: h.reason,
    detail: h.detail,
    digest: h.digest,
    eligibleAt: isoUtc(h.eligibleAt),
});

/** The `--json` document. */
export function syncJson(sc: StackContext, d: ChannelDecision, written?: { file: string; message: string }) {
    return {
        stack: sc.stack,
        channel: d.channel,
        /** What the scheduled controller does with a proposal: --apply (true) or a pull request (false). */
        autoApply: sc.settings.updates.autoApply,
        paused: d.paused,
        windowOpen: d.windowOpen,
        overridden: d.overridden,
        hold: d.hold ?? null,
        nextChange: isoUtc(d.nextChange ?? undefined),
        services: d.services.map((s) => ({
            name: s.name,
            running: s.running,
            runningDigest: s.runningDigest,
            proposed: s.proposed,
            proposedDigest: s.proposedDigest,
            held: s.held.map(heldJson),
            note: s.note ?? null,
        })),
        written: written ?? null,
    };
}

function serviceLines(s: ServiceDecision): string[] {
    const runs = `${s.name}: ${s.running}${s.runningDigest ? ` (runs ${shortDigest(s.runningDigest)})` : ""}`;
    const head = s.proposed
        ? `${runs} -> propose ${s.proposed} (${shortDigest(s.proposedDigest ?? undefined)})`
        : `${runs}: nothing to propose${s.note ? ` — ${s.note}` : ""}`;
    return [head, ...s.held.map((h) => `  held ${h.version}: ${h.reason} — ${h.detail}`)];
}

/** The human report. */
export function printDecision(ctx: Ctx, sc: StackContext, d: ChannelDecision, at: Date): void {
    const u = sc.settings.updates;
    const zone = sc.settings.release.timeZone;
    const soak = u.soakIn ? `, soak in ${u.soakIn}` : "";
    if (d.channel === "manual") {
        ctx.print(
            `Stack ${sc.stack}: updateChannel is manual, so drydock sync proposes nothing; versions change only when a person changes them.`,
        );
        ctx.print(
            `To follow releases: pulumi config set updateChannel patch -s ${sc.stack} (or latest, minor, major; see docs/automatic-updates.md)`,
        );
        return;
    }
    ctx.print(
        `Stack ${sc.stack} at ${formatInZone(at, zone)}: channel ${d.channel}, minimumReleaseAge ${formatDuration(u.minimumReleaseAgeMs)}${soak}`,
    );
    if (d.hold) ctx.print(`Held: ${d.hold} — the controller proposes nothing until that changes.`);
    else if (d.overridden) ctx.print(`releaseOverride is set: proposals go through the pause or closed window (remove it afterwards).`);
    for (const s of d.services) for (const line of serviceLines(s)) ctx.print(line);
    ctx.print(`Next change: ${d.nextChange ? formatInZone(d.nextChange, zone) : "none expected by itself"}`);
}

interface SyncOptions {
    stack: string;
    json?: boolean;
    at?: string;
    write?: boolean;
    apply?: boolean;
    retryFailed?: boolean;
}

function checkOptions(opts: SyncOptions): void {
    if (opts.at !== undefined && (opts.write || opts.apply)) {
        throw usageError(
            "--at",
            "answers for another instant, so it cannot be combined with --write or --apply",
            "drop --at to write or apply what holds now",
        );
    }
    if (opts.json && opts.apply) {
        throw usageError(
            "--json",
            "cannot be combined with --apply (pulumi's own output goes to stdout)",
            "use --json with --write, or --apply without --json",
        );
    }
}

/** Carries out the proposals: edits, checks the gate before writing, writes, and applies with `--apply`. */
async function writeAndApply(ctx: Ctx, deps: CliDeps, sc: StackContext, d: ChannelDecision, apply: boolean): Promise<number> {
    const edits = syncEdits(d);
    if (edits.length === 0) {
        if (!ctx.json) ctx.print(`Nothing to write: ${sc.file.fileName} stays as it is.`);
        if (ctx.json) ctx.printJson(syncJson(sc, d));
        return 0;
    }
    for (const e of edits) sc.file.set(e.key, e.value);
    sc.file.settings(); // the edited file must still be valid (ConfigError, exit 2)
    const message = commitMessage(sc.stack, d);
    checkReleaseGate(ctx, deps, sc, message, apply); // what pulumi up's gate would refuse is refused before writing
    ctx.print();
    saveAndShow(ctx, sc.file);
    ctx.print(`Reason: ${message}`);
    if (ctx.json) ctx.printJson(syncJson(sc, d, { file: sc.file.fileName, message }));
    if (apply) return applyStack(ctx, deps, sc.stack, message);
    ctx.print(
        `Next: commit ${sc.file.fileName} with the reason above, then pulumi preview -s ${sc.stack} --policy-pack policies && pulumi up -s ${sc.stack}`,
    );
    return 0;
}

const retryHint = (stack: string) =>
    `look: npx drydock history --stack ${stack}; retry on purpose: npx drydock sync --stack ${stack} --apply --retry-failed`;

/** `--apply` does not retry a failed update by itself (each try would take a snapshot and prune older ones). */
async function refuseAfterFailedUpdate(deps: CliDeps, stack: string): Promise<void> {
    let failed: Awaited<ReturnType<typeof lastFailedUpdate>>;
    try {
        failed = await lastFailedUpdate(deps, stack);
    } catch (e) {
        const why = `cannot read Pulumi's update history to check that the last update did not fail (${failureLine(e)})`;
        throw refused(stack, `${why}; nothing was written or deployed`, retryHint(stack));
    }
    if (failed) {
        const why = `${failedUpdateLine(failed)}; --apply does not retry a failed update by itself, so nothing was written or deployed`;
        throw refused(stack, why, retryHint(stack));
    }
}

/** Without `--apply`: a failed last update holds the whole stack (`last-update-failed`); unreadable history only warns. */
async function holdAfterFailedUpdate(ctx: Ctx, deps: CliDeps, stack: string, d: ChannelDecision): Promise<ChannelDecision> {
    try {
        const failed = await lastFailedUpdate(deps, stack);
        return failed ? holdFailedUpdate(d, `${failedUpdateLine(failed)} and is not retried by itself (${retryHint(stack)})`) : d;
    } catch (e) {
        ctx.warn(`drydock: warning: cannot read ${stack}'s Pulumi update history (${failureLine(e)}); a failed last update is not shown`);
        return d;
    }
}

export function registerSync(program: Command, deps: CliDeps): void {
    program
        .command("sync")
        .description(
            "propose the newest version each service may move to within the stack's update channel, and say why newer ones are held",
        )
        .addOption(stackOption())
        .addOption(new Option("--at <time>", "answer for another instant (ISO-8601, e.g. 2026-11-28T21:00:00Z) instead of now; read-only"))
        .addOption(new Option("--write", "write the proposed versions into the stack file (comments kept) and print a one-line reason"))
        .addOption(new Option("--apply", "write, then run pulumi preview and pulumi up for the stack (as promote --apply)"))
        .addOption(new Option("--retry-failed", "propose, write or apply even though the stack's last Pulumi update failed"))
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: SyncOptions) => {
                checkOptions(opts);
                if (opts.apply) await requireApplyTools(deps); // a Pulumi CLI and the policy pack, before anything is written
                const ctx = createCtx(deps, !!opts.json);
                const writing = !!(opts.write || opts.apply);
                const sc = openStack(deps, opts.stack, { needs: writing ? "all" : syncKeys() });
                const checkFailed = !opts.retryFailed && sc.settings.updates.channel !== "manual";
                if (opts.apply && checkFailed) await refuseAfterFailedUpdate(deps, sc.stack); // before anything is written or run
                const at = opts.at !== undefined ? parseAt(opts.at, sc.settings.release.timeZone) : deps.now();
                const planned = await ctx.step(`Reading ${sc.stack}'s versions`, () => planSync(deps, sc, at));
                const decision = checkFailed && !opts.apply ? await holdAfterFailedUpdate(ctx, deps, sc.stack, planned) : planned;
                if (!ctx.json) printDecision(ctx, sc, decision, at);
                if (writing) return writeAndApply(ctx, deps, sc, decision, !!opts.apply);
                if (ctx.json) ctx.printJson(syncJson(sc, decision));
                else if (decision.services.some((s) => s.proposed !== null))
                    ctx.print(`Next: npx drydock sync --stack ${sc.stack} --write (or --apply)`);
                return 0;
            }),
        );
}
