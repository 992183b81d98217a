/**
 * Every `drydock` command, as a light entry: its name, its one-line summary for `drydock --help`, its
 * exit codes, and how to load its module. `drydock <command>` loads only that command's module (and so
 * only the libraries it needs: the AWS SDK, Pulumi, the policy pack); `drydock --help`, `--version` and an
 * unknown command load none. docs/commands.md is generated from these entries and the commands' own
 * commander definitions (`npm run docs:commands`).
 *
 * To add a command: write `cli/commands/<name>.ts` exporting `register<Name>(program, deps)` (it defines
 * the command with commander: `.command(name)`, `.description(summary)`, options, action), then add one
 * entry below. test/cli.main.test.ts checks that the summary equals the command's own description.
 */

import type { Command } from "commander";
import type { CliDeps } from "./deps";

export interface CommandEntry {
    /** The name as typed: `drydock <name>`. */
    name: string;
    /** Positional arguments shown in `drydock --help` (e.g. `<service>`), if any. */
    args?: string;
    /** The one-line description; must equal the one the command's module gives commander. */
    summary: string;
    /** When each exit code happens, one line; shown in `drydock <name> --help` and docs/commands.md. */
    exitCodes: string;
    /** Loads the command's module and returns its registration (runs only when the command is used). */
    load: () => (program: Command, deps: CliDeps) => void;
}

export const COMMANDS: readonly CommandEntry[] = [
    {
        name: "versions",
        args: "<service>",
        summary: "list every version in a service's ECR repository, newest first, and mark the one the stack runs",
        exitCodes: "0 listed (also an empty repository); 1 an AWS failure or a missing repository; 2 a bad service, stack or --limit",
        load: () => (require("./commands/versions") as typeof import("./commands/versions")).registerVersions,
    },
    {
        name: "status",
        summary: "show what each service runs, its rollout and target health, the database, and the release state",
        exitCodes:
            "0 shown (also for a stack that isn't deployed); 1 an AWS failure; 2 a bad stack; with --watch: 0 every deployment completed, 1 one rolled back or stopped",
        load: () => (require("./commands/status") as typeof import("./commands/status")).registerStatus,
    },
    {
        name: "promote",
        summary: "pin the target stack to exactly what the source stack runs now (written into the target's stack file)",
        exitCodes:
            "0 written (and applied with --apply); 1 refused (an unhealthy source, a downgrade, a mutable version, no Pulumi CLI 3.238+ for --apply), or the update failed; 2 bad arguments or stacks",
        load: () => (require("./commands/promote") as typeof import("./commands/promote")).registerPromote,
    },
    {
        name: "rollback",
        summary: "set the stack file back to the version that ran before the current one, or to --to VERSION",
        exitCodes:
            "0 written (and applied with --apply); 1 refused (a mutable --to in production, nothing to roll back to, no Pulumi CLI 3.238+ for --apply), or the update failed; 2 a malformed --to or a bad stack",
        load: () => (require("./commands/rollback") as typeof import("./commands/rollback")).registerRollback,
    },
    {
        name: "pause",
        summary: "freeze the stack's versions: set updatesPaused (and pauseReason) in the stack file",
        exitCodes:
            "0 written (or already paused for the same reason); 1 refused (already paused for another reason, without --force; the file changed on disk); 2 a missing or empty reason, or a bad stack",
        load: () => (require("./commands/pause") as typeof import("./commands/pause")).registerPause,
    },
    {
        name: "resume",
        summary: "unfreeze the stack's versions: clear updatesPaused and pauseReason in the stack file",
        exitCodes: "0 written (or not paused); 1 refused (the file changed on disk); 2 a bad stack",
        load: () => (require("./commands/pause") as typeof import("./commands/pause")).registerResume,
    },
    {
        name: "window",
        summary: "tell whether a release window is open now (or at --at), and when the next one opens",
        exitCodes: "0 answered (open or closed); 2 a bad --at or bad window config",
        load: () => (require("./commands/window") as typeof import("./commands/window")).registerWindow,
    },
    {
        name: "snapshot",
        summary: "take a drydock-tagged manual snapshot of the stack's Aurora cluster (before an update)",
        exitCodes: "0 started (available with --wait); 1 the cluster is busy or missing, a timeout, or an AWS failure; 2 a bad stack",
        load: () => (require("./commands/snapshot") as typeof import("./commands/snapshot")).registerSnapshot,
    },
    {
        name: "snapshots",
        summary: "list drydock's snapshots of the stack's Aurora cluster, newest first",
        exitCodes: "0 listed (also for a stack that isn't deployed); 1 an AWS failure; 2 a bad stack",
        load: () => (require("./commands/snapshot") as typeof import("./commands/snapshot")).registerSnapshots,
    },
    {
        name: "migrate",
        summary: "run the backend's migration task (migrationCommand) by hand, after a pre-update snapshot, on a version's image",
        exitCodes:
            "0 the task exited with code 0 (without --wait: the task runs); 1 refused (no migrationCommand, --no-snapshot in production, the release gate), the snapshot failed, or the task did not exit 0; 2 a bad stack or --version",
        load: () => (require("./commands/migrate") as typeof import("./commands/migrate")).registerMigrate,
    },
    {
        name: "approve",
        summary: "continue a service's deployment paused for approval after the test-traffic shift (production traffic starts to shift)",
        exitCodes: "0 continued; 1 refused (nothing waits for approval) or an AWS failure; 2 a bad stack or service",
        load: () => (require("./commands/deployment") as typeof import("./commands/deployment")).registerApprove,
    },
    {
        name: "abort",
        summary: "stop a service's deployment in progress and roll it back (production traffic returns to the old revision)",
        exitCodes: "0 stopped, rolling back; 1 refused (no deployment in progress) or an AWS failure; 2 a bad stack, service or --reason",
        load: () => (require("./commands/deployment") as typeof import("./commands/deployment")).registerAbort,
    },
    {
        name: "sync",
        summary: "propose the newest version each service may move to within the stack's update channel, and say why newer ones are held",
        exitCodes:
            "0 answered (nothing to do, an update proposed, written or applied, or held by a pause or closed window); 1 refused (no Pulumi CLI 3.238+ for --apply, the file changed on disk), an AWS failure, or the update failed; 2 bad arguments or configuration",
        load: () => (require("./commands/sync") as typeof import("./commands/sync")).registerSync,
    },
    {
        name: "history",
        summary: "show what each update of the stack changed: versions, digests, who ran it, its snapshot and its verification",
        exitCodes:
            "0 shown (snapshots or digests AWS cannot give are a warning); 1 Pulumi's history cannot be read; 2 bad arguments or stack",
        load: () => (require("./commands/history") as typeof import("./commands/history")).registerHistory,
    },
    {
        name: "check",
        summary: "offline plan: synthesize the stack under mocks, run the policy pack, estimate rollout times (no cloud, no credentials)",
        exitCodes: "0 no mandatory violation; 1 a mandatory violation; 2 bad configuration or usage",
        load: () => (require("./commands/check") as typeof import("./commands/check")).registerCheck,
    },
];

/**
 * The command `argv` (as in process.argv) runs, or asks help for (`drydock help <name>`): the entry to
 * load. Undefined for `--help`, `--version`, no command or an unknown one.
 */
export function commandFor(argv: readonly string[]): CommandEntry | undefined {
    const words = argv.slice(2).filter((a) => !a.startsWith("-"));
    const name = words[0] === "help" ? words[1] : words[0];
    return COMMANDS.find((c) => c.name === name);
}
