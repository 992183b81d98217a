// awsx's ec2 part only: the package index also loads classic/, ecs/ and lb/, and through them the AWS SDK
// (about a fifth of `drydock check`'s start-up), none of which drydock uses.
import * as ec2 from "@pulumi/awsx/ec2";
const awsx = { ec2 };
import * as pulumi from "@pulumi/pulumi";
import { defaultOf } from "../configSchema";
import { definedOnly, requireInSchemaRange } from "./validate";

/** How many NAT gateways a new VPC gets: one shared (cheaper) or one per availability zone (survives a zone outage). */
export type NatGatewayStrategy = "Single" | "OnePerAz";

/** A VPC that already exists, with its subnets. */
export interface ExistingNetworkArgs {
    /** The VPC id, e.g. `vpc-0abc…`. */
    vpcId: pulumi.Input<string>;
    /** Public subnets (route to an internet gateway) for the load balancer; at least 2, in different zones. */
    publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Private subnets (route to a NAT gateway) for the tasks and the database; at least 2, in different zones. */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
}

export interface NetworkArgs {
    /**
     * Use this existing VPC and its subnets instead of creating one. Conflicts with `availabilityZones`,
     * `natGateways` and `cidrBlock`, which only shape a new VPC.
     * @default undefined — a new VPC is created with awsx
     */
    existing?: ExistingNetworkArgs;
    /**
     * Availability zones of a new VPC, each with one public and one private subnet.
     * @default 2
     */
    availabilityZones?: number;
    /**
     * NAT gateways of a new VPC.
     * @default "Single"
     * @example "OnePerAz" // production: losing one zone does not cut the others off the internet
     */
    natGateways?: NatGatewayStrategy;
    /**
     * CIDR block of a new VPC.
     * @default "10.0.0.0/16"
     */
    cidrBlock?: string;
    /** Tags for the VPC and its children. @default {} */
    tags?: Record<string, string>;
}

/**
 * Where everything runs: the load balancer in public subnets, tasks and the database in private subnets.
 *
 * Creates an `awsx.ec2.Vpc` across `availabilityZones` zones, or passes an existing VPC through. awsx is a remote
 * component, so its children are invisible under mocks; the existing-VPC path is how tests exercise the rest.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    /** Subnets for the internet-facing load balancer. */
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Subnets for tasks and the database (no public IPs). */
    readonly privateSubnetIds: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("drydock:components:Network", name, {}, opts);
        const where = `Network "${name}"`;

        if (args.existing) {
            const conflicting = (["availabilityZones", "natGateways", "cidrBlock"] as const).filter((k) => args[k] !== undefined);
            if (conflicting.length > 0) {
                throw new Error(
                    `${where}: "existing" conflicts with ${conflicting.map((k) => `"${k}"`).join(", ")}; those only shape a new VPC — pass one or the other`,
                );
            }
            requireTwoSubnets(where, "existing.publicSubnetIds", args.existing.publicSubnetIds);
            requireTwoSubnets(where, "existing.privateSubnetIds", args.existing.privateSubnetIds);
            this.vpcId = pulumi.output(args.existing.vpcId);
            this.publicSubnetIds = pulumi.output(args.existing.publicSubnetIds);
            this.privateSubnetIds = pulumi.output(args.existing.privateSubnetIds);
        } else {
            const a = {
                availabilityZones: defaultOf<number>("availabilityZones"),
                natGateways: "Single" as NatGatewayStrategy,
                cidrBlock: defaultOf("vpcCidr"),
                tags: {},
                ...definedOnly(args),
            };
            requireInSchemaRange(where, "availabilityZones", a.availabilityZones, "availabilityZones", {
                why: "an ALB and Aurora need at least two zones",
            });
            if (a.natGateways !== "Single" && a.natGateways !== "OnePerAz") {
                throw new Error(`${where}: natGateways = ${JSON.stringify(a.natGateways)} is not accepted; use "Single" or "OnePerAz"`);
            }
            const vpc = new awsx.ec2.Vpc(
                `${name}-vpc`,
                {
                    cidrBlock: a.cidrBlock,
                    numberOfAvailabilityZones: a.availabilityZones,
                    natGateways: { strategy: a.natGateways },
                    subnetStrategy: "Auto",
                    subnetSpecs: [{ type: "Public" }, { type: "Private" }],
                    enableDnsHostnames: true,
                    enableDnsSupport: true,
                    tags: a.tags,
                },
                { parent: this },
            );
            this.vpcId = vpc.vpcId;
            this.publicSubnetIds = vpc.publicSubnetIds;
            this.privateSubnetIds = vpc.privateSubnetIds;
        }

        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
    }
}

/** Checks a subnet list that is known now (a plain array); lists that are still Outputs are checked by AWS. */
function requireTwoSubnets(where: string, arg: string, ids: pulumi.Input<pulumi.Input<string>[]>): void {
    if (Array.isArray(ids) && ids.length < 2) {
        throw new Error(
            `${where}: ${arg} has ${ids.length} subnet(s); give at least 2 in different availability zones (an ALB and Aurora need two zones)`,
        );
    }
}
