/**
 * The `drydock` command: the update life cycle around `pulumi up`.
 *
 * `run(argv, deps)` builds a fresh commander program, runs it and returns the exit code:
 * 0 ok, 1 refused or failed, 2 usage or configuration error. Every error is one line on stderr.
 */
import { Command, CommanderError } from "commander";

import { COMMANDS, CommandEntry, commandFor } from "./commandList";
import { CliDeps, defaultDeps } from "./deps";
import { describeError, EXIT, oneLine } from "./errors";
import { exitCodeOf } from "./program";
import { endQuietlyOnClosedPipe, printJsonError, wantsJson } from "./output";

/** Help to stdout; commander's own errors as one `drydock: … (see npx <command> --help)` line on stderr (pasteable). */
function outputFor(deps: CliDeps, command: string) {
    return {
        writeOut: (s: string) => deps.stdout(s),
        writeErr: (s: string) => deps.stderr(s),
        outputError: (s: string, write: (s: string) => void) =>
            write(`drydock: ${oneLine(s.replace(/^error:\s*/, ""))} (see npx ${command} --help)\n`),
    };
}

/**
 * Registers the commands: `load` ones fully (their module is required: options, action, help), the
 * others as light stubs (name and summary, enough for `drydock --help` and "unknown command").
 */
function registerCommands(program: Command, deps: CliDeps, load: (c: CommandEntry) => boolean): void {
    for (const entry of COMMANDS) {
        if (load(entry)) {
            entry.load()(program, deps);
            program.commands.find((c) => c.name() === entry.name)?.addHelpText("after", `\nExit codes: ${entry.exitCodes}.`);
        } else {
            const stub = program.command(entry.name).description(entry.summary);
            if (entry.args) stub.arguments(entry.args);
        }
    }
    program.configureHelp({
        subcommandTerm: (c) => [c.name(), "[options]", COMMANDS.find((e) => e.name === c.name())?.args].filter(Boolean).join(" "),
    });
}

/**
 * Builds the program; every command gets `--help`, usage errors become one `drydock: …` line.
 * With `argv`, only the command it runs is loaded (start-up stays fast); without, every command is.
 */
export function buildProgram(deps: CliDeps, argv?: readonly string[]): Command {
    const program = new Command("drydock");
    program
        .description(
            "Update life cycle of a drydock Pulumi project: versions, status, promote, rollback, pause, release windows, snapshots",
        )
        .version((require("../package.json") as { version: string }).version, "-V, --version", "print drydock's version")
        .exitOverride()
        // Root options (-V/--version) only before the command name: `drydock migrate --version v1.3.0` is migrate's option.
        .enablePositionalOptions()
        .showHelpAfterError(false)
        .configureOutput(outputFor(deps, "drydock"))
        .addHelpText(
            "after",
            "\nExit codes: 0 ok, 1 refused or failed, 2 usage or configuration error.\n" +
                "AWS access uses the SDK's standard settings (AWS_PROFILE, credentials chain, AWS_ENDPOINT_URL); the region comes from aws:region in the stack file.",
        );
    const wanted = argv ? commandFor(argv) : undefined;
    registerCommands(program, deps, (c) => !argv || c === wanted);
    for (const command of program.commands) command.configureOutput(outputFor(deps, `drydock ${command.name()}`));
    return program;
}

/**
 * Runs `drydock` with `argv` as in `process.argv` (node, script, args...).
 * @returns the exit code.
 */
export async function run(argv: string[], overrides: Partial<CliDeps> = {}): Promise<number> {
    if (!overrides.stdout) endQuietlyOnClosedPipe(); // `drydock … | head -1` ends quietly
    const deps = defaultDeps(overrides);
    const program = buildProgram(deps, argv);
    const json = wantsJson(argv);
    try {
        await program.parseAsync(argv, { from: "node" });
        return exitCodeOf(program);
    } catch (e) {
        if (e instanceof CommanderError) {
            // --help and --version exit 0; `drydock` alone prints help and is a usage error.
            if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.ok;
            if (json) printJsonError(deps, oneLine(e.message.replace(/^error:\s*/, "")), EXIT.usage);
            return EXIT.usage;
        }
        const { line, exitCode } = describeError(e);
        deps.stderr(`${line}\n`);
        if (json) printJsonError(deps, line, exitCode); // --json: one JSON document on stdout, errors included
        return exitCode;
    }
}
