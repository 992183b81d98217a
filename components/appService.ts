import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AppServiceArgs, NormalizedArgs, SecretInput } from "./appServiceArgs";
import { ecsServiceName, IMAGE_TAG, REQUESTED_VERSION_TAG, serviceLogGroupName, taskFamilyName } from "../release/names";
import { hookNamesOf, hookOrderTags } from "../release/hookOrder";
import { createServiceRoles, ServiceRoles } from "./serviceIam";
import { createAutoscaling } from "./serviceOps";
import { containerVariables, describe, normalizeArgs, resolveSecrets, uniqueInputs } from "./appServiceInputs";
import { createTaskSecurityGroup } from "./serviceNetwork";
import { ServiceRoute } from "./serviceRoute";
import { progressiveServiceArgs } from "./progressiveRoute";
import { containerDefinition } from "./taskContainer";

export type {
    AppServiceArgs,
    DatabaseVariableNames,
    HealthCheckArgs,
    SecretInput,
    ServiceRouteArgs,
    TaskRoleStatementArgs,
} from "./appServiceArgs";

/**
 * One ECS Fargate service, updated by zero-downtime rolling deployments: ECS starts the new tasks next to the old
 * (max 200%), keeps every old task until its replacement is healthy (min 100%) and rolls back by itself if tasks
 * keep failing (circuit breaker).
 *
 * With `route`, the service sits behind the load balancer (a {@link ServiceRoute} child): a new task takes traffic
 * only once it passes the ALB health check, old ones drain for `deregistrationDelay`, and the 5xx /
 * unhealthy-host alarms also roll a deployment back. Without `route` it is a worker: no inbound traffic at all.
 */
export class AppService extends pulumi.ComponentResource {
    /** `<service>-service`. */
    readonly serviceName: pulumi.Output<string>;
    readonly serviceArn: pulumi.Output<string>;
    readonly service: aws.ecs.Service;
    readonly taskDefinitionArn: pulumi.Output<string>;
    /** The load-balanced route; undefined for a worker. */
    readonly route?: ServiceRoute;
    /** The tasks' security group. */
    readonly securityGroupId: pulumi.Output<string>;
    /** The application's IAM role. */
    readonly taskRole: aws.iam.Role;
    /** `/aws/ecs/<service>-logs-<stack>`. */
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("drydock:components:AppService", name, {}, opts);
        const a = normalizeArgs(name, args);
        const tags = { "drydock:stack": a.stack, "drydock:service": a.service, ...a.tags };
        const { environment, secrets } = containerVariables(describe(name, a.service), a);

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: serviceLogGroupName(a.service, a.stack), retentionInDays: a.logRetentionDays, tags },
            { parent: this },
        );
        const roles = createServiceRoles(
            name,
            {
                logGroupArn: logGroup.arn,
                repositoryArn: a.repositoryArn,
                secretArns: uniqueInputs(Object.values(secrets).map((s) => s.secretArn)),
            },
            a.taskRoleStatements,
            tags,
            this,
        );
        const sg = createTaskSecurityGroup(
            name,
            {
                service: a.service,
                vpcId: a.vpcId,
                containerPort: a.containerPort,
                loadBalanced: !!a.route,
                database: a.database,
                internetEgressPorts: a.internetEgressPorts,
            },
            tags,
            this,
        );
        this.route = createRoute(name, a, sg.id, tags, this);
        const taskDefinition = createTaskDefinition(name, a, { roles, logGroupName: logGroup.name, environment, secrets }, tags, this);
        this.service = createEcsService(name, a, { taskDefinition, securityGroupId: sg.id, roles, route: this.route }, tags, this);
        if (a.maxCount > a.desiredCount) {
            const scaling = { minCount: a.desiredCount, maxCount: a.maxCount, cpuTargetPercent: a.autoscalingCpuTarget };
            createAutoscaling(name, { clusterName: a.cluster.name, serviceName: this.service.name, ...scaling }, tags, this);
        }

        this.serviceName = this.service.name;
        this.serviceArn = this.service.arn;
        this.taskDefinitionArn = taskDefinition.arn;
        this.securityGroupId = sg.id;
        this.taskRole = roles.taskRole;
        this.logGroupName = logGroup.name;
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            taskDefinitionArn: this.taskDefinitionArn,
            securityGroupId: this.securityGroupId,
            logGroupName: this.logGroupName,
        });
    }
}

/** The load-balanced route, a child whose resources keep the URNs they had as the service's own children. */
function createRoute(
    name: string,
    a: NormalizedArgs,
    taskSecurityGroupId: pulumi.Output<string>,
    tags: Record<string, string>,
    parent: AppService,
) {
    if (!a.route) return undefined;
    const { service, stack, vpcId, containerPort, route } = a;
    return new ServiceRoute(
        name,
        { service, stack, vpcId, taskSecurityGroupId, containerPort, route, tags, formerParent: parent },
        { parent },
    );
}

interface TaskParts {
    roles: ServiceRoles;
    logGroupName: pulumi.Output<string>;
    environment: Record<string, pulumi.Input<string>>;
    secrets: Record<string, SecretInput>;
}

/** The task definition: one essential container; replaced revisions stay registered (ECS rolls back to them). */
function createTaskDefinition(
    name: string,
    a: NormalizedArgs,
    p: TaskParts,
    tags: Record<string, string>,
    parent: pulumi.Resource,
): aws.ecs.TaskDefinition {
    const region = aws.getRegionOutput({}, { parent }).region;
    const container = pulumi
        .all([a.image, p.environment, resolveSecrets(p.secrets), p.logGroupName, region])
        .apply(([image, env, sec, group, reg]) =>
            JSON.stringify([
                containerDefinition({
                    name: a.service,
                    image,
                    requestedVersion: a.requestedVersion,
                    port: a.containerPort,
                    environment: env,
                    secrets: sec,
                    logGroupName: group,
                    region: reg,
                }),
            ]),
        );
    return new aws.ecs.TaskDefinition(
        `${name}-task`,
        {
            family: taskFamilyName(a.stack, a.service),
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(a.cpu),
            memory: String(a.memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: a.cpuArchitecture },
            executionRoleArn: p.roles.executionRole.arn,
            taskRoleArn: p.roles.taskRole.arn,
            containerDefinitions: container,
            tags: { ...tags, [REQUESTED_VERSION_TAG]: a.requestedVersion },
            // Keep replaced revisions registered: ECS rolls back to the previous one, and the runbook can inspect it.
            skipDestroy: true,
        },
        { parent },
    );
}

interface ServiceParts {
    taskDefinition: aws.ecs.TaskDefinition;
    securityGroupId: pulumi.Output<string>;
    roles: ServiceRoles;
    route?: ServiceRoute;
}

/** What an ECS service behind the load balancer adds: its target group, the alarms that roll back, the grace period. */
function loadBalancedArgs(
    a: NormalizedArgs,
    route: { component: ServiceRoute; args: NonNullable<NormalizedArgs["route"]> } | undefined,
    progressive: { advancedConfiguration: unknown } | undefined,
): Partial<aws.ecs.ServiceArgs> {
    if (!route) return {};
    const lb = { targetGroupArn: route.component.targetGroupArn, containerName: a.service, containerPort: a.containerPort };
    return {
        alarms: { alarmNames: route.component.alarmNames, enable: true, rollback: true },
        healthCheckGracePeriodSeconds: route.args.healthCheckGracePeriod,
        loadBalancers: [{ ...lb, ...(progressive ? { advancedConfiguration: progressive.advancedConfiguration as never } : {}) }],
    };
}

/** The ECS service: rolling 100%/200% with the circuit breaker; behind the load balancer when there is a route. */
function createEcsService(
    name: string,
    a: NormalizedArgs,
    p: ServiceParts,
    tags: Record<string, string>,
    parent: pulumi.Resource,
): aws.ecs.Service {
    const route = p.route && a.route ? { component: p.route, args: a.route } : undefined;
    const autoscaled = a.maxCount > a.desiredCount;
    // Blue/green, canary, linear: ECS shifts traffic between the route's two target groups (components/progressiveRoute.ts).
    const progressive =
        route?.component.progressive && route.args.deployment
            ? progressiveServiceArgs(route.args.deployment, route.component.progressive, route.component.listenerRule)
            : undefined;
    return new aws.ecs.Service(
        `${name}-service`,
        {
            name: ecsServiceName(a.service),
            cluster: a.cluster.arn,
            taskDefinition: p.taskDefinition.arn,
            desiredCount: a.desiredCount,
            launchType: "FARGATE",
            platformVersion: "LATEST",
            deploymentController: { type: "ECS" },
            deploymentMinimumHealthyPercent: 100, // keep every old task until its replacement is healthy
            deploymentMaximumPercent: 200, // start all replacements at once
            deploymentCircuitBreaker: { enable: true, rollback: true },
            ...loadBalancedArgs(a, route, progressive),
            ...(progressive ? { deploymentConfiguration: progressive.deploymentConfiguration } : {}),
            // A progressive deployment bakes (maybe pauses for approval): verify-rollout follows it stage by stage instead.
            waitForSteadyState: !progressive,
            networkConfiguration: { subnets: a.subnetIds, securityGroups: [p.securityGroupId], assignPublicIp: false },
            enableExecuteCommand: true,
            enableEcsManagedTags: true,
            propagateTags: "TASK_DEFINITION",
            ...(a.redeployToken ? { triggers: { redeployToken: a.redeployToken }, forceNewDeployment: true } : {}),
            // A migrating service also names its before-hooks in run order: the policy pack sees tags, not hooks.
            tags: {
                ...tags,
                [REQUESTED_VERSION_TAG]: a.requestedVersion,
                [IMAGE_TAG]: a.image,
                ...hookOrderTags(hookNamesOf(a.serviceHooks)),
            },
        },
        {
            parent,
            // ECS needs the target group attached to the listener and the roles' policies in place before tasks start.
            // With the database: created after its instances (the first tasks, and run-migrations on create, need the writer).
            dependsOn: [
                ...(route ? [route.component.listenerRule] : []),
                ...(progressive?.dependsOn ?? []),
                ...p.roles.policies,
                ...(a.database?.instances ?? []),
            ],
            customTimeouts: { create: `${a.rolloutTimeoutMinutes}m`, update: `${a.rolloutTimeoutMinutes}m` },
            // With autoscaling, the scaler owns the running count; `desiredCount` is its minimum.
            ...(autoscaled ? { ignoreChanges: ["desiredCount"] } : {}),
            ...(a.serviceHooks ? { hooks: a.serviceHooks } : {}),
        },
    );
}
