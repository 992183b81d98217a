/**
 * `drydock pause --stack S --reason "…" [--force]` and `drydock resume --stack S`: freeze and unfreeze a
 * stack's versions by setting `drydock:updatesPaused` (with `drydock:pauseReason` and `drydock:pausedAt`
 * beside it) in the stack file. The release gate refuses image changes while paused. Pausing a paused stack
 * with another reason is refused (the current reason and since when are shown) unless `--force`.
 *
 * These only edit the file, so they work even when other keys of the stack file are invalid.
 */
import { Command, Option } from "commander";
import { CliDeps } from "../deps";
import { refused, usageError } from "../errors";
import { createCtx, isoUtc, utcMinute } from "../output";
import { commandAction, stackOption } from "../program";
import { openStackFile, projectDir } from "../stackContext";
import { editStackFile, StackFile } from "../stackFile";

/** What the stack file says about a pause now: paused?, the reason, since when (as written). */
function currentPause(file: StackFile): { paused: boolean; reason?: string; since?: string } {
    const reason = file.get("pauseReason")?.trim();
    const since = file.get("pausedAt")?.trim();
    return {
        paused: file.get("updatesPaused")?.trim().toLowerCase() === "true",
        ...(reason ? { reason } : {}),
        ...(since ? { since } : {}),
    };
}

/** `since 2026-11-24 10:00 UTC: "reason"`, from what the file says. */
function describePause(p: { reason?: string; since?: string }): string {
    const at = p.since ? new Date(p.since) : undefined;
    const since =
        at && !Number.isNaN(at.getTime()) ? ` since ${utcMinute(at)}` : p.since ? ` since ${p.since}` : " (since when is not recorded)";
    return `${since}: ${p.reason ? JSON.stringify(p.reason) : "no reason given"}`;
}

export function registerPause(program: Command, deps: CliDeps): void {
    program
        .command("pause")
        .description("freeze the stack's versions: set updatesPaused (and pauseReason) in the stack file")
        .addOption(stackOption())
        .addOption(new Option("--reason <text>", "why updates are paused (kept in the stack file)").makeOptionMandatory())
        .addOption(new Option("--force", "replace the reason of a stack that is already paused"))
        .action(commandAction(async (opts: { stack: string; reason: string; force?: boolean }) => pause(deps, opts)));
}

/** The decision and the edit of `pause`, made under the stack file's lock (another pause cannot slip in between). */
function pauseEdit(file: StackFile, reason: string, now: Date, force: boolean): { before: ReturnType<typeof currentPause>; diff: string } {
    const before = currentPause(file);
    if (before.paused && before.reason === reason) return { before, diff: "" };
    if (before.paused && !force) {
        throw refused(
            `stack ${file.stack}`,
            `already paused${describePause(before)}; nothing changed`,
            `to replace the reason: npx drydock pause --stack ${file.stack} --reason "…" --force; to unfreeze: npx drydock resume --stack ${file.stack}`,
        );
    }
    file.set("updatesPaused", "true");
    file.set("pauseReason", reason, { after: "updatesPaused" });
    // The pause began when it was first set; replacing its reason (--force) keeps that time.
    if (!before.paused || !before.since) file.set("pausedAt", isoUtc(now) as string, { after: "pauseReason" });
    return { before, diff: file.diff() };
}

async function pause(deps: CliDeps, opts: { stack: string; reason: string; force?: boolean }): Promise<number> {
    const ctx = createCtx(deps, false);
    const reason = opts.reason.trim();
    if (!reason) throw usageError("--reason", "is empty", 'say why, e.g. --reason "incident 4711: hold releases"');
    const file = openStackFile(deps, opts.stack); // names a missing stack before taking any lock
    const { before, diff } = await editStackFile(projectDir(deps.cwd), file.stack, (locked) =>
        pauseEdit(locked, reason, deps.now(), !!opts.force),
    );
    if (!diff) {
        ctx.print(`Stack ${file.stack} is already paused${describePause(before)}. Nothing changed.`);
        return 0;
    }
    ctx.print(diff.trimEnd());
    ctx.print();
    ctx.print(
        before.paused
            ? `Still paused ${file.stack}; reason replaced (was ${JSON.stringify(before.reason ?? "")}): ${reason}`
            : `Paused ${file.stack}: ${reason}`,
    );
    ctx.print(
        `Commit ${file.fileName}. While paused, pulumi up -s ${file.stack} refuses any image change (release gate); other changes still apply.`,
    );
    ctx.print(
        `Let one update through: pulumi config set releaseOverride "<reason>" -s ${file.stack}. Unfreeze: npx drydock resume --stack ${file.stack}`,
    );
    return 0;
}

/** The edit of `resume`, made under the stack file's lock like pause's (a pause in between is not overwritten). */
function resumeEdit(file: StackFile): { before: ReturnType<typeof currentPause>; diff: string } {
    const before = currentPause(file);
    if (file.get("updatesPaused") !== undefined) file.set("updatesPaused", "false");
    file.delete("pauseReason");
    file.delete("pausedAt");
    return { before, diff: file.diff() };
}

export function registerResume(program: Command, deps: CliDeps): void {
    program
        .command("resume")
        .description("unfreeze the stack's versions: clear updatesPaused and pauseReason in the stack file")
        .addOption(stackOption())
        .action(
            commandAction(async (opts: { stack: string }) => {
                const ctx = createCtx(deps, false);
                const file = openStackFile(deps, opts.stack); // names a missing stack before taking any lock
                const { before, diff } = await editStackFile(projectDir(deps.cwd), file.stack, resumeEdit);
                const wasPaused = before.paused;
                if (!diff) {
                    ctx.print(`Stack ${file.stack} is not paused. Nothing changed.`);
                    return 0;
                }
                ctx.print(diff.trimEnd());
                ctx.print();
                const was = wasPaused ? ` (paused${describePause(before)})` : "";
                ctx.print(
                    `${wasPaused ? "Resumed" : "Cleared the pause reason of"} ${file.stack}${was}. Commit ${file.fileName}; version changes deploy again (inside release windows: npx drydock window --stack ${file.stack}).`,
                );
                return 0;
            }),
        );
}
