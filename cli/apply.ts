/**
 * What commands that change a stack file share: write it and show the diff, and `--apply`
 * (preview, then update, through the Pulumi Automation API).
 */
import { formatChanges } from "./automation";
import { CliDeps } from "./deps";
import { oneLine, refused } from "./errors";
import { Ctx } from "./output";
import { StackFile } from "./stackFile";

/** Writes the pending edits (atomically) and prints the diff. Prints nothing if the write fails. */
export function saveAndShow(ctx: Ctx, file: StackFile): void {
    const diff = file.diff();
    file.save();
    ctx.print(diff.trimEnd());
}

function firstLine(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    return oneLine(text.split("\n").find((l) => l.trim() !== "") ?? text);
}

/**
 * `pulumi preview` then `pulumi up` of `stack` in `deps.cwd`.
 * @returns 0 when the update succeeded; throws CliError (exit 1) when either step fails.
 */
export async function applyStack(ctx: Ctx, deps: CliDeps, stack: string): Promise<number> {
    ctx.print();
    ctx.print(`Running pulumi preview -s ${stack} ...`);
    let preview: Awaited<ReturnType<CliDeps["automation"]["preview"]>>;
    try {
        preview = await deps.automation.preview(stack, deps.cwd);
    } catch (e) {
        throw refused(`pulumi preview -s ${stack}`, `failed: ${firstLine(e)}`, "the stack file is already updated; fix the problem and run pulumi up, or revert the file");
    }
    ctx.print(`Preview: ${formatChanges(preview.changeSummary)}`);
    ctx.print(`Running pulumi up -s ${stack} (release gate, pre-update snapshot, rollout verification) ...`);
    let up: Awaited<ReturnType<CliDeps["automation"]["up"]>>;
    try {
        up = await deps.automation.up(stack, deps.cwd);
    } catch (e) {
        throw refused(`pulumi up -s ${stack}`, `failed: ${firstLine(e)}`, `see the output above; drydock status --stack ${stack} shows what runs now`);
    }
    ctx.print(`Update ${up.summary.result}: ${formatChanges(up.summary.resourceChanges)}`);
    if (up.summary.result !== "succeeded") {
        throw refused(`pulumi up -s ${stack}`, `finished with result ${up.summary.result}`, `drydock status --stack ${stack} shows what runs now`);
    }
    return 0;
}
