/**
 * What commands that change a stack file share: write it and show the diff, and `--apply`
 * (preview, then update, through the Pulumi Automation API).
 */
import { outsideDeadline } from "../aws/deadline";
import { evaluateReleaseGate } from "../release/gate";
import { formatInZone } from "../release/windows";
import { formatChanges, policyPackDir } from "./automation";
import { CliDeps } from "./deps";
import { CliError, oneLine, refused } from "./errors";
import { Ctx } from "./output";
import { requirePulumiCli } from "./pulumiCli";
import { projectDir, StackContext } from "./stackContext";
import { StackFile } from "./stackFile";

/**
 * What `--apply` needs before anything is written: a Pulumi CLI that runs hooks (>= 3.238) and the project's
 * policy pack. Refuses with one line naming what is missing.
 */
export async function requireApplyTools(deps: CliDeps): Promise<void> {
    await requirePulumiCli("--apply", deps.automation);
    policyPackDir(projectDir(deps.cwd));
}

/** Writes the pending edits (atomically) and prints the diff. Prints nothing if the write fails. */
export function saveAndShow(ctx: Ctx, file: StackFile): void {
    const diff = file.diff();
    file.save();
    ctx.print(diff.trimEnd());
}

/**
 * The line worth showing from a failed Pulumi command: the engine's first `error:` line (the Automation
 * API's CommandError starts with `code: 255`, which says nothing), else the first non-empty line.
 */
export function failureLine(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    const error = /^\s*(?:stderr:\s*)?error:\s*(.+)$/m.exec(text)?.[1];
    return oneLine(error ?? text.split("\n").find((l) => l.trim() !== "") ?? text);
}

/**
 * Asks the release gate `pulumi up` will run whether a version change may deploy now. With `--apply` a
 * refusal stops the command before anything is written (exit 1); without it, it is a warning.
 */
export function checkReleaseGate(ctx: Ctx, deps: CliDeps, sc: StackContext, subject: string, apply: boolean): void {
    const d = evaluateReleaseGate({ ...sc.settings.release, now: deps.now(), imageChanged: true, stack: sc.stack, subject });
    const override = `pulumi config set releaseOverride "<reason>" -s ${sc.stack}`;
    if (d.allowed) {
        if (d.overridden) ctx.warn(`drydock: warning: ${d.reason}; pulumi up will let it through and record the override`);
        return;
    }
    const next = d.nextWindow ? `; the next window opens ${formatInZone(d.nextWindow.start, sc.settings.release.timeZone)}` : "";
    if (apply)
        throw refused(
            `${sc.stack}`,
            `the release gate of pulumi up would refuse this now: ${d.reason}${next}; nothing was written or deployed`,
            `deploy then, or let it through: ${override}`,
        );
    ctx.warn(
        `drydock: warning: pulumi up -s ${sc.stack} will refuse this version change now: ${d.reason}${next} (to let it through: ${override})`,
    );
}

/**
 * `pulumi preview` then `pulumi up` of `stack` in the project directory (the nearest with Pulumi.yaml at or above `deps.cwd`).
 * @param message recorded as the update's message in Pulumi's history (e.g. `drydock sync …`); default: Pulumi's own.
 * @returns 0 when the update succeeded; throws CliError (exit 1) when either step fails.
 */
export async function applyStack(ctx: Ctx, deps: CliDeps, stack: string, message?: string): Promise<number> {
    ctx.print();
    ctx.print(`Running pulumi preview -s ${stack} ...`);
    let preview: Awaited<ReturnType<CliDeps["automation"]["preview"]>>;
    try {
        preview = await outsideDeadline(() => deps.automation.preview(stack, projectDir(deps.cwd))); // the hooks have their own deadlines
    } catch (e) {
        if (e instanceof CliError) throw e; // drydock's own refusal (e.g. no policy pack), already one line
        throw refused(
            `pulumi preview -s ${stack}`,
            `failed: ${failureLine(e)}`,
            "the stack file is already updated; fix the problem and run pulumi up, or revert the file",
        );
    }
    ctx.print(`Preview: ${formatChanges(preview.changeSummary)}`);
    ctx.print(`Running pulumi up -s ${stack} (release gate, pre-update snapshot, rollout verification) ...`);
    let up: Awaited<ReturnType<CliDeps["automation"]["up"]>>;
    try {
        up = await outsideDeadline(() => deps.automation.up(stack, projectDir(deps.cwd), message ? { message } : undefined));
    } catch (e) {
        throw refused(
            `pulumi up -s ${stack}`,
            `failed: ${failureLine(e)}`,
            `see the output above; npx drydock status --stack ${stack} shows what runs now`,
        );
    }
    ctx.print(`Update ${up.summary.result}: ${formatChanges(up.summary.resourceChanges)}`);
    if (up.summary.result !== "succeeded") {
        throw refused(
            `pulumi up -s ${stack}`,
            `finished with result ${up.summary.result}`,
            `npx drydock status --stack ${stack} shows what runs now`,
        );
    }
    return 0;
}
