/**
 * Release gate: may this update change a service's image now? Pure decision plus the user-facing
 * message; the `release-gate` hook (components/hooks) throws the message, or warns with it during a
 * preview, and `drydock promote` / `rollback` ask it before they deploy.
 */
import { releaseState, ReleaseSettingsInput, ReleaseState } from "./state";
import { formatInZone, WindowOccurrence } from "./windows";

/** The stack's release settings (see state.ts) and what the update is. */
export interface ReleaseGateInput extends ReleaseSettingsInput {
    now: Date;
    /** Whether the update changes the container image; other changes always pass. */
    imageChanged: boolean;
    /** Pulumi stack, for the commands in the message. */
    stack: string;
    /** What is being released, for the message, e.g. `backend-service v1.2.3 → v1.3.0`. */
    subject?: string;
}

export interface ReleaseGateDecision {
    allowed: boolean;
    /** One line: why it is allowed or refused. */
    reason: string;
    /** Next opening of a release window (also when paused, for after the pause). */
    nextWindow?: WindowOccurrence;
    /** Allowed only because of `releaseOverride`. */
    overridden: boolean;
    /** The release state the decision was made from (absent when the image does not change: not needed). */
    state?: ReleaseState;
    /** The full text for the user: why, now, the windows, the next window, how to proceed. */
    message: string;
}

/** Decide whether an update may proceed. Throws WindowError only for an unknown time zone. */
export function evaluateReleaseGate(input: ReleaseGateInput): ReleaseGateDecision {
    const subject = input.subject ?? "this update";
    if (!input.imageChanged) {
        const reason = "the update does not change the image";
        return { allowed: true, reason, overridden: false, message: `release-gate: ${subject}: ${reason}; no release check needed.` };
    }
    const state = releaseState(input, input.now);
    const next = state.nextWindow ? { nextWindow: state.nextWindow } : {};
    const override = state.override;
    const refusal =
        state.blockedBy === "paused"
            ? `updates are paused on stack "${input.stack}"${input.pauseReason ? ` (reason: "${input.pauseReason}")` : ""}`
            : state.blockedBy === "closed-window"
              ? "it is outside every release window"
              : undefined;

    if (refusal === undefined) {
        const current = state.currentWindow;
        const reason = current
            ? `inside release window ${current.window} (until ${formatInZone(current.end, input.timeZone)})`
            : "no release windows are configured";
        const unused = override
            ? ` (releaseOverride is set but not needed; remove it: pulumi config rm releaseOverride -s ${input.stack})`
            : "";
        return {
            allowed: true,
            reason,
            overridden: false,
            state,
            ...next,
            message: `release-gate: ${subject} allowed: ${reason}.${unused}`,
        };
    }
    if (override) {
        const reason = `${refusal}, but releaseOverride is set: "${override}"`;
        return {
            allowed: true,
            reason,
            overridden: true,
            state,
            ...next,
            message:
                `release-gate: ${subject} allowed by override on stack "${input.stack}": ${reason}. ` +
                `It is logged here and recorded in the tags of this update's pre-update snapshot. Remove it afterwards: pulumi config rm releaseOverride -s ${input.stack}`,
        };
    }
    return {
        allowed: false,
        reason: refusal,
        overridden: false,
        state,
        ...next,
        message: refusalMessage(input, subject, refusal, state.nextWindow),
    };
}

function refusalMessage(input: ReleaseGateInput, subject: string, refusal: string, next: WindowOccurrence | undefined): string {
    const zone = input.timeZone;
    const lines = [
        `release-gate refused ${subject} on stack "${input.stack}": ${refusal}.`,
        `  now:         ${formatInZone(input.now, zone)}`,
    ];
    if (input.windows.length > 0) lines.push(`  windows:     ${input.windows.map((w) => w.raw).join(", ")} (${zone})`);
    if (next) {
        const after = input.paused ? " (once updates are resumed)" : "";
        lines.push(`  next window: ${formatInZone(next.start, zone)} until ${formatInZone(next.end, zone)}${after}`);
    }
    lines.push("The service was not updated: it keeps running what it runs now.");
    if (input.paused)
        lines.push(
            `Resume updates with: npx drydock resume --stack ${input.stack} (or pulumi config set updatesPaused false -s ${input.stack})`,
        );
    else lines.push("Run `pulumi up` again inside a release window.");
    lines.push(
        "Or override with a reason (it is logged and recorded in the pre-update snapshot's tags):",
        `  pulumi config set releaseOverride "<reason>" -s ${input.stack}`,
        `and remove it afterwards: pulumi config rm releaseOverride -s ${input.stack}`,
    );
    return lines.join("\n");
}
