/**
 * The mock cloud's repairs to the SDK's mock monitor: registrations recorded, URNs built as the engine builds
 * them, resource and error hooks answered, RPCs tracked so `settle()` knows when the program is done, and
 * `pulumi.log` warnings and errors recorded instead of printed.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HookKind, RecordedResource } from "./mockTypes";

/** The part of the mock monitor we touch (the SDK types it as a gRPC client). */
interface MonitorLike {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequestLike, cb: (err: Error | null, resp?: unknown) => void): unknown;
    invoke(req: unknown, cb: (err: Error | null, resp?: unknown) => void): unknown;
    registerResourceOutputs(req: unknown, cb: (err: Error | null, resp?: unknown) => void): unknown;
    registerResourceHook?: (req: unknown, cb: (err: Error | null, resp?: unknown) => void) => void;
    registerErrorHook?: (req: unknown, cb: (err: Error | null, resp?: unknown) => void) => void;
}

/** The getters of `RegisterResourceRequest` (proto/resource_pb.d.ts) we read. */
interface RegisterRequestLike {
    getType(): string;
    getName(): string;
    getParent(): string;
    getObject(): unknown;
    getProtect(): boolean | undefined;
    getHooks(): HooksBindingLike | undefined;
    getIgnorechangesList(): string[];
    getDependenciesList(): string[];
    getAliasesList(): AliasLike[];
}

/** The getters of `Alias` (proto/alias_pb.d.ts) we read. */
interface AliasLike {
    getUrn(): string;
    getSpec(): { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}

interface HooksBindingLike {
    getBeforeCreateList(): string[];
    getAfterCreateList(): string[];
    getBeforeUpdateList(): string[];
    getAfterUpdateList(): string[];
    getBeforeDeleteList(): string[];
    getAfterDeleteList(): string[];
}

export function patchMonitor(resources: RecordedResource[], errors: Error[], tracker: { inFlight: number; activity: number }): MonitorLike {
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike | undefined;
    if (!monitor || typeof monitor.newUrn !== "function") {
        throw new Error("startMockCloud: pulumi.runtime.setMocks did not install the mock monitor (SDK changed?)");
    }

    const track =
        <Req>(label: string, fn: (req: Req, cb: (err: Error | null, resp?: unknown) => void) => unknown) =>
        (req: Req, cb: (err: Error | null, resp?: unknown) => void): unknown => {
            tracker.inFlight++;
            tracker.activity++;
            return fn(req, (err, resp) => {
                tracker.inFlight--;
                tracker.activity++;
                if (err) {
                    errors.push(new Error(`${label}: ${err.message}`));
                    // The SDK shows a failed RPC's gRPC `details`; give the mock's error one.
                    const grpcLike = err as Error & { details?: string };
                    grpcLike.details ??= err.message;
                }
                cb(err, resp);
            });
        };

    qualifyUrnsLikeTheEngine(monitor);
    monitor.registerResource = track<RegisterRequestLike>("registerResource", recordRegistrations(monitor, resources));
    monitor.invoke = track("invoke", monitor.invoke.bind(monitor));
    monitor.registerResourceOutputs = track("registerResourceOutputs", monitor.registerResourceOutputs.bind(monitor));
    // Missing from the SDK's MockMonitor: without these, a resource with `hooks` never resolves.
    monitor.registerResourceHook = (_req, cb) => cb(null, {});
    monitor.registerErrorHook = (_req, cb) => cb(null, {});
    return monitor;
}

/**
 * The SDK's mock qualifies a child's type with its parent's last type only; the engine uses the parent's whole
 * type chain (`A$B$aws:…`). Build URNs as the engine does, so a grandchild's URN (and its aliases) are real ones.
 */
function qualifyUrnsLikeTheEngine(monitor: MonitorLike): void {
    const mockUrn = monitor.newUrn.bind(monitor);
    monitor.newUrn = (parent, type, name) => {
        if (!parent) return mockUrn(parent, type, name);
        const [stackPart, project, qualifiedType] = parent.split("::");
        const chain = qualifiedType === "pulumi:pulumi:Stack" ? type : `${qualifiedType}$${type}`; // the engine leaves the stack out
        return `${stackPart}::${project}::${chain}::${name}`;
    };
}

/** Records each registration (inputs, hooks, protect, parent, ignoreChanges, dependencies, aliases) before passing it on. */
function recordRegistrations(
    monitor: MonitorLike,
    resources: RecordedResource[],
): (req: RegisterRequestLike, cb: (err: Error | null, resp?: unknown) => void) => unknown {
    const register = monitor.registerResource.bind(monitor);
    return (req, cb) => {
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent() || undefined;
        const ignoreChanges = req.getIgnorechangesList();
        const dependencies = req.getDependenciesList();
        const aliases = aliasUrns(monitor, req);
        const record: RecordedResource = {
            type,
            name,
            urn: monitor.newUrn(req.getParent(), type, name),
            inputs: plain(pulumi.runtime.deserializeProperties(req.getObject() as never)) as Record<string, unknown>,
            hooks: hookNames(req.getHooks()),
            protect: req.getProtect() === true,
            ...(parent ? { parent } : {}),
            ...(ignoreChanges.length > 0 ? { ignoreChanges: [...ignoreChanges] } : {}),
            ...(dependencies.length > 0 ? { dependencies: [...dependencies] } : {}),
            ...(aliases.length > 0 ? { aliases } : {}),
        };
        resources.push(record);
        return register(req, (err, resp) => {
            const id = (resp as { getId?: () => string } | undefined)?.getId?.();
            if (!err && id) record.id = id;
            cb(err, resp);
        });
    };
}

/** The aliases of a registration as full URNs: a URN alias as it is, a spec alias built like the engine builds it. */
function aliasUrns(monitor: MonitorLike, req: RegisterRequestLike): string[] {
    return req.getAliasesList().map((a) => {
        const spec = a.getSpec();
        if (a.getUrn() || !spec) return a.getUrn();
        const parent = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
        return monitor.newUrn(parent, spec.getType() || req.getType(), spec.getName() || req.getName());
    });
}

type LogFn = (msg: string, ...rest: unknown[]) => Promise<void>;
let logRoute: { monitor: MonitorLike; sink: { warnings: string[]; errors: string[] } } | undefined;

/**
 * Records `pulumi.log.warn` / `pulumi.log.error` (which print to the console under mocks) into the current mock
 * cloud while its monitor is the active one; otherwise the original functions run.
 */
export function routeLogs(monitor: MonitorLike, sink: { warnings: string[]; errors: string[] }): void {
    const logModule = pulumi.log as unknown as { warn: LogFn; error: LogFn; drydockRouted?: boolean };
    if (!logModule.drydockRouted) {
        const route =
            (original: LogFn, pick: (s: { warnings: string[]; errors: string[] }) => string[]): LogFn =>
            (msg, ...rest) => {
                if (logRoute && (pulumi.runtime.getMonitor() as unknown) === logRoute.monitor) {
                    pick(logRoute.sink).push(msg);
                    return Promise.resolve();
                }
                return original(msg, ...rest);
            };
        logModule.warn = route(logModule.warn.bind(logModule), (s) => s.warnings);
        logModule.error = route(logModule.error.bind(logModule), (s) => s.errors);
        logModule.drydockRouted = true;
    }
    logRoute = { monitor, sink };
}

function hookNames(binding: HooksBindingLike | undefined): RecordedResource["hooks"] {
    if (!binding) {
        return {};
    }
    const lists: Record<HookKind, string[]> = {
        beforeCreate: binding.getBeforeCreateList(),
        afterCreate: binding.getAfterCreateList(),
        beforeUpdate: binding.getBeforeUpdateList(),
        afterUpdate: binding.getAfterUpdateList(),
        beforeDelete: binding.getBeforeDeleteList(),
        afterDelete: binding.getAfterDeleteList(),
    };
    const hooks: RecordedResource["hooks"] = {};
    for (const kind of Object.keys(lists) as HookKind[]) {
        if (lists[kind].length > 0) {
            hooks[kind] = [...lists[kind]];
        }
    }
    return hooks;
}

export async function settle(errors: Error[], tracker: { inFlight: number; activity: number }): Promise<void> {
    const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    if (typeof waitForRPCs !== "function") {
        throw new Error("MockCloud.settle: pulumi.runtime.waitForRPCs is missing (SDK changed?)");
    }
    for (;;) {
        const before = tracker.activity;
        await waitForRPCs();
        // Let every queued promise continuation (apply callbacks that may register more resources) run.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (tracker.inFlight === 0 && tracker.activity === before) {
            break;
        }
    }
    if (errors.length > 0) {
        throw new Error(`mock cloud: ${errors.length} engine call(s) failed:\n${errors.map((e) => `  ${e.message}`).join("\n")}`);
    }
}

/** Strips the RPC secret wrappers from a deserialized value, recursively. */
export function plain(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(plain);
    }
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        const obj = value as Record<string, unknown>;
        if (obj[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
            return plain(obj.value);
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}
