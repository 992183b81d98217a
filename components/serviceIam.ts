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

/** An extra task-role statement (the application's own AWS access). */
export interface ExtraStatement {
    actions: string[];
    resources: pulumi.Input<string>[];
    effect?: "Allow" | "Deny";
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
 * - Task role (the application's identity): the SSM channels ECS Exec needs (`aws ecs execute-command`), plus the
 *   `extra` statements the stack configures (`<service>TaskRoleStatements`), nothing else.
 */
export function createServiceRoles(
    name: string,
    scope: ExecutionRoleScope,
    extra: ExtraStatement[],
    tags: Record<string, string>,
    parent: pulumi.Resource,
): ServiceRoles {
    const opts = { parent };
    const executionRole = createExecutionRole(name, scope, tags, opts);
    const { taskRole, taskPolicy } = createTaskRole(name, extra, tags, opts);
    return { executionRole: executionRole.role, taskRole, policies: [executionRole.policy, taskPolicy] };
}

function createExecutionRole(name: string, scope: ExecutionRoleScope, tags: Record<string, string>, opts: pulumi.CustomResourceOptions) {
    const executionRole = new aws.iam.Role(
        `${name}-execution`,
        {
            assumeRolePolicy: ECS_TASKS_TRUST,
            description: "ECS agent: pull the image, write logs, read the task's secrets",
            tags,
        },
        opts,
    );
    const statements: pulumi.Input<Record<string, unknown>>[] = [
        { Sid: "EcrAuth", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" }, // not resource-scoped by AWS
        {
            Sid: "PullImage",
            Effect: "Allow",
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            Resource: scope.repositoryArn,
        },
        {
            Sid: "WriteLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${scope.logGroupArn}:*`,
        },
    ];
    if (scope.secretArns.length > 0) {
        statements.push({ Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: scope.secretArns });
    }
    const policy = new aws.iam.RolePolicy(
        `${name}-execution`,
        {
            role: executionRole.name,
            policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
        },
        opts,
    );
    return { role: executionRole, policy };
}

function createTaskRole(name: string, extra: ExtraStatement[], tags: Record<string, string>, opts: pulumi.CustomResourceOptions) {
    const taskRole = new aws.iam.Role(
        `${name}-task`,
        {
            assumeRolePolicy: ECS_TASKS_TRUST,
            description:
                extra.length === 0
                    ? "Application task role: ECS Exec only"
                    : "Application task role: ECS Exec and the configured statements",
            tags,
        },
        opts,
    );
    const exec = { Sid: "EcsExec", Effect: "Allow", Action: ECS_EXEC_ACTIONS, Resource: "*" };
    const configured = extra.map((s, i) => ({
        Sid: `Configured${i + 1}`,
        Effect: s.effect ?? "Allow",
        Action: s.actions,
        Resource: s.resources,
    }));
    const taskPolicy = new aws.iam.RolePolicy(
        `${name}-task`,
        {
            role: taskRole.name,
            // Without configured statements the document stays plain text, exactly as before they existed.
            policy:
                configured.length === 0
                    ? JSON.stringify({ Version: "2012-10-17", Statement: [exec] })
                    : pulumi.jsonStringify({ Version: "2012-10-17", Statement: [exec, ...configured] }),
        },
        opts,
    );
    return { taskRole, taskPolicy };
}
