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
import { evaluateReleaseGate } from "./gate";
import type {
    Candidate,
    ChannelDecision,
    ChannelPolicy,
    DecisionInput,
    Held,
    HoldReason,
    Judge,
    ServiceDecision,
    ServiceInput,
} from "./channelTypes";
import { ageHold, channelHold, latestHold, releaseOf, semverCandidates, soakHold } from "./holds";
import { tryParseVersion } from "./version";
import { compareVersions } from "./versionOrder";
import { releaseState, ReleaseState } from "./state";
import { formatInZone } from "./windows";

export * from "./channelTypes";
export { inChannel, releaseOf } from "./holds";

/** What a service's repository offers and why each newer version is (not) proposed; the whole stack's holds applied. */
export function decideUpdates(input: DecisionInput): ChannelDecision {
    const { policy, release, at } = input;
    if (policy.channel === "manual") {
        const state = releaseState(release, at);
        const note = "updateChannel is manual: versions change only when a person changes them";
        const services = input.services.map((s) => ({ ...runningOf(s), proposed: null, proposedDigest: null, held: [], note }));
        return { channel: "manual", paused: state.paused, windowOpen: state.windowOpen, overridden: false, nextChange: null, services };
    }
    // The release gate `pulumi up` runs, on the release state computed once (release/state.ts).
    const gate = evaluateReleaseGate({ ...release, now: at, imageChanged: true, stack: input.stack });
    const state = gate.state ?? releaseState(release, at);
    const decided = input.services.map((s) => {
        const judge = judgeOf(policy, s, at, release.timeZone);
        return policy.channel === "latest" ? decideLatest(s, judge) : decideSemver(s, judge);
    });
    const services = policy.channel === "latest" ? holdTogether(decided) : decided;
    const base = { channel: policy.channel, paused: state.paused, windowOpen: state.windowOpen };
    if (gate.allowed) return { ...base, nextChange: nextChange(services, state, at), overridden: gate.overridden, services };
    // A pause ends only when someone resumes: nothing changes the answer by itself until then.
    const next = state.blockedBy === "paused" ? null : nextChange(services, state, at);
    return { ...base, nextChange: next, overridden: false, hold: gate.reason, services: holdStack(services, state, gate.reason) };
}

/**
 * The latest channel redeploys every service together (one `redeployToken`, and `pulumi up` resolves `latest`
 * for each): while one service's moved `latest` is held, proposing another would deploy the held image too.
 * Every proposal is then held with that hold's reason, until the same instant.
 */
function holdTogether(services: ServiceDecision[]): ServiceDecision[] {
    const blocker = services.find((s) => s.held.length > 0);
    if (!blocker) return services;
    const h = blocker.held[0];
    const detail = `deploying it would also deploy ${blocker.name}'s latest, which is held (${h.reason}: ${h.detail}); every service follows latest and redeploys together`;
    return services.map((s) => {
        if (s.proposed === null) return s;
        const held: Held = {
            version: s.proposed,
            digest: s.proposedDigest ?? "",
            reason: h.reason,
            detail,
            ...(h.eligibleAt ? { eligibleAt: h.eligibleAt } : {}),
        };
        return { ...s, proposed: null, proposedDigest: null, held: [held, ...s.held] };
    });
}

/** The earliest instant after `at` a held version comes of age or soaks, or a release window opens or closes. */
function nextChange(services: ServiceDecision[], state: ReleaseState, at: Date): Date | null {
    const events = services.flatMap((s) => s.held.map((h) => h.eligibleAt?.getTime() ?? Infinity));
    if (!state.alwaysOpen) events.push((state.windowOpen ? state.currentWindow?.end : state.nextWindow?.start)?.getTime() ?? Infinity);
    const future = events.filter((t) => t > at.getTime() && Number.isFinite(t));
    return future.length ? new Date(Math.min(...future)) : null;
}

/**
 * The stack's last Pulumi update failed: the whole stack is held (`last-update-failed`) until someone looks
 * (`drydock history`) and retries on purpose, so a failing update is not retried (and snapshotted) forever.
 */
export function holdFailedUpdate(d: ChannelDecision, why: string): ChannelDecision {
    const services = d.services.map((s) => {
        if (s.proposed === null) return s;
        const hold: Held = { version: s.proposed, digest: s.proposedDigest ?? "", reason: "last-update-failed", detail: why };
        return { ...s, proposed: null, proposedDigest: null, held: [hold, ...s.held] };
    });
    return { ...d, hold: d.hold ?? why, overridden: false, nextChange: null, services };
}

/** A paused stack or a closed window: every proposal becomes a hold with the gate's reason. */
function holdStack(services: ServiceDecision[], state: ReleaseState, why: string): ServiceDecision[] {
    const reason: HoldReason = state.blockedBy === "paused" ? "paused" : "window-closed";
    const opens = reason === "window-closed" ? state.nextWindow?.start : undefined;
    const detail = `${why}${opens ? `; the next window opens ${formatInZone(opens, state.timeZone)}` : ""}`;
    return services.map((s) => {
        if (s.proposed === null) return s;
        const hold: Held = { version: s.proposed, digest: s.proposedDigest ?? "", reason, detail, ...(opens ? { eligibleAt: opens } : {}) };
        return { ...s, proposed: null, proposedDigest: null, held: [hold, ...s.held] };
    });
}

function judgeOf(policy: ChannelPolicy, s: ServiceInput, at: Date, zone: string): Judge {
    const deployedRelease = s.deployedDigest ? releaseOf(s.images, s.deployedDigest) : undefined;
    return { policy, at, zone, ...(deployedRelease ? { deployedRelease } : {}) };
}

function runningOf(s: ServiceInput): Pick<ServiceDecision, "name" | "running" | "runningDigest"> {
    return { name: s.name, running: s.configured.raw, runningDigest: s.deployedDigest ?? null };
}

/** The release the channel is relative to: the stack file's exact version, the semver tag of a pinned digest, else what ECS runs. */
function baselineOf(s: ServiceInput, j: Judge): string | undefined {
    if (s.configured.kind === "semver" || s.configured.kind === "full") return s.configured.release;
    const pinned = s.configured.kind === "digest" && s.configured.digest ? releaseOf(s.images, s.configured.digest) : undefined;
    return pinned ?? j.deployedRelease;
}

function decideSemver(s: ServiceInput, j: Judge): ServiceDecision {
    const running = runningOf(s);
    const baseline = baselineOf(s, j);
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

/** The latest channel: the image `latest` points to, when it is not what ECS runs. */
function decideLatest(s: ServiceInput, j: Judge): ServiceDecision {
    const running = runningOf(s);
    const none = { ...running, proposed: null, proposedDigest: null, held: [] as Held[] };
    if (s.configured.kind !== "latest")
        return {
            ...none,
            note: `the latest channel follows the latest tag, but the stack file sets ${s.configured.raw}; set it to latest`,
        };
    const latest = s.images.find((i) => i.tags.includes("latest") && (!i.pushedAt || i.pushedAt.getTime() <= j.at.getTime()));
    if (!latest) return { ...none, note: "the repository has no image tagged latest" };
    if (!s.deployedDigest) return { ...none, note: "cannot tell which image runs (not deployed, or no task running)" };
    if (latest.digest === s.deployedDigest) return none;
    const release = releaseOf(s.images, latest.digest);
    const c: Candidate = {
        version: { raw: "latest", kind: "latest", immutable: false },
        digest: latest.digest,
        ...(latest.pushedAt ? { pushedAt: latest.pushedAt } : {}),
    };
    const hold = latestHold(c, release, j) ?? ageHold(c, j) ?? soakHold(c, s.soak ?? [], j);
    if (hold) return { ...none, held: [hold] };
    return { ...running, proposed: "latest", proposedDigest: latest.digest, held: [] };
}
