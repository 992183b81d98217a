/**
 * `drydock migrate --stack S [--version V] [--wait] [--json] [--no-snapshot]`: the backend's migration
 * task by hand, with the `run-migrations` hook's safety (docs/migrations.md). The logic is cli/migrate.ts;
 * this file parses and prints. Progress goes to stderr; stdout gets the summary or the JSON document.
 */
import { Command, Option } from "commander";
import { CliDeps } from "../deps";
import { describeError, refused } from "../errors";
import { MigrateResult, planMigration, runMigration } from "../migrate";
import { createCtx, Ctx } from "../output";
import { commandAction, jsonOption, stackOption } from "../program";
import { openStack } from "../stackContext";

interface Opts {
    stack: string;
    version?: string;
    wait?: boolean;
    snapshot: boolean;
    json?: boolean;
}

function printResult(ctx: Ctx, r: MigrateResult, waited: boolean): void {
    if (ctx.json) {
        ctx.printJson(r);
        return;
    }
    ctx.print(`Task:            ${r.taskArn ?? "-"}`);
    ctx.print(`Task definition: ${r.taskDefinition}`);
    ctx.print(`Image:           ${r.image}`);
    ctx.print(`Snapshot:        ${r.snapshot ?? "none (--no-snapshot)"}`);
    ctx.print(`Log stream:      ${r.logStream ? `${r.logStream.group} ${r.logStream.stream}` : "-"}`);
    if (r.logStream?.url) ctx.print(`Console:         ${r.logStream.url}`);
    // Without --wait a task that already stopped (exit code 0) has a known exit code too.
    if (waited || r.exitCode !== null)
        ctx.print(`Exit code:       ${r.exitCode ?? "none"}${r.stoppedReason ? ` (${r.stoppedReason})` : ""}`);
    else ctx.print(`The task is running; its exit code is not known yet (use --wait to wait for it).`);
}

export function registerMigrate(program: Command, deps: CliDeps): void {
    program
        .command("migrate")
        .description("run the backend's migration task (migrationCommand) by hand, after a pre-update snapshot, on a version's image")
        .addOption(stackOption())
        .addOption(
            new Option("--version <version>", "the backend version whose image runs the migration (default: the one in the stack file)"),
        )
        .addOption(new Option("--wait", "wait until the task stops and exit 0 only on exit code 0 (without it: return once the task runs)"))
        .addOption(new Option("--no-snapshot", "skip the pre-update snapshot (refused in production stacks)"))
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: Opts) => {
                const ctx = createCtx(deps, !!opts.json);
                const sc = openStack(deps, opts.stack);
                const options = {
                    ...(opts.version !== undefined ? { version: opts.version } : {}),
                    wait: !!opts.wait,
                    snapshot: opts.snapshot,
                };
                const plan = await planMigration(deps, sc, options);
                ctx.warn(`migrate: ${plan.command.join(" ")} on ${plan.image} (${sc.stack})`);
                const r = await runMigration(deps, sc, plan, options, (m) => ctx.warn(`migrate: ${m}`));
                if (r.error === undefined) {
                    printResult(ctx, r, !!opts.wait);
                    return 0;
                }
                // The report (task, exit code or reason, log stream, last log lines) as progress, then the one-line error.
                for (const line of r.error.split("\n").slice(1)) ctx.warn(line);
                const failed = refused(
                    `migration task ${r.taskArn ?? "(not started)"}`,
                    r.exitCode !== null
                        ? `exited with code ${r.exitCode}`
                        : `stopped without exit code 0: ${r.stoppedReason ?? r.error.split("\n")[0]}`,
                    `read the log above, fix the migration, then retry: npx drydock migrate --stack ${sc.stack} --wait; restore: docs/migrations.md`,
                );
                if (!ctx.json) throw failed;
                // --json: the one document is the result with the whole report and the exit code; the one line still goes to stderr.
                ctx.warn(describeError(failed).line);
                ctx.printJson({ ...r, code: failed.exitCode });
                return failed.exitCode;
            }),
        );
}
