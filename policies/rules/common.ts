/**
 * Helpers shared by the rules: independent sub-checks that survive values unknown during preview.
 *
 * During `pulumi preview`, CrossGuard hands a policy its resource's inputs wrapped in an
 * unknown-checking proxy: reading a property whose value is not known yet (an output of another
 * resource) throws `UnknownValueError`. If that error escapes a validation, CrossGuard stops the
 * validation and reports an advisory "can't run policy … during preview: <type> value at .<path>
 * can't be known during preview". A rule therefore runs each check on its own: an unknown in one
 * field skips only the checks that need it, the other checks still report their violations, and the
 * first unknown is re-thrown at the end so the preview still says what could not be checked.
 */
import { UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";

/** true for the error CrossGuard's proxy throws when a value is unknown during preview. */
export function isUnknownValueError(e: unknown): boolean {
    return e instanceof UnknownValueError;
}

/**
 * Runs sub-checks independently. Use `run` for a check, `read` for a value several checks share;
 * call `done()` last to re-throw the first unknown (CrossGuard turns it into an advisory note).
 * Any other error is re-thrown at once: a bug must fail loudly, not pass silently.
 */
export class SubChecks {
    private unknown: unknown;

    /** Runs one check; an unknown value ends only this check. */
    run(check: () => void): void {
        try {
            check();
        } catch (e) {
            this.remember(e);
        }
    }

    /** Reads a value; returns `fallback` (and remembers the unknown) when it is unknown. */
    read<T>(get: () => T, fallback: T): T {
        try {
            return get();
        } catch (e) {
            this.remember(e);
            return fallback;
        }
    }

    /** Re-throws the first unknown value, if any. */
    done(): void {
        if (this.unknown !== undefined) throw this.unknown;
    }

    private remember(e: unknown): void {
        if (!isUnknownValueError(e)) throw e;
        if (this.unknown === undefined) this.unknown = e;
    }
}

/** A JSON string value shaped like a UUID: CrossGuard's unknown placeholders all are. */
const UUID_STRING = /"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/;

/**
 * Wraps a value parsed out of the JSON string `text` (e.g. `containerDefinitions`) in CrossGuard's
 * own unknown-checking proxy, so an unknown placeholder inside it behaves like one in the props.
 * `path` names the property the JSON came from, for the error message. JSON without any
 * UUID-shaped string cannot hold a placeholder and is returned as it is (the proxy is costly).
 */
export function checkUnknownsInJson<T>(path: string, text: string, parsed: T): T {
    if (!UUID_STRING.test(text)) return parsed;
    return (unknownCheckingProxy({ [path]: parsed }) as Record<string, T>)[path];
}

/** `"text"` — a JSON-quoted string for messages. */
export function q(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

/** A record read from unknown data, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A non-empty string, or undefined. */
export function nonEmpty(value: unknown): string | undefined {
    return typeof value === "string" && value.trim().length > 0 ? value : undefined;
}

/** The resource's physical name when it is a known string, else its Pulumi name. */
export function displayName(read: () => unknown, pulumiName: string): string {
    try {
        return nonEmpty(read()) ?? pulumiName;
    } catch (e) {
        if (isUnknownValueError(e)) return pulumiName;
        throw e;
    }
}
