import { DescribeServicesCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import {
    AddTagsToResourceCommand,
    CreateDBClusterSnapshotCommand,
    DescribeDBClustersCommand,
    DescribeDBClusterSnapshotsCommand,
    DescribeDBClusterSnapshotsCommandInput,
    RDSClient,
} from "@aws-sdk/client-rds";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { rejection } from "./support/rejection";
import { AWS_MAX_ATTEMPTS, createRdsClient, createUpdateHooks, HOOK_NAMES, SERVICE_HOOKS, UpdateHooksContext } from "../components/hooks";
import { serviceSpec } from "../services";
import { startMockCloud } from "../offline/mockCloud";
import { parseWeeklyWindow } from "../release/windows";

const STACK = "production";
const ECS_ARN = "arn:aws:ecs:us-east-1:123456789012";
const td = (service: string, rev: number) => `${ECS_ARN}:task-definition/drydock-production-${service}:${rev}`;
const NOW = new Date("2026-11-25T13:03:00Z"); // Wednesday; the window below is Saturday night
const SERVICE_TYPE = "aws:ecs/service:Service";
const CLUSTER_TYPE = "aws:rds/cluster:Cluster";

function serviceInputs(service: string, version: string, rev: number, extra: Record<string, unknown> = {}) {
    return {
        name: `${service}-service`,
        cluster: `${ECS_ARN}:cluster/drydock-production`,
        taskDefinition: td(service, rev),
        desiredCount: 2,
        tags: { "drydock:stack": STACK, "drydock:requested-version": version, "drydock:image": `repo/${service}@sha256:${version}` },
        ...extra,
    };
}

function hookArgs(type: string, name: string, o: Partial<pulumi.ResourceHookArgs>): pulumi.ResourceHookArgs {
    return { urn: `urn:pulumi:${STACK}::drydock::${type}::${name}`, id: `${name}-id`, name, type, ...o };
}

describe("hooks: factory and adapters", () => {
    const rdsMock = () => mocks.rds;
    const ecsMock = () => mocks.ecs;
    const mocks = {} as { rds: ReturnType<typeof mockClient>; ecs: ReturnType<typeof mockClient> };
    let info: string[];
    let warn: string[];
    let clientsMade: { rds: number; ecs: number };

    before(() => {
        // The SDK's mock monitor cannot register hooks; the mock cloud repairs that.
        startMockCloud({ stack: STACK });
        mocks.rds = mockClient(RDSClient) as unknown as ReturnType<typeof mockClient>;
        mocks.ecs = mockClient(ECSClient) as unknown as ReturnType<typeof mockClient>;
    });
    after(() => {
        mocks.rds.restore();
        mocks.ecs.restore();
    });
    beforeEach(() => {
        mocks.rds.reset();
        mocks.ecs.reset();
        info = [];
        warn = [];
        clientsMade = { rds: 0, ecs: 0 };
        rdsMock()
            .on(DescribeDBClustersCommand)
            .resolves({ DBClusters: [{ DBClusterIdentifier: "drydock-production", Status: "available" }] });
        rdsMock()
            .on(CreateDBClusterSnapshotCommand)
            .resolves({ DBClusterSnapshot: { Status: "creating" } });
        rdsMock()
            .on(DescribeDBClusterSnapshotsCommand)
            .callsFake((input: DescribeDBClusterSnapshotsCommandInput) =>
                input.DBClusterSnapshotIdentifier
                    ? { DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier, Status: "available" }] }
                    : { DBClusterSnapshots: [] },
            );
        ecsMock().on(ListTasksCommand).resolves({ taskArns: [] });
    });

    function hooks(over: Partial<UpdateHooksContext> = {}, release: Partial<UpdateHooksContext["release"]> = {}) {
        return createUpdateHooks(context(over, release));
    }

    function context(over: Partial<UpdateHooksContext> = {}, release: Partial<UpdateHooksContext["release"]> = {}): UpdateHooksContext {
        let t = NOW.getTime();
        return {
            stack: STACK,
            region: "us-east-1",
            clusterIdentifier: "drydock-production",
            ecsClusterName: "drydock-production",
            release: { windows: [parseWeeklyWindow("sat:22:00-sun:02:00")], timeZone: "Europe/Berlin", paused: false, ...release },
            snapshots: { keep: 10, timeoutMinutes: 30 },
            rolloutTimeoutMinutes: 30,
            clients: {
                rds: () => (clientsMade.rds++, new RDSClient({ region: "us-east-1" })),
                ecs: () => (clientsMade.ecs++, new ECSClient({ region: "us-east-1" })),
            },
            now: () => new Date(t),
            sleep: async (ms) => {
                t += ms;
            },
            log: { info: (m) => info.push(m), warn: (m) => warn.push(m) },
            isDryRun: () => false,
            ...over,
        };
    }

    const versionChange = (service = "backend") =>
        hookArgs(SERVICE_TYPE, `${service}-service`, {
            oldInputs: serviceInputs(service, "v1.2.3", 41),
            newInputs: serviceInputs(service, "v1.3.0", 42),
            oldOutputs: serviceInputs(service, "v1.2.3", 41),
        });

    describe("hooks and bindings", () => {
        it("names the hooks as the contract says; only the gate runs during previews", () => {
            const h = hooks();
            expect([h.releaseGate.name, h.preUpdateSnapshot.name, h.verifyRollout.name]).to.deep.equal([
                "release-gate",
                "pre-update-snapshot",
                "verify-rollout",
            ]);
            expect(HOOK_NAMES).to.deep.equal({
                releaseGate: "release-gate",
                preUpdateSnapshot: "pre-update-snapshot",
                runMigrations: "run-migrations",
                verifyRollout: "verify-rollout",
            });
            expect(h.releaseGate.opts?.onDryRun).to.equal(true);
            expect(h.preUpdateSnapshot.opts?.onDryRun ?? false).to.equal(false);
            expect(h.verifyRollout.opts?.onDryRun ?? false).to.equal(false);
        });

        const names = (b: pulumi.ResourceHookBinding) =>
            Object.fromEntries(Object.entries(b).map(([kind, list]) => [kind, (list as pulumi.ResourceHook[]).map((x) => x.name)]));

        it("binds from the service table: gate (also at creation) → snapshot before backend updates, the gate for the frontend, the snapshot before database updates, verification after; no delete hooks", () => {
            const h = hooks();
            expect(names(h.forService(serviceSpec("backend")))).to.deep.equal({
                beforeCreate: ["release-gate"],
                beforeUpdate: ["release-gate", "pre-update-snapshot"],
                afterCreate: ["verify-rollout"],
                afterUpdate: ["verify-rollout"],
            });
            expect(names(h.forService(serviceSpec("frontend")))).to.deep.equal({
                beforeCreate: ["release-gate"],
                beforeUpdate: ["release-gate"],
                afterCreate: ["verify-rollout"],
                afterUpdate: ["verify-rollout"],
            });
            expect(names(h.forDatabase())).to.deep.equal({ beforeUpdate: ["pre-update-snapshot"] });
        });

        it("binds what a spec's hooks name, in the order hooks run whatever order the spec lists them, and makes each hook once", () => {
            const h = hooks();
            const spec = { ...serviceSpec("frontend"), name: "worker", hooks: ["verify-rollout", "pre-update-snapshot"] as const };
            expect(names(h.forService(spec))).to.deep.equal({
                beforeUpdate: ["pre-update-snapshot"],
                afterCreate: ["verify-rollout"],
                afterUpdate: ["verify-rollout"],
            });
            expect(names(h.forService({ ...spec, hooks: [] }))).to.deep.equal({});
            expect(h.forService(serviceSpec("backend")).beforeUpdate?.[0]).to.equal(
                h.forService(serviceSpec("frontend")).beforeUpdate?.[0],
            );
        });

        it("takes further hooks as builders: bound at their place in the order, unbound when a builder makes none", () => {
            const extra = new pulumi.ResourceHook("run-migrations", async () => undefined);
            const builders = [
                ...SERVICE_HOOKS.filter((b) => b.name !== "verify-rollout" && b.name !== "run-migrations"),
                { name: "run-migrations" as const, kinds: ["beforeCreate", "beforeUpdate"] as const, build: () => extra },
                SERVICE_HOOKS.find((b) => b.name === "verify-rollout")!,
            ];
            const spec = {
                ...serviceSpec("backend"),
                hooks: ["release-gate", "pre-update-snapshot", "run-migrations", "verify-rollout"] as const,
            };
            const h = createUpdateHooks(context(), builders);
            expect(names(h.forService(spec))).to.deep.include({
                // A service that migrates also gets the snapshot on create: never migrate without it.
                beforeCreate: ["release-gate", "pre-update-snapshot", "run-migrations"],
                beforeUpdate: ["release-gate", "pre-update-snapshot", "run-migrations"],
            });
            const none = createUpdateHooks(context(), [
                ...SERVICE_HOOKS.filter((b) => b.name !== "run-migrations"),
                { name: "run-migrations", kinds: ["beforeUpdate"], build: () => undefined },
            ]);
            expect(names(none.forService(spec)).beforeUpdate).to.deep.equal(["release-gate", "pre-update-snapshot"]);
            expect(names(none.forService(spec)).beforeCreate).to.deep.equal(["release-gate"]);
        });

        it("reaches the engine as bound (mock monitor)", async () => {
            const cloud = startMockCloud({ stack: STACK });
            const h = hooks();
            new aws.ecs.Service(
                "backend-service",
                { name: "backend-service", taskDefinition: td("backend", 1) },
                { hooks: h.forService(serviceSpec("backend")) },
            );
            new aws.rds.Cluster(
                "database",
                { engine: "aurora-postgresql", clusterIdentifier: "drydock-production" },
                { hooks: h.forDatabase() },
            );
            await cloud.settle();
            expect(cloud.byType(SERVICE_TYPE)[0].hooks).to.deep.equal({
                beforeCreate: ["release-gate"],
                beforeUpdate: ["release-gate", "pre-update-snapshot"],
                afterCreate: ["verify-rollout"],
                afterUpdate: ["verify-rollout"],
            });
            expect(cloud.byType(CLUSTER_TYPE)[0].hooks).to.deep.equal({ beforeUpdate: ["pre-update-snapshot"] });
        });

        it("creates AWS clients only when a hook needs one, and once", async () => {
            const h = hooks({}, { override: "hotfix" });
            const tagOnly = hookArgs(SERVICE_TYPE, "backend-service", {
                oldInputs: serviceInputs("backend", "v1.2.3", 41),
                newInputs: serviceInputs("backend", "v1.2.3", 41, { desiredCount: 3 }),
            });
            await h.releaseGate.callback(tagOnly);
            await h.preUpdateSnapshot.callback(tagOnly);
            expect(clientsMade).to.deep.equal({ rds: 0, ecs: 0 });
            await h.preUpdateSnapshot.callback(versionChange());
            await h.preUpdateSnapshot.callback(versionChange());
            expect(clientsMade.rds).to.equal(1);
        });

        it("standard SDK clients get the stack's region and a retry budget for throttling", async () => {
            const saved = process.env.AWS_MAX_ATTEMPTS;
            try {
                delete process.env.AWS_MAX_ATTEMPTS;
                const client = createRdsClient("eu-central-1");
                expect(await client.config.region()).to.equal("eu-central-1");
                expect(await client.config.maxAttempts()).to.equal(AWS_MAX_ATTEMPTS);
                process.env.AWS_MAX_ATTEMPTS = "2";
                expect(await createRdsClient("eu-central-1").config.maxAttempts()).to.equal(2);
            } finally {
                if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS;
                else process.env.AWS_MAX_ATTEMPTS = saved;
            }
        });
    });

    describe("release-gate", () => {
        it("stops a version change outside the release window with the full explanation", async () => {
            const err = await rejection(hooks().releaseGate.callback(versionChange()));
            expect(err.message).to.include(
                `release-gate refused backend-service v1.2.3 → v1.3.0 on stack "production": it is outside every release window.`,
            );
            expect(err.message).to.include("next window: Sat 2026-11-28 22:00 Europe/Berlin (21:00 UTC)");
            expect(err.message).to.include(`pulumi config set releaseOverride "<reason>" -s production`);
        });

        it("during a preview warns instead (through pulumi.log.warn by default)", async () => {
            const cloud = startMockCloud({ stack: STACK, preview: true });
            const h = hooks({ log: undefined, isDryRun: undefined });
            await h.releaseGate.callback(versionChange("frontend"));
            expect(cloud.warnings).to.have.length(1);
            expect(cloud.warnings[0]).to.match(
                /^this version change would be refused at `pulumi up`: release-gate refused frontend-service v1\.2\.3 → v1\.3\.0/,
            );
        });

        it("lets changes that do not touch the image through while paused", async () => {
            const h = hooks({}, { paused: true, pauseReason: "freeze" });
            await h.releaseGate.callback(
                hookArgs(SERVICE_TYPE, "backend-service", {
                    oldInputs: serviceInputs("backend", "v1.2.3", 41),
                    newInputs: serviceInputs("backend", "v1.2.3", 41, { desiredCount: 4 }),
                }),
            );
            expect(info.join("\n")).to.include("the update does not change the image");
        });

        it("gates a creation (or the create half of a replacement) like an image change: refused outside a window, allowed inside", async () => {
            const created = hookArgs(SERVICE_TYPE, "backend-service", { newInputs: serviceInputs("backend", "v1.3.0", 42) });
            const err = await rejection(hooks().releaseGate.callback(created));
            expect(err.message).to.match(
                /^release-gate refused backend-service \(created at v1\.3\.0\) on stack "production": it is outside every release window/,
            );
            const paused = await rejection(hooks({}, { windows: [], paused: true }).releaseGate.callback(created));
            expect(paused.message).to.include("updates are paused");
            await hooks({ now: () => new Date("2026-11-28T22:30:00Z") }).releaseGate.callback(created);
            expect(info.join("\n")).to.include("backend-service (created at v1.3.0) allowed: inside release window");
        });

        it("stops a paused stack, naming the pause reason", async () => {
            const err = await rejection(hooks({}, { paused: true, pauseReason: "incident INC-42" }).releaseGate.callback(versionChange()));
            expect(err.message).to.include(`updates are paused on stack "production" (reason: "incident INC-42")`);
        });

        it("with an override: warns, and the snapshot that follows records the override", async () => {
            const h = hooks({}, { override: "hotfix INC-42, approved by Dana" });
            const args = versionChange();
            await h.releaseGate.callback(args);
            await h.preUpdateSnapshot.callback(args);

            expect(warn.join("\n")).to.include(`allowed by override on stack "production"`);
            expect(warn.join("\n")).to.include(`releaseOverride is set: "hotfix INC-42, approved by Dana"`);
            const tags = rdsMock().commandCalls(CreateDBClusterSnapshotCommand)[0].args[0].input as {
                Tags: { Key: string; Value: string }[];
            };
            expect(tags.Tags).to.deep.include({ Key: "drydock:release-override", Value: "hotfix INC-42 approved by Dana" });
        });
    });

    describe("pre-update-snapshot", () => {
        it("snapshots the database before a backend version change, tagged with the service and versions", async () => {
            await hooks().preUpdateSnapshot.callback(versionChange());
            const input = rdsMock().commandCalls(CreateDBClusterSnapshotCommand)[0].args[0].input as {
                DBClusterIdentifier: string;
                DBClusterSnapshotIdentifier: string;
                Tags: unknown[];
            };
            expect(input.DBClusterIdentifier).to.equal("drydock-production");
            expect(input.DBClusterSnapshotIdentifier).to.match(/^drydock-production-backend-to-v1-3-0-20261125-130300-\d{3}-[0-9a-f]{4}$/);
            expect(input.Tags).to.deep.include.members([
                { Key: "drydock:service", Value: "backend" },
                { Key: "drydock:from-version", Value: "v1.2.3" },
                { Key: "drydock:to-version", Value: "v1.3.0" },
                { Key: "drydock:reason", Value: "backend image v1.2.3 to v1.3.0" },
            ]);
            expect(input.Tags).to.not.deep.include.members([{ Key: "drydock:release-override", Value: "" }]);
            expect(info.join("\n")).to.match(/pre-update-snapshot: snapshot drydock-production-backend-\S+ is available/);
        });

        it("takes no snapshot on a tag-only or desiredCount change, and says why", async () => {
            await hooks().preUpdateSnapshot.callback(
                hookArgs(SERVICE_TYPE, "backend-service", {
                    oldInputs: serviceInputs("backend", "v1.2.3", 41),
                    newInputs: serviceInputs("backend", "v1.2.3", 41, {
                        desiredCount: 4,
                        tags: { "drydock:requested-version": "v1.2.3", owner: "web" },
                    }),
                }),
            );
            expect(rdsMock().calls()).to.have.length(0);
            expect(info).to.deep.equal([
                "pre-update-snapshot: no snapshot: backend-service: the task definition is unchanged (this update changes desiredCount, tags)",
            ]);
        });

        it("snapshots before an engine upgrade of the cluster, but not for a tag change", async () => {
            const cluster = {
                clusterIdentifier: "drydock-production",
                engine: "aurora-postgresql",
                engineVersion: "15.4",
                tags: { a: "1" },
            };
            const h = hooks();
            await h.preUpdateSnapshot.callback(
                hookArgs(CLUSTER_TYPE, "database", {
                    oldInputs: cluster,
                    newInputs: { ...cluster, tags: { a: "2" } },
                    oldOutputs: cluster,
                }),
            );
            expect(rdsMock().calls()).to.have.length(0);
            expect(info[0]).to.include(
                "no snapshot: database: engine version, parameter groups and instance class are unchanged (this update changes tags)",
            );

            await h.preUpdateSnapshot.callback(
                hookArgs(CLUSTER_TYPE, "database", {
                    oldInputs: cluster,
                    newInputs: { ...cluster, engineVersion: "16.1" },
                    oldOutputs: cluster,
                }),
            );
            const input = rdsMock().commandCalls(CreateDBClusterSnapshotCommand)[0].args[0].input as {
                DBClusterSnapshotIdentifier: string;
                Tags: unknown[];
            };
            expect(input.DBClusterSnapshotIdentifier).to.match(/^drydock-production-database-\S*to-16\S*-\d{8}-\d{6}-\d{3}-[0-9a-f]{4}$/);
            expect(input.Tags).to.deep.include.members([
                { Key: "drydock:service", Value: "database" },
                { Key: "drydock:reason", Value: "database engineVersion changed" },
            ]);
        });

        it("warns that a change AWS defers to the maintenance window is not covered by a snapshot taken now", async () => {
            const cluster = {
                clusterIdentifier: "drydock-production",
                engineVersion: "15.4",
                applyImmediately: false,
                preferredMaintenanceWindow: "sun:05:00-sun:06:00",
            };
            await hooks().preUpdateSnapshot.callback(
                hookArgs(CLUSTER_TYPE, "database", {
                    oldInputs: cluster,
                    newInputs: { ...cluster, engineVersion: "16.1" },
                    oldOutputs: cluster,
                }),
            );
            expect(rdsMock().commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(1);
            expect(warn.join("\n")).to.match(
                /applyImmediately is false: AWS applies it in the maintenance window \(sun:05:00-sun:06:00, UTC\), not now/,
            );
            expect(warn.join("\n")).to.include("npx drydock snapshot --stack production --wait");
        });

        it("records an override on the snapshot this update already took when it lets a later change through", async () => {
            rdsMock()
                .on(CreateDBClusterSnapshotCommand)
                .resolves({
                    DBClusterSnapshot: {
                        Status: "creating",
                        DBClusterSnapshotArn: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1",
                    },
                });
            const h = hooks({}, { override: "hotfix INC-7" });
            const cluster = { clusterIdentifier: "drydock-production", engineVersion: "15.4" };
            await h.preUpdateSnapshot.callback(
                hookArgs(CLUSTER_TYPE, "database", {
                    oldInputs: cluster,
                    newInputs: { ...cluster, engineVersion: "16.1" },
                    oldOutputs: cluster,
                }),
            );
            await h.releaseGate.callback(versionChange());
            await h.preUpdateSnapshot.callback(versionChange());
            expect(rdsMock().commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(1);
            const tagged = rdsMock()
                .commandCalls(AddTagsToResourceCommand)
                .map((c) => c.args[0].input);
            expect(tagged).to.deep.equal([
                {
                    ResourceName: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1",
                    Tags: [{ Key: "drydock:release-override", Value: "hotfix INC-7" }],
                },
            ]);
        });

        it("snapshots before a provisioned instance changes class, once per update however many instances change", async () => {
            const h = hooks();
            const instance = (n: number, cls: string) => ({
                identifier: `drydock-production-${n}`,
                clusterIdentifier: "drydock-production",
                instanceClass: cls,
                engine: "aurora-postgresql",
            });
            const resize = (n: number) =>
                hookArgs("aws:rds/clusterInstance:ClusterInstance", `database-instance-${n}`, {
                    oldInputs: instance(n, "db.r6g.large"),
                    newInputs: instance(n, "db.r6g.xlarge"),
                    oldOutputs: instance(n, "db.r6g.large"),
                });
            await Promise.all([h.preUpdateSnapshot.callback(resize(1)), h.preUpdateSnapshot.callback(resize(2))]);
            const creates = rdsMock().commandCalls(CreateDBClusterSnapshotCommand);
            expect(creates).to.have.length(1);
            const tags = Object.fromEntries((creates[0].args[0].input.Tags ?? []).map((t) => [t.Key, t.Value]));
            expect(tags).to.include({
                "drydock:service": "database",
                "drydock:from-version": "db.r6g.large",
                "drydock:to-version": "db.r6g.xlarge",
            });
            expect(
                info.some((m) =>
                    m.includes("taken earlier in this update, covers database instance drydock-production-2 instanceClass changed"),
                ),
            ).to.equal(true);
            // A later backend version change in the same update is covered by the same snapshot.
            await h.preUpdateSnapshot.callback(versionChange());
            expect(rdsMock().commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(1);
        });

        it("takes no snapshot when an instance changes only tags or its promotion tier", async () => {
            const h = hooks();
            const base = {
                identifier: "drydock-production-1",
                clusterIdentifier: "drydock-production",
                instanceClass: "db.serverless",
                promotionTier: 0,
            };
            await h.preUpdateSnapshot.callback(
                hookArgs("aws:rds/clusterInstance:ClusterInstance", "database-instance-1", {
                    oldInputs: base,
                    newInputs: { ...base, promotionTier: 1, tags: { team: "x" } },
                }),
            );
            expect(rdsMock().commandCalls(CreateDBClusterSnapshotCommand)).to.have.length(0);
            expect(info.join("\n")).to.include("instance class, engine version and parameter group are unchanged");
        });

        it("stops the update when the snapshot fails, saying nothing changed", async () => {
            rdsMock()
                .on(DescribeDBClustersCommand)
                .resolves({ DBClusters: [{ Status: "deleting" }] });
            const err = await rejection(hooks().preUpdateSnapshot.callback(versionChange()));
            expect(err.message).to.include(`the cluster is "deleting", which does not become "available" by itself`);
            expect(err.message).to.include("The update of backend-service was stopped before it started; nothing changed.");
        });

        it("refuses to run on a resource type it does not understand", async () => {
            const err = await rejection(
                hooks().preUpdateSnapshot.callback(hookArgs("aws:s3/bucket:Bucket", "assets", { oldInputs: {}, newInputs: {} })),
            );
            expect(err.message).to.include("pre-update-snapshot is bound to aws:s3/bucket:Bucket");
        });
    });

    describe("verify-rollout", () => {
        it("checks the service and task definition this update produced", async () => {
            ecsMock()
                .on(DescribeServicesCommand)
                .resolves({
                    services: [
                        {
                            status: "ACTIVE",
                            deployments: [
                                {
                                    id: "ecs-svc/1",
                                    status: "PRIMARY",
                                    taskDefinition: td("backend", 42),
                                    rolloutState: "COMPLETED",
                                    runningCount: 2,
                                    desiredCount: 2,
                                },
                            ],
                        },
                    ],
                });
            const args = versionChange();
            await hooks().verifyRollout.callback({ ...args, newOutputs: args.newInputs });
            const input = ecsMock().commandCalls(DescribeServicesCommand)[0].args[0].input;
            expect(input).to.deep.equal({ cluster: `${ECS_ARN}:cluster/drydock-production`, services: ["backend-service"] });
            expect(info.join("\n")).to.include("verify-rollout: backend-service: rollout of drydock-production-backend:42 COMPLETED");
        });

        it("fails the update when ECS rolled back, with what to do next", async () => {
            ecsMock()
                .on(DescribeServicesCommand)
                .resolves({
                    services: [
                        {
                            status: "ACTIVE",
                            deployments: [
                                { id: "ecs-svc/2", status: "PRIMARY", taskDefinition: td("backend", 41), rolloutState: "IN_PROGRESS" },
                                {
                                    id: "ecs-svc/1",
                                    status: "ACTIVE",
                                    taskDefinition: td("backend", 42),
                                    rolloutState: "FAILED",
                                    rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
                                },
                            ],
                        },
                    ],
                });
            const err = await rejection(
                hooks().verifyRollout.callback({ ...versionChange(), newOutputs: serviceInputs("backend", "v1.3.0", 42) }),
            );
            expect(err.message).to.include(
                "verify-rollout: ECS rolled back backend-service (cluster drydock-production): the deployment of drydock-production-backend:42 failed: ECS deployment circuit breaker: tasks failed to start.\n",
            );
            expect(err.message).to.include("task definition now serving:             drydock-production-backend:41");
            expect(err.message).to.include("aws logs tail /aws/ecs/backend-logs-production --since 30m");
            expect(err.message).to.include(`pulumi config set redeployToken "$(date +%s)" -s production`);
            expect(err.message).to.include("npx drydock rollback --stack production");
        });

        it("when the service cannot be read, says so and where to look instead", async () => {
            ecsMock()
                .on(DescribeServicesCommand)
                .rejects(Object.assign(new Error("not authorized to perform: ecs:DescribeServices"), { name: "AccessDeniedException" }));
            const err = await rejection(
                hooks().verifyRollout.callback({ ...versionChange(), newOutputs: serviceInputs("backend", "v1.3.0", 42) }),
            );
            expect(err.message).to.include("verify-rollout: could not read service backend-service");
            expect(err.message).to.include("needs ecs:DescribeServices, ecs:ListTasks, ecs:DescribeTasks");
            expect(err.message).to.include("Check what the service runs with npx drydock status --stack production.");
            expect(err.message).to.not.include("Pulumi's state records");
        });

        it("verifies a newly created service too (afterCreate: no old inputs), using the ECS cluster name when the input is not known", async () => {
            ecsMock()
                .on(DescribeServicesCommand)
                .resolves({
                    services: [
                        {
                            status: "ACTIVE",
                            deployments: [
                                { id: "ecs-svc/1", status: "PRIMARY", taskDefinition: td("frontend", 1), rolloutState: "COMPLETED" },
                            ],
                        },
                    ],
                });
            const created = serviceInputs("frontend", "v1.0.0", 1, { cluster: undefined });
            await hooks().verifyRollout.callback(hookArgs(SERVICE_TYPE, "frontend-service", { newInputs: created, newOutputs: created }));
            expect(ecsMock().commandCalls(DescribeServicesCommand)[0].args[0].input).to.deep.include({
                cluster: "drydock-production",
                services: ["frontend-service"],
            });
        });
    });
});
