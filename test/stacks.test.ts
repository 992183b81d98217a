/**
 * Both committed stack files, synthesized through the real program under mocks: the properties a
 * reviewer checks before approving a deployment, on what each stack file actually produces.
 * (test/components.test.ts covers each component's options; this file covers the stacks as shipped.)
 */
import { expect } from "chai";
import type { Settings } from "../config";
import type { MockCloud, RecordedResource } from "../offline/mockCloud";
import { asList, containers, statements, T } from "./support/records";
import { synthesize } from "./support/synthesize";

function idOf(cloud: MockCloud, type: string, name: string): string {
    const r = cloud.byType(type).find((x) => x.name === name);
    if (!r?.id)
        throw new Error(
            `no ${type} named ${name} with an id (recorded: ${cloud
                .byType(type)
                .map((x) => x.name)
                .join(", ")})`,
        );
    return r.id;
}

for (const stack of ["staging", "production"]) {
    describe(`stack file Pulumi.${stack}.yaml, synthesized`, () => {
        let cloud: MockCloud;
        let settings: Settings;
        const services = () => cloud.byType(T.service);
        const service = (name: "backend" | "frontend"): RecordedResource => services().find((r) => r.inputs.name === `${name}-service`)!;
        const targetGroup = (name: string): RecordedResource => cloud.byType(T.targetGroup).find((r) => r.name === `${name}-tg`)!;

        before(async () => {
            ({ cloud, settings } = await synthesize(stack));
        });

        it(`runs in a new VPC over two zones with ${stack === "production" ? "a NAT gateway per zone" : "one NAT gateway"}`, () => {
            const [vpc] = cloud.byType(T.vpc);
            expect(vpc.inputs.numberOfAvailabilityZones).to.equal(2);
            expect(vpc.inputs.natGateways).to.deep.equal({ strategy: stack === "production" ? "OnePerAz" : "Single" });
        });

        it("health-checks the backend on /api/v1/utils/health-check/ and the frontend on /, fast enough for quick rollouts", () => {
            expect((targetGroup("backend").inputs.healthCheck as Record<string, unknown>).path).to.equal("/api/v1/utils/health-check/");
            expect((targetGroup("frontend").inputs.healthCheck as Record<string, unknown>).path).to.equal("/");
            for (const tg of cloud.byType(T.targetGroup)) {
                const hc = tg.inputs.healthCheck as Record<string, number | string | boolean>;
                expect(hc.enabled, tg.name).to.equal(true);
                expect(hc.matcher, tg.name).to.be.a("string").and.not.equal("");
                expect(hc.interval, tg.name).to.be.at.most(15);
                expect(hc.healthyThreshold, tg.name).to.be.at.most(3);
                expect(tg.inputs.deregistrationDelay, tg.name).to.be.at.most(30);
                expect(tg.inputs.targetType, tg.name).to.equal("ip");
            }
        });

        it("rolls every service out with zero downtime: 100/200, circuit breaker with rollback, alarms, grace, steady state", () => {
            expect(services()).to.have.length(2);
            for (const s of services()) {
                expect(s.inputs, s.name).to.include({
                    deploymentMinimumHealthyPercent: 100,
                    deploymentMaximumPercent: 200,
                    waitForSteadyState: true,
                });
                expect(s.inputs.deploymentCircuitBreaker, s.name).to.deep.equal({ enable: true, rollback: true });
                expect(s.inputs.alarms, s.name).to.deep.include({ enable: true, rollback: true });
                expect((s.inputs.alarms as { alarmNames: string[] }).alarmNames, s.name).to.have.length(2);
                expect(s.inputs.healthCheckGracePeriodSeconds, s.name).to.equal(settings.loadBalancer.healthCheckGracePeriodSeconds);
            }
        });

        it("uses the names the runbook's AWS CLI commands expect", () => {
            const [cluster] = cloud.byType(T.ecsCluster);
            expect(cluster.inputs.name).to.equal(`drydock-${stack}`);
            expect(services().map((s) => s.inputs.name)).to.have.members(["backend-service", "frontend-service"]);
            expect(cloud.byType(T.logGroup).map((l) => l.inputs.name)).to.have.members([
                `/aws/ecs/backend-logs-${stack}`,
                `/aws/ecs/frontend-logs-${stack}`,
            ]);
            expect(cloud.byType(T.rdsCluster)[0].inputs.clusterIdentifier).to.equal(`drydock-${stack}`);
        });

        it("runs the task counts and sizes of the stack file, autoscaling where the ceiling is above the count", () => {
            for (const name of ["backend", "frontend"] as const) {
                const s = settings.services[name];
                expect(service(name).inputs.desiredCount).to.equal(s.desiredCount);
                const td = cloud.byType(T.taskDefinition).find((r) => r.inputs.family === `drydock-${stack}-${name}`)!;
                expect(td.inputs).to.include({ cpu: String(s.cpu), memory: String(s.memory) });
            }
            const scaled = cloud
                .byType(T.scalingTarget)
                .map((t) => t.inputs.maxCapacity)
                .sort();
            const expected = (["backend", "frontend"] as const)
                .filter((n) => settings.services[n].maxCount > settings.services[n].desiredCount)
                .map((n) => settings.services[n].maxCount)
                .sort();
            expect(scaled).to.deep.equal(expected);
        });

        it("lets each execution role pull images from its own ECR repository only", () => {
            for (const name of ["backend", "frontend"] as const) {
                const policy = cloud.byType(T.rolePolicy).find((r) => r.name === `${name}-execution`)!;
                const pull = statements(policy).find((st) => asList(st.Action).includes("ecr:BatchGetImage"))!;
                expect(asList(pull.Resource)).to.deep.equal([`arn:aws:ecr:us-east-1:123456789012:repository/drydock/${name}`]);
            }
        });

        it("gives tasks no public IP and enables ECS Exec", () => {
            for (const s of services()) {
                expect((s.inputs.networkConfiguration as { assignPublicIp: boolean }).assignPublicIp, s.name).to.equal(false);
                expect(s.inputs.enableExecuteCommand, s.name).to.equal(true);
            }
        });

        it("opens only the load balancer to the internet, each service only to the load balancer, the database only to the backend", () => {
            const alb = idOf(cloud, T.sg, "alb-sg");
            const backend = idOf(cloud, T.sg, "backend-sg");
            const frontend = idOf(cloud, T.sg, "frontend-sg");
            const db = idOf(cloud, T.sg, "database-sg");
            const ingress = cloud.byType(T.ingress).map((r) => r.inputs);
            const world = ingress.filter((r) => r.cidrIpv4 === "0.0.0.0/0" || r.cidrIpv6 === "::/0");
            expect(world.every((r) => r.securityGroupId === alb)).to.equal(true);
            expect(world.map((r) => r.fromPort).sort()).to.deep.equal([443, 80]);
            expect(
                ingress.filter((r) => r.securityGroupId === backend).map((r) => [r.referencedSecurityGroupId, r.fromPort]),
            ).to.deep.equal([[alb, settings.services.backend.port]]);
            expect(
                ingress.filter((r) => r.securityGroupId === frontend).map((r) => [r.referencedSecurityGroupId, r.fromPort]),
            ).to.deep.equal([[alb, settings.services.frontend.port]]);
            expect(ingress.filter((r) => r.securityGroupId === db).map((r) => [r.referencedSecurityGroupId, r.fromPort])).to.deep.equal([
                [backend, 5432],
            ]);
        });

        it("puts no password or secret in any container environment; the backend reads credentials as ECS secrets", () => {
            for (const td of cloud.byType(T.taskDefinition)) {
                for (const c of containers(td)) {
                    for (const e of c.environment) expect(e.name, `${c.name} ${e.name}`).not.to.match(/PASSW|SECRET|TOKEN|KEY/i);
                    expect(JSON.stringify(c.environment)).not.to.include("secretsmanager");
                }
            }
            const backend = containers(cloud.byType(T.taskDefinition).find((r) => r.inputs.family === `drydock-${stack}-backend`)!)[0];
            expect(backend.secrets.map((x) => x.name)).to.have.members(["DB_USER", "DB_PASSWORD"]);
            expect(backend.environment.map((e) => e.name)).to.include.members(["DB_HOST", "DB_PORT", "DB_NAME", "APP_VERSION"]);
        });

        it("keeps Aurora's maintenance and backup windows of the stack file on the cluster and every instance", () => {
            const [db] = cloud.byType(T.rdsCluster);
            expect(db.inputs).to.include({
                preferredMaintenanceWindow: settings.database.maintenanceWindow,
                preferredBackupWindow: settings.database.backupWindow,
                backupRetentionPeriod: settings.database.backupRetentionDays,
            });
            const instances = cloud.byType(T.rdsInstance);
            expect(instances).to.have.length(settings.database.instanceCount);
            for (const i of instances) expect(i.inputs.preferredMaintenanceWindow, i.name).to.equal(settings.database.maintenanceWindow);
        });

        it("protects the data: encrypted, tags on snapshots, managed password, final snapshot", () => {
            const [db] = cloud.byType(T.rdsCluster);
            expect(db.inputs).to.include({
                storageEncrypted: true,
                copyTagsToSnapshot: true,
                manageMasterUserPassword: true,
                skipFinalSnapshot: false,
            });
            expect(db.inputs.masterPassword).to.equal(undefined);
            expect(db.inputs.finalSnapshotIdentifier).to.match(new RegExp(`^drydock-${stack}-final-\\d{14}$`));
        });

        if (stack === "production") {
            it("production: deletion protection, Pulumi protect, changes wait for the maintenance window", () => {
                const [db] = cloud.byType(T.rdsCluster);
                expect(db.inputs).to.include({ deletionProtection: true, applyImmediately: false });
                expect(db.protect).to.equal(true);
                expect(db.inputs.backupRetentionPeriod).to.be.at.least(7);
            });
        } else {
            it("staging: modifications apply immediately and the cluster can be torn down", () => {
                const [db] = cloud.byType(T.rdsCluster);
                expect(db.inputs).to.include({ deletionProtection: false, applyImmediately: true });
                expect(db.protect).to.equal(false);
            });
        }
    });
}
