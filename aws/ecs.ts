/**
 * What a stack runs on ECS: its services, their deployments, the task definition (and so the
 * image and version) each runs, and a service's task definition history.
 *
 * Physical names come from components/names.ts: cluster `drydock-<stack>`, services `<service>-service`,
 * task definition families `drydock-<stack>-<service>`; each task definition carries the tag
 * `drydock:requested-version` and the container env `APP_VERSION`.
 */
import {
    ContainerDefinition,
    DescribeServicesCommand,
    DescribeTaskDefinitionCommand,
    DescribeTasksCommand,
    DesiredStatus,
    ECSClient,
    ListTasksCommand,
    paginateListTaskDefinitions,
    Service,
    TaskDefinitionStatus,
} from "@aws-sdk/client-ecs";
import {
    APP_VERSION_ENV,
    ecsClusterName,
    ecsServiceName,
    REQUESTED_VERSION_TAG,
    shortTaskDefinition,
    taskFamilyName,
} from "../release/names";
import { ServiceName } from "../config";
import { ImageRef, parseImageReference } from "../release/imageRef";
import { aws, CliError, EXIT, refused, requireAnswer } from "./errors";

export interface DeploymentState {
    taskDefinition: string;
    /** ECS rolloutState: IN_PROGRESS, COMPLETED or FAILED. */
    rolloutState?: string;
    rolloutStateReason?: string;
    status?: string;
    /** When ECS created the deployment, and last changed it (for a COMPLETED one: about when it finished rolling out). */
    createdAt?: Date;
    updatedAt?: Date;
    /** Tasks of this deployment that failed to start or to stay running (ECS counts them). */
    failedTasks?: number;
}

/** A service event saying ECS rolled a deployment back (the circuit breaker), e.g. `rolling back to deployment ecs-svc/…`. */
export interface RollbackEvent {
    at: Date;
    message: string;
}

/** One ECS service as drydock reports it. */
export interface ServiceState {
    name: ServiceName;
    /** false when the cluster has no such (active) service. */
    found: boolean;
    /** The task definition the service is set to run now. */
    taskDefinition?: string;
    desired: number;
    running: number;
    pending: number;
    primary?: DeploymentState;
    /** Other deployments whose rollout FAILED (e.g. rolled back by the circuit breaker). */
    failed: DeploymentState[];
    targetGroupArns: string[];
    /** The service's events that report a rollback, newest first (ECS keeps the last 100 events). */
    rollbackEvents?: RollbackEvent[];
}

const ROLLBACK_EVENT = /\broll(?:ing|ed) ?back\b/i;

function toState(name: ServiceName, s: Service | undefined): ServiceState {
    if (!s || s.status === "INACTIVE") return { name, found: false, desired: 0, running: 0, pending: 0, failed: [], targetGroupArns: [] };
    const deployments = (s.deployments ?? []).map((d) => ({
        taskDefinition: d.taskDefinition ?? "",
        ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
        ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
        ...(d.status ? { status: d.status } : {}),
        ...(d.failedTasks ? { failedTasks: d.failedTasks } : {}),
        ...(d.createdAt ? { createdAt: d.createdAt } : {}),
        ...(d.updatedAt ? { updatedAt: d.updatedAt } : {}),
    }));
    const primary = deployments.find((d) => d.status === "PRIMARY");
    return {
        name,
        found: true,
        ...(s.taskDefinition ? { taskDefinition: s.taskDefinition } : {}),
        desired: s.desiredCount ?? 0,
        running: s.runningCount ?? 0,
        pending: s.pendingCount ?? 0,
        ...(primary ? { primary } : {}),
        failed: deployments.filter((d) => d !== primary && d.rolloutState === "FAILED"),
        targetGroupArns: (s.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((a): a is string => !!a),
        rollbackEvents: (s.events ?? [])
            .filter((e) => e.createdAt && e.message && ROLLBACK_EVENT.test(e.message))
            .map((e) => ({ at: e.createdAt as Date, message: e.message as string })),
    };
}

/** The stack's ECS cluster does not exist (exit 1): not deployed, or the wrong account or region. */
export class ClusterNotFound extends CliError {
    constructor(readonly stack: string) {
        super(
            `ECS cluster ${ecsClusterName(stack)}`,
            "not found",
            `has stack ${stack} been deployed (pulumi up -s ${stack})? check the AWS account and region`,
            EXIT.failed,
        );
    }
}

/**
 * DescribeServices for the given services of the stack's cluster.
 * A missing cluster is an error (exit 1) saying the stack may not be deployed.
 */
export async function describeServices(
    ecs: ECSClient,
    stack: string,
    names: readonly ServiceName[],
): Promise<Map<ServiceName, ServiceState>> {
    const cluster = ecsClusterName(stack);
    const out = await aws(`ECS DescribeServices ${cluster}`, async () => {
        try {
            const answer = await ecs.send(new DescribeServicesCommand({ cluster, services: names.map(ecsServiceName) }));
            requireAnswer(answer, "services"); // a missing list is no answer, not "service not found"
            return answer;
        } catch (e) {
            if ((e as Error).name === "ClusterNotFoundException") throw new ClusterNotFound(stack);
            throw e;
        }
    });
    const result = new Map<ServiceName, ServiceState>();
    for (const name of names) {
        const s = (out.services ?? []).find((x) => x.serviceName === ecsServiceName(name) && x.status !== "INACTIVE");
        result.set(name, toState(name, s));
    }
    return result;
}

/** A task definition revision and what it runs. */
export interface TaskDefinitionInfo {
    arn: string;
    family?: string;
    revision: number;
    /** ACTIVE or INACTIVE (deregistered, as Pulumi leaves replaced revisions). */
    status?: string;
    /** The service container's name. */
    containerName?: string;
    /** The service container's image, e.g. `repo@sha256:…` or `repo:v1.2.3`. */
    image: string;
    ref: ImageRef;
    /** Tag `drydock:requested-version`. */
    requestedVersion?: string;
    /** Container env `APP_VERSION`. */
    appVersion?: string;
    /** What to call this version: requested version, else APP_VERSION, else the image tag, else the digest. */
    version: string;
    registeredAt?: Date;
}

/** The container that runs the service: the one named like the service, else from its repository, else the first. */
function serviceContainer(defs: ContainerDefinition[], service: ServiceName, repositoryUri?: string): ContainerDefinition | undefined {
    return (
        defs.find((c) => c.name === service) ??
        (repositoryUri
            ? defs.find((c) => c.image?.startsWith(`${repositoryUri}:`) || c.image?.startsWith(`${repositoryUri}@`))
            : undefined) ??
        defs.find((c) => c.essential !== false) ??
        defs[0]
    );
}

/** DescribeTaskDefinition (with tags) → the service container's image and version. */
export async function describeTaskDefinition(
    ecs: ECSClient,
    taskDefinition: string,
    service: ServiceName,
    repositoryUri?: string,
): Promise<TaskDefinitionInfo> {
    const out = await aws(`ECS DescribeTaskDefinition ${shortTaskDefinition(taskDefinition)}`, () =>
        ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ["TAGS"] })),
    );
    const td = out.taskDefinition;
    const container = serviceContainer(td?.containerDefinitions ?? [], service, repositoryUri);
    if (!td || !container?.image) {
        throw refused(`ECS task definition ${shortTaskDefinition(taskDefinition)}`, `has no container image for ${service}`);
    }
    let ref: ImageRef;
    try {
        ref = parseImageReference(container.image);
    } catch (e) {
        throw refused(`ECS task definition ${shortTaskDefinition(taskDefinition)}`, `image ${container.image}: ${(e as Error).message}`);
    }
    const requestedVersion = out.tags?.find((t) => t.key === REQUESTED_VERSION_TAG)?.value || undefined;
    const appVersion = container.environment?.find((e) => e.name === APP_VERSION_ENV)?.value || undefined;
    return {
        arn: td.taskDefinitionArn ?? taskDefinition,
        ...(td.family ? { family: td.family } : {}),
        revision: td.revision ?? 0,
        ...(td.status ? { status: td.status } : {}),
        ...(container.name ? { containerName: container.name } : {}),
        image: container.image,
        ref,
        ...(requestedVersion ? { requestedVersion } : {}),
        ...(appVersion ? { appVersion } : {}),
        version: requestedVersion ?? appVersion ?? ref.tag ?? ref.digest ?? container.image,
        ...(td.registeredAt ? { registeredAt: td.registeredAt } : {}),
    };
}

/** Revision number from an ARN or `family:revision`; 0 when absent. */
export function revisionOf(arn: string): number {
    const m = /:(\d+)$/.exec(arn);
    return m ? Number(m[1]) : 0;
}

/**
 * Every revision of the service's task definition family, ACTIVE and INACTIVE (Pulumi deregisters
 * replaced revisions), newest first. Reads all pages.
 */
export async function taskDefinitionHistory(ecs: ECSClient, stack: string, service: ServiceName): Promise<string[]> {
    const familyPrefix = taskFamilyName(stack, service);
    const arns: string[] = [];
    for (const status of [TaskDefinitionStatus.ACTIVE, TaskDefinitionStatus.INACTIVE]) {
        await aws(`ECS ListTaskDefinitions ${familyPrefix}`, async () => {
            for await (const page of paginateListTaskDefinitions({ client: ecs }, { familyPrefix, sort: "DESC", status })) {
                arns.push(...requireAnswer(page, "taskDefinitionArns"));
            }
        });
    }
    // familyPrefix also matches longer families (drydock-production-backend2): keep the exact family.
    const exact = arns.filter((a) => shortTaskDefinition(a).replace(/:\d+$/, "") === familyPrefix);
    return [...new Set(exact)].sort((a, b) => revisionOf(b) - revisionOf(a));
}

/**
 * The image digests the service's RUNNING tasks of `td` actually pulled (ECS records them per
 * container), for a task definition that names a mutable tag. At most 100 tasks are read.
 */
export async function runningTaskDigests(ecs: ECSClient, stack: string, service: ServiceName, td: TaskDefinitionInfo): Promise<string[]> {
    const cluster = ecsClusterName(stack);
    const listed = await aws(`ECS ListTasks ${cluster} ${ecsServiceName(service)}`, async () =>
        requireAnswer(
            await ecs.send(new ListTasksCommand({ cluster, serviceName: ecsServiceName(service), desiredStatus: DesiredStatus.RUNNING })),
            "taskArns",
        ),
    );
    const arns = listed.slice(0, 100);
    if (arns.length === 0) return [];
    const described = await aws(`ECS DescribeTasks ${cluster}`, async () =>
        requireAnswer(await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns })), "tasks"),
    );
    const digests = new Set<string>();
    for (const task of described) {
        if (task.taskDefinitionArn !== td.arn) continue;
        const container = (task.containers ?? []).find((c) => (td.containerName ? c.name === td.containerName : true));
        if (container?.imageDigest) digests.add(container.imageDigest);
    }
    return [...digests];
}
