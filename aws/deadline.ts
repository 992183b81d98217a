/**
 * Overall deadlines: a command or hook that waits on AWS fails after a bounded time with one line naming
 * the call that did not answer, instead of hanging (and, in a hook, holding the stack's lock).
 *
 * `withDeadline(label, ms, run)` runs `run` with a deadline; AWS calls made inside it (through `aws()`
 * of aws/errors.ts or {@link trackCall}) are recorded while they are pending, so the error can say which
 * one never answered. When the deadline passes, in-flight requests of clients made with
 * `awsClientConfig()` are aborted (their request handler reads {@link currentAbortSignal}), so a CLI
 * process ends instead of waiting for the SDK's retries.
 *
 * A deadline nested inside another one (e.g. `snapshot --wait`'s snapshotTimeoutMinutes inside the
 * command's default) is the more specific budget: the outer clock stops while it runs. No Pulumi import.
 */
import { CliError, EXIT } from "./errors";
import { current, DeadlineState } from "./inFlight";

export { currentAbortSignal, trackCall } from "./inFlight";

/** Default overall deadline of a command that only reads (status, versions, snapshots, ...); DRYDOCK_COMMAND_TIMEOUT_MS wins. */
export const DEFAULT_COMMAND_DEADLINE_MS = 90_000; // milliseconds
/** Added to a configured timeout (snapshotTimeoutMinutes, rolloutTimeoutMinutes) for the calls around the wait. */
export const DEADLINE_MARGIN_MS = 30_000; // milliseconds

/** Waits `ms` on a timer: the one sleep of aws/ routines (their requests take a `sleep` so tests need not wait). */
export const realSleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A deadline passed; `message` is one line: what, which call did not answer, within how long. */
export class DeadlineError extends CliError {
    constructor(
        readonly label: string,
        readonly limitMs: number,
        readonly pending: string[],
        lastAnswered: string | undefined,
    ) {
        const waited = formatMs(limitMs);
        const why =
            pending.length > 0
                ? `no answer from ${pending.join(", ")} within ${waited}`
                : `did not finish within ${waited}${lastAnswered ? ` (last AWS call that answered: ${lastAnswered})` : ""}`;
        super(
            label,
            why,
            "check the network, the region and AWS_ENDPOINT_URL; on a slow link raise DRYDOCK_COMMAND_TIMEOUT_MS (commands) or the stack's timeout (hooks)",
            EXIT.failed,
        );
        this.name = "DeadlineError";
    }
}

/** `90s`, `2 min`, `350ms`. */
export function formatMs(ms: number): string {
    if (ms < 1000) return `${ms}ms`;
    if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))}s`;
    return ms < 120_000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms / 60_000)} min`;
}

/** A positive whole number of milliseconds from the environment, else `fallback`. */
export function envMs(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    return /^\d+$/.test(raw) && n > 0 && Number.isSafeInteger(n) ? n : fallback;
}

/** The overall deadline of a command without a configured timeout: DRYDOCK_COMMAND_TIMEOUT_MS or 90 s. */
export function commandDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
    return envMs("DRYDOCK_COMMAND_TIMEOUT_MS", DEFAULT_COMMAND_DEADLINE_MS, env);
}

function arm(state: DeadlineState, ms: number): void {
    if (!Number.isFinite(ms)) return;
    state.deadlineAt = Date.now() + ms;
    state.timer = setTimeout(() => {
        const error = new DeadlineError(state.label, state.limitMs, [...state.inFlight.values()], state.lastAnswered);
        state.controller.abort(error);
        state.expire(error);
    }, ms);
}

function pause(state: DeadlineState): void {
    if (state.timer === undefined) return;
    clearTimeout(state.timer);
    state.timer = undefined;
    state.pausedLeft = Math.max(1, state.deadlineAt - Date.now());
}

function resume(state: DeadlineState): void {
    if (state.pausedLeft === undefined) return;
    const left = state.pausedLeft;
    state.pausedLeft = undefined;
    arm(state, left);
}

/**
 * Runs `run` under a deadline of `limitMs` (Infinity: none, but an outer deadline still stops while it
 * runs). Rejects with {@link DeadlineError} when it passes; `run` is then abandoned and its AWS requests aborted.
 */
export async function withDeadline<T>(label: string, limitMs: number, run: () => Promise<T>): Promise<T> {
    const parent = current.getStore();
    let expire: (e: Error) => void = () => undefined;
    const expired = new Promise<never>((_, reject) => (expire = reject));
    const state: DeadlineState = {
        label,
        limitMs,
        parent,
        inFlight: new Map(),
        controller: new AbortController(),
        startedAt: Date.now(),
        deadlineAt: Number.POSITIVE_INFINITY,
        expire,
    };
    // An outer abort reaches this one's calls too.
    const onOuterAbort = () => state.controller.abort(parent?.controller.signal.reason);
    parent?.controller.signal.addEventListener("abort", onOuterAbort, { once: true });
    if (parent) pause(parent);
    arm(state, limitMs);
    try {
        return await Promise.race([current.run(state, run), expired]);
    } finally {
        if (state.timer !== undefined) clearTimeout(state.timer);
        state.timer = undefined;
        parent?.controller.signal.removeEventListener("abort", onOuterAbort); // a --watch loop nests one per round
        if (parent) resume(parent);
    }
}

/** Runs `run` with no deadline of its own, stopping the clock of the enclosing one (e.g. `pulumi up` from `--apply`). */
export function outsideDeadline<T>(run: () => Promise<T>): Promise<T> {
    if (current.getStore() === undefined) return run();
    return withDeadline("(no deadline)", Number.POSITIVE_INFINITY, run);
}
