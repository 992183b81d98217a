/**
 * `drydock pause --stack S --reason "…"` and `drydock resume --stack S`: freeze and unfreeze a
 * stack's versions by setting `drydock:updatesPaused` (with `drydock:pauseReason` beside it) in
 * the stack file. The release gate refuses image changes while paused.
 *
 * These only edit the file, so they work even when other keys of the stack file are invalid.
 */
import { Command, Option } from "commander";
import { CliDeps } from "../deps";
import { usageError } from "../errors";
import { saveAndShow } from "../apply";
import { createCtx } from "../output";
import { commandAction, stackOption } from "../program";
import { loadStack } from "../stackFile";

export function registerPause(program: Command, deps: CliDeps): void {
    program
        .command("pause")
        .description("freeze the stack's versions: set updatesPaused (and pauseReason) in the stack file")
        .addOption(stackOption())
        .addOption(new Option("--reason <text>", "why updates are paused (required; kept in the stack file)").makeOptionMandatory())
        .action(
            commandAction(async (opts: { stack: string; reason: string }) => {
                const ctx = createCtx(deps, false);
                const reason = opts.reason.trim();
                if (!reason) throw usageError("--reason", "is empty", 'say why, e.g. --reason "incident 4711: hold releases"');
                const file = loadStack(deps.cwd, opts.stack);
                const a = file.set("updatesPaused", "true");
                const b = file.set("pauseReason", reason, { after: "updatesPaused" });
                if (!a && !b) {
                    ctx.print(`Stack ${file.stack} is already paused: ${reason}. Nothing changed.`);
                    return 0;
                }
                saveAndShow(ctx, file);
                ctx.print();
                ctx.print(`Paused ${file.stack}: ${reason}`);
                ctx.print(`Commit ${file.fileName}. While paused, pulumi up -s ${file.stack} refuses any image change (release gate); other changes still apply.`);
                ctx.print(`Let one update through: pulumi config set releaseOverride "<reason>" -s ${file.stack}. Unfreeze: drydock resume --stack ${file.stack}`);
                return 0;
            }),
        );
}

export function registerResume(program: Command, deps: CliDeps): void {
    program
        .command("resume")
        .description("unfreeze the stack's versions: clear updatesPaused and pauseReason in the stack file")
        .addOption(stackOption())
        .action(
            commandAction(async (opts: { stack: string }) => {
                const ctx = createCtx(deps, false);
                const file = loadStack(deps.cwd, opts.stack);
                const wasPaused = file.get("updatesPaused")?.trim().toLowerCase() === "true";
                const a = file.get("updatesPaused") !== undefined && file.set("updatesPaused", "false");
                const b = file.delete("pauseReason");
                if (!a && !b) {
                    ctx.print(`Stack ${file.stack} is not paused. Nothing changed.`);
                    return 0;
                }
                saveAndShow(ctx, file);
                ctx.print();
                ctx.print(`${wasPaused ? "Resumed" : "Cleared the pause reason of"} ${file.stack}. Commit ${file.fileName}; version changes deploy again (inside release windows: drydock window --stack ${file.stack}).`);
                return 0;
            }),
        );
}
