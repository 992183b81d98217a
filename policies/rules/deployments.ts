/**
 * Deployments: ECS services behind a load balancer roll without downtime.
 *
 * A rolling update with minimum healthy 100% and maximum 200% starts the new tasks next to the old
 * ones and stops an old task only after a new one passes the load balancer's health check; the
 * deployment circuit breaker rolls a failing deployment back instead of leaving the service half
 * updated; the health-check grace period keeps ECS from killing a task that is still starting
 * (the backend runs migrations at start-up).
 */
import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { SubChecks, asRecord, displayName, q } from "./common";

/** Minimum healthy percent that keeps full capacity during a rollout. */
export const MIN_HEALTHY_PERCENT = 100;
/** Maximum percent that lets a full set of new tasks start next to the old ones. */
export const MAX_PERCENT = 200;

type ServiceInputs = Partial<Unwrap<aws.ecs.ServiceArgs>>;

/** Mandatory: rolling updates of load-balanced services keep full capacity and roll back on failure. */
export const zeroDowntimeRollingUpdates: ResourceValidationPolicy = {
    name: "zero-downtime-rolling-updates",
    description: "ECS services behind a load balancer roll 100%/200% with a rollback circuit breaker and a health-check grace period.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: [
        "Set on the aws.ecs.Service (drydock's components/appService.ts does this):",
        "  deploymentMinimumHealthyPercent: 100, // old tasks serve until new ones are healthy",
        "  deploymentMaximumPercent: 200,        // a full set of new tasks starts next to the old ones",
        "  deploymentCircuitBreaker: { enable: true, rollback: true },",
        "  healthCheckGracePeriodSeconds: 60,    // seconds; drydock:healthCheckGracePeriodSeconds",
    ].join("\n"),
    validateResource: validateResourceOfType(aws.ecs.Service, (svc: ServiceInputs, args, report) => {
        const checks = new SubChecks();
        const name = displayName(() => svc.name, args.name);
        const subject = `service ${q(name)}`;

        // An unknown list of load balancers is still a list of load balancers: check the service.
        const loadBalanced = checks.read(() => Array.isArray(svc.loadBalancers) && svc.loadBalancers.length > 0, true);
        if (!loadBalanced) args.notApplicable("the service has no load balancer");
        const controller = checks.read(() => asRecord(svc.deploymentController)?.["type"], undefined);
        if (typeof controller === "string" && controller !== "ECS") {
            args.notApplicable(`the service uses the ${controller} deployment controller; this rule covers ECS rolling updates`);
        }
        const strategy = checks.read(() => asRecord(svc.deploymentConfiguration)?.["strategy"], undefined);
        if (typeof strategy === "string" && strategy !== "ROLLING") {
            args.notApplicable(`the service uses ${strategy} deployments; this rule covers rolling updates`);
        }

        checks.run(() => {
            // Unset means the ECS default for rolling updates, which is 100.
            const min = svc.deploymentMinimumHealthyPercent;
            if (typeof min === "number" && min < MIN_HEALTHY_PERCENT) {
                report(
                    `${subject} has deploymentMinimumHealthyPercent ${min}: a rollout stops old tasks before new ones are healthy. ` +
                        `Set it to at least ${MIN_HEALTHY_PERCENT}.`,
                );
            }
        });
        checks.run(() => {
            // Unset means the ECS default for rolling updates, which is 200.
            const max = svc.deploymentMaximumPercent;
            if (typeof max === "number" && max < MAX_PERCENT) {
                report(
                    `${subject} has deploymentMaximumPercent ${max}: a rollout cannot start a full set of new tasks next to the old ones. ` +
                        `Set it to at least ${MAX_PERCENT}.`,
                );
            }
        });
        checks.run(() => checkCircuitBreaker(svc, subject, report));
        checks.run(() => {
            const grace = svc.healthCheckGracePeriodSeconds;
            if (typeof grace !== "number" || grace <= 0) {
                report(
                    `${subject} has ${typeof grace === "number" ? "a zero" : "no"} healthCheckGracePeriodSeconds: ECS may stop a new task that is still starting (migrations run at start-up). ` +
                        `Set it, e.g. 60 (seconds; drydock:healthCheckGracePeriodSeconds).`,
                );
            }
        });
        checks.done();
    }),
};

/** The circuit breaker must be on and roll back: otherwise a failing deployment keeps retrying. */
function checkCircuitBreaker(svc: ServiceInputs, subject: string, report: (message: string) => void): void {
    const breaker = asRecord(svc.deploymentCircuitBreaker);
    if (breaker === undefined) {
        report(
            `${subject} has no deploymentCircuitBreaker: a failing deployment keeps retrying instead of rolling back. Set deploymentCircuitBreaker: { enable: true, rollback: true }.`,
        );
        return;
    }
    const problems: string[] = [];
    for (const key of ["enable", "rollback"]) {
        const value = breaker[key];
        if (value !== true) problems.push(value === undefined ? `${key} is not set` : `${key} is ${q(value)}`);
    }
    if (problems.length > 0) {
        report(
            `${subject} has a deploymentCircuitBreaker that does not roll back failed deployments (${problems.join(", ")}). ` +
                `Set deploymentCircuitBreaker: { enable: true, rollback: true }.`,
        );
    }
}
