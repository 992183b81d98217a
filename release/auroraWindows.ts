/**
 * Aurora's windows: AWS constraints, not release logic. Both are UTC: the weekly maintenance window
 * `ddd:hh24:mi-ddd:hh24:mi` (`preferredMaintenanceWindow`, the same syntax as a release window) and the
 * daily backup window `hh24:mi-hh24:mi` (`preferredBackupWindow`). Each lasts at least 30 minutes and
 * they must not overlap. Pure logic: no Pulumi or AWS import.
 */
import { DAY_MIN, parseWeeklyWindow, timeOfDay, WEEK_MIN, WEEKLY_WINDOW_FORMAT, WeeklyWindow, WindowError } from "./windows";

/** AWS's shortest maintenance or backup window. */
export const AURORA_MIN_WINDOW_MINUTES = 30; // minutes

/** Minutes since 00:00 (0..1439); `end <= start` means the window wraps midnight. */
export interface DailyWindow {
    raw: string;
    start: number;
    end: number;
}

export const DAILY_WINDOW_FORMAT = "hh24:mi-hh24:mi (24-hour time, e.g. 03:00-04:00)";

/** Parse `hh24:mi-hh24:mi`; throws {@link WindowError}. */
export function parseDailyWindow(s: string): DailyWindow {
    const text = typeof s === "string" ? s.trim() : "";
    const parts = text.split("-");
    if (parts.length !== 2) throw new WindowError(String(s), `expected ${DAILY_WINDOW_FORMAT}`);
    const start = timeOfDay(String(s), parts[0], "start", DAILY_WINDOW_FORMAT);
    const end = timeOfDay(String(s), parts[1], "end", DAILY_WINDOW_FORMAT);
    if (start === end) throw new WindowError(String(s), `start and end are the same; expected ${DAILY_WINDOW_FORMAT}`);
    return { raw: text, start, end };
}

/**
 * The two window types are structurally identical; they are told apart by their `raw` text as produced by
 * the parsers: a weekly window starts with a day name, a daily one with a digit.
 */
function isDaily(w: WeeklyWindow | DailyWindow): boolean {
    return !/^[A-Za-z]/.test(w.raw);
}

/** Length of a window in minutes (wall-clock). Weekly vs daily is read from `raw` (see the parsers). */
export function windowMinutes(w: WeeklyWindow | DailyWindow): number {
    const period = isDaily(w) ? DAY_MIN : WEEK_MIN;
    return w.end > w.start ? w.end - w.start : w.end + period - w.start;
}

/** Half-open [start, end) minute intervals on the weekly timeline [0, WEEK_MIN); a daily window recurs every day. */
function weeklyIntervals(w: WeeklyWindow | DailyWindow): [number, number][] {
    const offsets = isDaily(w) ? [0, 1, 2, 3, 4, 5, 6].map((d) => d * DAY_MIN) : [0];
    const out: [number, number][] = [];
    for (const o of offsets) {
        const s = w.start + o;
        const e = s + windowMinutes(w);
        if (e <= WEEK_MIN) out.push([s, e]);
        else out.push([s, WEEK_MIN], [0, e - WEEK_MIN]);
    }
    return out;
}

/** true if the two windows share at least one minute (touching end-to-start is not an overlap). */
export function windowsOverlap(a: WeeklyWindow | DailyWindow, b: WeeklyWindow | DailyWindow): boolean {
    const bs = weeklyIntervals(b);
    return weeklyIntervals(a).some(([as, ae]) => bs.some(([bs2, be]) => as < be && bs2 < ae));
}

/** One problem with a pair of Aurora windows, naming which window it is about. */
export interface AuroraWindowProblem {
    window: "maintenance" | "backup";
    value: string;
    message: string;
}

/**
 * AWS's rules for an Aurora cluster's windows (both UTC): the maintenance window `ddd:hh24:mi-ddd:hh24:mi`
 * and the daily backup window `hh24:mi-hh24:mi` are well-formed, each lasts at least `minMinutes`, and
 * they do not overlap (AWS refuses that only at apply time). Empty when all is well.
 */
export function auroraWindowProblems(maintenance: string, backup: string, minMinutes = AURORA_MIN_WINDOW_MINUTES): AuroraWindowProblem[] {
    const problems: AuroraWindowProblem[] = [];
    const read = <W extends WeeklyWindow | DailyWindow>(
        window: AuroraWindowProblem["window"],
        raw: string,
        parse: (s: string) => W,
        format: string,
    ): W | undefined => {
        try {
            const w = parse(raw);
            if (windowMinutes(w) >= minMinutes) return w;
            problems.push({
                window,
                value: raw,
                message: `lasts ${windowMinutes(w)} minutes; AWS requires at least ${minMinutes} (format ${format})`,
            });
        } catch (err) {
            if (!(err instanceof WindowError)) throw err;
            problems.push({ window, value: raw, message: `${err.reason}; accepted: ${format}, UTC` });
        }
        return undefined;
    };
    const m = read("maintenance", maintenance, parseWeeklyWindow, WEEKLY_WINDOW_FORMAT);
    const b = read("backup", backup, parseDailyWindow, DAILY_WINDOW_FORMAT);
    if (m && b && windowsOverlap(m, b)) {
        problems.push({
            window: "backup",
            value: backup,
            message: `overlaps the maintenance window ${maintenance}; AWS rejects overlapping windows at apply time. Choose a daily backup window outside the maintenance window`,
        });
    }
    return problems;
}
