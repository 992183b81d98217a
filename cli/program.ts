/**
 * Helpers every command registration uses: an action wrapper that records the exit code the
 * action returns (commander ignores return values), and shared option parsers.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { serviceNames } from "../services";
import { commandDeadlineMs, withDeadline } from "../aws/deadline";

const exitCodes = new WeakMap<Command, number>();

function root(command: Command): Command {
    let c = command;
    while (c.parent) c = c.parent;
    return c;
}

/**
 * Wraps an async action so the exit code it returns (default 0) reaches `run()`.
 * Use as `.action(commandAction(async (opts) => { …; return 1; }))`. Throwing a CliError also works.
 */
export function commandAction<A extends unknown[]>(
    fn: (...args: A) => Promise<number | void>,
    options: { deadline?: "default" | "none" } = {},
): (...args: A) => Promise<void> {
    return async (...args: A) => {
        // commander passes the Command itself as the last argument of every action.
        const command = args[args.length - 1];
        // The label follows the "drydock: " every error line starts with: `drydock: status: no answer from …`.
        const label = command instanceof Command ? command.name() : "command";
        // Every command gets an overall deadline (DRYDOCK_COMMAND_TIMEOUT_MS, default 90 s): an AWS endpoint that
        // never answers ends it with one line naming the call. Longer configured waits (snapshot --wait, the
        // Pulumi run of --apply) set their own; `none` is for commands that call no AWS (check).
        const code = options.deadline === "none" ? await fn(...args) : await withDeadline(label, commandDeadlineMs(), () => fn(...args));
        if (command instanceof Command) exitCodes.set(root(command), code ?? 0);
    };
}

/** The exit code the action of `program` (or one of its subcommands) returned; 0 if none. */
export function exitCodeOf(program: Command): number {
    return exitCodes.get(program) ?? 0;
}

/** `--stack <name>` (required). */
export function stackOption(
    description = "Pulumi stack (reads Pulumi.<name>.yaml of the project: the nearest directory up with Pulumi.yaml)",
): Option {
    return new Option("-s, --stack <name>", description).makeOptionMandatory();
}

/** `--service <name>|all` (default all): the services of the service table. */
export function serviceOption(description = "which service"): Option {
    return new Option("--service <service>", description).choices([...serviceNames(), "all"]).default("all");
}

export function jsonOption(): Option {
    return new Option("--json", "print one JSON document on stdout instead of tables");
}

/** Parses a positive whole number for an option such as `--limit`. */
export function positiveInteger(value: string): number {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
        throw new InvalidArgumentError(`expected a whole number of 1 or more, got ${JSON.stringify(value)}.`);
    }
    return Number(value);
}
