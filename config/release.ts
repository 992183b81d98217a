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
            r.problem(
                "releaseWindows",
                raw,
                `${(err as Error).message}; accepted: a list of ${WEEKLY_WINDOW_FORMAT}, local time in releaseTimeZone`,
            );
        }
    }
    return windows;
}

/** `pausedAt`: an ISO 8601 instant with a zone (drydock pause writes UTC, e.g. 2026-11-24T10:00:00Z). */
function readPausedAt(r: Reader): { pausedAt?: Date } {
    const raw = r.optional("pausedAt");
    if (raw === undefined) return {};
    const at = new Date(raw);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) || Number.isNaN(at.getTime())) {
        r.problem("pausedAt", raw, "not an ISO 8601 date-time with a zone; accepted: e.g. 2026-11-24T10:00:00Z (drydock pause writes it)");
        return {};
    }
    return { pausedAt: at };
}

export function readRelease(r: Reader): ReleaseSettings {
    const windows = readReleaseWindows(r);
    const timeZone = r.string("releaseTimeZone").trim();
    if (!isValidTimeZone(timeZone)) {
        r.problem(
            "releaseTimeZone",
            timeZone,
            "not an IANA time zone name (a fixed offset such as +02:00 ignores daylight saving); accepted: e.g. UTC, Europe/Berlin, America/New_York",
        );
    }
    return {
        windows,
        timeZone,
        paused: r.boolean("updatesPaused"),
        pauseReason: r.optional("pauseReason"),
        ...readPausedAt(r),
        override: r.optional("releaseOverride"),
    };
}
