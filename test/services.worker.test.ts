/**
 * The proof that a service is one entry in the service table: a third service, a worker with no load balancer and
 * no database access, is added to the table (services.ts `withServices`, for tests) and its config keys are set —
 * nothing else changes. The program, `drydock check` (mock cloud + policies), and `versions` / `status` / `promote` /
 * `rollback` all handle it, and the two committed services stay exactly as they were.
 */
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { DescribeDBClustersCommand, DescribeDBClusterSnapshotsCommand } from "@aws-sdk/client-rds";
import { expect } from "chai";
import { appendFileSync, readFileSync } from "fs";
import { join } from "path";
import { ConfigError, parseSettings, RawConfig } from "../config";
import { CheckReport, runCheck } from "../offline/check";
import { serviceNames, ServiceSpec, withServices } from "../services";
import {
    cleanup,
    digest,
    drydock,
    ecsService,
    image,
    mocks,
    readStack,
    REGISTRY,
    resetMocks,
    stackDir,
    taskDefinition,
    tdArn,
} from "./fixtures/cli/harness";
import { stackValues } from "./support/synthesize";

/** The one-entry change: a queue worker, no route, no database, guarded by the gate and rollout verification. */
const WORKER: ServiceSpec = {
    name: "worker",
    configPrefix: "worker",
    port: 8080,
    database: false,
    hooks: ["release-gate", "verify-rollout"],
    defaults: { cpu: 256, memory: 512, desiredCount: 1, maxCount: 1 },
};
const WORKER_REPO = `${REGISTRY}/drydock/worker`;
/** …plus its config keys. */
const WORKER_KEYS: RawConfig = { workerImage: WORKER_REPO, workerVersion: "v2.0.0" };

const withWorker = <T>(fn: () => Promise<T>): Promise<T> => withServices([WORKER], fn);

describe("a third service (a worker) is one entry in the service table", () => {
    describe("program, drydock check and the policies", () => {
        let report: CheckReport;
        before(async function () {
            this.timeout(60_000);
            report = await withWorker(() =>
                runCheck({
                    stack: "production",
                    values: { ...stackValues("production"), ...WORKER_KEYS },
                    now: new Date("2026-11-24T10:00:00Z"),
                }),
            );
        });
        const named = (type: string, name: string) => report.resources.find((r) => r.type === type && r.name === name);

        it("plans a Fargate service with its task definition, log group and roles under the usual physical names", () => {
            const svc = named("aws:ecs/service:Service", "worker-service");
            expect(svc?.inputs).to.deep.include({
                name: "worker-service",
                desiredCount: 1,
                launchType: "FARGATE",
                deploymentMinimumHealthyPercent: 100,
            });
            const td = named("aws:ecs/taskDefinition:TaskDefinition", "worker-task");
            expect(td?.inputs).to.include({ family: "drydock-production-worker", cpu: "256", memory: "512" });
            const [container] = JSON.parse(td!.inputs.containerDefinitions as string) as {
                name: string;
                image: string;
                environment: { name: string }[];
            }[];
            expect(container.name).to.equal("worker");
            expect(container.image).to.match(new RegExp(`^${WORKER_REPO}@sha256:[0-9a-f]{64}$`));
            expect(container.environment.map((e) => e.name)).to.deep.equal(["APP_VERSION"]);
            expect(named("aws:cloudwatch/logGroup:LogGroup", "worker-logs")?.inputs.name).to.equal("/aws/ecs/worker-logs-production");
            expect(named("aws:iam/role:Role", "worker-task")).to.not.equal(undefined);
        });

        it("gives it no load balancer and no database: no target group, listener rule, ALB alarm, grace period or rule to either", () => {
            const svc = named("aws:ecs/service:Service", "worker-service")!;
            expect(svc.inputs).to.not.have.any.keys("loadBalancers", "alarms", "healthCheckGracePeriodSeconds");
            const workerResources = report.resources.filter((r) => r.name.startsWith("worker"));
            expect(workerResources.map((r) => r.type)).to.not.include.members([
                "aws:lb/targetGroup:TargetGroup",
                "aws:lb/listenerRule:ListenerRule",
                "aws:cloudwatch/metricAlarm:MetricAlarm",
            ]);
            expect(workerResources.filter((r) => r.type.includes("securityGroupIngressRule"))).to.deep.equal([]);
            expect(workerResources.filter((r) => r.name.includes("-to-db") || r.name.includes("-from-alb"))).to.deep.equal([]);
            expect(named("aws:ec2/securityGroup:SecurityGroup", "worker-sg")?.inputs.description).to.equal(
                "drydock worker: no inbound traffic",
            );
        });

        it("guards it with the hooks its entry names", () => {
            expect(named("aws:ecs/service:Service", "worker-service")?.hooks).to.deep.equal({
                beforeCreate: ["release-gate"],
                beforeUpdate: ["release-gate"],
                afterCreate: ["verify-rollout"],
                afterUpdate: ["verify-rollout"],
            });
        });

        it("passes the policies and gets a rollout estimate without load-balancer terms; the two services are unchanged", () => {
            expect(report.ok).to.equal(true);
            expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).to.deep.equal([]);
            const worker = report.rollout.find((r) => r.service === "worker-service");
            expect(worker?.seconds).to.be.greaterThan(0);
            expect(
                worker?.terms
                    .filter((t) => t.seconds > 0)
                    .map((t) => t.name)
                    .join(" "),
            ).to.not.match(/health check|drain/i);
            const baseline = JSON.parse(
                readFileSync(join(__dirname, "fixtures", "baseline", "check.production.json"), "utf8"),
            ) as CheckReport;
            const planned = new Set(report.resources.flatMap((r) => [r.urn, ...(r.aliases ?? [])]));
            expect(baseline.resources.filter((r) => !planned.has(r.urn)).map((r) => r.urn)).to.deep.equal([]);
        });

        it("is judged by the image policy like the others: a moving tag in production names workerVersion in the fix", async function () {
            this.timeout(60_000);
            const moving = await withWorker(() =>
                runCheck({ stack: "production", values: { ...stackValues("production"), ...WORKER_KEYS, workerVersion: "latest" } }),
            );
            const messages = moving.violations.filter((v) => v.policy === "production-images-pinned").map((v) => v.message);
            expect(messages).to.have.length.greaterThan(0);
            expect(messages.join("\n")).to.include("pulumi config set workerVersion vX.Y.Z -s production");
            expect(messages.join("\n")).to.include("npx drydock versions worker --stack production");
            expect(moving.ok).to.equal(false);
        });

        it("requires its version and image keys like any service, and the table is restored afterwards", async () => {
            const err = await withWorker(async () => {
                try {
                    parseSettings(stackValues("production"), "production");
                } catch (e) {
                    return e;
                }
                return undefined;
            });
            expect(err).to.be.instanceOf(ConfigError);
            expect((err as ConfigError).problems.map((p) => p.key)).to.have.members(["drydock:workerVersion", "drydock:workerImage"]);
            expect(serviceNames()).to.deep.equal(["backend", "frontend"]);
        });
    });

    describe("versions, status, promote and rollback", () => {
        const W1 = digest("1");
        const W2 = digest("2");
        let dir: string;
        beforeEach(() => {
            resetMocks();
            dir = stackDir();
            appendFileSync(join(dir, "Pulumi.staging.yaml"), `  drydock:workerImage: ${WORKER_REPO}\n  drydock:workerVersion: latest\n`);
            appendFileSync(join(dir, "Pulumi.production.yaml"), `  drydock:workerImage: ${WORKER_REPO}\n  drydock:workerVersion: v2.0.0\n`);
        });
        afterEach(() => cleanup(dir));

        /** The worker runs revision `revision` with `img` in `stack`: an ECS service with no load balancer. */
        function mockWorkerDeployed(stack: string, revision: number, img: string, version: string): void {
            const worker = { ...ecsService(stack, "worker", { revision, desired: 1, running: 1 }), loadBalancers: [] };
            mocks.ecs.on(DescribeServicesCommand, { cluster: `drydock-${stack}` }).resolves({ services: [worker] });
            mocks.ecs
                .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn(stack, "worker", revision) })
                .resolves(taskDefinition(stack, "worker", revision, img, version));
        }
        const workerImage = (d: string, tags: string[], pushed: string) => ({
            ...image(d, tags, pushed),
            repositoryName: "drydock/worker",
        });

        it("versions worker lists its repository and marks what production runs", async () => {
            await withWorker(async () => {
                mocks.ecr.on(DescribeImagesCommand, { repositoryName: "drydock/worker" }).resolves({
                    imageDetails: [
                        workerImage(W1, ["v2.0.0"], "2026-11-20T08:00:00Z"),
                        workerImage(W2, ["v2.1.0", "latest"], "2026-11-22T08:00:00Z"),
                    ],
                });
                mockWorkerDeployed("production", 3, `${WORKER_REPO}@${W1}`, "v2.0.0");
                const r = await drydock(dir, ["versions", "worker", "--stack", "production", "--json"]);
                expect(r.code, r.stderr).to.equal(0);
                const out = JSON.parse(r.stdout) as {
                    service: string;
                    repository: string;
                    versions: { tag: string; deployed?: boolean }[];
                };
                expect(out.service).to.equal("worker");
                expect(out.repository).to.equal(WORKER_REPO);
                expect(out.versions.map((v) => v.tag)).to.include.members(["v2.1.0", "v2.0.0"]);
                expect(out.versions.find((v) => v.tag === "v2.0.0")?.deployed).to.equal(true);
            });
        });

        it("status reports the worker next to the others, with no load-balancer targets", async () => {
            await withWorker(async () => {
                mockWorkerDeployed("production", 3, `${WORKER_REPO}@${W1}`, "v2.0.0");
                mocks.ecr
                    .on(DescribeImagesCommand, { repositoryName: "drydock/worker" })
                    .resolves({ imageDetails: [workerImage(W1, ["v2.0.0"], "2026-11-20T08:00:00Z")] });
                mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
                mocks.rds
                    .on(DescribeDBClustersCommand)
                    .resolves({ DBClusters: [{ DBClusterIdentifier: "drydock-production", Status: "available", EngineVersion: "16.6" }] });
                const r = await drydock(dir, ["status", "--stack", "production", "--json"]);
                expect(r.code, r.stderr).to.equal(0);
                const out = JSON.parse(r.stdout) as {
                    services: { name: string; version: string | null; running: number; targets: unknown; problems: string[] }[];
                };
                expect(out.services.map((s) => s.name)).to.deep.equal(["backend", "frontend", "worker"]);
                const worker = out.services.find((s) => s.name === "worker")!;
                expect(worker).to.deep.include({ version: "v2.0.0", running: 1, targets: { healthy: 0, unhealthy: 0 }, problems: [] });
            });
        });

        it("promote --service worker writes the exact version staging runs into production", async () => {
            await withWorker(async () => {
                mockWorkerDeployed("staging", 7, `${WORKER_REPO}@${W2}`, "latest");
                mocks.ecr
                    .on(DescribeImagesCommand, { repositoryName: "drydock/worker" })
                    .resolves({ imageDetails: [workerImage(W2, ["latest", "v2.1.0"], "2026-11-22T08:00:00Z")] });
                const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--service", "worker"]);
                expect(r.code, r.stderr).to.equal(0);
                expect(readStack(dir, "production")).to.include("drydock:workerVersion: v2.1.0\n");
                expect(readStack(dir, "production")).to.include("drydock:backendVersion: v1.3.0 # promoted from staging");
            });
        });

        it("rollback --service worker goes back to the worker's previous version", async () => {
            await withWorker(async () => {
                mocks.ecs
                    .on(ListTaskDefinitionsCommand, { familyPrefix: "drydock-production-worker", status: "ACTIVE" })
                    .resolves({ taskDefinitionArns: [tdArn("production", "worker", 3)] });
                mocks.ecs
                    .on(ListTaskDefinitionsCommand, { familyPrefix: "drydock-production-worker", status: "INACTIVE" })
                    .resolves({ taskDefinitionArns: [tdArn("production", "worker", 2)] });
                mocks.ecs
                    .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "worker", 3) })
                    .resolves(taskDefinition("production", "worker", 3, `${WORKER_REPO}@${W2}`, "v2.0.0"));
                mocks.ecs
                    .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "worker", 2) })
                    .resolves(taskDefinition("production", "worker", 2, `${WORKER_REPO}@${W1}`, "v1.9.0", "INACTIVE"));
                mocks.ecr
                    .on(DescribeImagesCommand, { repositoryName: "drydock/worker" })
                    .resolves({ imageDetails: [workerImage(W1, ["v1.9.0"], "2026-11-01T08:00:00Z")] });
                mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
                const r = await drydock(dir, ["rollback", "--stack", "production", "--service", "worker"]);
                expect(r.code, r.stderr).to.equal(0);
                expect(readStack(dir, "production")).to.include("drydock:workerVersion: v1.9.0\n");
                expect(r.stdout).to.include("worker: v2.0.0 -> v1.9.0");
            });
        });
    });
});
