/**
 * The types of the update-channel decision (channels.ts): policies, inputs, holds and the decision.
 * Pure: no Pulumi or AWS import.
 */
import type { ImageVersion } from "./version";
import type { WeeklyWindow } from "./windows";

export type UpdateChannel = "manual" | "latest" | "patch" | "minor" | "major";
export const UPDATE_CHANNELS: readonly UpdateChannel[] = ["manual", "latest", "patch", "minor", "major"];

/** Why a version is not proposed. */
export type HoldReason =
    "outside-channel" | "pre-release" | "downgrade" | "too-young" | "not-soaked" | "paused" | "window-closed" | "last-update-failed";

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

export interface Candidate {
    version: ImageVersion;
    digest: string;
    pushedAt?: Date;
}

export interface Judge {
    policy: ChannelPolicy;
    at: Date;
    zone: string;
    /** Highest semver release of the image ECS runs. */
    deployedRelease?: string;
}
