/**
 * Names and tags of drydock's pre-update Aurora cluster snapshots. Pure logic.
 */

/** Tag keys put on every snapshot drydock makes. */
export const SNAPSHOT_TAGS = {
    managedBy: "drydock:managed-by",
    stack: "drydock:stack",
    service: "drydock:service",
    fromVersion: "drydock:from-version",
    toVersion: "drydock:to-version",
    reason: "drydock:reason",
    override: "drydock:release-override",
} as const;

/** Value of the {@link SNAPSHOT_TAGS.managedBy} tag; only snapshots with it are ever pruned. */
export const SNAPSHOT_MANAGED_BY = "drydock";
/** `drydock:service` of a snapshot taken by hand (`drydock snapshot`): kept until someone deletes it, never pruned. */
export const MANUAL_SNAPSHOT_SERVICE = "manual";

/** RDS identifiers: a letter first, letters/digits/single hyphens, no trailing hyphen; drydock keeps them ≤ 63. */
export const SNAPSHOT_IDENTIFIER_PATTERN = /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;

/** Whether `id` is a valid RDS identifier (cluster, instance or snapshot): the pattern above, at most 63 characters. */
export function isRdsIdentifier(id: string): boolean {
    return id.length <= 63 && SNAPSHOT_IDENTIFIER_PATTERN.test(id);
}
const MAX_LENGTH = 63;
const PREFIX = "drydock-";

/** Characters of the random part of a snapshot identifier: lowercase hex. */
export const SNAPSHOT_SUFFIX_PATTERN = /^[0-9a-f]{4}$/;

/**
 * A unique RDS snapshot identifier:
 * `drydock-<stack>-<service>-<from>-to-<to>-<YYYYMMDD-HHMMSS-mmm>-<suffix>` (UTC, milliseconds), lowercase.
 * The milliseconds and the random `suffix` (4 lowercase hex; callers pass {@link randomSnapshotSuffix}())
 * keep snapshots started in the same second apart. Parts are sanitized (anything but a-z0-9 becomes a
 * hyphen, runs collapse); when too long the from-version is left out, then the to-version and then the
 * longest other part are shortened — the prefix, the timestamp and the suffix are never cut. Without `fromVersion` the `<from>-to-` part is left out; without
 * `toVersion` the `-to-<to>` part.
 */
export function snapshotIdentifier(p: {
    stack: string;
    service: string;
    fromVersion?: string;
    toVersion?: string;
    at: Date;
    suffix: string;
}): string {
    if (!(p.at instanceof Date) || Number.isNaN(p.at.getTime())) throw new RangeError(`snapshotIdentifier: "at" is not a valid date`);
    if (!SNAPSHOT_SUFFIX_PATTERN.test(p.suffix))
        throw new RangeError(`snapshotIdentifier: suffix ${JSON.stringify(p.suffix)} is not 4 lowercase hex characters`);
    const iso = p.at.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
    const stamp = `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}-${iso.slice(20, 23)}-${p.suffix}`;
    const parts: { text: string; fixed: boolean; version?: boolean }[] = [
        { text: sanitize(p.stack), fixed: false },
        { text: sanitize(p.service), fixed: false },
    ];
    const from = p.fromVersion !== undefined ? sanitize(p.fromVersion) : "";
    const to = p.toVersion !== undefined ? sanitize(p.toVersion) : "";
    if (from) parts.push({ text: from, fixed: false, version: true });
    if (to) parts.push({ text: "to", fixed: true }, { text: to, fixed: false, version: true });
    const live = parts.filter((x) => x.text.length > 0);
    const budget = MAX_LENGTH - PREFIX.length - 1 - stamp.length; // "-" before the stamp
    const length = () => live.reduce((n, x) => n + x.text.length + 1, 0);
    // The versions are in the snapshot's tags too: when too long, leave out the from-version, then shorten
    // the to-version (down to 6 characters) before the stack and service.
    const fromPart = live.find((x) => x.version === true && x.text === from && live.indexOf(x) === 2);
    if (length() > budget && fromPart) live.splice(live.indexOf(fromPart), 1);
    while (length() > budget) {
        const versions = live.filter((x) => x.version === true && x.text.length > 6);
        const pool = versions.length > 0 ? versions : live.filter((x) => !x.fixed);
        const longest = pool.reduce((a, b) => (b.text.length > a.text.length ? b : a));
        longest.text = longest.text.slice(0, longest.text.length - 1).replace(/-+$/, "");
        if (longest.text.length === 0) live.splice(live.indexOf(longest), 1);
        if (live.length > 0 && live[live.length - 1].fixed) live.pop(); // a "to" whose version is gone
    }
    return [PREFIX.slice(0, -1), ...live.map((x) => x.text), stamp].join("-");
}

/** 4 random lowercase hex characters for {@link snapshotIdentifier}. */
export function randomSnapshotSuffix(): string {
    return Math.floor(Math.random() * 0x10000)
        .toString(16)
        .padStart(4, "0");
}

function sanitize(s: string): string {
    return String(s)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
}
