/**
 * Network exposure: only the load balancer faces the internet, and only over sane HTTP.
 *
 * - ECS tasks get no public IP: they sit in private subnets behind the load balancer.
 * - No database port (PostgreSQL 5432, configurable) is open to 0.0.0.0/0 or ::/0 — whether in a
 *   security group's inline ingress, an `aws.ec2.SecurityGroupRule` or an
 *   `aws.vpc.SecurityGroupIngressRule`.
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
import { NetworkConfig, networkConfigSchema } from "../config";
import { SubChecks, asRecord, displayName, isUnknownValueError, nonEmpty, q } from "./common";

type ServiceInputs = Partial<Unwrap<aws.ecs.ServiceArgs>>;
type SecurityGroupInputs = Partial<Unwrap<aws.ec2.SecurityGroupArgs>>;
type SecurityGroupRuleInputs = Partial<Unwrap<aws.ec2.SecurityGroupRuleArgs>>;
type IngressRuleInputs = Partial<Unwrap<aws.vpc.SecurityGroupIngressRuleArgs>>;
type LoadBalancerInputs = Partial<Unwrap<aws.lb.LoadBalancerArgs>>;

/** true for a CIDR that covers the whole address space (`0.0.0.0/0`, `::/0`, any `/0`). */
export function isWorldCidr(cidr: unknown): boolean {
    return typeof cidr === "string" && /\/0$/.test(cidr.trim());
}

/**
 * The database ports a rule opens: all of `ports` for protocol -1/all, those inside
 * fromPort..toPort for TCP, none for other protocols.
 */
export function exposedPorts(protocol: unknown, fromPort: unknown, toPort: unknown, ports: readonly number[]): number[] {
    const p = String(protocol ?? "").toLowerCase();
    if (p === "-1" || p === "all") return [...ports];
    if (p !== "tcp" && p !== "6") return [];
    const from = typeof fromPort === "number" ? fromPort : 0;
    const to = typeof toPort === "number" ? toPort : 65535;
    return ports.filter((port) => port >= from && port <= to);
}

function databasePortsOf(args: ResourceValidationArgs): number[] {
    const ports = args.getConfig<Partial<NetworkConfig>>().databasePorts;
    return Array.isArray(ports) ? ports : [5432];
}

function describeOpen(ports: number[], cidrs: string[]): string {
    return `port${ports.length > 1 ? "s" : ""} ${ports.join(", ")} open to ${cidrs.join(", ")}`;
}

const DATABASE_FIX = "Allow the database port only from the backend service's security group (sourceSecurityGroupId / referencedSecurityGroupId).";

function checkService(svc: ServiceInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const name = displayName(() => svc.name, args.name);
    if (asRecord(svc.networkConfiguration)?.["assignPublicIp"] === true) {
        report(
            `service ${q(name)} gives its tasks public IPs (networkConfiguration.assignPublicIp: true). ` +
                `Run tasks in private subnets with assignPublicIp: false; only the load balancer faces the internet.`,
        );
    }
}

function checkSecurityGroup(sg: SecurityGroupInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    const ports = databasePortsOf(args);
    const name = displayName(() => sg.name, args.name);
    const ingress = checks.read(() => (Array.isArray(sg.ingress) ? sg.ingress : []), []);
    for (let i = 0; i < ingress.length; i++) {
        checks.run(() => {
            const rule = asRecord(ingress[i]);
            if (rule === undefined) return;
            const open = exposedPorts(rule["protocol"], rule["fromPort"], rule["toPort"], ports);
            if (open.length === 0) return;
            const cidrs: string[] = [];
            for (const key of ["cidrBlocks", "ipv6CidrBlocks"]) {
                checks.run(() => {
                    const list = rule[key];
                    if (!Array.isArray(list)) return;
                    for (let j = 0; j < list.length; j++) checks.run(() => (isWorldCidr(list[j]) ? cidrs.push(String(list[j]).trim()) : 0));
                });
            }
            if (cidrs.length > 0) {
                report(`security group ${q(name)} ingress rule #${i + 1} has database ${describeOpen(open, cidrs)}. ${DATABASE_FIX}`);
            }
        });
    }
    checks.done();
}

function checkSecurityGroupRule(rule: SecurityGroupRuleInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    const isIngress = checks.read(() => rule.type === "ingress", true);
    if (!isIngress) args.notApplicable("egress rules do not expose anything");
    const open = checks.read(() => exposedPorts(rule.protocol, rule.fromPort, rule.toPort, databasePortsOf(args)), []);
    if (open.length > 0) {
        const cidrs: string[] = [];
        checks.run(() => (rule.cidrBlocks ?? []).forEach((c) => isWorldCidr(c) && cidrs.push(c.trim())));
        checks.run(() => (rule.ipv6CidrBlocks ?? []).forEach((c) => isWorldCidr(c) && cidrs.push(c.trim())));
        if (cidrs.length > 0) report(`security group rule ${q(args.name)} has database ${describeOpen(open, cidrs)}. ${DATABASE_FIX}`);
    }
    checks.done();
}

function checkIngressRule(rule: IngressRuleInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    const open = checks.read(() => exposedPorts(rule.ipProtocol, rule.fromPort, rule.toPort, databasePortsOf(args)), []);
    if (open.length > 0) {
        const cidrs: string[] = [];
        checks.run(() => (isWorldCidr(rule.cidrIpv4) ? cidrs.push(String(rule.cidrIpv4).trim()) : 0));
        checks.run(() => (isWorldCidr(rule.cidrIpv6) ? cidrs.push(String(rule.cidrIpv6).trim()) : 0));
        if (cidrs.length > 0) report(`security group ingress rule ${q(args.name)} has database ${describeOpen(open, cidrs)}. ${DATABASE_FIX}`);
    }
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
    description: "Only the load balancer faces the internet: no public IPs on tasks, no database port open to 0.0.0.0/0 or ::/0, invalid headers dropped.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: networkConfigSchema,
    remediationSteps: [
        "- ECS services: networkConfiguration.assignPublicIp: false, tasks in private subnets.",
        "- Database security group: allow 5432 only from the backend service's security group, never from 0.0.0.0/0 or ::/0.",
        "- Application load balancers: dropInvalidHeaderFields: true.",
    ].join("\n"),
    validateResource: [
        validateResourceOfType(aws.ecs.Service, checkService),
        validateResourceOfType(aws.ec2.SecurityGroup, checkSecurityGroup),
        validateResourceOfType(aws.ec2.SecurityGroupRule, checkSecurityGroupRule),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, checkIngressRule),
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
            terminal.every((a) => a["type"] === "redirect" && String(asRecord(a["redirect"])?.["protocol"] ?? "").toUpperCase() === "HTTPS");
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
    description: "When the stack serves HTTPS (a listener with a certificate, or a certificate resource), every HTTP listener redirects to HTTPS.",
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
                (h) => listener.loadBalancerArn === undefined || h.loadBalancerArn === undefined || h.loadBalancerArn === listener.loadBalancerArn,
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
