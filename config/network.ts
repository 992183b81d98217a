/** Network keys: an existing VPC and its subnets, or the shape of a new VPC. */
import type { Reader } from "./reader";
import type { Settings } from "./types";

function readSubnets(r: Reader, vpcId: string | undefined, key: "publicSubnetIds" | "privateSubnetIds"): string[] {
    const ids = r.list(key);
    if (vpcId !== undefined && ids.length < 2) {
        r.problem(key, JSON.stringify(ids), "with vpcId set, list at least 2 subnets in different availability zones");
    }
    if (vpcId === undefined && ids.length > 0) {
        r.problem(key, JSON.stringify(ids), "subnets are only used with an existing vpcId; set vpcId or remove this key");
    }
    for (const id of ids) {
        if (!/^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(id))
            r.problem(key, id, "not a subnet id; accepted: subnet- followed by 8 or 17 hex digits");
    }
    return ids;
}

export function readNetwork(r: Reader): Settings["network"] {
    const vpcId = r.optional("vpcId");
    if (vpcId !== undefined && !/^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(vpcId)) {
        r.problem("vpcId", vpcId, "not a VPC id; accepted: vpc- followed by 8 or 17 hex digits, or empty to create a VPC");
    }
    const publicSubnetIds = readSubnets(r, vpcId, "publicSubnetIds");
    const privateSubnetIds = readSubnets(r, vpcId, "privateSubnetIds");
    const cidr = r.string("vpcCidr").trim();
    if (
        !/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/.test(cidr) ||
        cidr
            .split("/")[0]
            .split(".")
            .some((o) => Number(o) > 255)
    ) {
        r.problem("vpcCidr", cidr, "not an IPv4 CIDR block; accepted: a.b.c.d/16 to /24, e.g. 10.0.0.0/16");
    }
    const availabilityZones = r.integer("availabilityZones");
    const natGateways = r.oneOf<Settings["network"]["natGateways"]>("natGateways");
    return { vpcId, publicSubnetIds, privateSubnetIds, cidr, availabilityZones, natGateways };
}
