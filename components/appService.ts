import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RolloutParams } from "../release/rollout";
import type { DatabaseAttachment } from "./database";
import type { LoadBalancerAttachment } from "./loadBalancer";
import { defaultHealthCheckTimeout } from "../release/limits";
import { ecsServiceName, IMAGE_TAG, REQUESTED_VERSION_TAG, ServiceKind, serviceLogGroupName, taskFamilyName } from "../release/names";
import { createServiceRoles } from "./serviceIam";
import { createAutoscaling, createDeploymentAlarms, DeploymentAlarmArgs } from "./serviceOps";
import { containerVariables, resolveSecrets, uniqueInputs, validate } from "./appServiceInputs";
import { containerDefinition } from "./taskContainer";
import { definedOnly } from "./validate";

export type { ServiceKind } from "../release/names";

/** The target group's health check, which gates every rollout: a new task takes traffic only once it passes. */
export interface HealthCheckArgs {
    /** @default backend "/api/v1/utils/health-check/", frontend "/" */
    path?: string;
    /** HTTP codes that count as healthy. @default "200-399" */
    matcher?: string;
    /** Seconds between checks, 5–15. @default 10 */
    interval?: number;
    /** Consecutive passes before a new task takes traffic, 2–3. @default 2 */
    healthyThreshold?: number;
    /** Consecutive failures before a task is taken out, 2–10. @default 3 */
    unhealthyThreshold?: number;
    /** Seconds a check may take, 2–(interval − 1). @default 5 */
    timeout?: number;
}

/** A secret for the container; the ARN may be an Output. */
export interface SecretInput {
    secretArn: pulumi.Input<string>;
    /** Key inside a JSON secret. @default undefined — the whole secret string */
    jsonKey?: string;
}

/** Names of the database variables a service with `database` gets. */
export interface DatabaseVariableNames {
    /** @default "DB_HOST" */ host?: string;
    /** @default "DB_PORT" */ port?: string;
    /** @default "DB_NAME" */ name?: string;
    /** Secret (from the RDS-managed secret's `username`). @default "DB_USER" */ user?: string;
    /** Secret (from the RDS-managed secret's `password`). @default "DB_PASSWORD" */ password?: string;
}

export interface AppServiceArgs {
    /** Which service: fixes the physical names (`<service>-service`, log group, task family) and per-service defaults. */
    service: ServiceKind;
    /** Stack name, for physical names. @default pulumi.getStack() */
    stack?: string;
    /** The ECS cluster (a `ServiceCluster` or `aws.ecs.Cluster`). */
    cluster: { arn: pulumi.Input<string>; name: pulumi.Input<string> };
    vpcId: pulumi.Input<string>;
    /** Private subnets for the tasks (no public IP). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The load balancer to attach to (a `LoadBalancer`). */
    loadBalancer: LoadBalancerAttachment;
    /** Image reference the task runs, already resolved (e.g. `repo@sha256:…`). */
    image: pulumi.Input<string>;
    /** The version as configured (`latest`, `v1.2.3`): tag, `APP_VERSION` and image label. */
    requestedVersion: string;
    /** ECR repository the execution role may pull from. @default "*" */
    repositoryArn?: pulumi.Input<string>;
    /** @default backend 8000, frontend 80 */
    containerPort?: number;
    /** Task CPU units (256, 512, 1024, …). @default 256 */
    cpu?: number;
    /** Task memory, MiB; must fit `cpu`. @default 512 */
    memory?: number;
    /** @default "X86_64" */
    cpuArchitecture?: "X86_64" | "ARM64";
    /** Tasks to run (the autoscaling minimum). @default 1 */
    desiredCount?: number;
    /** Autoscaling ceiling; above `desiredCount` enables CPU target tracking. @default desiredCount */
    maxCount?: number;
    /** Target average CPU, percent, for autoscaling. @default 60 */
    autoscalingCpuTarget?: number;
    /** ALB path patterns routed here (at most 5). @default backend ["/api/*"], frontend ["/*"] */
    pathPatterns?: string[];
    /** Listener rule priority, 1–50000; lower wins. @default backend 100, frontend 50000 (catch-all) */
    listenerRulePriority?: number;
    /** @default see {@link HealthCheckArgs} */
    healthCheck?: HealthCheckArgs;
    /** Seconds a replaced task drains before it stops, 0–3600 (AWS's own default is 300). @default 30 */
    deregistrationDelay?: number;
    /** Seconds ECS ignores failing health checks of a starting task (migrations), 0–1800. @default 60 */
    healthCheckGracePeriod?: number;
    /** @default see {@link DeploymentAlarmArgs} */
    deploymentAlarms?: DeploymentAlarmArgs;
    /** Minutes `pulumi up` waits for the service to reach a steady state. @default 30 */
    rolloutTimeoutMinutes?: number;
    /** Plain environment variables (no credentials: see `secrets`). @default {} */
    environment?: Record<string, pulumi.Input<string>>;
    /** Environment variables read from Secrets Manager at task start. @default {} */
    secrets?: Record<string, SecretInput>;
    /** Connect to this database: endpoint as env, credentials as secrets, and the 5432 rule. @default undefined */
    database?: DatabaseAttachment;
    /** @default see {@link DatabaseVariableNames} */
    databaseVariables?: DatabaseVariableNames;
    /** Outbound ports open to the internet (through NAT): image pulls, logs, Secrets Manager, ECS Exec. @default [443] */
    internetEgressPorts?: number[];
    /** CloudWatch log retention, days. @default 30 */
    logRetentionDays?: number;
    /** Any new value forces a new deployment of the same task definition (re-pull a moved tag). @default undefined */
    redeployToken?: string;
    /** Resource hooks bound to the `aws.ecs.Service`. @default undefined */
    serviceHooks?: pulumi.ResourceHookBinding;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}

const SERVICE_DEFAULTS = {
    backend: { containerPort: 8000, path: "/api/v1/utils/health-check/", pathPatterns: ["/api/*"], listenerRulePriority: 100 },
    frontend: { containerPort: 80, path: "/", pathPatterns: ["/*"], listenerRulePriority: 50000 },
} as const;

/**
 * One ECS Fargate service behind the load balancer, updated by zero-downtime rolling deployments:
 * ECS starts the new tasks next to the old (max 200%), keeps every old task until its replacement passes the ALB
 * health check (min 100%), drains the old ones for `deregistrationDelay`, and rolls back by itself if tasks keep
 * failing (circuit breaker) or the 5xx / unhealthy-host alarms fire during the deployment.
 */
export class AppService extends pulumi.ComponentResource {
    /** `<service>-service`. */
    readonly serviceName: pulumi.Output<string>;
    readonly serviceArn: pulumi.Output<string>;
    readonly taskDefinitionArn: pulumi.Output<string>;
    readonly targetGroupArn: pulumi.Output<string>;
    readonly targetGroupArnSuffix: pulumi.Output<string>;
    /** The tasks' security group. */
    readonly securityGroupId: pulumi.Output<string>;
    /** `/aws/ecs/<service>-logs-<stack>`. */
    readonly logGroupName: pulumi.Output<string>;
    /** The deployment settings in effect, for `estimateRollout`. */
    readonly rollout: RolloutParams;

    constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("drydock:components:AppService", name, {}, opts);
        const perService = SERVICE_DEFAULTS[args.service];
        if (!perService) {
            throw new Error(`AppService "${name}": service = ${JSON.stringify(args.service)} is not accepted; use "backend" or "frontend"`);
        }
        const a = {
            stack: pulumi.getStack(),
            repositoryArn: "*" as pulumi.Input<string>,
            containerPort: perService.containerPort,
            cpu: 256, // CPU units
            memory: 512, // MiB
            cpuArchitecture: "X86_64" as const,
            desiredCount: 1,
            autoscalingCpuTarget: 60, // percent
            pathPatterns: [...perService.pathPatterns],
            listenerRulePriority: perService.listenerRulePriority,
            deregistrationDelay: 30, // seconds
            healthCheckGracePeriod: 60, // seconds
            rolloutTimeoutMinutes: 30, // minutes
            environment: {},
            secrets: {},
            internetEgressPorts: [443],
            logRetentionDays: 30, // days
            tags: {},
            ...definedOnly(args),
        };
        const checks = { interval: 10, ...definedOnly(args.healthCheck) };
        const healthCheck = {
            path: perService.path,
            matcher: "200-399",
            healthyThreshold: 2,
            unhealthyThreshold: 3,
            timeout: defaultHealthCheckTimeout(checks.interval), // seconds, below the interval
            ...checks,
        };
        const maxCount = args.maxCount ?? a.desiredCount;
        const where = `AppService "${name}" (${a.service})`;
        validate(where, a, healthCheck, maxCount);

        const tags = { "drydock:stack": a.stack, "drydock:service": a.service, ...a.tags };
        const child = { parent: this };
        const { environment, secrets } = containerVariables(where, a);

        // --- logs and identity -----------------------------------------------------------------------------------
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: serviceLogGroupName(a.service, a.stack),
            retentionInDays: a.logRetentionDays,
            tags,
        }, child);
        const roles = createServiceRoles(name, {
            logGroupArn: logGroup.arn,
            repositoryArn: a.repositoryArn,
            secretArns: uniqueInputs(Object.values(secrets).map((s) => s.secretArn)),
        }, tags, this);

        // --- network: only the load balancer may reach the tasks -------------------------------------------------
        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: a.vpcId,
            description: `drydock ${a.service}: from the load balancer on ${a.containerPort} only`,
            tags,
        }, child);
        allowTraffic(`${name}-from-alb`, { from: a.loadBalancer.securityGroupId, to: sg.id, port: a.containerPort, what: `load balancer to ${a.service}` }, tags, this);
        if (a.database) {
            allowTraffic(`${name}-to-db`, { from: sg.id, to: a.database.securityGroupId, port: a.database.port, what: `${a.service} to the database` }, tags, this);
        }
        for (const port of a.internetEgressPorts) {
            new aws.vpc.SecurityGroupEgressRule(`${name}-out-${port}`, {
                securityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                cidrIpv4: "0.0.0.0/0",
                description: "outbound through NAT: ECR, CloudWatch Logs, Secrets Manager, ECS Exec",
                tags,
            }, child);
        }

        // --- load balancer target and route ----------------------------------------------------------------------
        const targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
            vpcId: a.vpcId,
            targetType: "ip",
            port: a.containerPort,
            protocol: "HTTP",
            deregistrationDelay: a.deregistrationDelay,
            healthCheck: { enabled: true, protocol: "HTTP", port: "traffic-port", ...healthCheck },
            tags,
        }, child);
        const route = new aws.lb.ListenerRule(`${name}-route`, {
            listenerArn: a.loadBalancer.listenerArn,
            priority: a.listenerRulePriority,
            conditions: [{ pathPattern: { values: a.pathPatterns } }],
            actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            tags,
        }, child);

        // --- task definition -------------------------------------------------------------------------------------
        const region = aws.getRegionOutput({}, child).region;
        const logGroupName = logGroup.name;
        const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
            family: taskFamilyName(a.stack, a.service),
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(a.cpu),
            memory: String(a.memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: a.cpuArchitecture },
            executionRoleArn: roles.executionRole.arn,
            taskRoleArn: roles.taskRole.arn,
            containerDefinitions: pulumi
                .all([a.image, environment, resolveSecrets(secrets), logGroupName, region])
                .apply(([image, env, sec, group, reg]) =>
                    JSON.stringify([containerDefinition({ name: a.service, image, requestedVersion: a.requestedVersion, port: a.containerPort, environment: env, secrets: sec, logGroupName: group, region: reg })]),
                ),
            tags: { ...tags, [REQUESTED_VERSION_TAG]: a.requestedVersion },
            // Keep replaced revisions registered: ECS rolls back to the previous one, and the runbook can inspect it.
            skipDestroy: true,
        }, child);

        // --- the service -----------------------------------------------------------------------------------------
        const alarms = createDeploymentAlarms(name, {
            stack: a.stack,
            service: a.service,
            targetGroupArnSuffix: targetGroup.arnSuffix,
            loadBalancerArnSuffix: a.loadBalancer.arnSuffix,
            ...a.deploymentAlarms,
        }, tags, this);
        const autoscaled = maxCount > a.desiredCount;
        const service = new aws.ecs.Service(`${name}-service`, {
            name: ecsServiceName(a.service),
            cluster: a.cluster.arn,
            taskDefinition: taskDefinition.arn,
            desiredCount: a.desiredCount,
            launchType: "FARGATE",
            platformVersion: "LATEST",
            deploymentController: { type: "ECS" },
            deploymentMinimumHealthyPercent: 100, // keep every old task until its replacement is healthy
            deploymentMaximumPercent: 200, // start all replacements at once
            deploymentCircuitBreaker: { enable: true, rollback: true },
            alarms: { alarmNames: alarms.map((al) => al.name), enable: true, rollback: true },
            healthCheckGracePeriodSeconds: a.healthCheckGracePeriod,
            waitForSteadyState: true,
            networkConfiguration: { subnets: a.subnetIds, securityGroups: [sg.id], assignPublicIp: false },
            loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: a.service, containerPort: a.containerPort }],
            enableExecuteCommand: true,
            enableEcsManagedTags: true,
            propagateTags: "TASK_DEFINITION",
            ...(a.redeployToken ? { triggers: { redeployToken: a.redeployToken }, forceNewDeployment: true } : {}),
            tags: { ...tags, [REQUESTED_VERSION_TAG]: a.requestedVersion, [IMAGE_TAG]: a.image },
        }, {
            parent: this,
            // ECS needs the target group attached to the listener and the roles' policies in place before tasks start.
            dependsOn: [route, ...roles.policies],
            customTimeouts: { create: `${a.rolloutTimeoutMinutes}m`, update: `${a.rolloutTimeoutMinutes}m` },
            // With autoscaling, the scaler owns the running count; `desiredCount` is its minimum.
            ...(autoscaled ? { ignoreChanges: ["desiredCount"] } : {}),
            ...(a.serviceHooks ? { hooks: a.serviceHooks } : {}),
        });
        if (autoscaled) {
            createAutoscaling(name, { clusterName: a.cluster.name, serviceName: service.name, minCount: a.desiredCount, maxCount, cpuTargetPercent: a.autoscalingCpuTarget }, tags, this);
        }

        this.serviceName = service.name;
        this.serviceArn = service.arn;
        this.taskDefinitionArn = taskDefinition.arn;
        this.targetGroupArn = targetGroup.arn;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.securityGroupId = sg.id;
        this.logGroupName = logGroup.name;
        this.rollout = {
            desiredCount: a.desiredCount,
            minimumHealthyPercent: 100,
            maximumPercent: 200,
            healthCheckIntervalSeconds: healthCheck.interval,
            healthyThreshold: healthCheck.healthyThreshold,
            healthCheckGracePeriodSeconds: a.healthCheckGracePeriod,
            deregistrationDelaySeconds: a.deregistrationDelay,
        };
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            taskDefinitionArn: this.taskDefinitionArn,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            securityGroupId: this.securityGroupId,
            logGroupName: this.logGroupName,
        });
    }
}

/**
 * Allows TCP `port` from one security group to another: an egress rule on the source and an ingress rule on the
 * target, both referencing the other group — no CIDR.
 */
function allowTraffic(
    name: string,
    p: { from: pulumi.Input<string>; to: pulumi.Input<string>; port: pulumi.Input<number>; what: string },
    tags: Record<string, string>,
    parent: pulumi.Resource,
): void {
    new aws.vpc.SecurityGroupIngressRule(`${name}-in`, {
        securityGroupId: p.to,
        referencedSecurityGroupId: p.from,
        ipProtocol: "tcp",
        fromPort: p.port,
        toPort: p.port,
        description: p.what,
        tags,
    }, { parent });
    new aws.vpc.SecurityGroupEgressRule(`${name}-out`, {
        securityGroupId: p.from,
        referencedSecurityGroupId: p.to,
        ipProtocol: "tcp",
        fromPort: p.port,
        toPort: p.port,
        description: p.what,
        tags,
    }, { parent });
}
