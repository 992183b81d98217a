/**
 * Helpers every command registration uses: an action wrapper that records the exit code the
 * action returns (commander ignores return values), and shared option parsers.
 */
import { Command, InvalidArgumentError, Option } from "commander";

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
export function commandAction<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
    return async (...args: A) => {
        const code = await fn(...args);
        // commander passes the Command itself as the last argument of every action.
        const command = args[args.length - 1];
        if (command instanceof Command) exitCodes.set(root(command), code ?? 0);
    };
}

/** The exit code the action of `program` (or one of its subcommands) returned; 0 if none. */
export function exitCodeOf(program: Command): number {
    return exitCodes.get(program) ?? 0;
}

/** `--stack <name>` (required). */
export function stackOption(description = "Pulumi stack (reads Pulumi.<name>.yaml in the current directory)"): Option {
    return new Option("-s, --stack <name>", description).makeOptionMandatory();
}

/** `--service backend|frontend|all` (default all). */
export function serviceOption(description = "which service"): Option {
    return new Option("--service <service>", description).choices(["backend", "frontend", "all"]).default("all");
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
