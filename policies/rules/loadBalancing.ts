/**
 * Load balancing: every target group checks the health of its targets explicitly.
 *
 * The health check decides when a new task takes traffic and when an old one may stop; a rolling
 * update is only as safe as it. AWS's implicit defaults (path `/`, matcher `200`) check whatever the
 * application happens to answer at `/`, so the path and the expected status codes must be explicit.
 */
import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { SubChecks, asRecord, displayName, nonEmpty, q } from "./common";

type TargetGroupInputs = Partial<Unwrap<aws.lb.TargetGroupArgs>>;

const HTTP_PROTOCOLS = ["HTTP", "HTTPS"];

function checkTargetGroup(tg: TargetGroupInputs, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    const subject = `target group ${q(displayName(() => tg.name, args.name))}`;
    const targetType = checks.read(() => tg.targetType, undefined);
    if (targetType === "lambda") args.notApplicable("Lambda target groups have no target health to check");

    checks.run(() => {
        const healthCheck = asRecord(tg.healthCheck);
        if (healthCheck === undefined) {
            report(
                `${subject} has no healthCheck block, so AWS checks "/" and expects 200 by default. ` +
                    `Set healthCheck: { enabled: true, path: "/health", matcher: "200" } with the service's health endpoint.`,
            );
            return;
        }
        checks.run(() => {
            if (healthCheck["enabled"] === false) {
                report(
                    `${subject} has its health check disabled (healthCheck.enabled: false): unhealthy tasks keep receiving traffic. Set healthCheck.enabled: true.`,
                );
            }
        });
        // Path and matcher belong to HTTP(S) health checks; a TCP check has neither.
        const protocol = checks.read(() => nonEmpty(healthCheck["protocol"]) ?? nonEmpty(tg.protocol) ?? "HTTP", "HTTP").toUpperCase();
        if (!HTTP_PROTOCOLS.includes(protocol)) return;
        checks.run(() => {
            if (nonEmpty(healthCheck["path"]) === undefined) {
                report(
                    `${subject} has no explicit healthCheck.path, so AWS checks "/". Set the service's health endpoint, e.g. path: "/api/v1/utils/health-check/".`,
                );
            }
        });
        checks.run(() => {
            if (nonEmpty(healthCheck["matcher"]) === undefined) {
                report(
                    `${subject} has no explicit healthCheck.matcher. Set the status codes a healthy target answers, e.g. matcher: "200" or "200-299".`,
                );
            }
        });
    });
    checks.done();
}

/** Mandatory: explicit, enabled health checks on every target group. */
export const loadBalancerHealthChecks: ResourceValidationPolicy = {
    name: "load-balancer-health-checks",
    description: "Every load balancer target group has an enabled health check with an explicit path and matcher.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: [
        "Give the aws.lb.TargetGroup an explicit health check (drydock's components/appService.ts does this):",
        '  healthCheck: { enabled: true, path: "/api/v1/utils/health-check/", matcher: "200", interval: 10, healthyThreshold: 2 }',
        "The path must answer quickly without depending on slow downstreams; the matcher lists the healthy status codes.",
    ].join("\n"),
    validateResource: [
        validateResourceOfType(aws.lb.TargetGroup, (tg: TargetGroupInputs, args, report) => checkTargetGroup(tg, args, report)),
        validateResourceOfType(aws.alb.TargetGroup, (tg: TargetGroupInputs, args, report) => checkTargetGroup(tg, args, report)),
    ],
};
