import { expect } from "chai";
import { engineConfig } from "../offline/check";
import { defaultImageDigest, MockCloud, startMockCloud } from "../offline/mockCloud";
import type { DrydockOutputs, ServiceOutputs } from "../program";
import { containers, promiseOf } from "./support/records";
import { stackValues, synthesize } from "./support/synthesize";

for (const stack of ["staging", "production"]) {
    describe(`program: the ${stack} stack under mocks`, () => {
        let cloud: MockCloud;
        let outputs: DrydockOutputs;
        before(async () => {
            ({ cloud, outputs } = await synthesize(stack));
        });

        it("registers both services, the load balancer and the Aurora cluster", () => {
            const services = cloud.byType("aws:ecs/service:Service").map((r) => r.inputs.name);
            expect(services).to.have.members(["backend-service", "frontend-service"]);
            expect(cloud.byType("aws:lb/loadBalancer:LoadBalancer")).to.have.length(1);
            const [db] = cloud.byType("aws:rds/cluster:Cluster");
            expect(db.inputs.clusterIdentifier).to.equal(`drydock-${stack}`);
        });

        it("outputs the names the runbook's AWS CLI commands need", async () => {
            expect(await promiseOf(outputs.ecsClusterName)).to.equal(`drydock-${stack}`);
            expect(await promiseOf(outputs.databaseClusterIdentifier)).to.equal(`drydock-${stack}`);
            expect(await promiseOf(outputs.services.backend.serviceName)).to.equal("backend-service");
            expect(await promiseOf(outputs.services.frontend.serviceName)).to.equal("frontend-service");
            expect(await promiseOf(outputs.services.backend.logGroupName)).to.equal(`/aws/ecs/backend-logs-${stack}`);
            expect(await promiseOf(outputs.services.frontend.logGroupName)).to.equal(`/aws/ecs/frontend-logs-${stack}`);
            expect(await promiseOf(outputs.loadBalancerDnsName)).to.match(/\S/);
            expect(await promiseOf(outputs.url)).to.match(/^http:\/\/.+\/$/);
        });

        it("pins each image to the digest ECR reports and keeps the requested version beside it", async () => {
            const values = stackValues(stack);
            const requested = values.backendVersion as string;
            const digest = defaultImageDigest("drydock/backend", requested);
            expect(outputs.services.backend.requestedVersion).to.equal(requested);
            expect(await promiseOf(outputs.services.backend.image)).to.equal(
                `123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend@${digest}`,
            );
            const lookup = cloud.calls.find((c) => c.token === "aws:ecr/getImage:getImage" && c.args.repositoryName === "drydock/backend");
            expect(lookup?.args).to.include({ imageTag: requested, registryId: "123456789012" });
            const td = cloud.byType("aws:ecs/taskDefinition:TaskDefinition").find((r) => r.inputs.family === `drydock-${stack}-backend`)!;
            const [c] = containers(td);
            expect(c.image).to.equal(`123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend@${digest}`);
            expect(c.environment).to.deep.include({ name: "APP_VERSION", value: requested });
            expect(c.dockerLabels).to.include({ "org.opencontainers.image.version": requested });
            expect((td.inputs.tags as Record<string, string>)["drydock:requested-version"]).to.equal(requested);
        });

        it("binds the update hooks in the order they run, and no delete hooks", () => {
            const byName = (n: string) => cloud.byType("aws:ecs/service:Service").find((r) => r.inputs.name === n)!;
            expect(byName("backend-service").hooks).to.deep.equal({
                beforeCreate: ["release-gate"],
                beforeUpdate: ["release-gate", "pre-update-snapshot"],
                afterCreate: ["verify-rollout"],
                afterUpdate: ["verify-rollout"],
            });
            expect(byName("frontend-service").hooks).to.deep.equal({
                beforeCreate: ["release-gate"],
                beforeUpdate: ["release-gate"],
                afterCreate: ["verify-rollout"],
                afterUpdate: ["verify-rollout"],
            });
            const [db] = cloud.byType("aws:rds/cluster:Cluster");
            expect(db.hooks).to.deep.equal({ beforeUpdate: ["pre-update-snapshot"] });
            const instances = cloud.byType("aws:rds/clusterInstance:ClusterInstance");
            expect(instances.length).to.be.greaterThan(0);
            for (const i of instances) expect(i.hooks).to.deep.equal({ beforeUpdate: ["pre-update-snapshot"] });
            for (const r of cloud.resources) {
                expect(r.hooks.beforeDelete ?? [], r.urn).to.deep.equal([]);
                expect(r.hooks.afterDelete ?? [], r.urn).to.deep.equal([]);
            }
        });
    });
}

describe("program: configuration choices", () => {
    it("uses a configured digest as it is, without an ECR lookup", async () => {
        const digest = `sha256:${"a".repeat(64)}`;
        const { cloud, outputs } = await synthesize("production", { backendVersion: digest });
        expect(await promiseOf(outputs.services.backend.image)).to.equal(
            `123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend@${digest}`,
        );
        expect(
            cloud.calls.filter((c) => c.token === "aws:ecr/getImage:getImage" && c.args.repositoryName === "drydock/backend"),
        ).to.deep.equal([]);
    });

    it("places everything in an existing VPC's subnets when vpcId is set, creating no VPC", async () => {
        const { cloud } = await synthesize("production", {
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: '["subnet-0aaaaaaaaaaaaaaa1","subnet-0aaaaaaaaaaaaaaa2"]',
            privateSubnetIds: '["subnet-0bbbbbbbbbbbbbbb1","subnet-0bbbbbbbbbbbbbbb2"]',
        });
        expect(cloud.byType("awsx:ec2:Vpc")).to.deep.equal([]);
        const [alb] = cloud.byType("aws:lb/loadBalancer:LoadBalancer");
        expect(alb.inputs.subnets).to.deep.equal(["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]);
        for (const svc of cloud.byType("aws:ecs/service:Service")) {
            const net = svc.inputs.networkConfiguration as { subnets: string[]; assignPublicIp: boolean };
            expect(net.subnets).to.deep.equal(["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"]);
        }
    });

    it("synthesizes at the edges config accepts: 5 s health checks, 256 CPU with 2048 MiB, 90% CPU target", async () => {
        const { cloud } = await synthesize("production", {
            healthCheckIntervalSeconds: "5",
            frontendCpu: "256",
            frontendMemory: "2048",
            frontendMaxCount: "4",
            autoscalingCpuTarget: "90",
        });
        const tgs = cloud.byType("aws:lb/targetGroup:TargetGroup");
        expect(tgs).to.have.length(2);
        for (const tg of tgs) {
            expect(tg.inputs.healthCheck).to.deep.include({ interval: 5, timeout: 4 });
        }
        const frontendTd = cloud
            .byType("aws:ecs/taskDefinition:TaskDefinition")
            .find((r) => r.inputs.family === "drydock-production-frontend")!;
        expect(frontendTd.inputs).to.include({ cpu: "256", memory: "2048" });
        const cpuPolicies = cloud.byType("aws:appautoscaling/policy:Policy");
        expect(cpuPolicies.length).to.be.greaterThan(0);
        for (const p of cpuPolicies) {
            expect((p.inputs.targetTrackingScalingPolicyConfiguration as { targetValue: number }).targetValue).to.equal(90);
        }
        const frontendScaling = cloud
            .byType("aws:appautoscaling/target:Target")
            .find((r) => String(r.inputs.resourceId).endsWith("/frontend-service"))!;
        expect(frontendScaling.inputs).to.include({ minCapacity: 2, maxCapacity: 4 });
    });

    it("runs the tag itself when pinDigests is false", async () => {
        const { outputs } = await synthesize("production", { pinDigests: "false" });
        expect(await promiseOf(outputs.services.backend.image)).to.equal(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend:v1.2.3",
        );
    });

    it("serves HTTPS at the configured domain when a certificate is set", async () => {
        const { outputs } = await synthesize("production", {
            certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666",
            domainName: "app.example.com",
        });
        expect(await promiseOf(outputs.url)).to.equal("https://app.example.com/");
    });
});

describe("program: the Pulumi entry point (index.ts)", () => {
    it("exports the stack outputs it always had: one per service, named after it, next to the stack-wide ones", async () => {
        const values = stackValues("staging");
        const cloud = startMockCloud({ stack: "staging", config: engineConfig(values) });
        const entry = require("../index") as Record<string, unknown>;
        await cloud.settle();
        expect(Object.keys(entry)).to.include.members([
            "stack",
            "url",
            "loadBalancerDnsName",
            "ecsClusterName",
            "databaseClusterIdentifier",
            "databaseEndpoint",
            "backend",
            "frontend",
        ]);
        const backend = entry.backend as ServiceOutputs;
        expect(await promiseOf(backend.serviceName)).to.equal("backend-service");
        expect(await promiseOf(backend.logGroupName)).to.equal("/aws/ecs/backend-logs-staging");
        expect(await promiseOf(backend.targetGroupArn!)).to.match(/^arn:aws:elasticloadbalancing:/);
        expect(entry.stack).to.equal("staging");
    });
});
