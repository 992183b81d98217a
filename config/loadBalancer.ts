/** Load balancer and health-check keys. */
import type { Reader } from "./reader";
import type { Settings } from "./types";

export function readLoadBalancer(r: Reader): Settings["loadBalancer"] {
    const certificateArn = r.optional("certificateArn");
    if (certificateArn !== undefined && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(certificateArn)) {
        r.problem(
            "certificateArn",
            certificateArn,
            "not an ACM certificate ARN; accepted: arn:aws:acm:<region>:<account>:certificate/<id>, or empty for HTTP only",
        );
    }
    const domainName = r.optional("domainName");
    if (domainName !== undefined && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(domainName)) {
        r.problem("domainName", domainName, "not a host name; accepted: e.g. app.example.com");
    }
    return {
        certificateArn,
        domainName,
        healthCheckIntervalSeconds: r.integer("healthCheckIntervalSeconds"),
        healthyThreshold: r.integer("healthyThreshold"),
        unhealthyThreshold: r.integer("unhealthyThreshold"),
        deregistrationDelaySeconds: r.integer("deregistrationDelaySeconds"),
        healthCheckGracePeriodSeconds: r.integer("healthCheckGracePeriodSeconds"),
    };
}
