import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What the ECS agent (execution role) may read on a service's behalf. */
export interface ExecutionRoleScope {
    /** The service's log group ARN; the role may write log streams in it only. */
    logGroupArn: pulumi.Input<string>;
    /** ECR repository the image comes from; `"*"` allows any repository of the account. */
    repositoryArn: pulumi.Input<string>;
    /** Secrets Manager secrets the container's `secrets` reference; the role may read exactly these. */
    secretArns: pulumi.Input<string>[];
}

export interface ServiceRoles {
    executionRole: aws.iam.Role;
    taskRole: aws.iam.Role;
    /** The inline policies; the ECS service waits for them so the first tasks can start. */
    policies: aws.iam.RolePolicy[];
}

/** The Actions the ECS Exec agent (SSM Session Manager) needs in the task role. */
export const ECS_EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

const ECS_TASKS_TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/**
 * The two roles of a Fargate task.
 * - Execution role (used by ECS to start the task): pull the image, write to the service's log group, read only the
 *   referenced secrets.
 * - Task role (the application's identity): only the SSM channels ECS Exec needs (`aws ecs execute-command`).
 */
export function createServiceRoles(name: string, scope: ExecutionRoleScope, tags: Record<string, string>, parent: pulumi.Resource): ServiceRoles {
    const opts = { parent };
    const executionRole = new aws.iam.Role(`${name}-execution`, {
        assumeRolePolicy: ECS_TASKS_TRUST,
        description: "ECS agent: pull the image, write logs, read the task's secrets",
        tags,
    }, opts);
    const statements: pulumi.Input<Record<string, unknown>>[] = [
        { Sid: "EcrAuth", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" }, // not resource-scoped by AWS
        { Sid: "PullImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: scope.repositoryArn },
        { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${scope.logGroupArn}:*` },
    ];
    if (scope.secretArns.length > 0) {
        statements.push({ Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: scope.secretArns });
    }
    const executionPolicy = new aws.iam.RolePolicy(`${name}-execution`, {
        role: executionRole.name,
        policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
    }, opts);

    const taskRole = new aws.iam.Role(`${name}-task`, {
        assumeRolePolicy: ECS_TASKS_TRUST,
        description: "Application task role: ECS Exec only",
        tags,
    }, opts);
    const taskPolicy = new aws.iam.RolePolicy(`${name}-task`, {
        role: taskRole.name,
        policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Sid: "EcsExec", Effect: "Allow", Action: ECS_EXEC_ACTIONS, Resource: "*" }],
        }),
    }, opts);

    return { executionRole, taskRole, policies: [executionPolicy, taskPolicy] };
}
