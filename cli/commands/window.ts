/**
 * `drydock window --stack S [--at ISO-8601] [--json]`: is a release window open now (or at
 * `--at`)? Which one, and when does the next one open — in the stack's zone and UTC.
 */
import { Command, Option } from "commander";
import { DateTime } from "luxon";
import { releaseState } from "../../release/state";
import { formatInZone } from "../../release/windows";
import { CliDeps } from "../deps";
import { usageError } from "../errors";
import { createCtx, isoUtc } from "../output";
import { commandAction, jsonOption, stackOption } from "../program";
import { openStack } from "../stackContext";

/**
 * Parses `--at`: ISO-8601 with an offset (`2026-11-28T21:00:00Z`, `2026-11-28T22:00+01:00`), or
 * without one, read as local time in `timeZone`.
 * @throws CliError (exit 2) naming the argument and the accepted form.
 */
export function parseAt(value: string, timeZone: string): Date {
    const parsed = DateTime.fromISO(value.trim(), { zone: timeZone, setZone: true });
    if (!parsed.isValid) {
        throw usageError(
            `--at ${JSON.stringify(value)}`,
            `not an ISO-8601 date-time (${parsed.invalidExplanation ?? parsed.invalidReason ?? "unreadable"})`,
            `use e.g. 2026-11-28T21:00:00Z or 2026-11-28T22:00+01:00; without an offset the time is read in ${timeZone}`,
        );
    }
    return parsed.toJSDate();
}

export function registerWindow(program: Command, deps: CliDeps): void {
    program
        .command("window")
        .description("tell whether a release window is open now (or at --at), and when the next one opens")
        .addOption(stackOption())
        .addOption(new Option("--at <time>", "ISO-8601 date-time to check instead of now, e.g. 2026-11-28T21:00:00Z"))
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: { stack: string; at?: string; json?: boolean }) => {
                const ctx = createCtx(deps, !!opts.json);
                const sc = openStack(deps, opts.stack, { aws: false, needs: ["releaseWindows", "releaseTimeZone", "updatesPaused"] });
                const { windows, timeZone } = sc.settings.release;
                const at = opts.at !== undefined ? parseAt(opts.at, timeZone) : deps.now();
                const state = releaseState(sc.settings.release, at);
                const { paused, pauseReason } = state;
                if (ctx.json) {
                    ctx.printJson({
                        open: state.windowOpen,
                        // A paused stack refuses version changes even inside a window: scripts must see both.
                        paused,
                        pauseReason: pauseReason ?? null,
                        pausedAt: isoUtc(sc.settings.release.pausedAt),
                        current: state.currentWindow
                            ? {
                                  window: state.currentWindow.window,
                                  start: isoUtc(state.currentWindow.start),
                                  end: isoUtc(state.currentWindow.end),
                              }
                            : null,
                        nextStart: isoUtc(state.nextWindow?.start),
                    });
                    return 0;
                }
                const when = `${opts.at !== undefined ? "At" : "Now,"} ${formatInZone(at, timeZone)}`;
                if (state.alwaysOpen) {
                    ctx.print(`${when}: open — stack ${sc.stack} has no release windows, so releases may deploy at any time.`);
                } else {
                    ctx.print(`Release windows of ${sc.stack} (${timeZone}): ${windows.map((w) => w.raw).join(", ")}`);
                    if (state.currentWindow) {
                        ctx.print(
                            `${when}: OPEN — ${state.currentWindow.window}, until ${formatInZone(state.currentWindow.end, timeZone)}`,
                        );
                    } else {
                        ctx.print(`${when}: CLOSED — version changes are refused by the release gate.`);
                    }
                    if (state.nextWindow)
                        ctx.print(`Next opening: ${formatInZone(state.nextWindow.start, timeZone)} (${state.nextWindow.window})`);
                    if (!state.windowOpen)
                        ctx.print(`To deploy anyway: pulumi config set releaseOverride "<reason>" -s ${sc.stack} (unset it afterwards).`);
                }
                if (paused) {
                    ctx.print(
                        `Updates are PAUSED${pauseReason ? ` (${pauseReason})` : ""}: the release gate refuses version changes even inside a window (npx drydock resume --stack ${sc.stack}).`,
                    );
                }
                return 0;
            }),
        );
}
