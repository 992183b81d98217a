/**
 * The one timestamp format of drydock's JSON output: ISO 8601 in UTC, whole seconds, `Z`
 * (`2026-11-24T10:00:00Z`). Every `--json` document and every instant drydock writes (e.g. `pausedAt`)
 * uses it. Pure: no Pulumi or AWS import.
 */

/** `2026-11-24T10:00:00Z`; undefined (or an invalid date) stays null, for JSON. */
export function isoUtc(d: Date | undefined | null): string | null {
    if (!d || Number.isNaN(d.getTime())) return null;
    return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `2026-11-24T10:00:00Z` → `20261124T100000Z`: the same instant where `:` and `-` do not fit (ECS tag values, ids). */
export function compactUtc(d: Date): string {
    return (isoUtc(d) ?? "").replace(/[-:]/g, "");
}
