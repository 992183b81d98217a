/**
 * The drydock stack: validated settings in, components out. `index.ts` calls this with the
 * settings of the current stack; `drydock check` and the tests call it under mocks.
 *
 * Reads as a table of contents: network, ECS cluster, update hooks, database, load balancer, one
 * service per entry of the service table (services.ts), then the outputs the runbook needs.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppService } from "./components/appService";
import { ServiceCluster } from "./components/cluster";
import { Database } from "./components/database";
import { createUpdateHooks, UpdateHooks } from "./components/hooks";
import { resolveServiceImage } from "./components/images";
import { LoadBalancer } from "./components/loadBalancer";
import { dbClusterIdentifier, ecsClusterName } from "./release/names";
import { ENVIRONMENT_TAG } from "./release/stacks";
import { Network } from "./components/network";
import type { ServiceSettings, Settings } from "./config";

/** What each service reports as a stack output. */
export interface ServiceOutputs {
    /** The version as configured, e.g. `v1.2.3` or `latest`. */
    requestedVersion: string;
    /** The image the task definition runs (`repo@sha256:…` when digests are pinned). */
    image: pulumi.Output<string>;
    serviceName: pulumi.Output<string>;
    taskDefinitionArn: pulumi.Output<string>;
    logGroupName: pulumi.Output<string>;
    /** Absent for a service without a load-balanced route (a worker). */
    targetGroupArn?: pulumi.Output<string>;
}

export interface DrydockOutputs {
    stack: string;
    /** Open the application here. */
    url: pulumi.Output<string>;
    loadBalancerDnsName: pulumi.Output<string>;
    ecsClusterName: pulumi.Output<string>;
    databaseClusterIdentifier: pulumi.Output<string>;
    databaseEndpoint: pulumi.Output<string>;
    /** One entry per service of the service table, by name (index.ts exports each as a stack output of that name). */
    services: Record<string, ServiceOutputs>;
    /** The components, for callers that need more than the outputs (tests, `drydock check`); not stack outputs. */
    components: DrydockComponents;
}

export interface DrydockComponents {
    network: Network;
    cluster: ServiceCluster;
    database: Database;
    loadBalancer: LoadBalancer;
    /** One Fargate service per entry of the service table, by name. */
    services: Record<string, AppService>;
}

/** What every service is built on. */
interface Shared {
    settings: Settings;
    tags: Record<string, string>;
    network: Network;
    cluster: ServiceCluster;
    database: Database;
    loadBalancer: LoadBalancer;
    hooks: UpdateHooks;
}

/** Builds every resource of one drydock stack from its settings. */
export function createDrydock(settings: Settings): DrydockOutputs {
    const { stack } = settings;
    // The environment travels with every resource: the policy pack decides production from it (release/stacks.ts).
    const tags = { "drydock:stack": stack, [ENVIRONMENT_TAG]: settings.environment };
    const network = createNetwork(settings, tags);
    const cluster = new ServiceCluster("cluster", { stack, tags });
    const hooks = createUpdateHooks({
        stack,
        region: settings.region,
        clusterIdentifier: dbClusterIdentifier(stack),
        ecsClusterName: ecsClusterName(stack),
        release: settings.release,
        snapshots: settings.snapshots,
        rolloutTimeoutMinutes: settings.rolloutTimeoutMinutes,
        migrations: settings.migrations,
        // verify-rollout of a blue-green, canary or linear service returns after the traffic shift when false.
        deployments: Object.fromEntries(
            Object.values(settings.services).map((s) => [s.name, { waitForBake: s.deployment?.waitForBake ?? true }]),
        ),
    });
    const database = createDatabase(settings, network, hooks, tags);
    const loadBalancer = new LoadBalancer("alb", {
        vpcId: network.vpcId,
        subnetIds: network.publicSubnetIds,
        certificateArn: settings.loadBalancer.certificateArn,
        deletionProtection: settings.isProduction,
        tags,
    });
    const shared: Shared = { settings, tags, network, cluster, database, loadBalancer, hooks };
    const built = Object.values(settings.services).map((s) => [s.name, createService(shared, s)] as const);

    const host = settings.loadBalancer.domainName ? pulumi.output(settings.loadBalancer.domainName) : loadBalancer.dnsName;
    const scheme = settings.loadBalancer.certificateArn ? "https" : "http";
    return {
        stack,
        url: pulumi.interpolate`${scheme}://${host}/`,
        loadBalancerDnsName: loadBalancer.dnsName,
        ecsClusterName: cluster.name,
        databaseClusterIdentifier: database.clusterIdentifier,
        databaseEndpoint: database.endpoint,
        services: Object.fromEntries(built.map(([name, b]) => [name, b.outputs])),
        components: { network, cluster, database, loadBalancer, services: Object.fromEntries(built.map(([name, b]) => [name, b.app])) },
    };
}

function createNetwork(settings: Settings, tags: Record<string, string>): Network {
    const net = settings.network;
    return new Network(
        "network",
        net.vpcId
            ? { existing: { vpcId: net.vpcId, publicSubnetIds: net.publicSubnetIds, privateSubnetIds: net.privateSubnetIds }, tags }
            : {
                  availabilityZones: net.availabilityZones,
                  natGateways: net.natGateways === "one-per-az" ? "OnePerAz" : "Single",
                  cidrBlock: net.cidr,
                  tags,
              },
    );
}

function createDatabase(settings: Settings, network: Network, hooks: UpdateHooks, tags: Record<string, string>): Database {
    const db = settings.database;
    return new Database("database", {
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        stack: settings.stack,
        production: settings.isProduction,
        engineVersion: db.engineVersion,
        databaseName: db.name,
        masterUsername: db.username,
        instanceClass: db.instanceClass,
        serverlessCapacity: db.serverless ? { min: db.minCapacity, max: db.maxCapacity } : undefined,
        instanceCount: db.instanceCount,
        maintenanceWindow: db.maintenanceWindow,
        backupWindow: db.backupWindow,
        backupRetentionDays: db.backupRetentionDays,
        clusterHooks: hooks.forDatabase(),
        instanceHooks: hooks.forDatabase(),
        tags,
    });
}

/** The load-balanced route of a service whose table entry has one; undefined for a worker. */
function routeOf(shared: Shared, s: ServiceSettings): ConstructorParameters<typeof AppService>[1]["route"] {
    const route = s.spec.route;
    if (!route) return undefined;
    const lb = shared.settings.loadBalancer;
    return {
        loadBalancer: shared.loadBalancer,
        pathPatterns: s.pathPatterns ?? [...route.pathPatterns],
        listenerRulePriority: route.priority,
        healthCheck: {
            path: route.healthCheckPath,
            interval: lb.healthCheckIntervalSeconds,
            healthyThreshold: lb.healthyThreshold,
            unhealthyThreshold: lb.unhealthyThreshold,
        },
        deregistrationDelay: lb.deregistrationDelaySeconds,
        healthCheckGracePeriod: lb.healthCheckGracePeriodSeconds,
        ...(s.deployment ? { deployment: s.deployment } : {}),
    };
}

/** One service of the table: its image, its Fargate service (with its route, when it has one) and its hooks. */
function createService(shared: Shared, s: ServiceSettings): { app: AppService; outputs: ServiceOutputs } {
    const { settings } = shared;
    const resolved = resolveServiceImage(s, settings.pinDigests);
    const repo = s.repository;
    const route = routeOf(shared, s);
    const app = new AppService(s.name, {
        service: s.name,
        stack: settings.stack,
        cluster: { arn: shared.cluster.arn, name: shared.cluster.name },
        vpcId: shared.network.vpcId,
        subnetIds: shared.network.privateSubnetIds,
        ...(route ? { route } : {}),
        image: resolved.image,
        requestedVersion: resolved.requestedVersion,
        // The execution role may pull from this service's repository only.
        ...(repo.registryId && repo.region
            ? { repositoryArn: `arn:aws:ecr:${repo.region}:${repo.registryId}:repository/${repo.repositoryName}` }
            : {}),
        containerPort: s.port,
        cpu: s.cpu,
        memory: s.memory,
        desiredCount: s.desiredCount,
        maxCount: s.maxCount,
        autoscalingCpuTarget: settings.autoscalingCpuTarget,
        rolloutTimeoutMinutes: settings.rolloutTimeoutMinutes,
        ...(s.spec.database ? { database: shared.database } : {}),
        taskRoleStatements: s.taskRoleStatements,
        logRetentionDays: settings.logRetentionDays,
        ...(settings.redeployToken ? { redeployToken: settings.redeployToken } : {}),
        serviceHooks: shared.hooks.forService(s.spec),
        tags: shared.tags,
    });
    const outputs: ServiceOutputs = {
        requestedVersion: resolved.requestedVersion,
        image: resolved.image,
        serviceName: app.serviceName,
        taskDefinitionArn: app.taskDefinitionArn,
        logGroupName: app.logGroupName,
        ...(app.route ? { targetGroupArn: app.route.targetGroupArn } : {}),
    };
    return { app, outputs };
}
