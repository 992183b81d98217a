/**
 * drydock's error type and the one translator of AWS SDK errors, used by the `drydock` command and the
 * update hooks alike. No Pulumi import. Errors the `drydock` command reports, and the one-line form each takes on stderr:
 *
 *     drydock: <what>: <why> (<what to do>)
 *
 * Exit codes: 0 ok, 1 refused or failed (including anything AWS said no to), 2 usage or
 * configuration error (the command line or the stack file is wrong on its face).
 */

import { trackCall } from "./inFlight";

/** Exit codes of the `drydock` command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error with everything needed for the one-line report. */
export class CliError extends Error {
    constructor(
        /** The thing that is wrong: an argument, a key, an AWS call. */
        readonly what: string,
        /** Why it is wrong. */
        readonly why: string,
        /** What the user can do about it (shown in parentheses); optional. */
        readonly hint: string | undefined,
        readonly exitCode: ExitCode,
    ) {
        super(`${what}: ${why}`);
        this.name = "CliError";
    }
}

/** A bad command line or stack file: exit 2. */
export function usageError(what: string, why: string, hint?: string): CliError {
    return new CliError(what, why, hint, EXIT.usage);
}

/** The command refuses, or something it needs failed: exit 1. */
export function refused(what: string, why: string, hint?: string): CliError {
    return new CliError(what, why, hint, EXIT.failed);
}

/** Collapse whitespace so a message stays on one line. */
export function oneLine(s: string): string {
    return s.replace(/\s+/g, " ").trim();
}

/** The error's name (`AccessDeniedException`, `ThrottlingException`, ...) if it has one. */
function errorName(e: unknown): string {
    if (e && typeof e === "object" && "name" in e && typeof (e as { name: unknown }).name === "string") {
        return (e as { name: string }).name;
    }
    return "";
}

function errorMessage(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

/** An error thrown by an AWS SDK v3 client or its credential chain. */
export function isAwsError(e: unknown): boolean {
    if (typeof e !== "object" || e === null) return false;
    return "$metadata" in e || "$fault" in e || errorName(e) === "CredentialsProviderError";
}

const NETWORK = /ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;

const THROTTLING = ["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "ThrottledException"];

/**
 * Turn an AWS SDK error into a CliError naming the call that failed (`what`).
 * Credentials, access denied and throttling get their own advice; anything else keeps AWS's words.
 */
export function fromAwsError(what: string, e: unknown): CliError {
    if (e instanceof CliError) return e;
    const name = errorName(e);
    const message = oneLine(errorMessage(e));
    if (name === "CredentialsProviderError" || /could not load credentials/i.test(message)) {
        return refused(
            what,
            `no AWS credentials found (${message})`,
            "set AWS_PROFILE, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        );
    }
    if (name.includes("AccessDenied") || name === "UnauthorizedOperation" || name === "UnrecognizedClientException") {
        return refused(
            what,
            `access denied: ${message}`,
            "grant the deploying identity the permission named above; see the IAM permissions in docs/hooks-and-iam.md",
        );
    }
    const throttled =
        THROTTLING.includes(name) ||
        (typeof e === "object" && e !== null && (e as { $retryable?: { throttling?: boolean } }).$retryable?.throttling === true);
    if (throttled) {
        return refused(
            what,
            `AWS kept throttling the request after the SDK's retries (${name})`,
            "wait a minute and retry, or raise AWS_MAX_ATTEMPTS",
        );
    }
    if (
        name === "TimeoutError" ||
        name === "RequestTimeout" ||
        /exceeded the configured \d+ ms requestTimeout|did not establish a connection|socket timed out/.test(message)
    ) {
        return refused(
            what,
            `AWS did not answer in time (${timeoutText(message)}), also after the SDK's retries`,
            "check the network, the region and AWS_ENDPOINT_URL; raise DRYDOCK_AWS_REQUEST_TIMEOUT_MS or DRYDOCK_AWS_CONNECT_TIMEOUT_MS for a slow link",
        );
    }
    if (isUnreadableResponse(e)) return unreadable(what, e);
    const code =
        typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "";
    if (NETWORK.test(message) || NETWORK.test(name) || NETWORK.test(code)) {
        // Node reports a refused connection to a host with several addresses as an AggregateError without a message.
        return refused(what, `cannot reach AWS (${message || code})`, "check the network, the region and AWS_ENDPOINT_URL");
    }
    return refused(what, name && !message.startsWith(name) ? `${name}: ${message}` : message || name || "unknown error");
}

/**
 * One AWS failure as text inside a longer message (hooks, snapshot and rollout routines): the translator's
 * words with its advice for what it recognises (credentials, an unreachable endpoint, throttling, timeouts,
 * unreadable responses), the permissions `permissions` names for access denied, else `Name: message`.
 */
export function awsFailureText(err: unknown, permissions: string): string {
    const e = err instanceof Error ? err : new Error(String(err));
    if (/AccessDenied|NotAuthorized|UnauthorizedOperation|is not authorized/i.test(`${e.name} ${e.message}`)) {
        return `${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message} (the deploying AWS identity needs ${permissions})`;
    }
    const translated = fromAwsError("", err);
    if (translated.hint) return `${translated.why} (${translated.hint})`;
    if (isUnreadableResponse(err) || e.name === "TimeoutError") return translated.why;
    return `${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message}`;
}

/** `no answer within 20000 ms` from the SDK's timeout messages. */
function timeoutText(message: string): string {
    const ms = /(\d+) ms/.exec(message)?.[1];
    if (/connection/i.test(message)) return ms ? `no connection within ${ms} ms` : "no connection";
    return ms ? `no response within ${ms} ms` : "no response";
}

/**
 * A response that is not an answer: the SDK could not parse it (an empty or truncated body; the SDK's
 * "Deserialization error" hint), or drydock found a field missing that every real answer has
 * ({@link NotAnAnswerError}).
 */
export function isUnreadableResponse(e: unknown): boolean {
    if (e instanceof NotAnAnswerError) return true;
    if (typeof e !== "object" || e === null) return false;
    const message = errorMessage(e);
    return (
        /Deserialization error/.test(message) ||
        ("$response" in e && (errorName(e) === "SyntaxError" || /JSON|XML|Unexpected end/i.test(message)))
    );
}

/** Thrown by {@link requireAnswer} for a response without a field every real answer has. */
export class NotAnAnswerError extends Error {
    constructor(readonly field: string) {
        super(`the response has no ${field}`);
        this.name = "NotAnAnswerError";
    }
}

/**
 * `out[field]`, or a {@link NotAnAnswerError} when the response lacks it: an empty list must come from
 * AWS saying so (`"imageDetails": []`), never from an empty or cut-off response.
 */
export function requireAnswer<T extends object, K extends keyof T>(out: T, field: K): NonNullable<T[K]> {
    const value = out?.[field];
    if (value === undefined || value === null) throw new NotAnAnswerError(String(field));
    return value as NonNullable<T[K]>;
}

function unreadable(what: string, e: unknown): CliError {
    // The SDK appends a multi-line hint about a hidden field; only the parser's first line says what was wrong.
    const first = e instanceof NotAnAnswerError ? e.message : errorMessage(e).split("\n")[0].trim();
    return refused(
        what,
        `AWS sent a response that is not an answer (empty, truncated or malformed: ${first || errorName(e) || "unreadable"}), also when asked again`,
        "retry; if it persists, check AWS_ENDPOINT_URL and any proxy in between",
    );
}

/** Attempts of one call whose response was not an answer (the SDK does not retry those itself). */
export const UNREADABLE_ATTEMPTS = 3;

/**
 * Run one AWS call, turning its failure into a CliError that names the call. The call is recorded as
 * pending under the current deadline (aws/deadline.ts), so a deadline error names it; a response that is
 * not an answer is asked again, like a 5xx, up to {@link UNREADABLE_ATTEMPTS} times.
 * @param what e.g. `ECR DescribeImages drydock/backend`
 */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
        return await askAws(what, call);
    } catch (e) {
        throw fromAwsError(what, e);
    }
}

/**
 * One AWS read, recorded as pending under the current deadline and asked again when the response is not
 * an answer; errors propagate untranslated (for routines with their own messages). Use {@link aws} otherwise.
 */
export async function askAws<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await trackCall(what, call);
        } catch (e) {
            if (attempt >= UNREADABLE_ATTEMPTS || !isUnreadableResponse(e)) throw e;
            await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        }
    }
}
