/**
 * Durations as a user writes them in a stack file: `0`, `30m`, `24h`, `2d`, `1d12h`.
 *
 * Units: `d` (24 hours), `h`, `m`; written largest first, each at most once, whole numbers only.
 * A day is always 24 hours (an age, not a calendar day: a clock change does not shorten it).
 * Pure logic, no Pulumi or AWS import.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const; // milliseconds
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/** One line for messages: what a duration may look like. */
export const DURATION_FORMS = "0, or whole numbers with units d, h, m, largest first, e.g. 30m, 24h, 2d, 1d12h";

/** A parsed duration, or why it cannot be one. Never throws. */
export function tryParseDuration(text: string): { ok: true; ms: number } | { ok: false; reason: string } {
    const t = typeof text === "string" ? text.trim() : "";
    if (t === "") return { ok: false, reason: "it is empty" };
    if (t === "0") return { ok: true, ms: 0 };
    const m = DURATION.exec(t);
    if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) {
        if (/^\d+$/.test(t)) return { ok: false, reason: `"${t}" has no unit (write e.g. ${t}h or ${t}m)` };
        return { ok: false, reason: `"${t}" is not a duration` };
    }
    const ms = Number(m[1] ?? 0) * UNIT_MS.d + Number(m[2] ?? 0) * UNIT_MS.h + Number(m[3] ?? 0) * UNIT_MS.m;
    if (!Number.isSafeInteger(ms)) return { ok: false, reason: `"${t}" is too long` };
    return { ok: true, ms };
}

/** Milliseconds of `text`; throws an Error naming the text and the accepted forms. */
export function parseDuration(text: string): number {
    const r = tryParseDuration(text);
    if (r.ok === false) throw new Error(`invalid duration ${JSON.stringify(text)}: ${r.reason}; accepted: ${DURATION_FORMS}`);
    return r.ms;
}

/** `90000000` → `1d1h`; `0` → `0`; below a minute → `<1m` (for a positive value). Minutes are truncated. */
export function formatDuration(ms: number): string {
    if (ms <= 0) return "0";
    if (ms < UNIT_MS.m) return "<1m";
    const d = Math.floor(ms / UNIT_MS.d);
    const h = Math.floor((ms % UNIT_MS.d) / UNIT_MS.h);
    const m = Math.floor((ms % UNIT_MS.h) / UNIT_MS.m);
    return `${d ? `${d}d` : ""}${h ? `${h}h` : ""}${m ? `${m}m` : ""}`;
}
