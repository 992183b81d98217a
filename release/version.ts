/**
 * Image versions: what a user may write in `drydock:backendVersion` / `drydock:frontendVersion`.
 *
 * Pure logic, no Pulumi or AWS import. The README's "Image versions" section is the user-facing table.
 *
 * Accepted forms (checked in this order):
 *
 * | form      | example                            | kind        | immutable |
 * |-----------|------------------------------------|-------------|-----------|
 * | digest    | `sha256:<64 lowercase hex>`        | `digest`    | yes       |
 * | latest    | `latest`                           | `latest`    | no        |
 * | full      | `v1.2.3-20241213-152430-a1b2c3d4`  | `full`      | yes       |
 * | timestamp | `20241213-152430` (UTC)            | `timestamp` | yes       |
 * | floating  | `v1`, `v1.2`, `1`, `1.2`           | `floating`  | no        |
 * | semver    | `v1.2.3`, `1.3.0-rc.1`             | `semver`    | yes       |
 * | moving    | `v1.2.3-latest`, `1.0.0-SNAPSHOT`  | `semver`    | no        | (pre-release in MOVING_PRERELEASE_IDENTIFIERS)
 * | other     | `main`, `security-patch`           | `other`     | no        |
 *
 * The `v` is optional everywhere (lowercase only). A bare `1` or `1.2` is floating, like `v1` / `v1.2`.
 * Semver build metadata (`+build.5`) cannot be used: `+` is not allowed in a Docker tag.
 *
 * Typo guard: a tag that starts with an optional `v`/`V` and a digit and consists only of digits,
 * dots and hyphens (`v1..2`, `1.2.3.4`, `v1.2.`, `v01.2.3`), or that starts like a semver version
 * followed by `-` but is no valid semver (`v1.2.3-rc..1`), or a `V`-prefixed version, is rejected
 * instead of being silently accepted as a mutable "other" tag.
 */
// The two functions used, not the whole package (its index loads every class and range: start-up cost).
import prerelease from "semver/functions/prerelease";
import valid from "semver/functions/valid";
const semver = { prerelease, valid };

export type VersionKind = "latest" | "floating" | "semver" | "timestamp" | "full" | "digest" | "other";

/**
 * Pre-release identifiers that name a moving target rather than one build: a version whose pre-release
 * contains one of them as a dot-separated identifier (any case) is floating, not immutable
 * (`v1.2.3-latest`, `1.0.0-SNAPSHOT`, `v0.0.0-main`, `2.0.0-nightly.5`). `rc`, `alpha` and `beta` name one
 * build and stay immutable (`v1.3.0-rc.1`, `1.0.0-beta`).
 */
export const MOVING_PRERELEASE_IDENTIFIERS: readonly string[] = [
    "latest",
    "snapshot",
    "main",
    "master",
    "trunk",
    "head",
    "dev",
    "develop",
    "development",
    "edge",
    "nightly",
    "stable",
    "canary",
    "next",
    "current",
    "unstable",
];

/** The moving identifier in a semver pre-release (`1.0.0-SNAPSHOT` → `SNAPSHOT`), if any. */
export function movingPrereleaseOf(release: string): string | undefined {
    const pre = semver.prerelease(release);
    if (!pre) return undefined;
    const hit = pre.find((id) => typeof id === "string" && MOVING_PRERELEASE_IDENTIFIERS.includes(id.toLowerCase()));
    return hit === undefined ? undefined : String(hit);
}

export interface ImageVersion {
    /** The version exactly as written by the user (e.g. `v1.2.3`, `latest`). */
    raw: string;
    kind: VersionKind;
    /** true for semver, timestamp, full and digest: the tag always names the same image. */
    immutable: boolean;
    /** Normalized semver without `v` (`1.2.3`, `1.3.0-rc.1`); for floating `1` or `1.2`. */
    release?: string;
    /** Build time (UTC) of timestamp and full tags. */
    buildTime?: Date;
    /** Commit (7-40 lowercase hex) of a full tag. */
    commit?: string;
    /** `sha256:<64hex>` for the digest kind. */
    digest?: string;
    /** A semver version whose pre-release names a moving target (`SNAPSHOT` of `1.0.0-SNAPSHOT`): not immutable. */
    moving?: string;
}

/** One-line human list of the accepted forms, for error messages. */
export const ACCEPTED_VERSION_FORMS =
    "latest; floating v1 or v1.2; exact semver v1.2.3 (v optional, pre-release allowed, e.g. v1.3.0-rc.1); " +
    "timestamp YYYYMMDD-HHMMSS in UTC (e.g. 20241213-152430); " +
    "full vX.Y.Z-YYYYMMDD-HHMMSS-<commit, 7-40 lowercase hex> (e.g. v1.2.3-20241213-152430-a1b2c3d4); " +
    "digest sha256:<64 lowercase hex>; " +
    "or another Docker tag such as main (letters, digits, _ . -, not starting with . or -, at most 128 characters; mutable)";

/** Thrown by {@link parseVersion}. `message` names the bad value, the reason and the accepted forms. */
export class VersionError extends Error {
    constructor(
        /** The rejected input. */
        public readonly input: string,
        /** Why it was rejected (one sentence, no accepted-forms list). */
        public readonly reason: string,
    ) {
        super(`invalid image version ${JSON.stringify(input)}: ${reason}. Accepted: ${ACCEPTED_VERSION_FORMS}`);
        this.name = "VersionError";
    }
}

const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const NUM = "(?:0|[1-9]\\d*)";
const FLOATING = new RegExp(`^v?(${NUM}(?:\\.${NUM})?)$`);
/** Version core, optional pre-release, then `-YYYYMMDD-HHMMSS` and an optional `-<commit>`. */
const FULL_SHAPED = /^v?(\d+\.\d+\.\d+(?:-.+?)?)-(\d{8})-(\d{6})(?:-(.*))?$/;
const TIMESTAMP = /^(\d{8})-(\d{6})$/;
/** Digit groups that look like a date/time with the wrong digit counts: `2024121-152430`, `20241213152430`, `20241213`. */
const TIMESTAMP_LIKE = /^(?:\d{6,10}-\d{4,8}|\d{8,})$/;
const VERSION_SHAPED = /^[vV]?\d[\d.-]*$/;
const SEMVER_PREFIXED = /^[vV]?\d+\.\d+\.\d+-/;
const DIGEST_PREFIX = /^([A-Za-z0-9+._-]+):(.*)$/;
const KNOWN_DIGEST_ALGORITHMS = ["sha256", "sha384", "sha512", "sha1", "md5", "blake3"];

type Parsed = { ok: true; version: ImageVersion } | { ok: false; reason: string };

/** Parse a version; never throws. */
export function tryParseVersion(input: string): Parsed {
    if (typeof input !== "string") return { ok: false, reason: "the version must be a string" };
    if (input.length === 0) return { ok: false, reason: "the version is empty" };
    if (/\s/.test(input)) return { ok: false, reason: "it contains whitespace" };

    const digestMatch = DIGEST_PREFIX.exec(input);
    if (digestMatch) return parseDigest(input, digestMatch[1], digestMatch[2]);

    const tagProblem = dockerTagProblem(input);
    if (tagProblem) return { ok: false, reason: tagProblem };

    if (input === "latest") return ok({ raw: input, kind: "latest", immutable: false });

    const full = FULL_SHAPED.exec(input);
    if (full) return parseFull(input, full[1], full[2], full[3], full[4]);

    const ts = TIMESTAMP.exec(input);
    if (ts) {
        const buildTime = utcDateTime(ts[1], ts[2]);
        if (!buildTime) return { ok: false, reason: `${input} looks like a timestamp but is not a real UTC date-time (YYYYMMDD-HHMMSS)` };
        return ok({ raw: input, kind: "timestamp", immutable: true, buildTime });
    }
    if (TIMESTAMP_LIKE.test(input)) {
        return { ok: false, reason: "it looks like a timestamp but is not YYYYMMDD-HHMMSS (8 digits, a hyphen, 6 digits)" };
    }

    if (/^V\d/.test(input)) return { ok: false, reason: "it looks like a version but starts with an uppercase V; use a lowercase v" };

    const floating = FLOATING.exec(input);
    if (floating) return ok({ raw: input, kind: "floating", immutable: false, release: floating[1] });

    const exact = semver.valid(input);
    if (exact && /^v?\d/.test(input)) {
        const moving = movingPrereleaseOf(exact);
        return ok({
            raw: input,
            kind: "semver",
            immutable: moving === undefined,
            release: exact,
            ...(moving !== undefined ? { moving } : {}),
        });
    }

    if (VERSION_SHAPED.test(input) || SEMVER_PREFIXED.test(input)) {
        return {
            ok: false,
            reason: "it looks like a version but is none of the accepted forms (a typo such as v1..2, 1.2.3.4, v1.2. or a leading zero?)",
        };
    }
    return ok({ raw: input, kind: "other", immutable: false });
}

/** Parse a version; throws {@link VersionError} for rejected input. */
export function parseVersion(input: string): ImageVersion {
    const r = tryParseVersion(input);
    if (r.ok === false) throw new VersionError(String(input), r.reason);
    return r.version;
}

function ok(version: ImageVersion): Parsed {
    return { ok: true, version };
}

/** Why `tag` is not a valid Docker tag, or undefined when it is one. Also used by imageRef.ts. */
export function dockerTagProblem(tag: string): string | undefined {
    if (DOCKER_TAG.test(tag)) return undefined;
    if (tag.length > 128) return `it is ${tag.length} characters long; a Docker tag has at most 128`;
    if (tag.startsWith(".") || tag.startsWith("-")) return `a Docker tag cannot start with "${tag[0]}"`;
    const bad = [...tag].find((c) => !/[A-Za-z0-9_.-]/.test(c)) ?? tag[0];
    if (bad === "+") return `"+" is not allowed in a Docker tag (semver build metadata cannot be used in an image tag)`;
    if (bad === "@") return `"@" is not allowed in a Docker tag; give a digest alone as sha256:<64 lowercase hex>`;
    return `${JSON.stringify(bad)} is not allowed in a Docker tag (allowed: letters, digits, _ . -)`;
}

function parseDigest(input: string, algorithm: string, hex: string): Parsed {
    if (algorithm !== "sha256") {
        if (algorithm.toLowerCase() === "sha256") return { ok: false, reason: `the digest algorithm must be lowercase "sha256"` };
        if (KNOWN_DIGEST_ALGORITHMS.includes(algorithm.toLowerCase())) {
            return { ok: false, reason: `unsupported digest algorithm "${algorithm}"; only sha256 digests are accepted` };
        }
        return {
            ok: false,
            reason: `":" is not allowed in a Docker tag (give only the tag, not repository:tag; a digest is sha256:<64 lowercase hex>)`,
        };
    }
    if (/[A-F]/.test(hex) && /^[0-9a-fA-F]*$/.test(hex)) return { ok: false, reason: "the digest hex must be lowercase" };
    if (!/^[0-9a-f]*$/.test(hex)) return { ok: false, reason: "the digest contains characters other than lowercase hex" };
    if (hex.length !== 64) return { ok: false, reason: `a sha256 digest has 64 hex characters, this one has ${hex.length}` };
    return ok({ raw: input, kind: "digest", immutable: true, digest: input });
}

function parseFull(input: string, version: string, date: string, time: string, commit: string | undefined): Parsed {
    const release = semver.valid(version);
    if (!release) return { ok: false, reason: `it looks like a full tag but "${version}" is not a valid semver version` };
    const buildTime = utcDateTime(date, time);
    if (!buildTime) return { ok: false, reason: `it looks like a full tag but ${date}-${time} is not a real UTC date-time` };
    if (commit === undefined || !/^[0-9a-f]{7,40}$/.test(commit)) {
        return {
            ok: false,
            reason: "it looks like a full tag but does not end in a commit of 7-40 lowercase hex characters (vX.Y.Z-YYYYMMDD-HHMMSS-<commit>)",
        };
    }
    return ok({ raw: input, kind: "full", immutable: true, release, buildTime, commit });
}

/** `YYYYMMDD`, `HHMMSS` → Date in UTC, or undefined if it is not a real date-time. */
function utcDateTime(date: string, time: string): Date | undefined {
    const [y, mo, d] = [+date.slice(0, 4), +date.slice(4, 6), +date.slice(6, 8)];
    const [h, mi, s] = [+time.slice(0, 2), +time.slice(2, 4), +time.slice(4, 6)];
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
    const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    return t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? t : undefined;
}
