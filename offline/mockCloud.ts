/**
 * A recording, offline stand-in for the Pulumi engine and AWS.
 *
 * Used by the tests and by `drydock check`: it installs `pulumi.runtime.setMocks` with realistic computed
 * outputs per resource type, answers the provider functions drydock calls (ECR image digests, region, account,
 * availability zones), sets the stack configuration, and records every resource registration — its inputs,
 * the resource hooks bound to it, `protect` and its parent.
 *
 * Two repairs to the SDK's mock monitor are applied here:
 * - it has no `registerResourceHook` / `registerErrorHook`, so any resource with `hooks` would never resolve;
 *   both are answered with success;
 * - `settle()` waits on the SDK's own RPC keep-alive chain (the one `pulumi up` waits on before exiting), so it
 *   resolves only after every registration — including ones started from `apply` callbacks — has finished.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** The AWS account id every mocked ARN uses. */
export const MOCK_ACCOUNT_ID = "123456789012";
/** The region used when the stack config has no `aws:region`. */
export const MOCK_DEFAULT_REGION = "us-east-1";

export type HookKind = "beforeCreate" | "afterCreate" | "beforeUpdate" | "afterUpdate" | "beforeDelete" | "afterDelete";

export interface RecordedResource {
    /** Pulumi type token, e.g. `aws:ecs/service:Service`. */
    type: string;
    /** Logical name. */
    name: string;
    urn: string;
    /** The physical id the mock assigned, once registered (e.g. `sg-…` for a security group). */
    id?: string;
    /** Inputs as the engine received them (secrets unwrapped; unknowns during preview are `undefined`). */
    inputs: Record<string, unknown>;
    /** Names of the resource hooks bound to the resource, per kind. */
    hooks: Partial<Record<HookKind, string[]>>;
    protect: boolean;
    /** URN of the parent resource, if any. */
    parent?: string;
    /** The `ignoreChanges` resource option, when set. */
    ignoreChanges?: string[];
    /** URNs of the resources this one depends on (explicit `dependsOn` and input dependencies). */
    dependencies?: string[];
}

export interface MockCloudOptions {
    /** Pulumi project name. @default "drydock" */
    project?: string;
    /** Pulumi stack name, e.g. "staging". */
    stack: string;
    /**
     * Stack configuration with full keys (`drydock:backendVersion`, `aws:region`) and values as Pulumi stores them
     * (strings; lists/objects as JSON text). `aws:region` defaults to {@link MOCK_DEFAULT_REGION}.
     */
    config?: Record<string, string>;
    /** Run as a preview (`pulumi.runtime.isDryRun()` is true). @default false */
    preview?: boolean;
    /**
     * The digest ECR reports for `repositoryName:tag`.
     * @default a deterministic `sha256:<hex>` derived from repository and tag
     */
    imageDigest?: (repositoryName: string, tag: string) => string;
}

export interface MockCloud {
    /** Every resource registered so far, in registration order. */
    resources: RecordedResource[];
    /** Every provider function call (invoke) so far. */
    calls: { token: string; args: Record<string, unknown> }[];
    /** Messages of `pulumi.log.warn` while this mock cloud is installed (recorded instead of printed). */
    warnings: string[];
    /** Messages of `pulumi.log.error` while this mock cloud is installed; `settle()` rejects when there are any. */
    logErrors: string[];
    /** The recorded resources of one type token. */
    byType(type: string): RecordedResource[];
    /**
     * Resolves once every registered resource (and every invoke, hook and output registration) has completed.
     * Rejects listing every failed engine call (registration or provider function) and every `pulumi.log.error`.
     */
    settle(): Promise<void>;
}

/** A deterministic `sha256:<hex>` digest for `repositoryName:tag`. */
export function defaultImageDigest(repositoryName: string, tag: string): string {
    return `sha256:${crypto.createHash("sha256").update(`${repositoryName}:${tag}`).digest("hex")}`;
}

/** Installs the mocks (replacing any previous mock cloud in this process) and returns the recorder. */
export function startMockCloud(opts: MockCloudOptions): MockCloud {
    const project = opts.project ?? "drydock";
    const config: Record<string, string> = { "aws:region": MOCK_DEFAULT_REGION, ...(opts.config ?? {}) };
    const region = config["aws:region"];
    const imageDigest = opts.imageDigest ?? defaultImageDigest;

    const resources: RecordedResource[] = [];
    const calls: MockCloud["calls"] = [];
    const errors: Error[] = [];
    const log = { warnings: [] as string[], errors: [] as string[] };
    const tracker = { inFlight: 0, activity: 0 };

    // A previous mock cloud may have started the SDK's callback server (for hooks); shut it down first.
    pulumi.runtime.disconnectSync();
    pulumi.runtime.setAllConfig(config);
    void pulumi.runtime.setMocks(
        {
            newResource: (args) => newResourceState(args, region),
            call: (args) => {
                const inputs = plain(args.inputs) as Record<string, unknown>;
                calls.push({ token: args.token, args: inputs });
                return answerCall(args.token, inputs, region, imageDigest);
            },
        },
        project,
        opts.stack,
        opts.preview ?? false,
    );
    const monitor = patchMonitor(resources, errors, tracker);
    routeLogs(monitor, log);

    return {
        resources,
        calls,
        warnings: log.warnings,
        logErrors: log.errors,
        byType: (type) => resources.filter((r) => r.type === type),
        settle: async () => {
            await settle(errors, tracker);
            if (log.errors.length > 0) {
                throw new Error(`mock cloud: the program logged ${log.errors.length} error(s):\n${log.errors.map((e) => `  ${e}`).join("\n")}`);
            }
        },
    };
}

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
}

interface HooksBindingLike {
    getBeforeCreateList(): string[];
    getAfterCreateList(): string[];
    getBeforeUpdateList(): string[];
    getAfterUpdateList(): string[];
    getBeforeDeleteList(): string[];
    getAfterDeleteList(): string[];
}

function patchMonitor(resources: RecordedResource[], errors: Error[], tracker: { inFlight: number; activity: number }): MonitorLike {
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike | undefined;
    if (!monitor || typeof monitor.newUrn !== "function") {
        throw new Error("startMockCloud: pulumi.runtime.setMocks did not install the mock monitor (SDK changed?)");
    }

    const track = <Req>(label: string, fn: (req: Req, cb: (err: Error | null, resp?: unknown) => void) => unknown) =>
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

    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = track<RegisterRequestLike>("registerResource", (req, cb) => {
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent() || undefined;
        const ignoreChanges = req.getIgnorechangesList();
        const dependencies = req.getDependenciesList();
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
        };
        resources.push(record);
        return register(req, (err, resp) => {
            const id = (resp as { getId?: () => string } | undefined)?.getId?.();
            if (!err && id) record.id = id;
            cb(err, resp);
        });
    });
    monitor.invoke = track("invoke", monitor.invoke.bind(monitor));
    monitor.registerResourceOutputs = track("registerResourceOutputs", monitor.registerResourceOutputs.bind(monitor));
    // Missing from the SDK's MockMonitor: without these, a resource with `hooks` never resolves.
    monitor.registerResourceHook = (_req, cb) => cb(null, {});
    monitor.registerErrorHook = (_req, cb) => cb(null, {});
    return monitor;
}

type LogFn = (msg: string, ...rest: unknown[]) => Promise<void>;
let logRoute: { monitor: MonitorLike; sink: { warnings: string[]; errors: string[] } } | undefined;

/**
 * Records `pulumi.log.warn` / `pulumi.log.error` (which print to the console under mocks) into the current mock
 * cloud while its monitor is the active one; otherwise the original functions run.
 */
function routeLogs(monitor: MonitorLike, sink: { warnings: string[]; errors: string[] }): void {
    const logModule = pulumi.log as unknown as { warn: LogFn; error: LogFn; drydockRouted?: boolean };
    if (!logModule.drydockRouted) {
        const route = (original: LogFn, pick: (s: { warnings: string[]; errors: string[] }) => string[]): LogFn =>
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

async function settle(errors: Error[], tracker: { inFlight: number; activity: number }): Promise<void> {
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
function plain(value: unknown): unknown {
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

/** A short stable hex string for ids. */
function shortHash(...parts: string[]): string {
    return crypto.createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 17);
}

function str(v: unknown, fallback: string): string {
    return typeof v === "string" && v !== "" ? v : fallback;
}

/** Computed outputs per resource type; anything not listed gets an id, an arn and a name. */
function newResourceState(args: pulumi.runtime.MockResourceArgs, region: string): pulumi.runtime.MockResourceResult {
    const inputs = plain(args.inputs) as Record<string, unknown>;
    const h = shortHash(args.type, args.name);
    const acct = MOCK_ACCOUNT_ID;
    const autoName = str(inputs.name, `${args.name}-${h.slice(0, 7)}`);
    const state = (id: string, extra: Record<string, unknown>) => ({ id, state: { ...inputs, ...extra } });

    switch (args.type) {
        case "awsx:ec2:Vpc": {
            const azs = typeof inputs.numberOfAvailabilityZones === "number" ? inputs.numberOfAvailabilityZones : 3;
            const ids = (kind: string) => Array.from({ length: azs }, (_, i) => `subnet-${shortHash(args.name, kind, String(i))}`);
            return state(`${args.name}`, { vpcId: `vpc-${h}`, publicSubnetIds: ids("public"), privateSubnetIds: ids("private"), isolatedSubnetIds: [] });
        }
        case "aws:ec2/securityGroup:SecurityGroup":
            return state(`sg-${h}`, { arn: `arn:aws:ec2:${region}:${acct}:security-group/sg-${h}`, name: autoName, ownerId: acct });
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
            return state(`sgr-${h}`, { arn: `arn:aws:ec2:${region}:${acct}:security-group-rule/sgr-${h}`, securityGroupRuleId: `sgr-${h}` });
        case "aws:lb/loadBalancer:LoadBalancer": {
            const lbName = autoName.slice(0, 32);
            const suffix = `app/${lbName}/${h.slice(0, 16)}`;
            const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:loadbalancer/${suffix}`;
            return state(arn, { arn, arnSuffix: suffix, name: lbName, dnsName: `${lbName}-1234567890.${region}.elb.amazonaws.com`, zoneId: "Z35SXDOTRQ7X7K" });
        }
        case "aws:lb/targetGroup:TargetGroup": {
            const tgName = autoName.slice(0, 32);
            const suffix = `targetgroup/${tgName}/${h.slice(0, 16)}`;
            const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:${suffix}`;
            return state(arn, { arn, arnSuffix: suffix, name: tgName });
        }
        case "aws:lb/listener:Listener":
        case "aws:lb/listenerRule:ListenerRule": {
            const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:listener/app/${args.name}/${h}`;
            return state(arn, { arn });
        }
        case "aws:ecs/cluster:Cluster": {
            const arn = `arn:aws:ecs:${region}:${acct}:cluster/${autoName}`;
            return state(arn, { arn, name: autoName });
        }
        case "aws:ecs/service:Service": {
            const arn = `arn:aws:ecs:${region}:${acct}:service/${autoName}`;
            return state(arn, { arn, name: autoName });
        }
        case "aws:ecs/taskDefinition:TaskDefinition": {
            const family = str(inputs.family, args.name);
            const arnWithoutRevision = `arn:aws:ecs:${region}:${acct}:task-definition/${family}`;
            return state(family, { arn: `${arnWithoutRevision}:1`, arnWithoutRevision, revision: 1 });
        }
        case "aws:iam/role:Role":
            return state(autoName, { arn: `arn:aws:iam::${acct}:role/${autoName}`, name: autoName, uniqueId: `AROA${h.toUpperCase()}` });
        case "aws:iam/rolePolicy:RolePolicy":
            return state(`${str(inputs.role, "role")}:${autoName}`, { name: autoName });
        case "aws:cloudwatch/logGroup:LogGroup":
            return state(autoName, { arn: `arn:aws:logs:${region}:${acct}:log-group:${autoName}`, name: autoName });
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return state(autoName, { arn: `arn:aws:cloudwatch:${region}:${acct}:alarm:${autoName}`, name: autoName });
        case "aws:rds/cluster:Cluster": {
            const id = str(inputs.clusterIdentifier, autoName);
            const host = `${id}.cluster-${h.slice(0, 12)}.${region}.rds.amazonaws.com`;
            return state(id, {
                arn: `arn:aws:rds:${region}:${acct}:cluster:${id}`,
                clusterIdentifier: id,
                clusterResourceId: `cluster-${h.toUpperCase()}`,
                endpoint: host,
                readerEndpoint: host.replace(".cluster-", ".cluster-ro-"),
                port: typeof inputs.port === "number" ? inputs.port : 5432,
                masterUserSecrets: inputs.manageMasterUserPassword === true
                    ? [{ secretArn: `arn:aws:secretsmanager:${region}:${acct}:secret:rds!cluster-${h}-AbCdEf`, kmsKeyId: `arn:aws:kms:${region}:${acct}:key/${h}`, secretStatus: "active" }]
                    : [],
            });
        }
        case "aws:rds/clusterInstance:ClusterInstance": {
            const id = str(inputs.identifier, autoName);
            return state(id, { arn: `arn:aws:rds:${region}:${acct}:db:${id}`, identifier: id, endpoint: `${id}.${h.slice(0, 12)}.${region}.rds.amazonaws.com` });
        }
        case "aws:rds/subnetGroup:SubnetGroup":
            return state(autoName, { arn: `arn:aws:rds:${region}:${acct}:subgrp:${autoName}`, name: autoName });
        case "aws:appautoscaling/target:Target":
            return state(`${str(inputs.serviceNamespace, "ecs")}/${str(inputs.resourceId, args.name)}`, { arn: `arn:aws:application-autoscaling:${region}:${acct}:scalable-target/${h}` });
        default:
            return state(`${args.name}-${h.slice(0, 8)}`, {
                ...(args.custom ? { arn: `arn:aws:mock:${region}:${acct}:${args.name}`, name: autoName } : {}),
            });
    }
}

/** Answers the provider functions drydock uses; anything else fails loudly so a missing mock is noticed. */
function answerCall(
    token: string,
    inputs: Record<string, unknown>,
    region: string,
    imageDigest: (repositoryName: string, tag: string) => string,
): Record<string, unknown> {
    const acct = MOCK_ACCOUNT_ID;
    switch (token) {
        case "aws:ecr/getImage:getImage": {
            const repositoryName = str(inputs.repositoryName, "");
            const registryId = str(inputs.registryId, acct);
            const tag = str(inputs.imageTag, "latest");
            const digest = str(inputs.imageDigest, "") || imageDigest(repositoryName, tag);
            return {
                id: digest,
                imageDigest: digest,
                imagePushedAt: 1767225600,
                imageSizeInBytes: 52428800,
                imageTags: inputs.imageDigest ? [] : [tag],
                ...(inputs.imageTag ? { imageTag: tag } : {}),
                imageUri: `${registryId}.dkr.ecr.${region}.amazonaws.com/${repositoryName}@${digest}`,
                region,
                registryId,
                repositoryName,
            };
        }
        case "aws:index/getRegion:getRegion":
            return { id: region, name: region, region, description: `mock ${region}`, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { id: acct, accountId: acct, arn: `arn:aws:iam::${acct}:user/drydock-mock`, userId: "AIDAMOCKUSER" };
        case "aws:index/getPartition:getPartition":
            return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const names = ["a", "b", "c"].map((s) => `${region}${s}`);
            return { id: region, names, zoneIds: names.map((_, i) => `use1-az${i + 1}`), groupNames: [region], region };
        }
        default:
            throw new Error(`mock cloud has no answer for the provider function "${token}"; add one in offline/mockCloud.ts`);
    }
}
