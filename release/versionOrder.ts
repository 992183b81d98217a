/**
 * Release order of image versions: which of two versions is newer (promote's downgrade check, versions'
 * listing, the update channels). Pure: no Pulumi or AWS import.
 */
// One function, not the whole package (start-up cost).
import compare from "semver/functions/compare";
import type { ImageVersion, VersionKind } from "./version";

/*
 * Release ordering, ascending (older / lower first):
 *
 *   digest < other < timestamp < semver family < latest
 *
 * - digests, then other tags: at the bottom, ordered by their text (deterministic, says nothing about age).
 * - timestamps: by build time; all below every semver-family tag.
 * - semver family (semver, full, floating), by release:
 *   - semver precedence: 1.9.3 < 1.10.0; 1.3.0-rc.1 < 1.3.0.
 *   - a full tag orders as its release version, then by build time, then by commit, and after the plain
 *     exact tag of the same version: 1.2.3 < 1.2.3-20241213-…-a < 1.2.3-20241214-…-b < 1.2.4.
 *   - floating `1.2` sorts above every 1.2.x (pre-releases included) and below 1.3.0-rc.1;
 *     floating `1` above every 1.x (including `1.9`) and below 2.0.0-anything.
 *   - `v1.2.3` and `1.2.3` compare equal (same release).
 * - latest: above everything.
 */
const GROUP: Record<VersionKind, number> = { digest: 0, other: 1, timestamp: 2, semver: 3, full: 3, floating: 3, latest: 4 };

/** Ascending release ordering (older first); see the comment above for the rules. */
export function compareVersions(a: ImageVersion, b: ImageVersion): number {
    const g = GROUP[a.kind] - GROUP[b.kind];
    if (g !== 0) return Math.sign(g);
    switch (GROUP[a.kind]) {
        case 0:
        case 1:
            return cmpText(a.raw, b.raw);
        case 2:
            return Math.sign(time(a) - time(b));
        case 3:
            return compareSemverFamily(a, b);
        default:
            return 0;
    }
}

/** Newest first, stable for equal versions, does not mutate `items`. */
export function sortNewestFirst<T>(items: T[], key: (t: T) => ImageVersion): T[] {
    return items
        .map((item, index) => ({ item, index, v: key(item) }))
        .sort((x, y) => compareVersions(y.v, x.v) || x.index - y.index)
        .map((x) => x.item);
}

function compareSemverFamily(a: ImageVersion, b: ImageVersion): number {
    const ka = familyKey(a);
    const kb = familyKey(b);
    for (let i = 0; i < 3; i++) {
        if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    }
    if (a.kind === "floating" || b.kind === "floating") return 0; // same floating release (e.g. v1.2 vs 1.2)
    const s = compare(a.release as string, b.release as string);
    if (s !== 0) return s;
    const fa = a.kind === "full" ? 1 : 0;
    const fb = b.kind === "full" ? 1 : 0;
    if (fa !== fb) return fa - fb;
    if (fa === 0) return 0;
    return Math.sign(time(a) - time(b)) || cmpText(a.commit ?? "", b.commit ?? "");
}

/** [major, minor, patch]; missing parts of a floating release are +Infinity (above every concrete value). */
function familyKey(v: ImageVersion): [number, number, number] {
    const [major, minor, patch] = (v.release ?? "").split("-")[0].split(".").map(Number);
    return [major, minor ?? Infinity, patch ?? Infinity];
}

function time(v: ImageVersion): number {
    return v.buildTime?.getTime() ?? 0;
}

function cmpText(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
