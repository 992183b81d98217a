/**
 * The drydock stack: validated settings in, components out. `index.ts` calls this with the
 * settings of the current stack; `drydock check` and the tests call it under mocks.
 *
 * Reads as a table of contents: network, ECS cluster, database, load balancer, the images each
 * service runs, the update hooks, the two services, then the outputs the runbook needs.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppService } from "./components/appService";
import { ServiceCluster } from "./components/cluster";
import { Database } from "./components/database";
import { createUpdateHooks } from "./components/hooks";
import { resolveServiceImage } from "./components/images";
import { LoadBalancer } from "./components/loadBalancer";
import { dbClusterIdentifier, ecsClusterName } from "./release/names";
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
    targetGroupArn: pulumi.Output<string>;
}

export interface DrydockOutputs {
    stack: string;
    /** Open the application here. */
    url: pulumi.Output<string>;
    loadBalancerDnsName: pulumi.Output<string>;
    ecsClusterName: pulumi.Output<string>;
    databaseClusterIdentifier: pulumi.Output<string>;
    databaseEndpoint: pulumi.Output<string>;
    backend: ServiceOutputs;
    frontend: ServiceOutputs;
}

/** Builds every resource of one drydock stack from its settings. */
export function createDrydock(settings: Settings): DrydockOutputs {
    const { stack, isProduction: production } = settings;
    const tags = { "drydock:stack": stack };

    const net = settings.network;
    const network = new Network(
        "network",
        net.vpcId
            ? { existing: { vpcId: net.vpcId, publicSubnetIds: net.publicSubnetIds, privateSubnetIds: net.privateSubnetIds }, tags }
            : { availabilityZones: net.availabilityZones, natGateways: net.natGateways === "one-per-az" ? "OnePerAz" : "Single", cidrBlock: net.cidr, tags },
    );

    const cluster = new ServiceCluster("cluster", { stack, tags });

    const hooks = createUpdateHooks({
        stack,
        region: settings.region,
        clusterIdentifier: dbClusterIdentifier(stack),
        ecsClusterName: ecsClusterName(stack),
        release: settings.release,
        snapshots: settings.snapshots,
        rolloutTimeoutMinutes: settings.rolloutTimeoutMinutes,
    });

    const db = settings.database;
    const database = new Database("database", {
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        stack,
        production,
        engineVersion: db.engineVersion,
        databaseName: db.name,
        masterUsername: db.username,
        instanceClass: db.instanceClass,
        serverlessCapacity: db.serverless ? { min: db.minCapacity, max: db.maxCapacity } : undefined,
        instanceCount: db.instanceCount,
        maintenanceWindow: db.maintenanceWindow,
        backupWindow: db.backupWindow,
        backupRetentionDays: db.backupRetentionDays,
        clusterHooks: hooks.bindings.databaseCluster,
        instanceHooks: hooks.bindings.databaseInstance,
        tags,
    });

    const loadBalancer = new LoadBalancer("alb", {
        vpcId: network.vpcId,
        subnetIds: network.publicSubnetIds,
        certificateArn: settings.loadBalancer.certificateArn,
        deletionProtection: production,
        tags,
    });

    const service = (s: ServiceSettings, extra: { hooks: pulumi.ResourceHookBinding; database?: Database; pathPatterns?: string[] }): ServiceOutputs => {
        const resolved = resolveServiceImage(s, settings.pinDigests);
        const lb = settings.loadBalancer;
        const app = new AppService(s.name, {
            service: s.name,
            stack,
            cluster: { arn: cluster.arn, name: cluster.name },
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            loadBalancer,
            image: resolved.image,
            requestedVersion: resolved.requestedVersion,
            // The execution role may pull from this service's repository only.
            ...(s.repository.registryId && s.repository.region
                ? { repositoryArn: `arn:aws:ecr:${s.repository.region}:${s.repository.registryId}:repository/${s.repository.repositoryName}` }
                : {}),
            containerPort: s.port,
            cpu: s.cpu,
            memory: s.memory,
            desiredCount: s.desiredCount,
            maxCount: s.maxCount,
            autoscalingCpuTarget: settings.autoscalingCpuTarget,
            ...(extra.pathPatterns ? { pathPatterns: extra.pathPatterns } : {}),
            healthCheck: {
                interval: lb.healthCheckIntervalSeconds,
                healthyThreshold: lb.healthyThreshold,
                unhealthyThreshold: lb.unhealthyThreshold,
            },
            deregistrationDelay: lb.deregistrationDelaySeconds,
            healthCheckGracePeriod: lb.healthCheckGracePeriodSeconds,
            rolloutTimeoutMinutes: settings.rolloutTimeoutMinutes,
            ...(extra.database ? { database: extra.database } : {}),
            logRetentionDays: settings.logRetentionDays,
            ...(settings.redeployToken ? { redeployToken: settings.redeployToken } : {}),
            serviceHooks: extra.hooks,
            tags,
        });
        return {
            requestedVersion: resolved.requestedVersion,
            image: resolved.image,
            serviceName: app.serviceName,
            taskDefinitionArn: app.taskDefinitionArn,
            logGroupName: app.logGroupName,
            targetGroupArn: app.targetGroupArn,
        };
    };

    const backend = service(settings.backend, {
        hooks: hooks.bindings.backendService,
        database,
        pathPatterns: settings.loadBalancer.backendPathPatterns,
    });
    const frontend = service(settings.frontend, { hooks: hooks.bindings.frontendService });

    const host = settings.loadBalancer.domainName ? pulumi.output(settings.loadBalancer.domainName) : loadBalancer.dnsName;
    const scheme = settings.loadBalancer.certificateArn ? "https" : "http";
    return {
        stack,
        url: pulumi.interpolate`${scheme}://${host}/`,
        loadBalancerDnsName: loadBalancer.dnsName,
        ecsClusterName: cluster.name,
        databaseClusterIdentifier: database.clusterIdentifier,
        databaseEndpoint: database.endpoint,
        backend,
        frontend,
    };
}

