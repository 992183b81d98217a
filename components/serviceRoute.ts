import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NormalizedRoute } from "./appServiceArgs";
import { allowTraffic } from "./serviceNetwork";
import { createDeploymentAlarms } from "./serviceOps";
import { createProgressiveRouting, ECS_OWNED_RULE_FIELDS, ProgressiveRouting, weightedForward } from "./progressiveRoute";
import { isProgressive } from "../release/strategy";

export interface ServiceRouteComponentArgs {
    /** The service's name, for descriptions, alarm names and tags. */
    service: string;
    stack: string;
    vpcId: pulumi.Input<string>;
    /** The tasks' security group: the load balancer is admitted to it on `containerPort`. */
    taskSecurityGroupId: pulumi.Input<string>;
    containerPort: number;
    route: NormalizedRoute;
    tags: Record<string, string>;
    /**
     * URN compatibility: the route's resources used to be children of this resource (the AppService, before the
     * route was its own component). Each child gets its old URN as an alias, so a deployed stack sees no
     * replacement. @default undefined — no aliases
     */
    formerParent?: pulumi.Resource;
}

/**
 * The load-balanced route of one service: the target group (whose health check gates every rollout), the listener
 * rule forwarding the service's path patterns, the 5xx and unhealthy-host alarms ECS watches during a deployment,
 * and the rules that admit the load balancer to the tasks. A service without a route (a worker) has none of these.
 */
export class ServiceRoute extends pulumi.ComponentResource {
    readonly targetGroupArn: pulumi.Output<string>;
    readonly targetGroupArnSuffix: pulumi.Output<string>;
    /** The listener rule: the ECS service must wait for it (ECS refuses a target group not attached to a listener). */
    readonly listenerRule: aws.lb.ListenerRule;
    /** Names of the alarms that roll a deployment back. */
    readonly alarmNames: pulumi.Output<string>[];
    /** For a blue-green, canary or linear strategy: what `loadBalancers[].advancedConfiguration` references. */
    readonly progressive?: ProgressiveRouting;

    /** `name` is the service component's name; children keep the names they had under it (`<name>-tg`, …). */
    constructor(name: string, args: ServiceRouteComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("drydock:components:ServiceRoute", name, {}, opts);
        const r = args.route;
        const child = (childName: string, type: string): pulumi.CustomResourceOptions => ({
            parent: this,
            ...(args.formerParent ? { aliases: [pulumi.createUrn(childName, type, args.formerParent)] } : {}),
        });
        const lb = r.loadBalancer;
        allowTraffic(
            `${name}-from-alb`,
            { from: lb.securityGroupId, to: args.taskSecurityGroupId, port: args.containerPort, what: `load balancer to ${args.service}` },
            args.tags,
            child,
        );
        const targetGroupArgs: aws.lb.TargetGroupArgs = {
            vpcId: args.vpcId,
            targetType: "ip",
            port: args.containerPort,
            protocol: "HTTP",
            deregistrationDelay: r.deregistrationDelay,
            healthCheck: { enabled: true, protocol: "HTTP", port: "traffic-port", ...r.healthCheck },
            tags: args.tags,
        };
        const targetGroup = new aws.lb.TargetGroup(`${name}-tg`, targetGroupArgs, child(`${name}-tg`, "aws:lb/targetGroup:TargetGroup"));
        // Blue/green, canary, linear: a second target group, a test rule and the role ECS shifts traffic with.
        this.progressive = isProgressive(r.deployment)
            ? createProgressiveRouting(
                  name,
                  {
                      targetGroupArgs,
                      primaryTargetGroupArn: targetGroup.arn,
                      listenerArn: lb.listenerArn,
                      pathPatterns: r.pathPatterns,
                      testPriority: r.listenerRulePriority - 1,
                      stack: args.stack,
                      tags: args.tags,
                  },
                  this,
              )
            : undefined;
        this.listenerRule = this.createListenerRule(name, targetGroup, child(`${name}-route`, "aws:lb/listenerRule:ListenerRule"), args);
        const alarmsOn = (alarmName: string, service: string, suffix: pulumi.Input<string>) =>
            createDeploymentAlarms(
                alarmName,
                { stack: args.stack, service, targetGroupArnSuffix: suffix, loadBalancerArnSuffix: lb.arnSuffix, ...r.deploymentAlarms },
                args.tags,
                (childName) => child(childName, "aws:cloudwatch/metricAlarm:MetricAlarm"),
            );
        // After a progressive deployment the two target groups swap roles: both are watched.
        const alarms = [
            ...alarmsOn(name, args.service, targetGroup.arnSuffix),
            ...(this.progressive ? alarmsOn(`${name}-alt`, `${args.service}-alt`, this.progressive.alternateTargetGroup.arnSuffix) : []),
        ];
        this.targetGroupArn = targetGroup.arn;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.alarmNames = alarms.map((a) => a.name);
        this.registerOutputs({ targetGroupArn: this.targetGroupArn, targetGroupArnSuffix: this.targetGroupArnSuffix });
    }

    /** The rule forwarding the service's path patterns (weighted between two target groups for a progressive strategy). */
    private createListenerRule(
        name: string,
        targetGroup: aws.lb.TargetGroup,
        opts: pulumi.CustomResourceOptions,
        args: ServiceRouteComponentArgs,
    ): aws.lb.ListenerRule {
        const r = args.route;
        return new aws.lb.ListenerRule(
            `${name}-route`,
            {
                listenerArn: r.loadBalancer.listenerArn,
                priority: r.listenerRulePriority,
                conditions: [{ pathPattern: { values: r.pathPatterns } }],
                actions: this.progressive
                    ? weightedForward(targetGroup.arn, this.progressive.alternateTargetGroup.arn)
                    : [{ type: "forward", targetGroupArn: targetGroup.arn }],
                tags: args.tags,
            },
            { ...opts, ...(this.progressive ? { ignoreChanges: ECS_OWNED_RULE_FIELDS } : {}) },
        );
    }
}
