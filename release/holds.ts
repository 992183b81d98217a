/**
 * Why one candidate version is held (channels.ts): outside the channel, a pre-release, a downgrade, too
 * young, not soaked. Each returns the hold, or undefined when the version passes that check.
 * Pure: no Pulumi or AWS import.
 */
import semver from "semver";
import type { Candidate, CandidateImage, Held, Judge, SoakRecord, UpdateChannel } from "./channelTypes";
import { formatDuration } from "./duration";
import { tryParseVersion } from "./version";
import { sortNewestFirst } from "./versionOrder";
import { formatInZone } from "./windows";

/** The highest exact semver release among the tags of the image `digest`. */
export function releaseOf(images: CandidateImage[], digest: string): string | undefined {
    const image = images.find((i) => i.digest === digest);
    const releases = (image?.tags ?? [])
        .map((t) => tryParseVersion(t))
        .flatMap((p) => (p.ok && p.version.kind === "semver" ? [p.version] : []));
    return releases.length ? sortNewestFirst(releases, (v) => v)[0].release : undefined;
}

/** Exact, immutable semver tags of images that existed at `at`, newest first (`v1.2.3-latest` names a moving target: never a candidate). */
export function semverCandidates(images: CandidateImage[], at: Date): Candidate[] {
    const out: Candidate[] = [];
    for (const image of images) {
        if (image.pushedAt && image.pushedAt.getTime() > at.getTime()) continue; // not pushed yet at that instant
        for (const tag of image.tags) {
            const p = tryParseVersion(tag);
            if (p.ok && p.version.kind === "semver" && p.version.immutable)
                out.push({ version: p.version, digest: image.digest, ...(image.pushedAt ? { pushedAt: image.pushedAt } : {}) });
        }
    }
    return sortNewestFirst(out, (c) => c.version);
}

/** Whether `release` is in the channel relative to `baseline` (both semver without `v`). */
export function inChannel(channel: UpdateChannel, baseline: string, release: string): boolean {
    if (channel === "major") return true;
    if (channel !== "patch" && channel !== "minor") return false;
    if (semver.major(release) !== semver.major(baseline)) return false;
    return channel === "minor" || semver.minor(release) === semver.minor(baseline);
}

export function channelScope(channel: UpdateChannel, baseline: string): string {
    return channel === "patch" ? `${semver.major(baseline)}.${semver.minor(baseline)}.x` : `${semver.major(baseline)}.x`;
}

export function channelHold(c: Candidate, baseline: string, j: Judge): Held | undefined {
    const release = c.version.release as string;
    const at = { version: c.version.raw, digest: c.digest };
    if (!inChannel(j.policy.channel, baseline, release)) {
        return {
            ...at,
            reason: "outside-channel",
            detail: `channel ${j.policy.channel} follows ${channelScope(j.policy.channel, baseline)} only`,
        };
    }
    if (semver.prerelease(release) && !j.policy.allowPrereleases) {
        return { ...at, reason: "pre-release", detail: "a pre-release; set allowPrereleases to true to follow pre-releases" };
    }
    if (j.deployedRelease && semver.lt(release, j.deployedRelease)) {
        return { ...at, reason: "downgrade", detail: `ECS already runs ${j.deployedRelease}, newer than ${c.version.raw}` };
    }
    return undefined;
}

/** Too young: pushed less than minimumReleaseAge before `at` (exactly that old is old enough). */
export function ageHold(c: Candidate, j: Judge): Held | undefined {
    const min = j.policy.minimumReleaseAgeMs;
    if (min <= 0) return undefined;
    const at = { version: c.version.raw, digest: c.digest, reason: "too-young" as const };
    if (!c.pushedAt)
        return {
            ...at,
            detail: `ECR does not say when it was pushed, so its age (minimumReleaseAge ${formatDuration(min)}) cannot be checked`,
        };
    const age = j.at.getTime() - c.pushedAt.getTime();
    if (age >= min) return undefined;
    const eligibleAt = new Date(c.pushedAt.getTime() + min);
    const detail = `pushed ${formatDuration(age)} ago (${formatInZone(c.pushedAt, j.zone)}); minimumReleaseAge is ${formatDuration(min)}, so eligible from ${formatInZone(eligibleAt, j.zone)}`;
    return { ...at, detail, eligibleAt };
}

/** Not soaked: with soakIn, the soak stack has not run the same image healthy for minimumReleaseAge. */
export function soakHold(c: Candidate, soak: SoakRecord[], j: Judge): Held | undefined {
    const stack = j.policy.soakIn;
    if (!stack) return undefined;
    const min = j.policy.minimumReleaseAgeMs;
    const at = j.at.getTime();
    const runs = soak.filter((r) => r.digest === c.digest && r.since.getTime() <= at);
    const soaked = Math.max(-1, ...runs.map((r) => Math.min(r.until?.getTime() ?? at, at) - r.since.getTime()));
    if (runs.length > 0 && soaked >= min) return undefined;
    const base = { version: c.version.raw, digest: c.digest, reason: "not-soaked" as const };
    if (runs.length === 0)
        return { ...base, detail: `${stack} has not run it healthy${min > 0 ? ` (it must, for ${formatDuration(min)})` : ""}` };
    const current = runs.find((r) => r.until === undefined || r.until.getTime() > at);
    if (!current)
        return {
            ...base,
            detail: `${stack} ran it healthy for ${formatDuration(soaked)} only; minimumReleaseAge is ${formatDuration(min)}`,
        };
    const eligibleAt = new Date(current.since.getTime() + min);
    const detail = `healthy in ${stack} since ${formatInZone(current.since, j.zone)} (${formatDuration(soaked)}); eligible from ${formatInZone(eligibleAt, j.zone)}`;
    return { ...base, detail, eligibleAt };
}

export function latestHold(c: Candidate, release: string | undefined, j: Judge): Held | undefined {
    const at = { version: "latest", digest: c.digest };
    if (release && semver.prerelease(release) && !j.policy.allowPrereleases) {
        return {
            ...at,
            reason: "pre-release",
            detail: `latest now points to the pre-release ${release}; set allowPrereleases to true to follow it`,
        };
    }
    if (release && j.deployedRelease && semver.lt(release, j.deployedRelease)) {
        return { ...at, reason: "downgrade", detail: `latest moved back to ${release}; ECS runs ${j.deployedRelease}` };
    }
    return undefined;
}
