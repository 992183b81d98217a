/**
 * `security-group-rules-exposure`: standalone ingress rules of one security group, taken together.
 *
 * `network-exposure` judges each resource on its own CIDR blocks. Two standalone rules of the same group,
 * one allowing `0.0.0.0/1` and the other `128.0.0.0/1`, each look harmless and together open the port to
 * the whole internet. Only a stack policy sees both, so this one groups `aws.ec2.SecurityGroupRule`
 * (ingress) and `aws.vpc.SecurityGroupIngressRule` resources by their `securityGroupId` and judges the union
 * per port, as exposure.ts does for a group's inline rules. A rule whose group id is not known yet (a group
 * created in the same preview) cannot be paired and is left to `network-exposure`; after the update the
 * ids are known and the pack runs again.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_DATABASE_PORTS, NetworkConfig, networkConfigSchema } from "../config";
import { SubChecks, q } from "./common";
import { IngressView, beyondPublicPorts, describePorts, exposedDatabasePorts, worldExposures } from "./exposure";

const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/** A standalone rule as a view with its group, or undefined when it is not an ingress rule with a known group. */
function viewOf(r: PolicyResource, checks: SubChecks): { group: string; view: IngressView } | undefined {
    return checks.read(() => {
        const p = r.props;
        const group = p["securityGroupId"];
        if (typeof group !== "string" || group === "") return undefined;
        const label = `${q(r.name)}`;
        if (r.type === SECURITY_GROUP_RULE) {
            if (p["type"] !== "ingress") return undefined;
            const cidrs = [
                ...(Array.isArray(p["cidrBlocks"]) ? p["cidrBlocks"] : []),
                ...(Array.isArray(p["ipv6CidrBlocks"]) ? p["ipv6CidrBlocks"] : []),
            ];
            return { group, view: { label, protocol: p["protocol"], fromPort: p["fromPort"], toPort: p["toPort"], cidrs } };
        }
        if (r.type === INGRESS_RULE) {
            return {
                group,
                view: {
                    label,
                    protocol: p["ipProtocol"],
                    fromPort: p["fromPort"],
                    toPort: p["toPort"],
                    cidrs: [p["cidrIpv4"], p["cidrIpv6"]],
                },
            };
        }
        return undefined;
    }, undefined);
}

/** Mandatory: standalone rules of one group do not open the internet together what none opens alone. */
export const securityGroupRulesExposure: StackValidationPolicy = {
    name: "security-group-rules-exposure",
    description:
        "Standalone ingress rules of one security group, taken together, open nothing but TCP 80/443 to the internet (and no database port).",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: networkConfigSchema,
    remediationSteps: [
        "Rules such as 0.0.0.0/1 and 128.0.0.0/1 on the same group cover every address: together they are 0.0.0.0/0.",
        "Allow the port from a security group (referencedSecurityGroupId / sourceSecurityGroupId) or from the CIDR blocks that need it.",
    ].join("\n"),
    validateStack: (args, report) => {
        const checks = new SubChecks();
        const config = args.getConfig<Partial<NetworkConfig>>();
        const databasePorts = Array.isArray(config.databasePorts) ? config.databasePorts : DEFAULT_DATABASE_PORTS;
        const byGroup = new Map<string, { views: IngressView[]; resources: Map<string, PolicyResource> }>();
        for (const r of args.resources) {
            const v = viewOf(r, checks);
            if (v === undefined) continue;
            const entry = byGroup.get(v.group) ?? { views: [] as IngressView[], resources: new Map<string, PolicyResource>() };
            entry.views.push(v.view);
            entry.resources.set(v.view.label, r);
            byGroup.set(v.group, entry);
        }
        for (const [group, { views, resources }] of byGroup) {
            if (views.length < 2) continue; // one rule alone is network-exposure's
            for (const e of worldExposures(views)) {
                if (e.rules.length < 2) continue; // a single rule's own exposure is reported by network-exposure
                const db = exposedDatabasePorts(e, databasePorts);
                const what =
                    db.length > 0
                        ? `database port${db.length > 1 ? "s" : ""} ${db.join(", ")}`
                        : beyondPublicPorts(e)
                          ? describePorts(e)
                          : undefined;
                if (what === undefined) continue;
                report(
                    `security group ${q(group)}: standalone rules ${e.rules.join(", ")} together open ${what} to the internet (${e.cidrs.join(", ")}). ` +
                        "Allow it from a security group or from the CIDR blocks that need it.",
                    resources.get(e.rules[0])?.urn,
                );
            }
        }
        checks.done();
    },
};
