/**
 * Network exposure: only the load balancer faces the internet, and only over sane HTTP.
 *
 * - ECS tasks get no public IP: they sit in private subnets behind the load balancer.
 * - Nothing but the load balancer's TCP 80 and 443 is open to the internet, and no database port (PostgreSQL
 *   5432, configurable) — whether in a security group's inline ingress, an `aws.ec2.SecurityGroupRule` or an
 *   `aws.vpc.SecurityGroupIngressRule`. The internet is judged on the union of a group's CIDR blocks, IPv4
 *   and IPv6 (`0.0.0.0/1` + `128.0.0.0/1` is the world), see exposure.ts.
 * - Database instances are not publicly accessible; `assignPublicIp` and `publiclyAccessible` are read as
 *   the provider coerces them (`"true"` is true).
 * - Application load balancers drop invalid header fields (request-smuggling defence).
 * - With HTTPS configured, plain HTTP only redirects to HTTPS. Whether HTTPS is configured is a fact
 *   about the whole stack (a listener with a certificate, or a certificate resource), so this part
 *   is a stack policy of its own: `http-redirects-to-https`.
 */
import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { DEFAULT_DATABASE_PORTS, NetworkConfig, networkConfigSchema } from "../config";
import { SubChecks, asRecord, displayName, isUnknownValueError, nonEmpty, q } from "./common";
import { IngressView, beyondPublicPorts, describePorts, describeRules, exposedDatabasePorts, worldExposures } from "./exposure";

type ServiceInputs = Partial<Unwrap<aws.ecs.ServiceArgs>>;
type SecurityGroupInputs = Partial<Unwrap<aws.ec2.SecurityGroupArgs>>;
type SecurityGroupRuleInputs = Partial<Unwrap<aws.ec2.SecurityGroupRuleArgs>>;
type IngressRuleInputs = Partial<Unwrap<aws.vpc.SecurityGroupIngressRuleArgs>>;
type LoadBalancerInputs = Partial<Unwrap<aws.lb.LoadBalancerArgs>>;
type DatabaseInstanceInputs = { identifier?: unknown; publiclyAccessible?: unknown };

function databasePortsOf(args: ResourceValidationArgs): number[] {
    const ports = args.getConfig<Partial<NetworkConfig>>().databasePorts;
    return Array.isArray(ports) ? ports : [...DEFAULT_DATABASE_PORTS];
}

function describeOpen(ports: number[], cidrs: string[]): string {
    return `port${ports.length > 1 ? "s" : ""} ${ports.join(", ")} open to ${cidrs.join(", ")}`;
}

const DATABASE_FIX =
    "Allow the database port only from the backend service's security group (sourceSecurityGroupId / referencedSecurityGroupId).";

/** A boolean as the provider coerces it: `true`, or a string such as "true"/"1" (Go's strconv.ParseBool). */
export function coercedTrue(value: unknown): boolean {
    if (value === true || value === 1) return true;
    return typeof value === "string" && ["1", "t", "true"].includes(value.trim().toLowerCase());
}

function checkService(svc: ServiceInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const name = displayName(() => svc.name, args.name);
    const assign = asRecord(svc.networkConfiguration)?.["assignPublicIp"];
    if (coercedTrue(assign)) {
        report(
            `service ${q(name)} gives its tasks public IPs (networkConfiguration.assignPublicIp: ${JSON.stringify(assign)}). ` +
                `Run tasks in private subnets with assignPublicIp: false; only the load balancer faces the internet.`,
        );
    }
}

const OPEN_FIX =
    "Only the load balancer's TCP 80 and 443 may face the internet; allow other ports from a security group or a narrower CIDR.";

/** Reports what `views` open to the world: database ports first (their own fix), else any port beyond TCP 80/443. */
function reportExposures(subject: string, views: IngressView[], args: ResourceValidationArgs, report: ReportViolation): void {
    for (const e of worldExposures(views)) {
        const db = exposedDatabasePorts(e, databasePortsOf(args));
        const who = `${subject} ${describeRules(e.rules)}`;
        if (db.length > 0) {
            report(`${who} ${e.rules.length > 1 ? "have" : "has"} database ${describeOpen(db, e.cidrs)}. ${DATABASE_FIX}`);
        } else if (beyondPublicPorts(e)) {
            report(
                `${who} ${e.rules.length > 1 ? "open" : "opens"} ${describePorts(e)} to the internet (${e.cidrs.join(", ")}). ${OPEN_FIX}`,
            );
        }
    }
}

function checkSecurityGroup(sg: SecurityGroupInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    const name = displayName(() => sg.name, args.name);
    const ingress = checks.read(() => (Array.isArray(sg.ingress) ? sg.ingress : []), []);
    const views: IngressView[] = [];
    for (let i = 0; i < ingress.length; i++) {
        checks.run(() => {
            const rule = asRecord(ingress[i]);
            if (rule === undefined) return;
            const cidrs: unknown[] = [];
            for (const key of ["cidrBlocks", "ipv6CidrBlocks"]) {
                checks.run(() => {
                    const list = rule[key];
                    if (Array.isArray(list)) for (let j = 0; j < list.length; j++) checks.run(() => cidrs.push(list[j]));
                });
            }
            views.push({
                label: `ingress rule #${i + 1}`,
                protocol: rule["protocol"],
                fromPort: rule["fromPort"],
                toPort: rule["toPort"],
                cidrs,
            });
        });
    }
    // The union of the group's rules decides: 0.0.0.0/1 in one rule and 128.0.0.0/1 in another is the world too.
    reportExposures(`security group ${q(name)}`, views, args, report);
    checks.done();
}

function checkSecurityGroupRule(rule: SecurityGroupRuleInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    const isIngress = checks.read(() => rule.type === "ingress", true);
    if (!isIngress) args.notApplicable("egress rules do not expose anything");
    const cidrs: unknown[] = [];
    checks.run(() => (rule.cidrBlocks ?? []).forEach((c) => cidrs.push(c)));
    checks.run(() => (rule.ipv6CidrBlocks ?? []).forEach((c) => cidrs.push(c)));
    checks.run(() => {
        const view = { label: `${q(args.name)}`, protocol: rule.protocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs };
        reportExposures("security group rule", [view], args, report);
    });
    checks.done();
}

function checkIngressRule(rule: IngressRuleInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    const cidrs: unknown[] = [];
    checks.run(() => cidrs.push(rule.cidrIpv4));
    checks.run(() => cidrs.push(rule.cidrIpv6));
    checks.run(() => {
        const view = { label: `${q(args.name)}`, protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort, cidrs };
        reportExposures("security group ingress rule", [view], args, report);
    });
    checks.done();
}

/** An Aurora (or RDS) instance reachable from the internet: the database never faces it, whatever its security group says. */
function checkDatabaseInstance(db: DatabaseInstanceInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    checks.run(() => {
        if (coercedTrue(db.publiclyAccessible)) {
            report(
                `database instance ${q(displayName(() => db.identifier, args.name))} is publicly accessible (publiclyAccessible: ${JSON.stringify(db.publiclyAccessible)}). ` +
                    `Set publiclyAccessible: false; only the backend reaches the database, inside the VPC.`,
            );
        }
    });
    checks.done();
}

function checkLoadBalancer(lb: LoadBalancerInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    const type = checks.read(() => lb.loadBalancerType ?? "application", "application");
    if (type !== "application") args.notApplicable(`invalid header fields only apply to application load balancers, not ${type}`);
    checks.run(() => {
        if (lb.dropInvalidHeaderFields !== true) {
            report(
                `load balancer ${q(displayName(() => lb.name, args.name))} forwards requests with invalid header fields. ` +
                    `Set dropInvalidHeaderFields: true.`,
            );
        }
    });
    checks.done();
}

/** Mandatory: no public task IPs, no world-open database port, ALBs drop invalid headers. */
export const networkExposure: ResourceValidationPolicy = {
    name: "network-exposure",
    description:
        "Only the load balancer faces the internet: no public IPs on tasks or database instances, nothing but TCP 80/443 open to the internet (no database port at all), invalid headers dropped.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: networkConfigSchema,
    remediationSteps: [
        "- ECS services: networkConfiguration.assignPublicIp: false, tasks in private subnets.",
        "- Database security group: allow 5432 only from the backend service's security group, never from 0.0.0.0/0 or ::/0.",
        "- Security groups: only the load balancer's TCP 80 and 443 from the internet (any set of CIDR blocks that together cover all addresses counts).",
        "- Aurora/RDS instances: publiclyAccessible: false.",
        "- Application load balancers: dropInvalidHeaderFields: true.",
    ].join("\n"),
    validateResource: [
        validateResourceOfType(aws.ecs.Service, checkService),
        validateResourceOfType(aws.ec2.SecurityGroup, checkSecurityGroup),
        validateResourceOfType(aws.ec2.SecurityGroupRule, checkSecurityGroupRule),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, checkIngressRule),
        validateResourceOfType(aws.rds.ClusterInstance, checkDatabaseInstance),
        validateResourceOfType(aws.rds.Instance, checkDatabaseInstance),
        validateResourceOfType(aws.lb.LoadBalancer, checkLoadBalancer),
        validateResourceOfType(aws.alb.LoadBalancer, checkLoadBalancer),
    ],
};

// --- HTTP → HTTPS (stack-wide) ----------------------------------------------------------------

/** Type tokens (@pulumi/aws v7) of listeners (lb and its alb alias) and ACM certificates. */
const LISTENER_TYPES = new Set(["aws:lb/listener:Listener", "aws:alb/listener:Listener"]);
const CERTIFICATE_TYPE = "aws:acm/certificate:Certificate";

/** What the stack policy needs to know about one listener. */
interface ListenerView {
    resource: PolicyResource;
    https: boolean;
    http: boolean;
    loadBalancerArn?: string;
    redirectsToHttps: boolean;
}

const TERMINAL_ACTIONS = new Set(["forward", "redirect", "fixed-response"]);

function viewListener(resource: PolicyResource, checks: SubChecks): ListenerView | undefined {
    return checks.read(() => {
        const props = resource.props;
        const protocol = nonEmpty(props["protocol"])?.toUpperCase();
        const certificate = nonEmpty(props["certificateArn"]);
        const https = protocol === "HTTPS" || (protocol === undefined && certificate !== undefined);
        // An ALB listener without a protocol or certificate is HTTP, on any port.
        const http = protocol === "HTTP" || (protocol === undefined && certificate === undefined);
        const actions: unknown[] = Array.isArray(props["defaultActions"]) ? props["defaultActions"] : [];
        const terminal: Record<string, unknown>[] = [];
        for (let i = 0; i < actions.length; i++) {
            const action = asRecord(actions[i]);
            if (action !== undefined && TERMINAL_ACTIONS.has(String(action["type"]))) terminal.push(action);
        }
        const redirectsToHttps =
            terminal.length > 0 &&
            terminal.every(
                (a) => a["type"] === "redirect" && String(asRecord(a["redirect"])?.["protocol"] ?? "").toUpperCase() === "HTTPS",
            );
        // Unknown while the load balancer is created or replaced: the listener still counts, paired with any HTTPS listener.
        let arn: unknown;
        try {
            arn = props["loadBalancerArn"];
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
        }
        return { resource, https, http, loadBalancerArn: typeof arn === "string" ? arn : undefined, redirectsToHttps };
    }, undefined);
}

/** Mandatory: when the stack serves HTTPS, every plain-HTTP listener redirects to it. */
export const httpRedirectsToHttps: StackValidationPolicy = {
    name: "http-redirects-to-https",
    description:
        "When the stack serves HTTPS (a listener with a certificate, or a certificate resource), every HTTP listener redirects to HTTPS.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: [
        "Make the port-80 listener's default action a redirect (drydock's components/loadBalancer.ts does this when drydock:certificateArn is set):",
        '  defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]',
        "Without a certificate the stack serves plain HTTP and this policy does not apply.",
    ].join("\n"),
    validateStack: (args, report) => {
        const checks = new SubChecks();
        const listeners: ListenerView[] = [];
        let certificate: PolicyResource | undefined;
        for (const resource of args.resources) {
            if (LISTENER_TYPES.has(resource.type)) {
                const view = viewListener(resource, checks);
                if (view !== undefined) listeners.push(view);
            } else if (resource.type === CERTIFICATE_TYPE) {
                certificate ??= resource;
            }
        }
        const httpsListeners = listeners.filter((l) => l.https);
        if (httpsListeners.length === 0 && certificate === undefined) {
            checks.done();
            args.notApplicable("the stack has no HTTPS listener and no certificate");
        }
        for (const listener of listeners) {
            if (!listener.http || listener.redirectsToHttps) continue;
            // Pair listeners by load balancer when both ARNs are known; otherwise any HTTPS in the stack counts.
            const sameLb = httpsListeners.find(
                (h) =>
                    listener.loadBalancerArn === undefined ||
                    h.loadBalancerArn === undefined ||
                    h.loadBalancerArn === listener.loadBalancerArn,
            );
            const because = sameLb
                ? `HTTPS listener ${q(sameLb.resource.name)}`
                : certificate !== undefined
                  ? `certificate ${q(certificate.name)}`
                  : undefined;
            if (because === undefined) continue;
            report(
                `HTTP listener ${q(listener.resource.name)} serves plain HTTP although the stack has ${because}. ` +
                    `Make its default action a redirect to HTTPS: { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }.`,
                listener.resource.urn,
            );
        }
        checks.done();
    },
};
