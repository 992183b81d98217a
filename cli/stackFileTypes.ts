/** How a value edited into a stack file is typed in YAML: a boolean stays a boolean, a number a number. */
import { CONFIG_NAMESPACE, configKey, isConfigKey } from "../configSchema";

/** A new drydock key's value typed as the schema declares it: `true`, `3` and `0.5` as plain YAML scalars, not strings. */
export function typedBySchema(full: string, value: string): unknown {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const key = full.startsWith(prefix) ? full.slice(prefix.length) : undefined;
    if (key === undefined || !isConfigKey(key)) return value;
    const type = configKey(key).type;
    if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
    if (type === "integer" && /^-?\d+$/.test(value)) return Number(value);
    if (type === "number" && /^-?\d+(\.\d+)?$/.test(value) && String(Number(value)) === value) return Number(value);
    return value;
}

/** Keep a boolean or number a boolean or number when the new text still is one. */
export function typedLike(old: unknown, value: string): unknown {
    if (typeof old === "boolean" && (value === "true" || value === "false")) return value === "true";
    if (typeof old === "number" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    return value;
}
