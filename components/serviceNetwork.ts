/**
 * A service's network rules: its tasks' security group with the egress they need, and security-group-to-group
 * rules (no CIDR) for the load balancer → tasks and tasks → database paths.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One allowed TCP path between two security groups. */
export interface TrafficRule {
    from: pulumi.Input<string>;
    to: pulumi.Input<string>;
    port: pulumi.Input<number>;
    /** The rules' description, e.g. `load balancer to backend`. */
    what: string;
}

/**
 * Allows TCP `port` from one security group to another: an egress rule on the source and an ingress rule on the
 * target, both referencing the other group — no CIDR. `opts` are the options of both rules (parent, aliases).
 */
export function allowTraffic(
    name: string,
    p: TrafficRule,
    tags: Record<string, string>,
    opts: (child: string, type: string) => pulumi.CustomResourceOptions,
): void {
    const common = { ipProtocol: "tcp", fromPort: p.port, toPort: p.port, description: p.what, tags };
    const ingress = `${name}-in`;
    const egress = `${name}-out`;
    new aws.vpc.SecurityGroupIngressRule(
        ingress,
        { securityGroupId: p.to, referencedSecurityGroupId: p.from, ...common },
        opts(ingress, INGRESS_TYPE),
    );
    new aws.vpc.SecurityGroupEgressRule(
        egress,
        { securityGroupId: p.from, referencedSecurityGroupId: p.to, ...common },
        opts(egress, EGRESS_TYPE),
    );
}

const INGRESS_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS_TYPE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

export interface TaskNetworkArgs {
    service: string;
    vpcId: pulumi.Input<string>;
    /** Admitted from the load balancer on this port when the service has a route (the route adds that rule). */
    containerPort: number;
    loadBalanced: boolean;
    database?: { securityGroupId: pulumi.Input<string>; port: pulumi.Input<number> };
    internetEgressPorts: number[];
}

/** The tasks' security group: nothing in but what a route admits; out to the database and the internet ports. */
export function createTaskSecurityGroup(
    name: string,
    a: TaskNetworkArgs,
    tags: Record<string, string>,
    parent: pulumi.Resource,
): aws.ec2.SecurityGroup {
    const child = { parent };
    const sg = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: a.vpcId,
            description: a.loadBalanced
                ? `drydock ${a.service}: from the load balancer on ${a.containerPort} only`
                : `drydock ${a.service}: no inbound traffic`,
            tags,
        },
        child,
    );
    if (a.database) {
        allowTraffic(
            `${name}-to-db`,
            { from: sg.id, to: a.database.securityGroupId, port: a.database.port, what: `${a.service} to the database` },
            tags,
            () => child,
        );
    }
    for (const port of a.internetEgressPorts) {
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-out-${port}`,
            {
                securityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                cidrIpv4: "0.0.0.0/0",
                description: "outbound through NAT: ECR, CloudWatch Logs, Secrets Manager, ECS Exec",
                tags,
            },
            child,
        );
    }
    return sg;
}
