/**
 * Progressive deployments: an ECS service deployed blue/green, canary or linear keeps the old revision
 * running through a bake during which CloudWatch alarms roll it back in seconds. Without a bake or without
 * alarms that roll back, the strategy only adds moving parts; a "canary" of more than half the traffic is
 * not a canary.
 */
import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { PolicyConfigSchema, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { ProductionConfig, productionStacksOf, productionStacksProperty, stackInfo } from "../config";
import { SubChecks, asRecord, displayName, q } from "./common";
import { ECS_STRATEGY } from "../../release/strategy";

/** The largest canary share that is still a canary, percent of production traffic. */
export const MAX_CANARY_PERCENT = 50;
/** Default of `minimumBakeMinutes`. */
export const DEFAULT_MINIMUM_BAKE_MINUTES = 5;

/** Config of `progressive-deployment-safeguards`. */
export interface StrategiesConfig extends ProductionConfig {
    /** Minimum bake (bakeTimeInMinutes) of a blue/green, canary or linear deployment in production, minutes. @default 5 */
    minimumBakeMinutes: number;
}

export const strategiesConfigSchema: PolicyConfigSchema = {
    properties: {
        productionStacks: productionStacksProperty,
        minimumBakeMinutes: {
            type: "integer",
            minimum: 0,
            maximum: 1440,
            default: DEFAULT_MINIMUM_BAKE_MINUTES,
            description:
                "Minimum bakeTimeInMinutes of a blue/green, canary or linear ECS deployment in production stacks (AWS allows 0-1440).",
        },
    },
};

type ServiceInputs = Partial<Unwrap<aws.ecs.ServiceArgs>>;

/** ECS's strategy names; every one but ROLLING is progressive. */
const ECS_STRATEGIES: readonly string[] = Object.values(ECS_STRATEGY);
const PROGRESSIVE = ECS_STRATEGIES.filter((s) => s !== ECS_STRATEGY.rolling);

function minutes(value: unknown): number | undefined {
    const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    return Number.isFinite(n) ? n : undefined;
}

/** The `<service>` config-key prefix from an ECS service name `<service>-service`, for fix hints. */
function keyPrefix(name: string): string {
    return name.endsWith("-service") ? name.slice(0, -"-service".length) : "<service>";
}

/** Mandatory: production progressive deployments bake and roll back on alarms; canaries stay small. */
export const progressiveDeploymentSafeguards: ResourceValidationPolicy = {
    name: "progressive-deployment-safeguards",
    description:
        "ECS blue/green, canary and linear deployments bake at least minimumBakeMinutes and roll back on deployment alarms in production; a canary gets at most 50% of the traffic.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: strategiesConfigSchema,
    remediationSteps: [
        "drydock's components set these from stack config (<service> is the service's key prefix, e.g. backend):",
        "  deploymentConfiguration.bakeTimeInMinutes: <service>BakeMinutes, at least 5 in production (policy config minimumBakeMinutes)",
        "  alarms: { alarmNames: [5xx, unhealthy hosts], enable: true, rollback: true }",
        "  canaryConfiguration.canaryPercent: <service>CanaryPercent, at most 50",
    ].join("\n"),
    validateResource: validateResourceOfType(aws.ecs.Service, (svc: ServiceInputs, args, report) => {
        const checks = new SubChecks();
        const config = args.getConfig<Partial<StrategiesConfig>>();
        const deployment = checks.read(() => asRecord(svc.deploymentConfiguration), undefined);
        const strategy = checks.read(() => deployment?.["strategy"], undefined);
        if (typeof strategy === "string" && !ECS_STRATEGIES.includes(strategy)) {
            // Neither this rule nor zero-downtime-rolling-updates would judge it: refuse rather than pass.
            checks.done();
            report(
                `service ${q(displayName(() => svc.name, args.name))} has deploymentConfiguration.strategy ${q(strategy)}, which ECS does not know; ` +
                    `accepted: ${ECS_STRATEGIES.join(", ")}.`,
            );
            return;
        }
        if (typeof strategy !== "string" || !PROGRESSIVE.includes(strategy)) {
            checks.done();
            args.notApplicable("the service deploys with a rolling update");
            return;
        }
        const name = displayName(() => svc.name, args.name);
        const c: Judged = {
            svc,
            deployment,
            strategy,
            prefix: keyPrefix(name),
            subject: `service ${q(name)} (${strategy})`,
            where: stackInfo(args.urn, productionStacksOf(config), args.props),
            minimumBake: config.minimumBakeMinutes ?? DEFAULT_MINIMUM_BAKE_MINUTES,
            report,
        };
        for (const check of [checkBake, checkAlarms, checkCanaryShare, checkAdvancedConfiguration]) checks.run(() => check(c));
        checks.done();
    }),
};

/** One progressive service under judgement. */
interface Judged {
    svc: ServiceInputs;
    deployment: Record<string, unknown> | undefined;
    strategy: string;
    prefix: string;
    subject: string;
    where: ReturnType<typeof stackInfo>;
    minimumBake: number;
    report: (message: string) => void;
}

function checkBake({ deployment, subject, where, minimumBake, prefix, report }: Judged): void {
    if (!where.production) return;
    const bake = minutes(deployment?.["bakeTimeInMinutes"]);
    if (bake !== undefined && bake >= minimumBake) return;
    report(
        `${subject} bakes ${bake === undefined ? "no minutes" : `${bake} minute${bake === 1 ? "" : "s"}`} in production stack ${q(where.stack)}: the old revision must keep running ` +
            `at least ${minimumBake} minutes after the traffic shift so an alarm can roll back in seconds. ` +
            `Set pulumi config set ${prefix}BakeMinutes ${Math.max(minimumBake, 10)} -s ${where.stack}.`,
    );
}

function checkAlarms({ svc, subject, where, report }: Judged): void {
    if (!where.production) return;
    const alarms = asRecord(svc.alarms);
    const names = Array.isArray(alarms?.["alarmNames"]) ? (alarms?.["alarmNames"] as unknown[]) : [];
    if (alarms && alarms["enable"] === true && alarms["rollback"] === true && names.length > 0) return;
    report(
        `${subject} has no deployment alarms that roll back in production stack ${q(where.stack)}: nothing would end the bake early when the new revision fails. ` +
            `Set alarms: { alarmNames: [<5xx alarm>, <unhealthy-hosts alarm>], enable: true, rollback: true }.`,
    );
}

function checkCanaryShare({ deployment, strategy, subject, prefix, report }: Judged): void {
    if (strategy !== "CANARY") return;
    // Read as the provider coerces it, like the bake: "80" is 80.
    const percent = minutes(asRecord(deployment?.["canaryConfiguration"])?.["canaryPercent"]);
    if (percent === undefined || percent <= MAX_CANARY_PERCENT) return;
    report(
        `${subject} sends ${percent}% of production traffic to the canary: more than ${MAX_CANARY_PERCENT}% is not a canary. ` +
            `Use a canary of at most ${MAX_CANARY_PERCENT}% (pulumi config set ${prefix}CanaryPercent 10), or blue-green.`,
    );
}

function checkAdvancedConfiguration({ svc, subject, report }: Judged): void {
    const lbs = Array.isArray(svc.loadBalancers) ? svc.loadBalancers : [];
    const missing = lbs.filter((lb) => {
        const adv = asRecord(asRecord(lb)?.["advancedConfiguration"]);
        return !adv || !adv["alternateTargetGroupArn"] || !adv["productionListenerRule"] || !adv["roleArn"];
    });
    if (missing.length === 0) return;
    report(
        `${subject} has a load balancer without advancedConfiguration (alternateTargetGroupArn, productionListenerRule, roleArn): ` +
            `ECS cannot shift traffic between the two revisions. drydock's route component creates them for a progressive strategy.`,
    );
}
