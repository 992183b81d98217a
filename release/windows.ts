/**
 * Release windows: weekly windows `ddd:hh24:mi-ddd:hh24:mi` in LOCAL wall-clock time of an IANA zone
 * (`drydock:releaseTimeZone`). The weekly syntax is shared with Aurora's maintenance window, whose
 * AWS rules (UTC, lengths, overlap with the daily backup window) live in auroraWindows.ts.
 *
 * Release window semantics (one occurrence per window per week):
 * - A window opens the first time the local clock reaches its start and closes the first time the
 *   local clock reaches its end after that: start inclusive, end exclusive.
 * - Spring forward: a start or end that does not exist that day (skipped by the clock change) is moved
 *   to the instant of the change (e.g. Europe/Berlin 02:30 on the last Sunday of March → 03:00 CEST,
 *   01:00 UTC). A window lying wholly inside the skipped hour does not occur that week.
 * - Fall back: a start or end that occurs twice uses its first occurrence (the earlier instant).
 * - So a window's real length can differ from its wall-clock length on DST days:
 *   `sun:01:00-sun:04:00` in Europe/Berlin lasts 2 hours on the last Sunday of March and 4 in October.
 * - Windows may wrap midnight (`sat:22:00-sun:02:00`) and the end of the week (`sun:23:00-mon:01:00`).
 *
 * Pure logic: no Pulumi or AWS import.
 */
import { DateTime, IANAZone } from "luxon";

/** Minutes since Monday 00:00 (0..10079); `end <= start` means the window wraps the end of the week. */
export interface WeeklyWindow {
    raw: string;
    start: number;
    end: number;
}

/** Thrown for malformed windows or time zones; `reason` says what is wrong and what is accepted. */
export class WindowError extends Error {
    constructor(
        public readonly input: string,
        public readonly reason: string,
    ) {
        super(`invalid window ${JSON.stringify(input)}: ${reason}`);
        this.name = "WindowError";
    }
}

export const WEEKLY_WINDOW_FORMAT = "ddd:hh24:mi-ddd:hh24:mi (days mon..sun, 24-hour time, e.g. sun:05:00-sun:06:00)";
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const DAY_MIN = 1440;
export const WEEK_MIN = 7 * DAY_MIN;
const MINUTE_MS = 60_000;

/** Parse `ddd:hh24:mi-ddd:hh24:mi` (days case-insensitive); throws {@link WindowError}. */
export function parseWeeklyWindow(s: string): WeeklyWindow {
    const text = typeof s === "string" ? s.trim() : "";
    const parts = text.split("-");
    if (parts.length !== 2) throw new WindowError(String(s), `expected ${WEEKLY_WINDOW_FORMAT}`);
    const start = weeklyPoint(String(s), parts[0], "start");
    const end = weeklyPoint(String(s), parts[1], "end");
    if (start === end) throw new WindowError(String(s), `start and end are the same; expected ${WEEKLY_WINDOW_FORMAT}`);
    return { raw: text, start, end };
}

function weeklyPoint(input: string, part: string, which: string): number {
    const m = /^([A-Za-z]+):(.*)$/.exec(part);
    if (!m) throw new WindowError(input, `the ${which} "${part}" has no day; expected ${WEEKLY_WINDOW_FORMAT}`);
    const day = DAYS.indexOf(m[1].toLowerCase());
    if (day < 0)
        throw new WindowError(input, `unknown day "${m[1]}" (use mon, tue, wed, thu, fri, sat or sun); expected ${WEEKLY_WINDOW_FORMAT}`);
    return day * DAY_MIN + timeOfDay(input, m[2], which, WEEKLY_WINDOW_FORMAT);
}

export function timeOfDay(input: string, part: string, which: string, format: string): number {
    const m = /^(\d{2}):(\d{2})$/.exec(part);
    if (!m) throw new WindowError(input, `the ${which} time "${part}" is not hh24:mi; expected ${format}`);
    const [h, mi] = [Number(m[1]), Number(m[2])];
    if (h > 23) throw new WindowError(input, `hour ${m[1]} is out of range 00-23; expected ${format}`);
    if (mi > 59) throw new WindowError(input, `minute ${m[2]} is out of range 00-59; expected ${format}`);
    return h * 60 + mi;
}

/** true for an IANA zone name luxon knows (e.g. `UTC`, `Europe/Berlin`). */
export function isValidTimeZone(zone: string): boolean {
    // A zone name (UTC, Europe/Berlin), not a fixed offset (+02:00, UTC+2): an offset ignores daylight saving.
    if (typeof zone !== "string" || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone) || /^(UTC|GMT|Z)[+-]/i.test(zone))
        return false;
    return IANAZone.isValidZone(zone);
}

export interface WindowOccurrence {
    /** The window as configured (e.g. `sat:22:00-sun:02:00`). */
    window: string;
    start: Date;
    end: Date;
}

export interface ReleaseWindowState {
    open: boolean;
    /** No windows configured: always open. */
    always: boolean;
    /** The occurrence containing `at` (if several, the one ending last). */
    current?: WindowOccurrence;
    /** The next opening strictly after `at` (when open: the one after the current). */
    next?: WindowOccurrence;
}

/**
 * Whether a release at `at` is inside one of `windows` (local wall-clock times in `timeZone`).
 * No windows → `{ open: true, always: true }`. Throws {@link WindowError} for an unknown zone.
 */
export function releaseWindowState(windows: WeeklyWindow[], timeZone: string, at: Date): ReleaseWindowState {
    if (!isValidTimeZone(timeZone)) {
        throw new WindowError(timeZone, "unknown time zone; use an IANA name such as UTC, Europe/Berlin or America/New_York");
    }
    if (windows.length === 0) return { open: true, always: true };
    const t = at.getTime();
    const occurrences = windows.flatMap((w) => occurrencesAround(w, timeZone, t));
    const containing = occurrences.filter((o) => o.start.getTime() <= t && t < o.end.getTime());
    const current = containing.sort((x, y) => y.end.getTime() - x.end.getTime())[0];
    const next = occurrences.filter((o) => o.start.getTime() > t).sort((x, y) => x.start.getTime() - y.start.getTime())[0];
    return { open: current !== undefined, always: false, ...(current ? { current } : {}), ...(next ? { next } : {}) };
}

/** Occurrences of `w` in the local weeks from one before to two after the week containing `t`. */
function occurrencesAround(w: WeeklyWindow, zone: string, t: number): WindowOccurrence[] {
    const local = DateTime.fromMillis(t, { zone });
    // "Naive" local times are encoded as if they were UTC milliseconds.
    const monday = Date.UTC(local.year, local.month - 1, local.day) - (local.weekday - 1) * DAY_MIN * MINUTE_MS;
    const out: WindowOccurrence[] = [];
    for (let week = -1; week <= 2; week++) {
        const naiveStart = monday + (week * WEEK_MIN + w.start) * MINUTE_MS;
        const naiveEnd = naiveStart + weeklyMinutes(w) * MINUTE_MS;
        const start = resolveLocal(naiveStart, zone);
        const end = resolveLocal(naiveEnd, zone);
        if (end > start) out.push({ window: w.raw, start: new Date(start), end: new Date(end) });
    }
    return out;
}

/** Length of a weekly window in minutes (wall-clock). */
export function weeklyMinutes(w: WeeklyWindow): number {
    return w.end > w.start ? w.end - w.start : w.end + WEEK_MIN - w.start;
}

/** UTC offset of `zone` at instant `ms`, in minutes. */
function offsetAt(ms: number, zone: string): number {
    return IANAZone.create(zone).offset(ms);
}

/**
 * The first instant whose local wall-clock time is `naive`; if the clock skips `naive` (spring forward),
 * the instant of the clock change. Assumes at most one offset change within a day of `naive`.
 */
function resolveLocal(naive: number, zone: string): number {
    const before = offsetAt(naive - DAY_MIN * MINUTE_MS, zone);
    const after = offsetAt(naive + DAY_MIN * MINUTE_MS, zone);
    if (before === after) return naive - before * MINUTE_MS; // no change nearby (the common case)
    const candidates = [...new Set([before, after])]
        .map((o) => ({ o, t: naive - o * MINUTE_MS }))
        .filter(({ o, t }) => offsetAt(t, zone) === o)
        .map(({ t }) => t);
    if (candidates.length > 0) return Math.min(...candidates);
    // Skipped: find the first minute at which the new offset applies.
    let lo = naive - after * MINUTE_MS; // still the old offset
    let hi = naive - before * MINUTE_MS; // already the new offset
    while (hi - lo > MINUTE_MS) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
        if (offsetAt(mid, zone) === after) hi = mid;
        else lo = mid;
    }
    return hi;
}

/** e.g. `Sat 2026-11-28 22:00 Europe/Berlin (21:00 UTC)`; the UTC day is shown when it differs. */
export function formatInZone(d: Date, timeZone: string): string {
    if (!isValidTimeZone(timeZone)) throw new WindowError(timeZone, "unknown time zone; use an IANA name such as UTC or Europe/Berlin");
    const utc = DateTime.fromJSDate(d, { zone: "UTC" }).setLocale("en-US");
    if (timeZone === "UTC" || timeZone === "Etc/UTC") return `${utc.toFormat("ccc yyyy-MM-dd HH:mm")} UTC`;
    const local = DateTime.fromJSDate(d, { zone: timeZone }).setLocale("en-US");
    const utcPart = local.toISODate() === utc.toISODate() ? utc.toFormat("HH:mm") : utc.toFormat("ccc yyyy-MM-dd HH:mm");
    return `${local.toFormat("ccc yyyy-MM-dd HH:mm")} ${timeZone} (${utcPart} UTC)`;
}
