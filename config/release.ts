/** Release control keys: windows, their time zone, pause and override. */
import { isValidTimeZone, parseWeeklyWindow, WEEKLY_WINDOW_FORMAT, WeeklyWindow } from "../release/windows";
import type { Reader } from "./reader";
import type { ReleaseSettings } from "./types";

function readReleaseWindows(r: Reader): WeeklyWindow[] {
    const windows: WeeklyWindow[] = [];
    for (const raw of r.list("releaseWindows")) {
        try {
            windows.push(parseWeeklyWindow(raw.trim()));
        } catch (err) {
            r.problem("releaseWindows", raw, `${(err as Error).message}; accepted: a list of ${WEEKLY_WINDOW_FORMAT}, local time in releaseTimeZone`);
        }
    }
    return windows;
}

export function readRelease(r: Reader): ReleaseSettings {
    const windows = readReleaseWindows(r);
    const timeZone = r.string("releaseTimeZone").trim();
    if (!isValidTimeZone(timeZone)) {
        r.problem("releaseTimeZone", timeZone, "not an IANA time zone; accepted: e.g. UTC, Europe/Berlin, America/New_York");
    }
    return {
        windows,
        timeZone,
        paused: r.boolean("updatesPaused"),
        pauseReason: r.optional("pauseReason"),
        override: r.optional("releaseOverride"),
    };
}
