/**
 * What `drydock migrate` needs from ECS before it runs a one-off task: the running service's task
 * definition and network (subnets, security groups), and a task definition that runs a given image —
 * the current one when it already does, else a new revision of it with only that container's image
 * (and its APP_VERSION and image-version label) changed. No Pulumi import.
 *
 * A revision registered here is outside Pulumi's state and harmless to it: Pulumi's task definition
 * resource tracks the revision it registered, and the next `pulumi up` registers its own.
 */
import {
    ContainerDefinition,
    DescribeServicesCommand,
    DescribeTaskDefinitionCommand,
    ECSClient,
    RegisterTaskDefinitionCommand,
    RegisterTaskDefinitionCommandInput,
    TaskDefinition,
} from "@aws-sdk/client-ecs";
import { APP_VERSION_ENV, IMAGE_VERSION_LABEL, REQUESTED_VERSION_TAG, shortTaskDefinition } from "../release/names";
import { aws, refused, requireAnswer } from "./errors";

/** The running service as a one-off task needs it. */
export interface ServiceTaskSetup {
    /** The task definition the service runs (its PRIMARY deployment's). */
    taskDefinition: string;
    subnets: string[];
    securityGroups: string[];
}

/** The service's task definition and awsvpc network, from DescribeServices. */
export async function serviceTaskSetup(ecs: ECSClient, cluster: string, service: string): Promise<ServiceTaskSetup> {
    const out = await aws(`ECS DescribeServices ${cluster} ${service}`, async () =>
        requireAnswer(await ecs.send(new DescribeServicesCommand({ cluster, services: [service] })), "services"),
    );
    const s = out.find((x) => x.status !== "INACTIVE");
    if (!s) {
        throw refused(
            `ECS service ${service}`,
            `not found in cluster ${cluster}`,
            "deploy the stack first (pulumi up); on the first deployment the run-migrations hook migrates the empty database",
        );
    }
    const td = s.deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition ?? s.taskDefinition;
    const net = s.networkConfiguration?.awsvpcConfiguration;
    if (!td || !net?.subnets?.length) {
        throw refused(
            `ECS service ${service}`,
            `has no ${!td ? "task definition" : "awsvpc subnets"} in its answer`,
            "check it with aws ecs describe-services",
        );
    }
    return { taskDefinition: td, subnets: net.subnets, securityGroups: net.securityGroups ?? [] };
}

/** What {@link taskDefinitionFor} returns. */
export interface ImageTaskDefinition {
    /** ARN of the task definition to run. */
    arn: string;
    /** The container's image in it. */
    image: string;
    /** A new revision was registered for this image. */
    registered: boolean;
}

/**
 * `c` running `image`; with `version`, its `APP_VERSION` and image-version label say that version too (as the
 * program sets them), so the task does not report the version it was copied from.
 */
function withImage(c: ContainerDefinition, image: string, version?: string): ContainerDefinition {
    if (version === undefined) return { ...c, image };
    const env = c.environment ?? [];
    const environment = env.some((e) => e.name === APP_VERSION_ENV)
        ? env.map((e) => (e.name === APP_VERSION_ENV ? { ...e, value: version } : e))
        : [...env, { name: APP_VERSION_ENV, value: version }];
    const dockerLabels =
        c.dockerLabels && IMAGE_VERSION_LABEL in c.dockerLabels ? { ...c.dockerLabels, [IMAGE_VERSION_LABEL]: version } : c.dockerLabels;
    return { ...c, image, environment, ...(dockerLabels ? { dockerLabels } : {}) };
}

/** RegisterTaskDefinition input: the described task definition, with `container`'s image (and version, when given) replaced. */
export function revisionWithImage(
    td: TaskDefinition,
    container: string,
    image: string,
    tags: Record<string, string>,
    version?: string,
): RegisterTaskDefinitionCommandInput {
    return {
        family: td.family,
        taskRoleArn: td.taskRoleArn,
        executionRoleArn: td.executionRoleArn,
        networkMode: td.networkMode,
        containerDefinitions: (td.containerDefinitions ?? []).map((c) => (c.name === container ? withImage(c, image, version) : c)),
        volumes: td.volumes,
        placementConstraints: td.placementConstraints,
        requiresCompatibilities: td.requiresCompatibilities,
        cpu: td.cpu,
        memory: td.memory,
        runtimePlatform: td.runtimePlatform,
        ephemeralStorage: td.ephemeralStorage,
        pidMode: td.pidMode,
        ipcMode: td.ipcMode,
        proxyConfiguration: td.proxyConfiguration,
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    };
}

/** A described task definition and the image its `container` runs now. */
export interface DescribedTaskDefinition {
    taskDefinition: TaskDefinition;
    tags: Record<string, string>;
    /** The container's image now. */
    image?: string;
}

/** DescribeTaskDefinition (with tags); refuses when `container` is not in it. */
export async function describeForContainer(ecs: ECSClient, taskDefinition: string, container: string): Promise<DescribedTaskDefinition> {
    const out = await aws(`ECS DescribeTaskDefinition ${shortTaskDefinition(taskDefinition)}`, async () => {
        const answer = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ["TAGS"] }));
        requireAnswer(answer, "taskDefinition");
        return answer;
    });
    const td = requireAnswer(out, "taskDefinition");
    const c = td.containerDefinitions?.find((x) => x.name === container);
    if (!c)
        throw refused(
            `task definition ${shortTaskDefinition(taskDefinition)}`,
            `has no container "${container}"`,
            "check the service's task definition with aws ecs describe-task-definition",
        );
    const tags = Object.fromEntries(
        (out.tags ?? []).filter((t) => t.key && t.value !== undefined).map((t) => [t.key as string, t.value as string]),
    );
    return { taskDefinition: td, tags, ...(c.image ? { image: c.image } : {}) };
}

/**
 * A task definition whose `container` runs `image`: the described one when it does already, else a new
 * revision of it with that image (tagged with the requested version and the tags it carries).
 */
export async function taskDefinitionFor(
    ecs: ECSClient,
    current: DescribedTaskDefinition,
    o: { container: string; image: string; requestedVersion: string },
): Promise<ImageTaskDefinition> {
    const td = current.taskDefinition;
    if (current.image === o.image) return { arn: td.taskDefinitionArn ?? "", image: o.image, registered: false };
    const tags = { ...current.tags, [REQUESTED_VERSION_TAG]: o.requestedVersion };
    const input = revisionWithImage(td, o.container, o.image, tags, o.requestedVersion);
    const registered = await aws(`ECS RegisterTaskDefinition ${td.family ?? ""}`, async () =>
        requireAnswer(await ecs.send(new RegisterTaskDefinitionCommand(input)), "taskDefinition"),
    );
    return { arn: registered.taskDefinitionArn ?? "", image: o.image, registered: true };
}
