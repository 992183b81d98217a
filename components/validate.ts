/** Argument checks shared by the components; messages name the component, the argument, the value and what is accepted. */
import { configKey } from "../configSchema";

/**
 * Throws unless `value` is within what the stack-config key `key` accepts (its min/max/step in
 * configSchema.ts), so a component never repeats a bound the config funnel already checks.
 * `min` overrides the schema's lower bound (e.g. production keeps more backups), with `why` saying so.
 */
export function requireInSchemaRange(
    where: string,
    arg: string,
    value: number,
    key: string,
    opts: { min?: number; why?: string } = {},
): void {
    const spec = configKey(key);
    const min = opts.min ?? spec.min ?? Number.MIN_SAFE_INTEGER;
    const max = spec.max ?? Number.MAX_SAFE_INTEGER;
    if (spec.type === "number" && spec.step !== undefined) requireNumber(where, arg, value, min, max, spec.step, spec.unit ?? "");
    else requireInteger(where, arg, value, min, max, spec.unit ?? "", opts.why ?? "");
}

/** Throws unless `value` is an integer in [min, max]. `unit` is appended to the accepted range, e.g. "seconds". */
export function requireInteger(where: string, arg: string, value: number, min: number, max: number, unit = "", why = ""): void {
    if (!Number.isInteger(value) || value < min || value > max) {
        const range = `an integer from ${min} to ${max}${unit ? ` ${unit}` : ""}`;
        throw new Error(`${where}: ${arg} = ${JSON.stringify(value)} is not accepted; use ${range}${why ? ` (${why})` : ""}`);
    }
}

/** Throws unless `value` is a number in [min, max] that is a multiple of `step`. */
export function requireNumber(where: string, arg: string, value: number, min: number, max: number, step: number, unit = ""): void {
    const onStep = Number.isFinite(value) && Math.abs(value / step - Math.round(value / step)) < 1e-9;
    if (!onStep || value < min || value > max) {
        throw new Error(
            `${where}: ${arg} = ${JSON.stringify(value)} is not accepted; use a number from ${min} to ${max}${unit ? ` ${unit}` : ""} in steps of ${step}`,
        );
    }
}

/**
 * A copy of `args` without the keys whose value is `undefined`, so `{ ...defaults, ...definedOnly(args) }` keeps a
 * default when a caller passes `key: undefined` explicitly (TypeScript allows it for optional fields).
 */
export function definedOnly<T extends object>(args: T): T;
export function definedOnly<T extends object>(args: T | undefined): Partial<T>;
export function definedOnly<T extends object>(args: T | undefined): Partial<T> {
    return Object.fromEntries(Object.entries(args ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
