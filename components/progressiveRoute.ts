/**
 * What a blue/green, canary or linear deployment needs on the load balancer, beside a route's target group and
 * production listener rule: the alternate target group the new revision starts in, a test listener rule (the
 * route's path patterns plus the header `X-Drydock-Test: <stack>`, so a smoke test reaches the new revision
 * before users do), the ECS infrastructure role that lets ECS move the rules' weights, and alarms on the
 * alternate target group too (after a deployment the roles of the two groups swap).
 *
 * Verified against AWS's documentation (ECS developer guide, "Application Load Balancer resources for blue/green,
 * linear, and canary deployments", "Amazon ECS infrastructure IAM role for load balancers"; the ECS API's
 * AdvancedConfiguration): two IP target groups in the tasks' VPC; listener rules referenced by ARN; a role trusted
 * by ecs.amazonaws.com with the managed policy AmazonECSInfrastructureRolePolicyForLoadBalancers. AWS notes that a
 * listener rule mixing forward and non-forward actions makes the deployment fail: each rule here has exactly one
 * forward action (the listener's default action, a fixed 404, is not a rule). ECS rewrites the rules' forward
 * actions to weighted target groups on every deployment, hence `ignoreChanges: ["actions"]` on both rules.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeploymentSettings, ecsDeploymentConfiguration, TEST_TRAFFIC_HEADER } from "../release/strategy";

/** AWS's managed policy for the ECS infrastructure role of blue/green load balancing. */
export const ECS_LB_INFRASTRUCTURE_POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers";

const ECS_TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** What the ECS service's `loadBalancers[].advancedConfiguration` references, and what it must wait for. */
export interface ProgressiveRouting {
    alternateTargetGroup: aws.lb.TargetGroup;
    testListenerRule: aws.lb.ListenerRule;
    infrastructureRole: aws.iam.Role;
    /** The role's policy attachment: ECS needs it before the first deployment. */
    rolePolicy: aws.iam.RolePolicyAttachment;
}

export interface ProgressiveRoutingArgs {
    /** The primary target group's inputs, copied for the alternate one (same port, health check, draining). */
    targetGroupArgs: aws.lb.TargetGroupArgs;
    primaryTargetGroupArn: pulumi.Input<string>;
    listenerArn: pulumi.Input<string>;
    pathPatterns: string[];
    /** The test rule's priority: one before the production rule's, so it wins for requests with the header. */
    testPriority: number;
    stack: string;
    tags: Record<string, string>;
}

/** Forward to both target groups, all traffic on the primary: the shape ECS then shifts. */
export function weightedForward(
    primaryArn: pulumi.Input<string>,
    alternateArn: pulumi.Input<string>,
): aws.types.input.lb.ListenerRuleAction[] {
    return [
        {
            type: "forward",
            forward: {
                targetGroups: [
                    { arn: primaryArn, weight: 100 },
                    { arn: alternateArn, weight: 0 },
                ],
            },
        },
    ];
}

/** ECS owns the weights of a progressive route's rules: Pulumi must not set them back on the next update. */
export const ECS_OWNED_RULE_FIELDS = ["actions"];

/**
 * The alternate target group (`<name>-tg-alt`), the test rule (`<name>-test-route`) and the infrastructure role
 * (`<name>-ecs-infrastructure`, with its managed-policy attachment).
 */
export function createProgressiveRouting(name: string, a: ProgressiveRoutingArgs, parent: pulumi.Resource): ProgressiveRouting {
    const opts = { parent };
    const alternateTargetGroup = new aws.lb.TargetGroup(
        `${name}-tg-alt`,
        { ...a.targetGroupArgs, tags: { ...a.tags, "drydock:target-group": "alternate" } },
        opts,
    );
    const testListenerRule = new aws.lb.ListenerRule(
        `${name}-test-route`,
        {
            listenerArn: a.listenerArn,
            priority: a.testPriority,
            conditions: [
                { pathPattern: { values: a.pathPatterns } },
                { httpHeader: { httpHeaderName: TEST_TRAFFIC_HEADER, values: [a.stack] } },
            ],
            actions: weightedForward(a.primaryTargetGroupArn, alternateTargetGroup.arn),
            tags: a.tags,
        },
        { parent, ignoreChanges: ECS_OWNED_RULE_FIELDS },
    );
    const infrastructureRole = new aws.iam.Role(
        `${name}-ecs-infrastructure`,
        {
            assumeRolePolicy: ECS_TRUST,
            description: `drydock: lets ECS shift ${name}'s load-balancer traffic between revisions`,
            tags: a.tags,
        },
        opts,
    );
    const partition = aws.getPartitionOutput({}, opts).partition;
    const rolePolicy = new aws.iam.RolePolicyAttachment(
        `${name}-ecs-infrastructure-lb`,
        { role: infrastructureRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${ECS_LB_INFRASTRUCTURE_POLICY}` },
        opts,
    );
    return { alternateTargetGroup, testListenerRule, infrastructureRole, rolePolicy };
}

/**
 * What the ECS service of a progressive route gets: the strategy, bake, canary/linear settings and approval pause
 * (`deploymentConfiguration`), the `advancedConfiguration` of its load balancer entry, and what it must wait for.
 */
export function progressiveServiceArgs(
    d: DeploymentSettings,
    p: ProgressiveRouting,
    productionListenerRule: aws.lb.ListenerRule,
): {
    deploymentConfiguration: aws.types.input.ecs.ServiceDeploymentConfiguration;
    advancedConfiguration: aws.types.input.ecs.ServiceLoadBalancerAdvancedConfiguration;
    dependsOn: pulumi.Resource[];
} {
    return {
        deploymentConfiguration: ecsDeploymentConfiguration(d) as aws.types.input.ecs.ServiceDeploymentConfiguration,
        advancedConfiguration: {
            alternateTargetGroupArn: p.alternateTargetGroup.arn,
            productionListenerRule: productionListenerRule.arn,
            testListenerRule: p.testListenerRule.arn,
            roleArn: p.infrastructureRole.arn,
        },
        dependsOn: [p.testListenerRule, p.rolePolicy],
    };
}
