/**
 * Update channels: which newer image version a stack may move to on its own, and why the others wait.
 *
 * | channel  | follows                                                        |
 * |----------|----------------------------------------------------------------|
 * | `manual` | nothing: versions change only when a person changes them        |
 * | `latest` | the image the `latest` tag points to, by digest                 |
 * | `patch`  | the newest vX.Y.Z with the major.minor of the running version   |
 * | `minor`  | the newest vX.Y.Z with the major of the running version         |
 * | `major`  | the newest vX.Y.Z                                               |
 *
 * Only exact semver tags are candidates of the semver channels (not floating, full, timestamp or other
 * tags). A newer candidate is held, with the first reason that applies, when it is outside the
 * channel, a pre-release (unless `allowPrereleases`), older than what ECS actually runs (downgrade),
 * younger than `minimumReleaseAge` (ECR push time), or, with `soakIn`, has not run healthy in the soak
 * stack for `minimumReleaseAge`. The newest candidate not held is proposed — unless the stack itself
 * is held: paused, or outside every release window (the release gate's own decision, so the
 * controller obeys exactly what `pulumi up` obeys, `releaseOverride` included).
 *
 * Pure logic: no Pulumi or AWS import. Times are instants; `timeZone` only formats them.
 */
import semver from "semver";
import { formatDuration } from "./duration";
import { evaluateReleaseGate } from "./gate";
import { compareVersions, ImageVersion, sortNewestFirst, tryParseVersion } from "./version";
import { formatInZone, releaseWindowState, WeeklyWindow } from "./windows";

export type UpdateChannel = "manual" | "latest" | "patch" | "minor" | "major";
export const UPDATE_CHANNELS: readonly UpdateChannel[] = ["manual", "latest", "patch", "minor", "major"];

/** Why a version is not proposed. */
export type HoldReason = "outside-channel" | "pre-release" | "downgrade" | "too-young" | "not-soaked" | "paused" | "window-closed";

export interface ChannelPolicy {
    channel: UpdateChannel;
    /** A version is eligible once it is at least this old (and, with `soakIn`, has run healthy that long there). */
    minimumReleaseAgeMs: number; // milliseconds
    allowPrereleases: boolean;
    /** Another stack a version must have run healthy in first, e.g. `staging`. */
    soakIn?: string;
}

/** The release controls of the stack (`Settings.release`). */
export interface ReleaseControls {
    windows: WeeklyWindow[];
    timeZone: string;
    paused: boolean;
    pauseReason?: string;
    override?: string;
}

/** One image of the service's repository (the shape aws/ecr.ts lists). */
export interface CandidateImage {
    digest: string;
    tags: string[];
    pushedAt?: Date;
}

/** The soak stack ran `digest` healthy from `since` (until `until`, or still). */
export interface SoakRecord {
    digest: string;
    since: Date;
    until?: Date;
}

export interface ServiceInput {
    name: string;
    /** The version the stack file sets. */
    configured: ImageVersion;
    /** The image ECS runs now, when known. */
    deployedDigest?: string;
    images: CandidateImage[];
    /** What the `soakIn` stack ran healthy (ignored without `soakIn`). */
    soak?: SoakRecord[];
}

export interface Held {
    version: string;
    digest: string;
    reason: HoldReason;
    /** One sentence for people. */
    detail: string;
    /** When this hold ends by itself (coming of age, soaking long enough, a window opening). */
    eligibleAt?: Date;
}

export interface ServiceDecision {
    name: string;
    /** The version the stack file sets. */
    running: string;
    runningDigest: string | null;
    /** The version to write (`latest` for the latest channel), or null. */
    proposed: string | null;
    proposedDigest: string | null;
    held: Held[];
    /** Why nothing can be decided for this service, when so. */
    note?: string;
}

export interface ChannelDecision {
    channel: UpdateChannel;
    paused: boolean;
    windowOpen: boolean;
    /** `releaseOverride` lets a proposal through a pause or a closed window. */
    overridden: boolean;
    /** Why the whole stack is held (paused, window closed), when it is. */
    hold?: string;
    /** The next instant the answer could change by itself; null when none is known. */
    nextChange: Date | null;
    services: ServiceDecision[];
}

export interface DecisionInput {
    stack: string;
    policy: ChannelPolicy;
    release: ReleaseControls;
    at: Date;
    services: ServiceInput[];
}

interface Candidate {
    version: ImageVersion;
    digest: string;
    pushedAt?: Date;
}

interface Judge {
    policy: ChannelPolicy;
    at: Date;
    zone: string;
    /** Highest semver release of the image ECS runs. */
    deployedRelease?: string;
}

/** What a service's repository offers and why each newer version is (not) proposed; the whole stack's holds applied. */
export function decideUpdates(input: DecisionInput): ChannelDecision {
    const { policy, release, at } = input;
    const state = releaseWindowState(release.windows, release.timeZone, at);
    const base = { channel: policy.channel, paused: release.paused, windowOpen: state.open, overridden: false };
    if (policy.channel === "manual") {
        const note = "updateChannel is manual: versions change only when a person changes them";
        return { ...base, nextChange: null, services: input.services.map((s) => ({ ...runningOf(s), proposed: null, proposedDigest: null, held: [], note })) };
    }
    const gate = evaluateReleaseGate({ ...release, now: at, imageChanged: true, stack: input.stack });
    const services = input.services.map((s) => (policy.channel === "latest" ? decideLatest(s, judgeOf(policy, s, at, release.timeZone)) : decideSemver(s, judgeOf(policy, s, at, release.timeZone))));
    const events = services.flatMap((s) => s.held.map((h) => h.eligibleAt?.getTime() ?? Infinity));
    if (!state.always) events.push((state.open ? state.current?.end : state.next?.start)?.getTime() ?? Infinity);
    const future = events.filter((t) => t > at.getTime());
    const nextChange = future.length ? new Date(Math.min(...future)) : null;
    if (gate.allowed) return { ...base, overridden: gate.overridden, nextChange, services };
    const reason: HoldReason = release.paused ? "paused" : "window-closed";
    const opens = !release.paused && gate.nextWindow ? gate.nextWindow.start : undefined;
    const detail = `${gate.reason}${opens ? `; the next window opens ${formatInZone(opens, release.timeZone)}` : ""}`;
    const held = services.map((s) => {
        if (s.proposed === null) return s;
        const hold: Held = { version: s.proposed, digest: s.proposedDigest ?? "", reason, detail, ...(opens ? { eligibleAt: opens } : {}) };
        return { ...s, proposed: null, proposedDigest: null, held: [hold, ...s.held] };
    });
    return { ...base, hold: gate.reason, nextChange, services: held };
}

function judgeOf(policy: ChannelPolicy, s: ServiceInput, at: Date, zone: string): Judge {
    const deployedRelease = s.deployedDigest ? releaseOf(s.images, s.deployedDigest) : undefined;
    return { policy, at, zone, ...(deployedRelease ? { deployedRelease } : {}) };
}

function runningOf(s: ServiceInput): Pick<ServiceDecision, "name" | "running" | "runningDigest"> {
    return { name: s.name, running: s.configured.raw, runningDigest: s.deployedDigest ?? null };
}

/** The highest exact semver release among the tags of the image `digest`. */
export function releaseOf(images: CandidateImage[], digest: string): string | undefined {
    const image = images.find((i) => i.digest === digest);
    const releases = (image?.tags ?? []).map((t) => tryParseVersion(t)).flatMap((p) => (p.ok && p.version.kind === "semver" ? [p.version] : []));
    return releases.length ? sortNewestFirst(releases, (v) => v)[0].release : undefined;
}

/** Exact semver tags of images that existed at `at`, newest first. */
function semverCandidates(images: CandidateImage[], at: Date): Candidate[] {
    const out: Candidate[] = [];
    for (const image of images) {
        if (image.pushedAt && image.pushedAt.getTime() > at.getTime()) continue; // not pushed yet at that instant
        for (const tag of image.tags) {
            const p = tryParseVersion(tag);
            if (p.ok && p.version.kind === "semver") out.push({ version: p.version, digest: image.digest, ...(image.pushedAt ? { pushedAt: image.pushedAt } : {}) });
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

function channelScope(channel: UpdateChannel, baseline: string): string {
    return channel === "patch" ? `${semver.major(baseline)}.${semver.minor(baseline)}.x` : `${semver.major(baseline)}.x`;
}

function decideSemver(s: ServiceInput, j: Judge): ServiceDecision {
    const running = runningOf(s);
    const baseline = s.configured.kind === "semver" || s.configured.kind === "full" ? s.configured.release : j.deployedRelease;
    if (!baseline) {
        const note = `runs ${s.configured.raw}, which is no exact semver version: channel ${j.policy.channel} needs one to compare with (pin one, or use the latest channel)`;
        return { ...running, proposed: null, proposedDigest: null, held: [], note };
    }
    const base = tryParseVersion(baseline);
    const held: Held[] = [];
    for (const c of semverCandidates(s.images, j.at)) {
        if (base.ok && compareVersions(c.version, base.version) <= 0) break;
        const hold = channelHold(c, baseline, j) ?? ageHold(c, j) ?? soakHold(c, s.soak ?? [], j);
        if (!hold) return { ...running, proposed: c.version.raw, proposedDigest: c.digest, held };
        held.push(hold);
    }
    return { ...running, proposed: null, proposedDigest: null, held };
}

function channelHold(c: Candidate, baseline: string, j: Judge): Held | undefined {
    const release = c.version.release as string;
    const at = { version: c.version.raw, digest: c.digest };
    if (!inChannel(j.policy.channel, baseline, release)) {
        return { ...at, reason: "outside-channel", detail: `channel ${j.policy.channel} follows ${channelScope(j.policy.channel, baseline)} only` };
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
function ageHold(c: Candidate, j: Judge): Held | undefined {
    const min = j.policy.minimumReleaseAgeMs;
    if (min <= 0) return undefined;
    const at = { version: c.version.raw, digest: c.digest, reason: "too-young" as const };
    if (!c.pushedAt) return { ...at, detail: `ECR does not say when it was pushed, so its age (minimumReleaseAge ${formatDuration(min)}) cannot be checked` };
    const age = j.at.getTime() - c.pushedAt.getTime();
    if (age >= min) return undefined;
    const eligibleAt = new Date(c.pushedAt.getTime() + min);
    const detail = `pushed ${formatDuration(age)} ago (${formatInZone(c.pushedAt, j.zone)}); minimumReleaseAge is ${formatDuration(min)}, so eligible from ${formatInZone(eligibleAt, j.zone)}`;
    return { ...at, detail, eligibleAt };
}

/** Not soaked: with soakIn, the soak stack has not run the same image healthy for minimumReleaseAge. */
function soakHold(c: Candidate, soak: SoakRecord[], j: Judge): Held | undefined {
    const stack = j.policy.soakIn;
    if (!stack) return undefined;
    const min = j.policy.minimumReleaseAgeMs;
    const at = j.at.getTime();
    const runs = soak.filter((r) => r.digest === c.digest && r.since.getTime() <= at);
    const soaked = Math.max(-1, ...runs.map((r) => Math.min(r.until?.getTime() ?? at, at) - r.since.getTime()));
    if (runs.length > 0 && soaked >= min) return undefined;
    const base = { version: c.version.raw, digest: c.digest, reason: "not-soaked" as const };
    if (runs.length === 0) return { ...base, detail: `${stack} has not run it healthy${min > 0 ? ` (it must, for ${formatDuration(min)})` : ""}` };
    const current = runs.find((r) => r.until === undefined || r.until.getTime() > at);
    if (!current) return { ...base, detail: `${stack} ran it healthy for ${formatDuration(soaked)} only; minimumReleaseAge is ${formatDuration(min)}` };
    const eligibleAt = new Date(current.since.getTime() + min);
    const detail = `healthy in ${stack} since ${formatInZone(current.since, j.zone)} (${formatDuration(soaked)}); eligible from ${formatInZone(eligibleAt, j.zone)}`;
    return { ...base, detail, eligibleAt };
}

/** The latest channel: the image `latest` points to, when it is not what ECS runs. */
function decideLatest(s: ServiceInput, j: Judge): ServiceDecision {
    const running = runningOf(s);
    const none = { ...running, proposed: null, proposedDigest: null, held: [] as Held[] };
    if (s.configured.kind !== "latest") return { ...none, note: `the latest channel follows the latest tag, but the stack file sets ${s.configured.raw}; set it to latest` };
    const latest = s.images.find((i) => i.tags.includes("latest") && (!i.pushedAt || i.pushedAt.getTime() <= j.at.getTime()));
    if (!latest) return { ...none, note: "the repository has no image tagged latest" };
    if (!s.deployedDigest) return { ...none, note: "cannot tell which image runs (not deployed, or no task running)" };
    if (latest.digest === s.deployedDigest) return none;
    const release = releaseOf(s.images, latest.digest);
    const c: Candidate = { version: { raw: "latest", kind: "latest", immutable: false }, digest: latest.digest, ...(latest.pushedAt ? { pushedAt: latest.pushedAt } : {}) };
    const hold = latestHold(c, release, j) ?? ageHold(c, j) ?? soakHold(c, s.soak ?? [], j);
    if (hold) return { ...none, held: [hold] };
    return { ...running, proposed: "latest", proposedDigest: latest.digest, held: [] };
}

function latestHold(c: Candidate, release: string | undefined, j: Judge): Held | undefined {
    const at = { version: "latest", digest: c.digest };
    if (release && semver.prerelease(release) && !j.policy.allowPrereleases) {
        return { ...at, reason: "pre-release", detail: `latest now points to the pre-release ${release}; set allowPrereleases to true to follow it` };
    }
    if (release && j.deployedRelease && semver.lt(release, j.deployedRelease)) {
        return { ...at, reason: "downgrade", detail: `latest moved back to ${release}; ECS runs ${j.deployedRelease}` };
    }
    return undefined;
}
