import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { definedOnly, requireInteger } from "./validate";

/** The CloudWatch alarms ECS watches during a deployment; either one in ALARM rolls the deployment back. */
export interface DeploymentAlarmArgs {
    /** Target 5xx responses per minute that count as a bad minute. @default 10 */
    http5xxPerMinute?: number;
    /** Unhealthy targets that count as a bad minute. @default 1 */
    unhealthyHosts?: number;
    /** Consecutive bad minutes before the alarm fires. @default 2 */
    minutes?: number;
}

/** Creates the 5xx and unhealthy-host alarms on the service's target group. */
export function createDeploymentAlarms(
    name: string,
    args: DeploymentAlarmArgs & {
        stack: string;
        service: string;
        targetGroupArnSuffix: pulumi.Input<string>;
        loadBalancerArnSuffix: pulumi.Input<string>;
    },
    tags: Record<string, string>,
    opts: (childName: string) => pulumi.CustomResourceOptions,
): aws.cloudwatch.MetricAlarm[] {
    const a = { http5xxPerMinute: 10, unhealthyHosts: 1, minutes: 2, ...definedOnly(args) };
    const where = `AppService "${name}" route.deploymentAlarms`;
    requireInteger(where, "http5xxPerMinute", a.http5xxPerMinute, 1, 1_000_000);
    requireInteger(where, "unhealthyHosts", a.unhealthyHosts, 1, 1000);
    requireInteger(where, "minutes", a.minutes, 1, 60, "minutes");
    const common = {
        namespace: "AWS/ApplicationELB",
        dimensions: { TargetGroup: a.targetGroupArnSuffix, LoadBalancer: a.loadBalancerArnSuffix },
        period: 60, // seconds
        evaluationPeriods: a.minutes,
        datapointsToAlarm: a.minutes,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching", // no traffic is not a failure
        tags,
    };
    const prefix = `drydock-${a.stack}-${a.service}`;
    return [
        new aws.cloudwatch.MetricAlarm(
            `${name}-5xx`,
            {
                ...common,
                name: `${prefix}-target-5xx`,
                alarmDescription: `${a.service}: targets answer 5xx (rolls back an ECS deployment in progress)`,
                metricName: "HTTPCode_Target_5XX_Count",
                statistic: "Sum",
                threshold: a.http5xxPerMinute,
            },
            opts(`${name}-5xx`),
        ),
        new aws.cloudwatch.MetricAlarm(
            `${name}-unhealthy`,
            {
                ...common,
                name: `${prefix}-unhealthy-hosts`,
                alarmDescription: `${a.service}: targets fail the ALB health check (rolls back an ECS deployment in progress)`,
                metricName: "UnHealthyHostCount",
                statistic: "Maximum",
                threshold: a.unhealthyHosts,
            },
            opts(`${name}-unhealthy`),
        ),
    ];
}

/** Target tracking on average CPU between `minCount` and `maxCount` tasks. */
export function createAutoscaling(
    name: string,
    p: {
        clusterName: pulumi.Input<string>;
        serviceName: pulumi.Input<string>;
        minCount: number;
        maxCount: number;
        cpuTargetPercent: number;
    },
    tags: Record<string, string>,
    parent: pulumi.Resource,
): void {
    const target = new aws.appautoscaling.Target(
        `${name}-scaling`,
        {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: pulumi.interpolate`service/${p.clusterName}/${p.serviceName}`,
            minCapacity: p.minCount,
            maxCapacity: p.maxCount,
            tags,
        },
        { parent },
    );
    new aws.appautoscaling.Policy(
        `${name}-cpu`,
        {
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            targetTrackingScalingPolicyConfiguration: {
                predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
                targetValue: p.cpuTargetPercent,
                scaleOutCooldown: 60, // seconds: add tasks quickly
                scaleInCooldown: 300, // seconds: remove them slowly
            },
        },
        { parent },
    );
}
