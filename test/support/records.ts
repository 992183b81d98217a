/** Small readers over what the mock cloud recorded. */
import * as pulumi from "@pulumi/pulumi";
import type { MockCloud, RecordedResource } from "../../offline/mockCloud";

export const T = {
    vpc: "awsx:ec2:Vpc",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    rule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    ecsCluster: "aws:ecs/cluster:Cluster",
    service: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    scalingTarget: "aws:appautoscaling/target:Target",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsInstance: "aws:rds/clusterInstance:ClusterInstance",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
} as const;

/** The one recorded resource of `type` named `name`; fails clearly when missing. */
export function one(cloud: MockCloud, type: string, name: string): RecordedResource {
    const found = cloud.byType(type).filter((r) => r.name === name);
    if (found.length !== 1) {
        const names =
            cloud
                .byType(type)
                .map((r) => r.name)
                .join(", ") || "none";
        throw new Error(`expected one ${type} named "${name}", found ${found.length} (recorded: ${names})`);
    }
    return found[0];
}

/** Recorded resources of `type` whose parent is the component named `component`. */
export function childrenOf(cloud: MockCloud, type: string, component: string): RecordedResource[] {
    return cloud.byType(type).filter((r) => r.parent?.endsWith(`::${component}`));
}

export interface ContainerDef {
    name: string;
    image: string;
    environment: { name: string; value: string }[];
    secrets: { name: string; valueFrom: string }[];
    dockerLabels: Record<string, string>;
    portMappings: { containerPort: number }[];
    logConfiguration: { logDriver: string; options: Record<string, string> };
    linuxParameters?: { initProcessEnabled?: boolean };
}

/** The containers of a recorded task definition. */
export function containers(td: RecordedResource): ContainerDef[] {
    return JSON.parse(String(td.inputs.containerDefinitions)) as ContainerDef[];
}

export interface PolicyStatement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
}

/** The statements of a recorded inline role policy. */
export function statements(policy: RecordedResource): PolicyStatement[] {
    return (JSON.parse(String(policy.inputs.policy)) as { Statement: PolicyStatement[] }).Statement;
}

export function asList(v: string | string[]): string[] {
    return Array.isArray(v) ? v : [v];
}

/** Resolves an Output's value; fails instead of hanging when it never resolves. */
export function promiseOf<T>(output: pulumi.Output<T>, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`output did not resolve within ${timeoutMs} ms`)), timeoutMs);
        output.apply((v) => {
            clearTimeout(timer);
            resolve(v);
            return v;
        });
    });
}
