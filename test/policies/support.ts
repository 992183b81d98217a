/**
 * Shared by the policy specs (one spec per rule file in policies/rules/): passing resources that every
 * case changes in one field, and `run`/`details` to read the violation messages.
 */
import * as path from "node:path";
import { PolicyConfigEntry, PolicyInputResource, Violation, evaluatePolicies } from "../../policies/evaluate";
import { REQUESTED_VERSION_TAG, VERSION_ENV, VERSION_LABEL } from "../../policies/rules/images";

// @pulumi/policy's own placeholders for values that are unknown during preview (what the engine sends).
export const unknown = require("@pulumi/policy/proxy") as {
    unknownStringValue: string;
    unknownNumberValue: string;
    unknownBooleanValue: string;
    unknownArrayValue: string;
    unknownObjectValue: string;
};

export const ROOT = path.join(__dirname, "..", "..");
export const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-production";
export const DIGEST = `sha256:${"ab".repeat(32)}`;

export const T = {
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

export function resource(type: string, name: string, props: Record<string, unknown>, stack = "production"): PolicyInputResource {
    return { type, name, urn: `urn:pulumi:${stack}::drydock::drydock:index:Tier$${type}::${name}`, props };
}

export function run(resources: PolicyInputResource[], config?: Record<string, PolicyConfigEntry>): Violation[] {
    return evaluatePolicies(resources, config ? { config } : {});
}

/** The detail lines (after the description) of one policy's violations. */
export function details(violations: Violation[], policy: string): string[] {
    return violations.filter((v) => v.policy === policy).map((v) => v.message.split("\n").slice(1).join("\n"));
}

// --- passing resources: every case below changes one field --------------------------------------

export interface ContainerOverrides {
    image?: string;
    version?: string;
    label?: string;
    name?: string;
}

export function container(o: ContainerOverrides = {}): Record<string, unknown> {
    const version = o.version ?? "v1.2.3";
    return {
        name: o.name ?? "backend",
        image: o.image ?? `${REPO}@${DIGEST}`, // production runs images by digest (pinDigests)
        essential: true,
        environment: [
            { name: "DATABASE_HOST", value: "db.internal" },
            { name: VERSION_ENV, value: version },
        ],
        dockerLabels: { [VERSION_LABEL]: o.label ?? version },
    };
}

export function taskDefinition(props: Record<string, unknown> = {}, stack = "production"): PolicyInputResource {
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

export function withContainer(o: ContainerOverrides, stack = "production", tag = "v1.2.3"): PolicyInputResource {
    return taskDefinition({ containerDefinitions: JSON.stringify([container(o)]), tags: { [REQUESTED_VERSION_TAG]: tag } }, stack);
}

export function service(props: Record<string, unknown> = {}, stack = "production"): PolicyInputResource {
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

export function targetGroup(props: Record<string, unknown> = {}, type = T.targetGroup): PolicyInputResource {
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

export function healthCheck(hc: Record<string, unknown>): PolicyInputResource {
    return targetGroup({ healthCheck: { enabled: true, path: "/api/v1/utils/health-check/", matcher: "200", ...hc } });
}

export function cluster(props: Record<string, unknown> = {}, stack = "production"): PolicyInputResource {
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

export function securityGroup(ingress: Record<string, unknown>[]): PolicyInputResource {
    return resource(T.securityGroup, "database-sg", { name: "drydock-production-db", vpcId: "vpc-1", ingress });
}

export const DB_FROM_BACKEND = { protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-backend"] };

export function loadBalancer(props: Record<string, unknown> = {}): PolicyInputResource {
    return resource(T.loadBalancer, "alb", {
        name: "drydock-production",
        loadBalancerType: "application",
        internal: false,
        dropInvalidHeaderFields: true,
        ...props,
    });
}

export const REDIRECT = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
export const FORWARD = { type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:tg/frontend" };

export function listener(name: string, props: Record<string, unknown>): PolicyInputResource {
    return resource(T.listener, name, { loadBalancerArn: "arn:alb/1", ...props });
}

export const httpsListener = () =>
    listener("https", { port: 443, protocol: "HTTPS", certificateArn: "arn:aws:acm:cert/1", defaultActions: [FORWARD] });
export const httpListener = (props: Record<string, unknown> = {}) =>
    listener("http", { port: 80, protocol: "HTTP", defaultActions: [REDIRECT], ...props });

export function passingStack(stack = "production"): PolicyInputResource[] {
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
