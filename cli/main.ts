/**
 * The `drydock` command: the update life cycle around `pulumi up`.
 *
 * `run(argv, deps)` builds a fresh commander program, runs it and returns the exit code:
 * 0 ok, 1 refused or failed, 2 usage or configuration error. Every error is one line on stderr.
 */
import { Command, CommanderError } from "commander";

import { registerCheck } from "./commands/check";
import { registerPause, registerResume } from "./commands/pause";
import { registerPromote } from "./commands/promote";
import { registerRollback } from "./commands/rollback";
import { registerSnapshot, registerSnapshots } from "./commands/snapshot";
import { registerStatus } from "./commands/status";
import { registerVersions } from "./commands/versions";
import { registerWindow } from "./commands/window";
import { CliDeps, defaultDeps } from "./deps";
import { describeError, EXIT, oneLine } from "./errors";
import { exitCodeOf } from "./program";

/** Help to stdout; commander's own errors as one `drydock: … (see <command> --help)` line on stderr. */
function outputFor(deps: CliDeps, command: string) {
    return {
        writeOut: (s: string) => deps.stdout(s),
        writeErr: (s: string) => deps.stderr(s),
        outputError: (s: string, write: (s: string) => void) => write(`drydock: ${oneLine(s.replace(/^error:\s*/, ""))} (see ${command} --help)\n`),
    };
}

/** Builds the program; every command gets `--help`, usage errors become one `drydock: …` line. */
export function buildProgram(deps: CliDeps): Command {
    const program = new Command("drydock");
    program
        .description("Update life cycle of a drydock Pulumi project: versions, status, promote, rollback, pause, release windows, snapshots")
        .version((require("../package.json") as { version: string }).version, "-V, --version", "print drydock's version")
        .exitOverride()
        .showHelpAfterError(false)
        .configureOutput(outputFor(deps, "drydock"))
        .addHelpText(
            "after",
            "\nExit codes: 0 ok, 1 refused or failed, 2 usage or configuration error.\n" +
                "AWS access uses the SDK's standard settings (AWS_PROFILE, credentials chain, AWS_ENDPOINT_URL); the region comes from aws:region in the stack file.",
        );
    registerVersions(program, deps);
    registerStatus(program, deps);
    registerPromote(program, deps);
    registerRollback(program, deps);
    registerPause(program, deps);
    registerResume(program, deps);
    registerWindow(program, deps);
    registerSnapshot(program, deps);
    registerSnapshots(program, deps);
    registerCheck(program, deps);
    for (const command of program.commands) command.configureOutput(outputFor(deps, `drydock ${command.name()}`));
    return program;
}

/**
 * Runs `drydock` with `argv` as in `process.argv` (node, script, args...).
 * @returns the exit code.
 */
export async function run(argv: string[], overrides: Partial<CliDeps> = {}): Promise<number> {
    const deps = defaultDeps(overrides);
    const program = buildProgram(deps);
    try {
        await program.parseAsync(argv, { from: "node" });
        return exitCodeOf(program);
    } catch (e) {
        if (e instanceof CommanderError) {
            // --help and --version exit 0; `drydock` alone prints help and is a usage error.
            return e.code === "commander.helpDisplayed" || e.code === "commander.version" ? EXIT.ok : EXIT.usage;
        }
        const { line, exitCode } = describeError(e);
        deps.stderr(`${line}\n`);
        return exitCode;
    }
}
