/**
 * drydock's error type and the one translator of AWS SDK errors, used by the `drydock` command and the
 * update hooks alike. No Pulumi import. Errors the `drydock` command reports, and the one-line form each takes on stderr:
 *
 *     drydock: <what>: <why> (<what to do>)
 *
 * Exit codes: 0 ok, 1 refused or failed (including anything AWS said no to), 2 usage or
 * configuration error (the command line or the stack file is wrong on its face).
 */

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
        return refused(what, `access denied: ${message}`, "grant the identity the permission named above; the README lists them under \"IAM permissions\" and \"AWS permissions the command needs\"");
    }
    const throttled =
        THROTTLING.includes(name) ||
        (typeof e === "object" && e !== null && (e as { $retryable?: { throttling?: boolean } }).$retryable?.throttling === true);
    if (throttled) {
        return refused(what, `AWS kept throttling the request after the SDK's retries (${name})`, "wait a minute and retry, or raise AWS_MAX_ATTEMPTS");
    }
    if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN/.test(message) || /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN/.test(name)) {
        return refused(what, `cannot reach AWS (${message})`, "check the network, the region and AWS_ENDPOINT_URL");
    }
    return refused(what, name && !message.startsWith(name) ? `${name}: ${message}` : message || name || "unknown error");
}

/**
 * Run one AWS call, turning its failure into a CliError that names the call.
 * @param what e.g. `ECR DescribeImages drydock/backend`
 */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (e) {
        throw fromAwsError(what, e);
    }
}

