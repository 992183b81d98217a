/**
 * What the mock cloud answers: realistic computed outputs per resource type (ids, ARNs, names, endpoints) and
 * the provider functions drydock calls (ECR image digests, region, account, partition, availability zones).
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { plain } from "./mockMonitor";
import { MOCK_ACCOUNT_ID } from "./mockTypes";

/** A short stable hex string for ids. */
function shortHash(...parts: string[]): string {
    return crypto.createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 17);
}

function str(v: unknown, fallback: string): string {
    return typeof v === "string" && v !== "" ? v : fallback;
}

/** What a state function gets: the registration, its plain inputs, a hash, the region, account and an automatic name. */
interface StateContext {
    args: pulumi.runtime.MockResourceArgs;
    inputs: Record<string, unknown>;
    h: string;
    region: string;
    acct: string;
    autoName: string;
}

/** Computed outputs (and the id) of one resource type. */
type StateOf = (c: StateContext) => { id: string; extra: Record<string, unknown> };

function loadBalancerState({ region, acct, autoName, h }: StateContext): ReturnType<StateOf> {
    const lbName = autoName.slice(0, 32);
    const suffix = `app/${lbName}/${h.slice(0, 16)}`;
    const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:loadbalancer/${suffix}`;
    return {
        id: arn,
        extra: {
            arn,
            arnSuffix: suffix,
            name: lbName,
            dnsName: `${lbName}-1234567890.${region}.elb.amazonaws.com`,
            zoneId: "Z35SXDOTRQ7X7K",
        },
    };
}

function targetGroupState({ region, acct, autoName, h }: StateContext): ReturnType<StateOf> {
    const tgName = autoName.slice(0, 32);
    const suffix = `targetgroup/${tgName}/${h.slice(0, 16)}`;
    const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:${suffix}`;
    return { id: arn, extra: { arn, arnSuffix: suffix, name: tgName } };
}

function rdsClusterState({ inputs, region, acct, autoName, h }: StateContext): ReturnType<StateOf> {
    const id = str(inputs.clusterIdentifier, autoName);
    const host = `${id}.cluster-${h.slice(0, 12)}.${region}.rds.amazonaws.com`;
    const secret = {
        secretArn: `arn:aws:secretsmanager:${region}:${acct}:secret:rds!cluster-${h}-AbCdEf`,
        kmsKeyId: `arn:aws:kms:${region}:${acct}:key/${h}`,
        secretStatus: "active",
    };
    return {
        id,
        extra: {
            arn: `arn:aws:rds:${region}:${acct}:cluster:${id}`,
            clusterIdentifier: id,
            clusterResourceId: `cluster-${h.toUpperCase()}`,
            endpoint: host,
            readerEndpoint: host.replace(".cluster-", ".cluster-ro-"),
            port: typeof inputs.port === "number" ? inputs.port : 5432,
            masterUserSecrets: inputs.manageMasterUserPassword === true ? [secret] : [],
        },
    };
}

function vpcState({ args, inputs, h }: StateContext): ReturnType<StateOf> {
    const azs = typeof inputs.numberOfAvailabilityZones === "number" ? inputs.numberOfAvailabilityZones : 3;
    const ids = (kind: string) => Array.from({ length: azs }, (_, i) => `subnet-${shortHash(args.name, kind, String(i))}`);
    return {
        id: `${args.name}`,
        extra: { vpcId: `vpc-${h}`, publicSubnetIds: ids("public"), privateSubnetIds: ids("private"), isolatedSubnetIds: [] },
    };
}

const securityGroupRule: StateOf = ({ region, acct, h }) => ({
    id: `sgr-${h}`,
    extra: { arn: `arn:aws:ec2:${region}:${acct}:security-group-rule/sgr-${h}`, securityGroupRuleId: `sgr-${h}` },
});
const listener: StateOf = ({ args, region, acct, h }) => {
    const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:listener/app/${args.name}/${h}`;
    return { id: arn, extra: { arn } };
};
const arnNamed =
    (arnOf: (c: StateContext) => string): StateOf =>
    (c) => ({ id: c.autoName, extra: { arn: arnOf(c), name: c.autoName } });
const ecsNamed =
    (kind: string): StateOf =>
    ({ region, acct, autoName }) => {
        const arn = `arn:aws:ecs:${region}:${acct}:${kind}/${autoName}`;
        return { id: arn, extra: { arn, name: autoName } };
    };

/** Computed outputs per resource type; anything not listed gets an id (and, if custom, an arn and a name). */
const STATES: Record<string, StateOf> = {
    "awsx:ec2:Vpc": vpcState,
    "aws:ec2/securityGroup:SecurityGroup": ({ region, acct, autoName, h }) => ({
        id: `sg-${h}`,
        extra: { arn: `arn:aws:ec2:${region}:${acct}:security-group/sg-${h}`, name: autoName, ownerId: acct },
    }),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRule,
    "aws:lb/loadBalancer:LoadBalancer": loadBalancerState,
    "aws:lb/targetGroup:TargetGroup": targetGroupState,
    "aws:lb/listener:Listener": listener,
    "aws:lb/listenerRule:ListenerRule": listener,
    "aws:ecs/cluster:Cluster": ecsNamed("cluster"),
    "aws:ecs/service:Service": ecsNamed("service"),
    "aws:ecs/taskDefinition:TaskDefinition": ({ args, inputs, region, acct }) => {
        const family = str(inputs.family, args.name);
        const arnWithoutRevision = `arn:aws:ecs:${region}:${acct}:task-definition/${family}`;
        return { id: family, extra: { arn: `${arnWithoutRevision}:1`, arnWithoutRevision, revision: 1 } };
    },
    "aws:iam/role:Role": ({ acct, autoName, h }) => ({
        id: autoName,
        extra: { arn: `arn:aws:iam::${acct}:role/${autoName}`, name: autoName, uniqueId: `AROA${h.toUpperCase()}` },
    }),
    "aws:iam/rolePolicy:RolePolicy": ({ inputs, autoName }) => ({
        id: `${str(inputs.role, "role")}:${autoName}`,
        extra: { name: autoName },
    }),
    "aws:cloudwatch/logGroup:LogGroup": arnNamed(({ region, acct, autoName }) => `arn:aws:logs:${region}:${acct}:log-group:${autoName}`),
    "aws:cloudwatch/metricAlarm:MetricAlarm": arnNamed(
        ({ region, acct, autoName }) => `arn:aws:cloudwatch:${region}:${acct}:alarm:${autoName}`,
    ),
    "aws:rds/cluster:Cluster": rdsClusterState,
    "aws:rds/clusterInstance:ClusterInstance": ({ inputs, region, acct, autoName, h }) => {
        const id = str(inputs.identifier, autoName);
        return {
            id,
            extra: {
                arn: `arn:aws:rds:${region}:${acct}:db:${id}`,
                identifier: id,
                endpoint: `${id}.${h.slice(0, 12)}.${region}.rds.amazonaws.com`,
            },
        };
    },
    "aws:rds/subnetGroup:SubnetGroup": arnNamed(({ region, acct, autoName }) => `arn:aws:rds:${region}:${acct}:subgrp:${autoName}`),
    "aws:appautoscaling/target:Target": ({ args, inputs, region, acct, h }) => ({
        id: `${str(inputs.serviceNamespace, "ecs")}/${str(inputs.resourceId, args.name)}`,
        extra: { arn: `arn:aws:application-autoscaling:${region}:${acct}:scalable-target/${h}` },
    }),
};

/** The mock's answer to a registration: an id and the inputs plus the type's computed outputs. */
export function newResourceState(args: pulumi.runtime.MockResourceArgs, region: string): pulumi.runtime.MockResourceResult {
    const inputs = plain(args.inputs) as Record<string, unknown>;
    const h = shortHash(args.type, args.name);
    const acct = MOCK_ACCOUNT_ID;
    const context: StateContext = { args, inputs, h, region, acct, autoName: str(inputs.name, `${args.name}-${h.slice(0, 7)}`) };
    const stateOf: StateOf =
        STATES[args.type] ??
        (() => ({
            id: `${args.name}-${h.slice(0, 8)}`,
            extra: args.custom ? { arn: `arn:aws:mock:${region}:${acct}:${args.name}`, name: context.autoName } : {},
        }));
    const { id, extra } = stateOf(context);
    return { id, state: { ...inputs, ...extra } };
}

function ecrImage(
    inputs: Record<string, unknown>,
    region: string,
    imageDigest: (repositoryName: string, tag: string) => string,
): Record<string, unknown> {
    const repositoryName = str(inputs.repositoryName, "");
    const registryId = str(inputs.registryId, MOCK_ACCOUNT_ID);
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

/** Answers the provider functions drydock uses; anything else fails loudly so a missing mock is noticed. */
export function answerCall(
    token: string,
    inputs: Record<string, unknown>,
    region: string,
    imageDigest: (repositoryName: string, tag: string) => string,
): Record<string, unknown> {
    const acct = MOCK_ACCOUNT_ID;
    switch (token) {
        case "aws:ecr/getImage:getImage":
            return ecrImage(inputs, region, imageDigest);
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
            throw new Error(`mock cloud has no answer for the provider function "${token}"; add one in offline/mockResources.ts`);
    }
}
