/**
 * The release state of a stack at one instant, computed in one place: paused (and why), the override,
 * whether a release window is open (which one, until when) and when the next one opens. The release
 * gate (gate.ts, run by the `release-gate` hook and by `promote`/`rollback --apply`), `drydock window`,
 * `drydock status` and `drydock check` all read it from here. Pure: no Pulumi or AWS import.
 */
import { releaseWindowState, WeeklyWindow, WindowOccurrence } from "./windows";

/** A stack's release settings (`Settings["release"]` in config.ts has this shape). */
export interface ReleaseSettingsInput {
    /** `releaseWindows`: local wall-clock times in `timeZone`; none = always open. */
    windows: WeeklyWindow[];
    /** `releaseTimeZone`, an IANA zone such as `Europe/Berlin`. */
    timeZone: string;
    /** `updatesPaused` */
    paused: boolean;
    /** `pauseReason` */
    pauseReason?: string;
    /** `releaseOverride`: a reason that lets an image change through a pause or a closed window. */
    override?: string;
}

export interface ReleaseState {
    /** The instant the state describes. */
    at: Date;
    timeZone: string;
    paused: boolean;
    pauseReason?: string;
    /** The override reason, trimmed; undefined when unset or blank. */
    override?: string;
    /** A release window contains `at` (always true without windows). */
    windowOpen: boolean;
    /** No windows are configured: releases may deploy at any time. */
    alwaysOpen: boolean;
    /** The window occurrence containing `at` (if several, the one ending last). */
    currentWindow?: WindowOccurrence;
    /** The next opening strictly after `at` (also while paused: for after the pause). */
    nextWindow?: WindowOccurrence;
    /** What stops an image change now, ignoring the override; undefined when nothing does. */
    blockedBy?: "paused" | "closed-window";
    /** An image change may deploy now: nothing blocks it, or the override lets it through. */
    releasable: boolean;
    /** Releasable only because of the override. */
    overridden: boolean;
}

/**
 * The release state of `settings` at `at`.
 * @throws WindowError for an unknown time zone (config.ts refuses those first).
 */
export function releaseState(settings: ReleaseSettingsInput, at: Date): ReleaseState {
    const w = releaseWindowState(settings.windows, settings.timeZone, at);
    const override = settings.override?.trim() || undefined;
    const blockedBy = settings.paused ? "paused" : w.open ? undefined : "closed-window";
    return {
        at,
        timeZone: settings.timeZone,
        paused: settings.paused,
        ...(settings.pauseReason ? { pauseReason: settings.pauseReason } : {}),
        ...(override ? { override } : {}),
        windowOpen: w.open,
        alwaysOpen: w.always,
        ...(w.current ? { currentWindow: w.current } : {}),
        ...(w.next ? { nextWindow: w.next } : {}),
        ...(blockedBy ? { blockedBy } : {}),
        releasable: blockedBy === undefined || override !== undefined,
        overridden: blockedBy !== undefined && override !== undefined,
    };
}
