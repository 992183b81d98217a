import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import type { Policies, ResourceValidationPolicy } from "@pulumi/policy";
import { stackFromUrn } from "../policies/config";
import {
    PolicyConfigError,
    PolicyConfigEntry,
    PolicyInputResource,
    Violation,
    evaluatePolicies,
    policyNames,
    policyPackVersion,
} from "../policies/evaluate";
import { policies } from "../policies/policies";
import { REQUESTED_VERSION_TAG, VERSION_ENV, VERSION_LABEL } from "../policies/rules/images";

// @pulumi/policy's own placeholders for values that are unknown during preview (what the engine sends).
const unknown = require("@pulumi/policy/proxy") as {
    unknownStringValue: string;
    unknownNumberValue: string;
    unknownBooleanValue: string;
    unknownArrayValue: string;
    unknownObjectValue: string;
};

const ROOT = path.join(__dirname, "..");
const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-production";
const DIGEST = `sha256:${"ab".repeat(32)}`;

const T = {
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    albTargetGroup: "aws:alb/targetGroup:TargetGroup",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    certificate: "aws:acm/certificate:Certificate",
    cluster: "aws:rds/cluster:Cluster",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
};

function resource(type: string, name: string, props: Record<string, unknown>, stack = "production"): PolicyInputResource {
    return { type, name, urn: `urn:pulumi:${stack}::drydock::drydock:index:Tier$${type}::${name}`, props };
}

function run(resources: PolicyInputResource[], config?: Record<string, PolicyConfigEntry>): Violation[] {
    return evaluatePolicies(resources, config ? { config } : {});
}

/** The detail lines (after the description) of one policy's violations. */
function details(violations: Violation[], policy: string): string[] {
    return violations.filter((v) => v.policy === policy).map((v) => v.message.split("\n").slice(1).join("\n"));
}

// --- passing resources: every case below changes one field --------------------------------------

interface ContainerOverrides {
    image?: string;
    version?: string;
    label?: string;
    name?: string;
}

function container(o: ContainerOverrides = {}): Record<string, unknown> {
    const version = o.version ?? "v1.2.3";
    return {
        name: o.name ?? "backend",
        image: o.image ?? `${REPO}:v1.2.3`,
        essential: true,
        environment: [
            { name: "DATABASE_HOST", value: "db.internal" },
            { name: VERSION_ENV, value: version },
        ],
        dockerLabels: { [VERSION_LABEL]: o.label ?? version },
    };
}

function taskDefinition(props: Record<string, unknown> = {}, stack = "production"): PolicyInputResource {
    return resource(
        T.taskDefinition,
        "backend-task",
        {
            family: `drydock-${stack}-backend`,
            cpu: "512",
            memory: "1024",
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            containerDefinitions: JSON.stringify([container()]),
            tags: { [REQUESTED_VERSION_TAG]: "v1.2.3" },
            ...props,
        },
        stack,
    );
}

function withContainer(o: ContainerOverrides, stack = "production", tag = "v1.2.3"): PolicyInputResource {
    return taskDefinition({ containerDefinitions: JSON.stringify([container(o)]), tags: { [REQUESTED_VERSION_TAG]: tag } }, stack);
}

function service(props: Record<string, unknown> = {}, stack = "production"): PolicyInputResource {
    return resource(
        T.service,
        "backend",
        {
            name: "backend-service",
            cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/drydock-production",
            desiredCount: 2,
            launchType: "FARGATE",
            loadBalancers: [{ containerName: "backend", containerPort: 8000, targetGroupArn: "arn:aws:elasticloadbalancing:tg/backend" }],
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            deploymentCircuitBreaker: { enable: true, rollback: true },
            healthCheckGracePeriodSeconds: 60,
            networkConfiguration: { assignPublicIp: false, subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-backend"] },
            ...props,
        },
        stack,
    );
}

function targetGroup(props: Record<string, unknown> = {}, type = T.targetGroup): PolicyInputResource {
    return resource(type, "backend-tg", {
        port: 8000,
        protocol: "HTTP",
        targetType: "ip",
        vpcId: "vpc-1",
        deregistrationDelay: 30,
        healthCheck: { enabled: true, path: "/api/v1/utils/health-check/", matcher: "200", interval: 10, healthyThreshold: 2 },
        ...props,
    });
}

function healthCheck(hc: Record<string, unknown>): PolicyInputResource {
    return targetGroup({ healthCheck: { enabled: true, path: "/api/v1/utils/health-check/", matcher: "200", ...hc } });
}

function cluster(props: Record<string, unknown> = {}, stack = "production"): PolicyInputResource {
    return resource(
        T.cluster,
        "database",
        {
            clusterIdentifier: `drydock-${stack}`,
            engine: "aurora-postgresql",
            engineVersion: "16.6",
            preferredMaintenanceWindow: "sun:05:00-sun:06:00",
            preferredBackupWindow: "03:00-04:00",
            backupRetentionPeriod: 7,
            storageEncrypted: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: `drydock-${stack}-final-1`,
            deletionProtection: true,
            ...props,
        },
        stack,
    );
}

function securityGroup(ingress: Record<string, unknown>[]): PolicyInputResource {
    return resource(T.securityGroup, "database-sg", { name: "drydock-production-db", vpcId: "vpc-1", ingress });
}

const DB_FROM_BACKEND = { protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-backend"] };

function loadBalancer(props: Record<string, unknown> = {}): PolicyInputResource {
    return resource(T.loadBalancer, "alb", { name: "drydock-production", loadBalancerType: "application", internal: false, dropInvalidHeaderFields: true, ...props });
}

const REDIRECT = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
const FORWARD = { type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:tg/frontend" };

function listener(name: string, props: Record<string, unknown>): PolicyInputResource {
    return resource(T.listener, name, { loadBalancerArn: "arn:alb/1", ...props });
}

const httpsListener = () => listener("https", { port: 443, protocol: "HTTPS", certificateArn: "arn:aws:acm:cert/1", defaultActions: [FORWARD] });
const httpListener = (props: Record<string, unknown> = {}) => listener("http", { port: 80, protocol: "HTTP", defaultActions: [REDIRECT], ...props });

function passingStack(stack = "production"): PolicyInputResource[] {
    return [
        taskDefinition({}, stack),
        service({}, stack),
        targetGroup(),
        cluster({}, stack),
        securityGroup([DB_FROM_BACKEND]),
        loadBalancer(),
        httpsListener(),
        httpListener(),
    ];
}

describe("policies: the drydock policy pack", () => {
    it("lists every rule explicitly, with stable kebab-case names, a description and remediation steps", () => {
        expect(policyNames).to.deep.equal([
            "production-images-pinned",
            "non-production-images-pinned",
            "zero-downtime-rolling-updates",
            "load-balancer-health-checks",
            "aurora-maintenance-and-backups",
            "network-exposure",
            "http-redirects-to-https",
        ]);
        for (const p of policies) {
            expect(p.name, p.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.description, p.name).to.have.length.greaterThan(20);
            expect(p.remediationSteps, p.name).to.have.length.greaterThan(20);
        }
    });

    it("is a nodejs CrossGuard pack whose package has the version PolicyPack requires", () => {
        const manifest = YAML.parse(fs.readFileSync(path.join(ROOT, "policies/PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
        expect(manifest.runtime).to.equal("nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policies/package.json"), "utf8")) as Record<string, unknown>;
        expect(pkg).to.include({ name: "drydock-policies", private: true });
        expect(pkg.version).to.match(/^\d+\.\d+\.\d+/);
        expect(Object.keys(pkg.dependencies as object)).to.include.members(["@pulumi/policy", "@pulumi/pulumi"]);
    });

    it("passes a well-configured production stack and staging stack without any violation", () => {
        expect(run(passingStack("production"))).to.deep.equal([]);
        expect(run(passingStack("staging"))).to.deep.equal([]);
    });
});

describe("policies: production-images-pinned", () => {
    const fix = "pulumi config set backendVersion vX.Y.Z -s production";

    it("rejects latest, naming the container, the image and the fix", () => {
        const [d, ...rest] = details(run([withContainer({ image: `${REPO}:latest` })]), "production-images-pinned");
        expect(rest).to.deep.equal([]);
        expect(d).to.contain(`container "backend" in task definition "drydock-production-backend" runs "${REPO}:latest", which is not pinned`);
        expect(d).to.contain(`"latest" (image tag) is mutable (it moves with every push)`);
        expect(d).to.contain(fix);
        expect(d).to.contain("npx drydock versions backend --stack production");
    });

    it("rejects floating v1 and v1.2 tags", () => {
        expect(details(run([withContainer({ image: `${REPO}:v1` })]), "production-images-pinned")[0]).to.contain(
            `"v1" (image tag) is a floating version (it moves to every new 1.x.y release)`,
        );
        expect(details(run([withContainer({ image: `${REPO}:v1.2` })]), "production-images-pinned")[0]).to.contain(
            `"v1.2" (image tag) is a floating version (it moves to every new 1.2.x release)`,
        );
    });

    it("rejects an untagged image", () => {
        const [d] = details(run([withContainer({ image: REPO })]), "production-images-pinned");
        expect(d).to.contain(`runs "${REPO}" with no tag or digest, so every deployment pulls whatever "latest" is at that moment`);
        expect(d).to.contain(fix);
    });

    it("rejects other mutable tags such as main", () => {
        const [d] = details(run([withContainer({ image: `${REPO}:main` })]), "production-images-pinned");
        expect(d).to.contain(`"main" (image tag) is a mutable tag, not an exact version`);
    });

    it("rejects a digest resolved from latest (APP_VERSION)", () => {
        const [d] = details(run([withContainer({ image: `${REPO}@${DIGEST}`, version: "latest", label: "v1.2.3" })]), "production-images-pinned");
        expect(d).to.contain(`runs "${REPO}@${DIGEST}", but that digest was resolved from a mutable version`);
        expect(d).to.contain(`"latest" (APP_VERSION) is mutable`);
        expect(d).to.contain(fix);
    });

    it("rejects a digest resolved from latest (task definition tag drydock:requested-version)", () => {
        const [d] = details(run([withContainer({ image: `${REPO}@${DIGEST}` }, "production", "latest")]), "production-images-pinned");
        expect(d).to.contain("but that digest was resolved from a mutable version");
        expect(d).to.contain(`"latest" (task definition tag drydock:requested-version) is mutable`);
    });

    it("rejects a digest resolved from a floating version (docker label)", () => {
        const [d] = details(run([withContainer({ image: `${REPO}@${DIGEST}`, label: "v1.2" })]), "production-images-pinned");
        expect(d).to.contain(`"v1.2" (label org.opencontainers.image.version) is a floating version`);
    });

    it("rejects a mutable tag in front of a digest (repo:latest@sha256:…)", () => {
        const [d] = details(run([withContainer({ image: `${REPO}:latest@${DIGEST}` })]), "production-images-pinned");
        expect(d).to.contain(`"latest" (image tag) is mutable`);
    });

    it("accepts a digest resolved from an exact version, and a digest configured directly", () => {
        expect(run([withContainer({ image: `${REPO}@${DIGEST}` })])).to.deep.equal([]);
        expect(run([withContainer({ image: `${REPO}@${DIGEST}`, version: DIGEST }, "production", DIGEST)])).to.deep.equal([]);
    });

    for (const version of ["v1.2.3", "1.3.0-rc.1", "20241213-152430", "v1.2.3-20241213-152430-a1b2c3d4"]) {
        it(`accepts the immutable version ${version}`, () => {
            expect(run([withContainer({ image: `${REPO}:${version}`, version }, "production", version)])).to.deep.equal([]);
        });
    }

    it("names frontendVersion for a frontend container", () => {
        const [d] = details(run([withContainer({ name: "frontend", image: `${REPO}:latest` })]), "production-images-pinned");
        expect(d).to.contain("pulumi config set frontendVersion vX.Y.Z -s production");
    });

    it("asks to pin a sidecar's image in its definition, and does not judge it by the app's requested version", () => {
        const sidecar = { name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:latest" };
        const td = taskDefinition({ containerDefinitions: JSON.stringify([container(), sidecar]) });
        const [d, ...rest] = details(run([td]), "production-images-pinned");
        expect(rest).to.deep.equal([]);
        expect(d).to.contain(`container "log-router"`);
        expect(d).to.contain(`Fix: pin the image of container "log-router" to an immutable version`);
        const pinnedSidecar = { ...sidecar, image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4" };
        expect(run([taskDefinition({ containerDefinitions: JSON.stringify([container(), pinnedSidecar]) })])).to.deep.equal([]);
    });

    it("reports a container without an image and container definitions that are not JSON", () => {
        const noImage = { ...container(), image: undefined };
        expect(details(run([taskDefinition({ containerDefinitions: JSON.stringify([noImage]) })]), "production-images-pinned")[0]).to.contain(
            `container "backend" in task definition "drydock-production-backend" has no image`,
        );
        expect(details(run([taskDefinition({ containerDefinitions: "[{" })]), "production-images-pinned")[0]).to.contain(
            "has containerDefinitions that are not valid JSON",
        );
    });

    it("is mandatory in production and only advisory (non-production-images-pinned) elsewhere", () => {
        const prod = run([withContainer({ image: `${REPO}:latest` })]);
        expect(prod.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([["production-images-pinned", "mandatory"]]);
        const staging = run([withContainer({ image: `${REPO}:latest` }, "staging")]);
        expect(staging.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([["non-production-images-pinned", "advisory"]]);
        expect(staging[0].message).to.contain("pulumi config set backendVersion vX.Y.Z -s staging");
    });
});

describe("policies: production detection from the URN", () => {
    const levelIn = (stack: string, config?: Record<string, PolicyConfigEntry>) =>
        run([withContainer({ image: `${REPO}:latest` }, stack)], config).map((v) => `${v.policy}:${v.enforcementLevel}`);

    it("reads the stack from urn:pulumi:<stack>::<project>::<type>::<name>", () => {
        expect(stackFromUrn("urn:pulumi:prod-eu::drydock::aws:ecs/service:Service::backend")).to.equal("prod-eu");
        expect(stackFromUrn("not-a-urn")).to.equal(undefined);
    });

    it("treats production, prod and prod-* as production by default, and staging not", () => {
        expect(levelIn("production")).to.deep.equal(["production-images-pinned:mandatory"]);
        expect(levelIn("prod")).to.deep.equal(["production-images-pinned:mandatory"]);
        expect(levelIn("prod-eu")).to.deep.equal(["production-images-pinned:mandatory"]);
        expect(levelIn("staging")).to.deep.equal(["non-production-images-pinned:advisory"]);
        expect(levelIn("production-copy")).to.deep.equal(["non-production-images-pinned:advisory"]);
    });

    it("follows the productionStacks policy config", () => {
        const config = {
            "production-images-pinned": { productionStacks: ["live", "eu-*"] },
            "non-production-images-pinned": { productionStacks: ["live", "eu-*"] },
        };
        expect(levelIn("live", config)).to.deep.equal(["production-images-pinned:mandatory"]);
        expect(levelIn("eu-west", config)).to.deep.equal(["production-images-pinned:mandatory"]);
        expect(levelIn("production", config)).to.deep.equal(["non-production-images-pinned:advisory"]);
    });

    it("applies production-only database rules by the same config", () => {
        const short = cluster({ backupRetentionPeriod: 3 }, "live");
        expect(details(run([short]), "aurora-maintenance-and-backups")).to.deep.equal([]);
        const d = details(run([short], { "aurora-maintenance-and-backups": { productionStacks: ["live"] } }), "aurora-maintenance-and-backups");
        expect(d).to.deep.equal([
            `Aurora cluster "drydock-live" has backupRetentionPeriod 3 in production stack "live"; keep at least 7 days of backups (pulumi config set backupRetentionDays 7 -s live).`,
        ]);
    });
});

describe("policies: zero-downtime-rolling-updates", () => {
    const of = (props: Record<string, unknown>) => details(run([service(props)]), "zero-downtime-rolling-updates");

    it("requires minimum healthy percent >= 100", () => {
        expect(of({ deploymentMinimumHealthyPercent: 50 })).to.deep.equal([
            `service "backend-service" has deploymentMinimumHealthyPercent 50: a rollout stops old tasks before new ones are healthy. Set it to at least 100.`,
        ]);
    });

    it("requires maximum percent >= 200", () => {
        expect(of({ deploymentMaximumPercent: 150 })[0]).to.contain(`service "backend-service" has deploymentMaximumPercent 150`);
    });

    it("requires a circuit breaker that rolls back", () => {
        expect(of({ deploymentCircuitBreaker: undefined })[0]).to.contain(`service "backend-service" has no deploymentCircuitBreaker`);
        expect(of({ deploymentCircuitBreaker: { enable: true, rollback: false } })[0]).to.contain("does not roll back failed deployments (rollback is false)");
        expect(of({ deploymentCircuitBreaker: { enable: false, rollback: true } })[0]).to.contain("(enable is false)");
    });

    it("requires a health-check grace period", () => {
        expect(of({ healthCheckGracePeriodSeconds: undefined })[0]).to.contain(`service "backend-service" has no healthCheckGracePeriodSeconds`);
        expect(of({ healthCheckGracePeriodSeconds: 0 })[0]).to.contain(`service "backend-service" has a zero healthCheckGracePeriodSeconds`);
    });

    it("accepts ECS's defaults (100/200) when the percentages are unset", () => {
        expect(of({ deploymentMinimumHealthyPercent: undefined, deploymentMaximumPercent: undefined })).to.deep.equal([]);
    });

    it("does not apply to services without a load balancer or with another deployment controller", () => {
        expect(of({ loadBalancers: [], deploymentMinimumHealthyPercent: 0 })).to.deep.equal([]);
        expect(of({ deploymentController: { type: "CODE_DEPLOY" }, deploymentMinimumHealthyPercent: 0 })).to.deep.equal([]);
    });
});

describe("policies: load-balancer-health-checks", () => {
    const of = (r: PolicyInputResource) => details(run([r]), "load-balancer-health-checks");

    it("requires a healthCheck block", () => {
        expect(of(targetGroup({ healthCheck: undefined }))[0]).to.contain(`target group "backend-tg" has no healthCheck block`);
    });

    it("rejects a disabled health check", () => {
        expect(of(healthCheck({ enabled: false }))).to.deep.equal([
            `target group "backend-tg" has its health check disabled (healthCheck.enabled: false): unhealthy tasks keep receiving traffic. Set healthCheck.enabled: true.`,
        ]);
    });

    it("requires an explicit path and matcher", () => {
        expect(of(healthCheck({ path: undefined }))[0]).to.contain(`target group "backend-tg" has no explicit healthCheck.path`);
        expect(of(healthCheck({ matcher: "" }))[0]).to.contain(`target group "backend-tg" has no explicit healthCheck.matcher`);
    });

    it("does not ask a TCP health check for a path", () => {
        expect(of(healthCheck({ protocol: "TCP", path: undefined, matcher: undefined }))).to.deep.equal([]);
    });

    it("checks target groups declared through the aws.alb alias too", () => {
        expect(of(targetGroup({ healthCheck: undefined }, T.albTargetGroup))).to.have.length(1);
    });
});

describe("policies: aurora-maintenance-and-backups", () => {
    const of = (props: Record<string, unknown>, stack = "production") => details(run([cluster(props, stack)]), "aurora-maintenance-and-backups");
    const subject = `Aurora cluster "drydock-production"`;

    it("requires a maintenance window", () => {
        expect(of({ preferredMaintenanceWindow: undefined })).to.deep.equal([
            `${subject} has no preferredMaintenanceWindow, so AWS picks a random window. Set one explicitly, e.g. preferredMaintenanceWindow: "sun:05:00-sun:06:00" (UTC).`,
        ]);
    });

    it("rejects a malformed maintenance window with the parser's reason", () => {
        expect(of({ preferredMaintenanceWindow: "sunday 05:00" })[0]).to.contain(`${subject} has an invalid preferredMaintenanceWindow "sunday 05:00"`);
    });

    it("requires a backup window and rejects a malformed one", () => {
        expect(of({ preferredBackupWindow: undefined })[0]).to.contain(`${subject} has no preferredBackupWindow`);
        expect(of({ preferredBackupWindow: "3-4" })[0]).to.contain(`${subject} has an invalid preferredBackupWindow "3-4"`);
    });

    it("requires windows of at least 30 minutes", () => {
        expect(of({ preferredMaintenanceWindow: "sun:05:00-sun:05:20" })).to.deep.equal([
            `${subject} has a preferredMaintenanceWindow of 20 minutes ("sun:05:00-sun:05:20"); it must be at least 30 minutes.`,
        ]);
        expect(of({ preferredBackupWindow: "03:00-03:15" })[0]).to.contain("has a preferredBackupWindow of 15 minutes");
    });

    it("rejects a backup window that overlaps the maintenance window", () => {
        expect(of({ preferredBackupWindow: "05:30-06:30" })).to.deep.equal([
            `${subject} has a preferredBackupWindow "05:30-06:30" that overlaps the preferredMaintenanceWindow "sun:05:00-sun:06:00". Move the backup window so the two do not overlap.`,
        ]);
    });

    it("requires 7 days of backups in production (AWS's default is 1), but not in staging", () => {
        expect(of({ backupRetentionPeriod: 3 })[0]).to.contain(`${subject} has backupRetentionPeriod 3 in production stack "production"`);
        expect(of({ backupRetentionPeriod: undefined })[0]).to.contain("has no backupRetentionPeriod (AWS keeps 1 day)");
        expect(of({ backupRetentionPeriod: 3 }, "staging")).to.deep.equal([]);
        expect(details(run([cluster({ backupRetentionPeriod: 10 })], { "aurora-maintenance-and-backups": { minimumBackupRetentionDays: 14 } }), "aurora-maintenance-and-backups")[0]).to.contain(
            "keep at least 14 days of backups",
        );
    });

    it("requires encrypted storage", () => {
        expect(of({ storageEncrypted: false })[0]).to.contain(`${subject} does not encrypt its storage`);
        expect(of({ storageEncrypted: undefined })[0]).to.contain(`${subject} does not encrypt its storage`);
    });

    it("requires the final snapshot", () => {
        expect(of({ skipFinalSnapshot: true })[0]).to.contain(`${subject} skips its final snapshot (skipFinalSnapshot: true)`);
        expect(of({ finalSnapshotIdentifier: undefined })[0]).to.contain(`${subject} has no finalSnapshotIdentifier`);
    });

    it("requires deletion protection in production only", () => {
        expect(of({ deletionProtection: false })).to.deep.equal([
            `${subject} has no deletion protection in production stack "production". Set deletionProtection: true.`,
        ]);
        expect(of({ deletionProtection: false }, "staging")).to.deep.equal([]);
    });
});

describe("policies: network-exposure", () => {
    const of = (r: PolicyInputResource, config?: Record<string, PolicyConfigEntry>) => details(run([r], config), "network-exposure");

    it("rejects public IPs on ECS tasks", () => {
        expect(of(service({ networkConfiguration: { assignPublicIp: true, subnets: ["subnet-a"] } }))[0]).to.contain(
            `service "backend-service" gives its tasks public IPs (networkConfiguration.assignPublicIp: true)`,
        );
    });

    it("rejects the database port open to 0.0.0.0/0 or ::/0 in a security group's ingress", () => {
        expect(of(securityGroup([DB_FROM_BACKEND, { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }]))).to.deep.equal([
            `security group "drydock-production-db" ingress rule #2 has database port 5432 open to 0.0.0.0/0. Allow the database port only from the backend service's security group (sourceSecurityGroupId / referencedSecurityGroupId).`,
        ]);
        expect(of(securityGroup([{ protocol: "tcp", fromPort: 5432, toPort: 5432, ipv6CidrBlocks: ["::/0"] }]))[0]).to.contain("port 5432 open to ::/0");
    });

    it("counts port ranges and all-protocol rules that cover the database port", () => {
        expect(of(securityGroup([{ protocol: "tcp", fromPort: 5000, toPort: 6000, cidrBlocks: ["0.0.0.0/0"] }]))).to.have.length(1);
        expect(of(securityGroup([{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]))).to.have.length(1);
        expect(of(securityGroup([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]))).to.deep.equal([]);
        expect(of(securityGroup([{ protocol: "udp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }]))).to.deep.equal([]);
    });

    it("checks standalone aws.ec2.SecurityGroupRule ingress (not egress)", () => {
        const rule = (type: string) =>
            resource(T.securityGroupRule, "db-open", { type, protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-db" });
        expect(of(rule("ingress"))).to.deep.equal([
            `security group rule "db-open" has database port 5432 open to 0.0.0.0/0. Allow the database port only from the backend service's security group (sourceSecurityGroupId / referencedSecurityGroupId).`,
        ]);
        expect(of(rule("egress"))).to.deep.equal([]);
    });

    it("checks standalone aws.vpc.SecurityGroupIngressRule", () => {
        const rule = (props: Record<string, unknown>) => resource(T.ingressRule, "db-in", { securityGroupId: "sg-db", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, ...props });
        expect(of(rule({ cidrIpv4: "0.0.0.0/0" }))[0]).to.contain(`security group ingress rule "db-in" has database port 5432 open to 0.0.0.0/0`);
        expect(of(rule({ ipProtocol: "-1", fromPort: undefined, toPort: undefined, cidrIpv6: "::/0" }))[0]).to.contain("open to ::/0");
        expect(of(rule({ referencedSecurityGroupId: "sg-backend" }))).to.deep.equal([]);
    });

    it("follows the databasePorts policy config", () => {
        const mysql = securityGroup([{ protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["0.0.0.0/0"] }]);
        expect(of(mysql)).to.deep.equal([]);
        expect(of(mysql, { "network-exposure": { databasePorts: [3306] } })[0]).to.contain("port 3306 open to 0.0.0.0/0");
    });

    it("requires the application load balancer to drop invalid header fields", () => {
        expect(of(loadBalancer({ dropInvalidHeaderFields: false }))).to.deep.equal([
            `load balancer "drydock-production" forwards requests with invalid header fields. Set dropInvalidHeaderFields: true.`,
        ]);
        expect(of(loadBalancer({ dropInvalidHeaderFields: undefined }))).to.have.length(1);
        expect(of(loadBalancer({ loadBalancerType: "network", dropInvalidHeaderFields: undefined }))).to.deep.equal([]);
    });
});

describe("policies: http-redirects-to-https", () => {
    const of = (resources: PolicyInputResource[]) => run(resources).filter((v) => v.policy === "http-redirects-to-https");

    it("rejects a plain-HTTP listener when the stack has an HTTPS listener, naming that listener's URN", () => {
        const http = httpListener({ defaultActions: [FORWARD] });
        const [v, ...rest] = of([httpsListener(), http]);
        expect(rest).to.deep.equal([]);
        expect(v.enforcementLevel).to.equal("mandatory");
        expect(v.urn).to.equal(http.urn);
        expect(v.message).to.contain(`HTTP listener "http" serves plain HTTP although the stack has HTTPS listener "https"`);
    });

    it("rejects a redirect that keeps the protocol", () => {
        expect(of([httpsListener(), httpListener({ defaultActions: [{ type: "redirect", redirect: { protocol: "#{protocol}", statusCode: "HTTP_301" } }] })])).to.have.length(1);
    });

    it("counts a certificate resource as HTTPS being configured", () => {
        const cert = resource(T.certificate, "cert", { domainName: "app.example.com", validationMethod: "DNS" });
        expect(of([cert, httpListener({ defaultActions: [FORWARD] })])[0].message).to.contain(`although the stack has certificate "cert"`);
    });

    it("still rejects the plain-HTTP listener while its load balancer's ARN is unknown (the load balancer is being created)", () => {
        const vs = of([httpsListener(), httpListener({ defaultActions: [FORWARD], loadBalancerArn: unknown.unknownStringValue })]);
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory"]);
    });

    it("treats a listener with no protocol and no certificate as HTTP on any port", () => {
        const vs = of([httpsListener(), httpListener({ defaultActions: [FORWARD], port: 8080, protocol: undefined })]);
        expect(vs).to.have.length(1);
        expect(vs[0].message).to.contain("serves plain HTTP");
    });

    it("allows plain HTTP when the stack has no certificate, and listeners of another load balancer", () => {
        expect(of([httpListener({ defaultActions: [FORWARD] })])).to.deep.equal([]);
        expect(of([httpsListener(), httpListener({ defaultActions: [FORWARD], loadBalancerArn: "arn:alb/other" })])).to.deep.equal([]);
    });
});

describe("policies: values unknown during preview", () => {
    it("judges the requested version when the container definitions are unknown, and says what it could not check", () => {
        const td = taskDefinition({ containerDefinitions: unknown.unknownStringValue, tags: { [REQUESTED_VERSION_TAG]: "latest" } });
        const vs = run([td]);
        expect(vs.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([
            ["production-images-pinned", "mandatory"],
            ["production-images-pinned", "advisory"],
        ]);
        expect(vs[0].message).to.contain(`task definition "drydock-production-backend" is not pinned: "latest" (tag drydock:requested-version) is mutable`);
        expect(vs[1].message).to.equal(
            "can't run policy 'production-images-pinned' from policy pack 'drydock@v0.1.0' during preview: string value at .containerDefinitions can't be known during preview",
        );
    });

    it("reports only the advisory note when the unknown definitions were requested as an exact version", () => {
        const vs = run([taskDefinition({ containerDefinitions: unknown.unknownStringValue })]);
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    });

    it("still judges the requested version when the app container's image is unknown", () => {
        const defs = [container({ image: unknown.unknownStringValue })];
        const vs = run([taskDefinition({ containerDefinitions: JSON.stringify(defs), tags: { [REQUESTED_VERSION_TAG]: "latest" } })]);
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(vs[0].message).to.contain(`task definition "drydock-production-backend" is not pinned: "latest" (tag drydock:requested-version) is mutable`);
    });

    it("checks the other containers when one image is unknown", () => {
        const defs = [container({ image: unknown.unknownStringValue }), { name: "log-router", image: "fluent/fluent-bit:latest" }];
        const vs = run([taskDefinition({ containerDefinitions: JSON.stringify(defs) })]);
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(vs[0].message).to.contain(`container "log-router"`);
        expect(vs[1].message).to.contain("string value at .containerDefinitions.0.image can't be known during preview");
    });

    it("runs the other service checks when the load balancers or the circuit breaker are unknown", () => {
        const vs = run([service({ loadBalancers: unknown.unknownArrayValue, deploymentCircuitBreaker: unknown.unknownObjectValue, healthCheckGracePeriodSeconds: undefined })]);
        const zero = vs.filter((v) => v.policy === "zero-downtime-rolling-updates");
        expect(zero.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(zero[0].message).to.contain("has no healthCheckGracePeriodSeconds");
        expect(zero[1].message).to.contain("can't be known during preview");
    });

    it("runs the other database checks when a window is unknown", () => {
        const d = run([cluster({ preferredMaintenanceWindow: unknown.unknownStringValue, storageEncrypted: false })]).filter(
            (v) => v.policy === "aurora-maintenance-and-backups",
        );
        expect(d.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(d[0].message).to.contain("does not encrypt its storage");
        expect(d[1].message).to.contain("string value at .preferredMaintenanceWindow can't be known during preview");
    });

    it("checks the other ingress rules when one rule's CIDRs are unknown", () => {
        const sg = securityGroup([
            { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: unknown.unknownArrayValue },
            { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] },
        ]);
        const vs = run([sg]).filter((v) => v.policy === "network-exposure");
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(vs[0].message).to.contain("ingress rule #2");
    });

    it("passes unknown numbers and booleans without crashing", () => {
        const vs = run([
            service({ deploymentMinimumHealthyPercent: unknown.unknownNumberValue }),
            loadBalancer({ dropInvalidHeaderFields: unknown.unknownBooleanValue }),
            httpsListener(),
            httpListener({ protocol: unknown.unknownStringValue }),
        ]);
        expect(vs.map((v) => `${v.policy}:${v.enforcementLevel}`)).to.deep.equal([
            "zero-downtime-rolling-updates:advisory",
            "network-exposure:advisory",
            "http-redirects-to-https:advisory",
        ]);
    });
});

describe("policies: evaluatePolicies applies enforcement like CrossGuard", () => {
    const latest = () => withContainer({ image: `${REPO}:latest` });

    it("overrides a policy's level from config (string or object form)", () => {
        expect(run([latest()], { "production-images-pinned": "advisory" })[0].enforcementLevel).to.equal("advisory");
        expect(run([latest()], { "production-images-pinned": { enforcementLevel: "advisory" } })[0].enforcementLevel).to.equal("advisory");
    });

    it("skips disabled policies", () => {
        expect(run([latest()], { "production-images-pinned": { enforcementLevel: "disabled" } })).to.deep.equal([]);
    });

    it("applies `all` to every policy, below a policy's own entry", () => {
        const vs = run([latest(), service({ deploymentMaximumPercent: 100 })], { all: "advisory", "zero-downtime-rolling-updates": "mandatory" });
        expect(vs.map((v) => `${v.policy}:${v.enforcementLevel}`)).to.deep.equal([
            "production-images-pinned:advisory",
            "zero-downtime-rolling-updates:mandatory",
        ]);
    });

    it("reports violations of a remediate-level policy as mandatory", () => {
        expect(run([latest()], { "production-images-pinned": "remediate" })[0].enforcementLevel).to.equal("mandatory");
    });

    it("prefixes each message with the policy description, as CrossGuard prints it", () => {
        const [v] = run([latest()]);
        const own = policies.find((p) => p.name === "production-images-pinned");
        expect(v.message.split("\n")[0]).to.equal(own?.description);
    });

    it("refuses invalid config, naming the key and the bad value", () => {
        expect(() => run([latest()], { "production-images-pinned": "blocking" as PolicyConfigEntry })).to.throw(
            PolicyConfigError,
            `production-images-pinned: enforcementLevel "blocking" is not one of advisory, mandatory, remediate, disabled`,
        );
        expect(() => run([latest()], { "production-images-pinned": { productionStacks: "prod" } })).to.throw(
            PolicyConfigError,
            `production-images-pinned: productionStacks is "prod", expected array`,
        );
        expect(() => run([latest()], { "aurora-maintenance-and-backups": { minimumWindowMinutes: 10 } })).to.throw(
            PolicyConfigError,
            "aurora-maintenance-and-backups: minimumWindowMinutes is 10, expected at least 30",
        );
    });

    it("gives getConfig the schema defaults overlaid with the config, and asType the proxied props", () => {
        const seen: unknown[] = [];
        const probe: ResourceValidationPolicy = {
            name: "probe",
            description: "probe",
            configSchema: { properties: { limit: { type: "integer", default: 3 }, label: { type: "string", default: "x" } } },
            validateResource: (args, report) => {
                seen.push(args.getConfig());
                if (args.isType(Object as never)) report("never");
                report(`${args.type} ${args.name}`);
            },
        };
        const list: Policies = [probe];
        const vs = evaluatePolicies([targetGroup()], { policies: list, config: { probe: { limit: 5 } } });
        expect(seen).to.deep.equal([{ limit: 5, label: "x" }]);
        expect(vs).to.deep.equal([
            { policy: "probe", enforcementLevel: "advisory", urn: targetGroup().urn, message: "probe\naws:lb/targetGroup:TargetGroup backend-tg" },
        ]);
    });

    it("fails loudly when a policy throws anything but an unknown value", () => {
        const broken: ResourceValidationPolicy = {
            name: "broken",
            description: "broken",
            validateResource: () => {
                throw new TypeError("boom");
            },
        };
        expect(() => evaluatePolicies([targetGroup()], { policies: [broken] })).to.throw(/Error validating resource urn:pulumi:.* with policy 'broken'.*boom/s);
    });

    it("unwraps secrets the way CrossGuard deserializes them", () => {
        const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
        expect(details(run([cluster({ storageEncrypted: secret(false) })]), "aurora-maintenance-and-backups")[0]).to.contain("does not encrypt its storage");
        expect(run([cluster({ storageEncrypted: secret(true) })])).to.deep.equal([]);
    });
});

// --- the evaluator against CrossGuard's own analyzer ------------------------------------------------

/** The gRPC handlers @pulumi/policy serves to the Pulumi engine (internal exports of server.js). */
type RpcHandler = (call: { request: unknown }, callback: (err: unknown, resp?: AnalyzeResponse) => void) => Promise<void>;
interface AnalyzeResponse {
    getDiagnosticsList(): { getPolicyname(): string; getEnforcementlevel(): number; getUrn(): string; getMessage(): string }[];
}
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun(pack: string, version: string, level: string, policies: Policies): RpcHandler;
    makeAnalyzeStackRpcFun(pack: string, version: string, level: string, policies: Policies): RpcHandler;
};
type ProtoMessage = Record<string, (...args: unknown[]) => unknown>;
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb") as Record<string, new () => ProtoMessage> & { EnforcementLevel: Record<string, number> };
const structProto = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: unknown): unknown } };

function protoResource<M extends ProtoMessage>(message: M, r: PolicyInputResource): M {
    message.setType(r.type);
    message.setUrn(r.urn);
    message.setName(r.name);
    // JSON round trip: the wire has no undefined values.
    message.setProperties(structProto.Struct.fromJavaScript(JSON.parse(JSON.stringify(r.props))));
    message.setOptions(new analyzerProto.AnalyzerResourceOptions());
    return message;
}

/** Runs `resources` through CrossGuard's analyzer (analyze per resource, then analyzeStack). */
async function crossGuard(resources: PolicyInputResource[]): Promise<Violation[]> {
    const levels = Object.fromEntries(Object.entries(analyzerProto.EnforcementLevel).map(([k, v]) => [v, k.toLowerCase()]));
    const version = policyPackVersion();
    const call = (rpc: RpcHandler, request: unknown) =>
        new Promise<AnalyzeResponse>((resolve, reject) => void rpc({ request }, (err, resp) => (err ? reject(err) : resolve(resp as AnalyzeResponse))));
    const collect = (resp: AnalyzeResponse, urn?: string): Violation[] =>
        resp.getDiagnosticsList().map((d) => {
            const target = d.getUrn() || urn;
            return { policy: d.getPolicyname(), enforcementLevel: levels[d.getEnforcementlevel()], ...(target ? { urn: target } : {}), message: d.getMessage() } as Violation;
        });
    const out: Violation[] = [];
    const analyze = server.makeAnalyzeRpcFun("drydock", version, "advisory", policies);
    for (const r of resources) out.push(...collect(await call(analyze, protoResource(new analyzerProto.AnalyzeRequest(), r)), r.urn));
    const stackRequest = new analyzerProto.AnalyzeStackRequest();
    stackRequest.setResourcesList(resources.map((r) => protoResource(new analyzerProto.AnalyzerResource(), r)));
    out.push(...collect(await call(server.makeAnalyzeStackRpcFun("drydock", version, "advisory", policies), stackRequest)));
    return out;
}

describe("policies: evaluatePolicies matches CrossGuard's own analyzer", () => {
    const corpus = (stack: string): PolicyInputResource[] => [
        ...passingStack(stack),
        withContainer({ image: `${REPO}:latest` }, stack),
        withContainer({ image: REPO }, stack),
        withContainer({ image: `${REPO}@${DIGEST}`, version: "latest" }, stack, "latest"),
        taskDefinition({ containerDefinitions: unknown.unknownStringValue, tags: { [REQUESTED_VERSION_TAG]: "v1" } }, stack),
        service({ deploymentMinimumHealthyPercent: 50, deploymentCircuitBreaker: unknown.unknownObjectValue, networkConfiguration: { assignPublicIp: true, subnets: [] } }, stack),
        targetGroup({ healthCheck: { enabled: false } }),
        cluster({ preferredBackupWindow: "05:30-06:30", backupRetentionPeriod: 1, deletionProtection: false, skipFinalSnapshot: true }, stack),
        securityGroup([{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]),
        loadBalancer({ dropInvalidHeaderFields: false }),
        listener("http-2", { port: 80, protocol: "HTTP", defaultActions: [FORWARD] }),
    ];

    for (const stack of ["production", "staging"]) {
        it(`reports the same violations, levels and messages on a ${stack} stack`, async () => {
            const expected = await crossGuard(corpus(stack));
            expect(expected.length).to.be.greaterThan(10);
            expect(evaluatePolicies(corpus(stack))).to.deep.equal(expected);
        });
    }
});
