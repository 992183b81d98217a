/**
 * Resources as CrossGuard hands them to policies: inputs with secrets unwrapped and undefined values
 * dropped, default resource options, and the `PolicyResource` list stack policies see. Used by evaluate.ts.
 */
import { PolicyResource, PolicyResourceOptions, unknownCheckingProxy } from "@pulumi/policy";
import type { PolicyInputResource } from "./evaluateTypes";

export const EMPTY_TAGS: ReadonlyMap<string, string> = Object.freeze(new Map<string, string>());

/** Pulumi's wire signature of a secret: `{ [SIG]: SECRET_SIG, value }`. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Inputs as CrossGuard hands them to policies: secrets unwrapped to their plain values, undefined
 * properties dropped. Returns the same object when there is nothing to change.
 */
export function toPolicyProps(props: Record<string, unknown>, urn: string): Record<string, unknown> {
    if (props === null || typeof props !== "object")
        throw new Error(`resource ${urn}: props must be an object, got ${JSON.stringify(props)}`);
    return plainValue(props, urn) as Record<string, unknown>;
}

function plainValue(value: unknown, urn: string): unknown {
    if (value === null || typeof value !== "object") return value;
    if (typeof (value as { then?: unknown }).then === "function") {
        throw new Error(`resource ${urn}: props contain a promise or an Output; pass resolved input values`);
    }
    if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
            const v = value[i] === undefined ? null : plainValue(value[i], urn);
            if (v !== value[i]) (copy ??= value.slice())[i] = v;
        }
        return copy ?? value;
    }
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return plainValue(record["value"], urn);
    let copy: Record<string, unknown> | undefined;
    for (const key in record) {
        const v = record[key];
        if (v === undefined) {
            copy ??= { ...record };
            delete copy[key];
            continue;
        }
        const plain = plainValue(v, urn);
        if (plain !== v) (copy ??= { ...record })[key] = plain;
    }
    return copy ?? value;
}

export function resourceOptions(opts: Partial<PolicyResourceOptions> | undefined): PolicyResourceOptions {
    return {
        protect: opts?.protect ?? false,
        ignoreChanges: opts?.ignoreChanges ?? [],
        aliases: opts?.aliases ?? [],
        customTimeouts: opts?.customTimeouts ?? { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: opts?.additionalSecretOutputs ?? [],
        ...(opts?.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: opts.deleteBeforeReplace } : {}),
        ...(opts?.parent !== undefined ? { parent: opts.parent } : {}),
    };
}

export function toPolicyResources(resources: PolicyInputResource[]): PolicyResource[] {
    const out: PolicyResource[] = resources.map((r) => {
        const props = unknownCheckingProxy(toPolicyProps(r.props, r.urn)) as Record<string, unknown>;
        return {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: resourceOptions(r.opts),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
    });
    const byUrn = new Map(out.map((r) => [r.urn, r]));
    for (const r of out) {
        const parent = r.opts.parent === undefined ? undefined : byUrn.get(r.opts.parent);
        if (parent) r.parent = parent;
    }
    return out;
}

/** The Pulumi type token @pulumi/policy attaches to typed validations and resource classes. */
export function pulumiTypeOf(x: unknown): string | undefined {
    const t = (x as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof t === "string" && t.length > 0 ? t : undefined;
}

export function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = pulumiTypeOf(resourceClass);
    if (pulumiType !== undefined) return type === pulumiType;
    const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}
