/**
 * Reads one key at a time, recording problems instead of throwing so every bad key is reported.
 * Bounds, steps and allowed values come from the key's declaration in configSchema.ts.
 */
import { acceptedText, CONFIG_NAMESPACE, configKey, ConfigKey } from "../configSchema";
import type { ConfigProblem, RawConfig } from "./types";

/** Key names that suggest a secret (password, secret, token, key, credential, ...): their values are never printed. */
export const SECRET_KEY_PATTERN = /pass(word|phrase)?|secret|token|key|credential|private|auth|salt|signature/i;

/** true when a key's value must not appear in any message (see {@link SECRET_KEY_PATTERN}). */
export function looksSecret(key: string): boolean {
    return SECRET_KEY_PATTERN.test(key.split(":").pop() ?? key);
}

export class Reader {
    readonly problems: ConfigProblem[] = [];
    constructor(private readonly values: RawConfig) {}

    problem(key: string, value: string | undefined, message: string): void {
        // Never echo what may be a secret into CI logs: only the key is named then.
        this.problems.push({ key: `${CONFIG_NAMESPACE}:${key}`, value: looksSecret(key) ? undefined : value, message });
    }

    /** Whether a problem was recorded for `key`. */
    hasProblem(key: string): boolean {
        return this.problems.some((p) => p.key === `${CONFIG_NAMESPACE}:${key}`);
    }

    raw(key: string): string | undefined {
        return this.values[key];
    }

    string(key: string): string {
        const spec = configKey(key);
        const v = this.raw(key);
        if (v === undefined) {
            if (spec.default === undefined) {
                this.problem(key, undefined, `required; set it with \`pulumi config set ${key} <value>\``);
                return "";
            }
            return String(spec.default);
        }
        return v;
    }

    /** An optional string: empty means unset. */
    optional(key: string): string | undefined {
        const v = this.string(key).trim();
        return v === "" ? undefined : v;
    }

    /** An `integer` key, within the schema's min/max or among its allowed values. */
    integer(key: string): number {
        return this.numeric(key, /^-?\d+$/);
    }

    /** A `number` key (e.g. 0.5), within the schema's min/max and on its step. */
    number(key: string): number {
        return this.numeric(key, /^-?(\d+(\.\d*)?|\.\d+)$/);
    }

    private numeric(key: string, form: RegExp): number {
        const spec = configKey(key);
        const v = this.raw(key);
        if (v === undefined) return Number(spec.default);
        const n = Number(v.trim());
        if (!form.test(v.trim()) || !Number.isFinite(n) || (spec.type === "integer" && !Number.isSafeInteger(n))) {
            this.problem(key, v, `not ${spec.type === "integer" ? "a whole number" : "a number"}; accepted: ${acceptedText(spec)}`);
            return Number(spec.default);
        }
        const problem = numericProblem(spec, n);
        if (problem) {
            this.problem(key, v, `${problem}; accepted: ${acceptedText(spec)}`);
            return Number(spec.default);
        }
        return n;
    }

    boolean(key: string): boolean {
        const spec = configKey(key);
        const v = this.raw(key);
        if (v === undefined) return Boolean(spec.default);
        const t = v.trim().toLowerCase();
        if (t === "true") return true;
        if (t === "false") return false;
        this.problem(key, v, "not a boolean; accepted: true or false");
        return Boolean(spec.default);
    }

    list(key: string): string[] {
        const spec = configKey(key);
        const v = this.raw(key);
        if (v === undefined) return [...((spec.default as string[] | undefined) ?? [])];
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            this.problem(key, v, `not a list; accepted: a YAML list in the stack file or JSON text such as '["a","b"]'`);
            return [];
        }
        if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) {
            this.problem(key, v, "not a list of strings; accepted: a list of strings");
            return [];
        }
        return parsed as string[];
    }

    /** A string key with `allowed` values in the schema. */
    oneOf<T extends string>(key: string): T {
        const spec = configKey(key);
        const v = this.string(key).trim();
        if ((spec.allowed ?? []).includes(v)) return v as T;
        this.problem(key, v, `not accepted; accepted: ${(spec.allowed ?? []).join(", ")}`);
        return String(spec.default) as T;
    }
}

/** Why `n` is outside what `spec` accepts, or undefined when it is accepted. */
export function numericProblem(spec: ConfigKey, n: number): string | undefined {
    if (spec.allowed && !spec.allowed.includes(n)) return "not accepted";
    if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return "out of range";
    if (spec.step !== undefined && Math.abs(n / spec.step - Math.round(n / spec.step)) > 1e-9) return `not a multiple of ${spec.step}`;
    return undefined;
}
