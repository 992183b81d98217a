/**
 * The keys of a stack's configuration, before their values: every key must be one drydock reads, in a
 * namespace Pulumi gives to drydock (`drydock:`) or to the AWS provider (`aws:`), written once.
 *
 * RawConfig carries drydock's keys without the namespace (`backendVersion`) and any other key in full
 * (`aws:region`, `drydok:backendVersion`). A full `drydock:<key>` beside the short one means the file
 * spells the same key twice (`backendVersion:` and `drydock:backendVersion:`), which Pulumi resolves by
 * key order: refused. The legacy `drydock:config:<key>` form, which Pulumi reads as `drydock:<key>`, is
 * refused too, so every tool reads one spelling. `pulumi:` keys are Pulumi's own settings and pass.
 *
 * Values of unknown keys are never echoed (they may be secrets that belong elsewhere).
 */
import { CONFIG_NAMESPACE, configKeys, isConfigKey } from "../configSchema";
import type { Reader } from "./reader";
import type { RawConfig } from "./types";

/** Namespaces whose keys drydock accepts besides its own. */
export const OTHER_NAMESPACES: readonly string[] = ["aws", "pulumi"];

/**
 * `drydock:backendVersion` when `key` is drydock's key in another case (`BackendVersion`) or a typo of exactly one
 * key (`backendVersoin`: at most 2 edits, 3 for keys longer than 12 characters), else undefined.
 */
function nearKey(key: string): string | undefined {
    const names = configKeys().map((k) => k.key);
    const lower = key.toLowerCase();
    const same = names.find((k) => k.toLowerCase() === lower);
    if (same !== undefined) return `${CONFIG_NAMESPACE}:${same}`;
    const limit = key.length > 12 ? 3 : 2;
    const scored = names.map((k) => ({ k, d: distance(k.toLowerCase(), lower) })).filter((s) => s.d <= limit);
    const best = Math.min(...scored.map((s) => s.d));
    const closest = scored.filter((s) => s.d === best);
    return closest.length === 1 ? `${CONFIG_NAMESPACE}:${closest[0].k}` : undefined;
}

/** Levenshtein distance, for namespace typos such as `drydok`. */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = row[j];
            row[j] = next;
        }
    }
    return row[b.length];
}

/** The problem with a namespaced key, or undefined when it is fine. */
function namespacedKeyProblem(full: string, values: RawConfig): string | undefined {
    const [ns, ...rest] = full.split(":");
    const key = rest.join(":");
    if (OTHER_NAMESPACES.includes(ns)) return undefined;
    if (ns === CONFIG_NAMESPACE) {
        if (key.startsWith("config:")) {
            const inner = key.slice("config:".length);
            return `the legacy form ${full}, which Pulumi reads as ${CONFIG_NAMESPACE}:${inner}; drydock refuses it so every tool reads one spelling: write ${CONFIG_NAMESPACE}:${inner}`;
        }
        if (key in values) return `set twice, as ${key} and ${full}; Pulumi keeps whichever comes last: keep only ${full}`;
        return `unknown key${nearKey(key) ? `; did you mean ${nearKey(key)}?` : "; see docs/configuration.md for every key"}`;
    }
    const guess = isConfigKey(key) ? `${CONFIG_NAMESPACE}:${key}` : nearKey(key);
    const typo = ns.toLowerCase() === CONFIG_NAMESPACE || distance(ns.toLowerCase(), CONFIG_NAMESPACE) <= 2;
    return (
        `a key of namespace "${ns}", which drydock does not read (Pulumi passes it on, so it would be silently ignored); ` +
        `accepted: ${[CONFIG_NAMESPACE, ...OTHER_NAMESPACES].map((n) => `${n}:<key>`).join(", ")}${typo && guess ? `; did you mean ${guess}?` : ""}`
    );
}

/** Every key that drydock would not read as written, named (never with its value). */
export function checkKeys(r: Reader, values: RawConfig): void {
    for (const key of Object.keys(values)) {
        if (key.includes(":")) {
            const problem = namespacedKeyProblem(key, values);
            if (problem !== undefined) r.problems.push({ key, message: problem });
        } else if (!isConfigKey(key)) {
            r.problems.push({
                key: `${CONFIG_NAMESPACE}:${key}`,
                message: `unknown key${nearKey(key) ? `; did you mean ${nearKey(key)}?` : "; see docs/configuration.md for every key"}`,
            });
        }
    }
}
