/**
 * The AWS calls pending under the current deadline (aws/deadline.ts), kept apart so aws/errors.ts's
 * `aws()` can record its calls without importing the deadline (which builds on aws/errors.ts).
 * No Pulumi import.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** One deadline's bookkeeping; see aws/deadline.ts. */
export interface DeadlineState {
    label: string;
    limitMs: number;
    parent?: DeadlineState;
    /** Pending calls, by sequence number. */
    inFlight: Map<number, string>;
    /** The last call that answered. */
    lastAnswered?: string;
    controller: AbortController;
    /** Milliseconds left when the clock was stopped by a nested deadline; undefined while it runs. */
    pausedLeft?: number;
    startedAt: number;
    deadlineAt: number;
    timer?: ReturnType<typeof setTimeout>;
    expire: (e: Error) => void;
}

export const current = new AsyncLocalStorage<DeadlineState>();
let sequence = 0;

/** The abort signal of the enclosing deadline, if any: fires when it passes. */
export function currentAbortSignal(): AbortSignal | undefined {
    return current.getStore()?.controller.signal;
}

/**
 * Records `what` (e.g. `ECS DescribeServices drydock-production`) as pending until `call` settles, in the
 * enclosing deadlines, so a deadline error names it.
 */
export async function trackCall<T>(what: string, call: () => Promise<T>): Promise<T> {
    const states: DeadlineState[] = [];
    for (let s = current.getStore(); s !== undefined; s = s.parent) states.push(s);
    if (states.length === 0) return call();
    const id = ++sequence;
    for (const s of states) s.inFlight.set(id, what);
    try {
        return await call();
    } finally {
        for (const s of states) {
            s.inFlight.delete(id);
            s.lastAnswered = what;
        }
    }
}
