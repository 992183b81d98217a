/**
 * The arguments of an `AppService` (a Fargate service) and of its optional load-balanced route. Types only:
 * appService.ts, serviceRoute.ts and appServiceInputs.ts all import from here, never from each other's
 * implementation, so there is no import cycle.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseAttachment } from "./database";
import type { LoadBalancerAttachment } from "./loadBalancer";
import type { DeploymentAlarmArgs } from "./serviceOps";
import type { DeploymentSettings } from "../release/strategy";

/** The target group's health check, which gates every rollout: a new task takes traffic only once it passes. */
export interface HealthCheckArgs {
    /** @default "/" */
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

/** One extra statement for the task role (the application's own AWS access). */
export interface TaskRoleStatementArgs {
    /** `service:Action` names, e.g. `["s3:GetObject"]`. */
    actions: string[];
    /** ARNs, or `"*"` for actions AWS does not scope to a resource. */
    resources: pulumi.Input<string>[];
    /** @default "Allow" */
    effect?: "Allow" | "Deny";
}

/**
 * The load-balanced route of a service: target group, listener rule on the load balancer's listener, the
 * 5xx / unhealthy-host alarms that roll a deployment back, and the rules that admit the load balancer.
 */
export interface ServiceRouteArgs {
    /** The load balancer to attach to (a `LoadBalancer`). */
    loadBalancer: LoadBalancerAttachment;
    /** ALB path patterns routed here (1–5). @default ["/*"] */
    pathPatterns?: string[];
    /** Listener rule priority, 1–50000; lower wins. @default 50000 (the catch-all) */
    listenerRulePriority?: number;
    /** @default see {@link HealthCheckArgs} */
    healthCheck?: HealthCheckArgs;
    /** Seconds a replaced task drains before it stops, 0–3600 (AWS's own default is 300). @default 30 */
    deregistrationDelay?: number;
    /** Seconds ECS ignores failing health checks of a starting task (migrations), 1–1800. @default 60 */
    healthCheckGracePeriod?: number;
    /** @default see {@link DeploymentAlarmArgs} */
    deploymentAlarms?: DeploymentAlarmArgs;
    /**
     * How ECS deploys the service (release/strategy.ts). A blue-green, canary or linear strategy adds an alternate
     * target group, a test listener rule and the ECS infrastructure role (components/progressiveRoute.ts).
     * @default undefined — a rolling update
     */
    deployment?: DeploymentSettings;
}

export interface AppServiceArgs {
    /** The service's name (an entry of the service table): fixes `<service>-service`, the log group, the task family. */
    service: string;
    /** Stack name, for physical names. @default pulumi.getStack() */
    stack?: string;
    /** The ECS cluster (a `ServiceCluster` or `aws.ecs.Cluster`). */
    cluster: { arn: pulumi.Input<string>; name: pulumi.Input<string> };
    vpcId: pulumi.Input<string>;
    /** Private subnets for the tasks (no public IP). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Behind the load balancer when set; without it the service is a worker that takes no traffic. @default undefined */
    route?: ServiceRouteArgs;
    /** Image reference the task runs, already resolved (e.g. `repo@sha256:…`). */
    image: pulumi.Input<string>;
    /** The version as configured (`latest`, `v1.2.3`): tag, `APP_VERSION` and image label. */
    requestedVersion: string;
    /** ECR repository the execution role may pull from. @default "*" */
    repositoryArn?: pulumi.Input<string>;
    /** The port the container listens on. @default 80 */
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
    /** Extra statements for the task role; no `*` action, no whole service on `*`. @default [] */
    taskRoleStatements?: TaskRoleStatementArgs[];
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

/** A route with its defaults applied. */
export interface NormalizedRoute extends Required<Omit<ServiceRouteArgs, "deploymentAlarms" | "healthCheck" | "deployment">> {
    healthCheck: Required<HealthCheckArgs>;
    deploymentAlarms?: DeploymentAlarmArgs;
    deployment?: DeploymentSettings;
}

/** AppServiceArgs with the defaults applied. */
export type NormalizedArgs = Omit<AppServiceArgs, "route" | "maxCount"> &
    Required<
        Pick<
            AppServiceArgs,
            | "stack"
            | "repositoryArn"
            | "containerPort"
            | "cpu"
            | "memory"
            | "cpuArchitecture"
            | "desiredCount"
            | "autoscalingCpuTarget"
            | "rolloutTimeoutMinutes"
            | "environment"
            | "secrets"
            | "taskRoleStatements"
            | "internetEgressPorts"
            | "logRetentionDays"
            | "tags"
        >
    > & { maxCount: number; route?: NormalizedRoute };
