import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { definedOnly, requireInteger } from "./validate";

export interface LoadBalancerArgs {
    /** VPC of the load balancer's security group. */
    vpcId: pulumi.Input<string>;
    /** Public subnets, at least two zones. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * ACM certificate for HTTPS. With it: HTTPS on 443 and HTTP on 80 answering `301` to HTTPS.
     * Without it (or with `""`): plain HTTP on 80, and a warning at preview.
     * @default undefined
     */
    certificateArn?: pulumi.Input<string>;
    /**
     * TLS policy of the HTTPS listener.
     * @default "ELBSecurityPolicy-TLS13-1-2-2021-06" // TLS 1.3 and 1.2 with forward secrecy only
     */
    sslPolicy?: string;
    /**
     * `"dualstack"` also accepts IPv6 clients (80/443 from `::/0`); the subnets need IPv6 CIDRs.
     * @default "ipv4"
     */
    ipAddressType?: "ipv4" | "dualstack";
    /** Seconds an idle client connection stays open. @default 60 */
    idleTimeout?: number;
    /** AWS-side deletion protection of the load balancer. @default false */
    deletionProtection?: boolean;
    /** Tags for the load balancer and its children. @default {} */
    tags?: Record<string, string>;
}

/** What a service needs from the load balancer to attach to it; a `LoadBalancer` satisfies it. */
export interface LoadBalancerAttachment {
    /** The load balancer's security group; services admit traffic only from it. */
    securityGroupId: pulumi.Input<string>;
    /** The listener services add their routing rules to (HTTPS when there is a certificate, else HTTP). */
    listenerArn: pulumi.Input<string>;
    /** `app/<name>/<id>`: the `LoadBalancer` dimension of the ALB's CloudWatch metrics. */
    arnSuffix: pulumi.Input<string>;
}

/**
 * The internet-facing Application Load Balancer.
 *
 * Open to the internet on 80 and 443 only. It drops requests with invalid header fields (request smuggling).
 * The routing listener answers `404` by default; each `AppService` adds a listener rule forwarding its path
 * patterns (backend `/api/*`, frontend `/*` as the lowest-priority catch-all) to its target group, and an
 * egress rule from this security group to its own on the container port. Services owning their route keeps
 * this component free of a dependency on the services (whose ECS services in turn need the listener first).
 */
export class LoadBalancer extends pulumi.ComponentResource implements LoadBalancerAttachment {
    readonly arn: pulumi.Output<string>;
    readonly arnSuffix: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    /** Route 53 hosted zone of `dnsName`, for an alias record. */
    readonly zoneId: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    /** The listener services route on: HTTPS 443 with a certificate, else HTTP 80. */
    readonly listenerArn: pulumi.Output<string>;
    /** The HTTP 80 listener (a redirect to HTTPS when there is a certificate). */
    readonly httpListenerArn: pulumi.Output<string>;
    /** The HTTPS 443 listener, when there is a certificate. */
    readonly httpsListenerArn: pulumi.Output<string> | undefined;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("drydock:components:LoadBalancer", name, {}, opts);
        const a = normalizeArgs(name, args);
        const securityGroup = createSecurityGroup(this, name, a);
        const alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                loadBalancerType: "application",
                internal: false,
                subnets: a.subnetIds,
                securityGroups: [securityGroup.id],
                ipAddressType: a.ipAddressType,
                dropInvalidHeaderFields: true,
                idleTimeout: a.idleTimeout,
                enableDeletionProtection: a.deletionProtection,
                tags: a.tags,
            },
            { parent: this },
        );
        const listeners = createListeners(this, name, a, alb);

        this.arn = alb.arn;
        this.arnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.zoneId = alb.zoneId;
        this.securityGroupId = securityGroup.id;
        this.listenerArn = (listeners.https ?? listeners.http).arn;
        this.httpListenerArn = listeners.http.arn;
        this.httpsListenerArn = listeners.https?.arn;
        this.registerOutputs({
            arn: this.arn,
            arnSuffix: this.arnSuffix,
            dnsName: this.dnsName,
            zoneId: this.zoneId,
            securityGroupId: this.securityGroupId,
            listenerArn: this.listenerArn,
            httpListenerArn: this.httpListenerArn,
            httpsListenerArn: this.httpsListenerArn,
        });
    }
}

type Resolved = ReturnType<typeof normalizeArgs>;

function normalizeArgs(name: string, args: LoadBalancerArgs) {
    const a = {
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ipAddressType: "ipv4" as const,
        idleTimeout: 60, // seconds
        deletionProtection: false,
        tags: {},
        ...definedOnly(args),
    };
    requireInteger(`LoadBalancer "${name}"`, "idleTimeout", a.idleTimeout, 1, 4000, "seconds");
    return { ...a, https: a.certificateArn !== undefined && a.certificateArn !== "" };
}

/** The load balancer's security group: 80 and 443 from the internet (IPv6 too when dual-stack). */
function createSecurityGroup(parent: LoadBalancer, name: string, a: Resolved): aws.ec2.SecurityGroup {
    const sg = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: a.vpcId,
            description: "drydock load balancer: HTTP/HTTPS from the internet",
            tags: a.tags,
        },
        { parent },
    );
    const sources: { label: string; cidrIpv4?: string; cidrIpv6?: string }[] = [{ label: "ipv4", cidrIpv4: "0.0.0.0/0" }];
    if (a.ipAddressType === "dualstack") {
        sources.push({ label: "ipv6", cidrIpv6: "::/0" });
    }
    for (const port of [80, 443]) {
        for (const { label, ...cidr } of sources) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-in-${port}-${label}`,
                {
                    securityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    ...cidr,
                    description: port === 80 ? (a.https ? "HTTP, redirected to HTTPS" : "HTTP") : "HTTPS",
                    tags: a.tags,
                },
                { parent },
            );
        }
    }
    return sg;
}

const NOT_FOUND = { type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: "Not found", statusCode: "404" } };

/** With a certificate: HTTPS 443 routes and HTTP 80 redirects to it. Without: HTTP 80 routes (warned at preview). */
function createListeners(
    parent: LoadBalancer,
    name: string,
    a: Resolved,
    alb: aws.lb.LoadBalancer,
): { http: aws.lb.Listener; https?: aws.lb.Listener } {
    const child = { parent };
    if (a.https) {
        const https = new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: alb.arn,
                port: 443,
                protocol: "HTTPS",
                certificateArn: a.certificateArn,
                sslPolicy: a.sslPolicy,
                defaultActions: [NOT_FOUND],
                tags: a.tags,
            },
            child,
        );
        const http = new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                tags: a.tags,
            },
            child,
        );
        return { http, https };
    }
    if (pulumi.runtime.isDryRun()) {
        pulumi.log.warn(
            "no certificateArn: the load balancer serves plain HTTP on port 80 — traffic, including logins, is unencrypted. " +
                `Set \`pulumi config set certificateArn <acm-arn> -s ${pulumi.getStack()}\` to serve HTTPS and redirect HTTP.`,
            parent,
        );
    }
    const http = new aws.lb.Listener(
        `${name}-http`,
        { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: [NOT_FOUND], tags: a.tags },
        child,
    );
    return { http };
}
