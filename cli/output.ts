/**
 * How commands print: plain tables (cli-table3 without borders or colours), exactly one JSON
 * document on stdout in `--json` mode, warnings on stderr, and a spinner around slow steps.
 */
import type TableType from "cli-table3";
import { CliDeps, silentSpinner, Spinner } from "./deps";

/** What every command receives. */
export interface Ctx {
    deps: CliDeps;
    /** `--json` given: stdout gets exactly one JSON document and nothing else. */
    json: boolean;
    /** One line (or several) on stdout; ignored in JSON mode. */
    print(text?: string): void;
    /** One line on stderr (shown in JSON mode too). */
    warn(text: string): void;
    /** Prints the JSON document. */
    printJson(value: unknown): void;
    /** Runs `step` with a spinner showing `text` (silent in JSON mode or off a terminal). */
    step<T>(text: string, step: () => Promise<T>): Promise<T>;
}

export function createCtx(deps: CliDeps, json: boolean): Ctx {
    return {
        deps,
        json,
        print: (text = "") => {
            if (!json) deps.stdout(`${text}\n`);
        },
        warn: (text) => deps.stderr(`${text}\n`),
        printJson: (value) => deps.stdout(`${JSON.stringify(value, null, 2)}\n`),
        step: async (text, step) => {
            const spinner: Spinner = json ? silentSpinner : deps.spinner(text);
            try {
                return await step();
            } finally {
                spinner.stop();
            }
        },
    };
}

const NO_BORDER = {
    top: "",
    "top-mid": "",
    "top-left": "",
    "top-right": "",
    bottom: "",
    "bottom-mid": "",
    "bottom-left": "",
    "bottom-right": "",
    left: "",
    "left-mid": "",
    mid: "",
    "mid-mid": "",
    right: "",
    "right-mid": "",
    middle: "  ",
};

/** A borderless, colourless table with upper-case headings; trailing spaces trimmed. */
export function renderTable(head: string[], rows: (string | number)[][]): string {
    // cli-table3 is loaded by the first table: commands printing JSON (or nothing) never load it.

    const Table = require("cli-table3") as typeof TableType;
    const table = new Table({
        head: head.map((h) => h.toUpperCase()),
        chars: NO_BORDER,
        style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
    });
    for (const row of rows) table.push(row.map((c) => String(c)));
    return table
        .toString()
        .split("\n")
        .map((l) => l.trimEnd())
        .join("\n");
}

/** `sha256:0123456789abcdef…` → `sha256:0123456789ab`. */
export function shortDigest(digest: string | undefined): string {
    if (!digest) return "-";
    const m = /^sha256:([0-9a-f]{12})/.exec(digest);
    return m ? `sha256:${m[1]}` : digest;
}

/** `2026-01-02T03:04:05.000Z` → `2026-01-02 03:04 UTC`. */
export function utcMinute(d: Date | undefined): string {
    if (!d) return "-";
    return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** ISO-8601 UTC without milliseconds, e.g. `2026-01-02T03:04:05Z` (release/timestamps.ts): the one format of every JSON document. */
export { isoUtc } from "../release/timestamps";

export function yesNo(b: boolean): string {
    return b ? "yes" : "no";
}

/** `--json` was given (before a `--`): errors then also go to stdout as one JSON object. */
export function wantsJson(argv: readonly string[]): boolean {
    const end = argv.indexOf("--");
    return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

/** Under `--json`, an error is also one JSON document on stdout: `{ "error": "<the line, without drydock:>", "code": <exit code> }`. */
export function printJsonError(deps: Pick<CliDeps, "stdout">, line: string, code: number): void {
    deps.stdout(`${JSON.stringify({ error: line.replace(/^drydock: /, ""), code }, null, 2)}\n`);
}

const guarded = new WeakSet<NodeJS.EventEmitter>();

/**
 * A reader that closes the pipe early (`drydock status | head -1`) ends the command quietly with exit 0,
 * instead of Node's `write EPIPE` trace. Other stream errors stay errors.
 */
export function endQuietlyOnClosedPipe(
    streams: NodeJS.EventEmitter[] = [process.stdout, process.stderr],
    exit: (code: number) => void = (code) => process.exit(code),
): void {
    for (const stream of streams) {
        if (guarded.has(stream)) continue;
        guarded.add(stream);
        stream.on("error", (e: NodeJS.ErrnoException) => {
            if (e.code !== "EPIPE") throw e;
            exit(0);
        });
    }
}
