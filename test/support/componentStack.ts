/**
 * Builds drydock's components under the mock cloud with staging-like or production-like arguments
 * (what program.ts derives from Pulumi.staging.yaml / Pulumi.production.yaml), and settles.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppService, AppServiceArgs } from "../../components/appService";
import { ServiceCluster } from "../../components/cluster";
import { Database, DatabaseArgs } from "../../components/database";
import { LoadBalancer } from "../../components/loadBalancer";
import { Network } from "../../components/network";
import { MockCloud, startMockCloud } from "../../offline/mockCloud";

export type StackKind = "staging" | "production";

export const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0b9e6c1a-1111-2222-3333-444455556666";
export const REPOSITORY = "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock";

export interface Overrides {
    certificateArn?: string | null; // null: none
    redeployToken?: string;
    backend?: Partial<AppServiceArgs>;
    frontend?: Partial<AppServiceArgs>;
    database?: Partial<DatabaseArgs>;
    /** Bind hooks named like drydock's (release-gate, pre-update-snapshot, verify-rollout). @default true */
    hooks?: boolean;
    preview?: boolean;
}

export interface BuiltStack {
    cloud: MockCloud;
    stack: string;
    network: Network;
    loadBalancer: LoadBalancer;
    cluster: ServiceCluster;
    database: Database;
    backend: AppService;
    frontend: AppService;
}

/** The creation time the final snapshot name is built from, in every fixture. */
export const FIXED_NOW = new Date("2026-03-15T04:25:01Z");

export async function buildStack(kind: StackKind, o: Overrides = {}): Promise<BuiltStack> {
    const production = kind === "production";
    const stack = kind;
    const cloud = startMockCloud({ stack, preview: o.preview ?? false, config: { "aws:region": "us-east-1" } });

    const hooks = o.hooks ?? true;
    const gate = hooks ? new pulumi.ResourceHook("release-gate", async () => undefined) : undefined;
    const snapshot = hooks ? new pulumi.ResourceHook("pre-update-snapshot", async () => undefined) : undefined;
    const verify = hooks ? new pulumi.ResourceHook("verify-rollout", async () => undefined) : undefined;
    const serviceHooks = (withSnapshot: boolean): pulumi.ResourceHookBinding | undefined =>
        gate && snapshot && verify
            ? { beforeUpdate: withSnapshot ? [gate, snapshot] : [gate], afterCreate: [verify], afterUpdate: [verify] }
            : undefined;

    const network = new Network("network", {
        existing: {
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: ["subnet-public-a", "subnet-public-b"],
            privateSubnetIds: ["subnet-private-a", "subnet-private-b"],
        },
    });
    const certificateArn = o.certificateArn === undefined ? (production ? CERTIFICATE_ARN : undefined) : (o.certificateArn ?? undefined);
    const loadBalancer = new LoadBalancer("web", {
        vpcId: network.vpcId,
        subnetIds: network.publicSubnetIds,
        ...(certificateArn ? { certificateArn } : {}),
        deletionProtection: production,
    });
    const cluster = new ServiceCluster("ecs", { stack });
    const database = new Database("db", {
        stack,
        production,
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        instanceCount: production ? 2 : 1,
        serverlessCapacity: { min: production ? 1 : 0.5, max: production ? 16 : 4 },
        backupRetentionDays: production ? 14 : 7,
        maintenanceWindow: "sun:05:00-sun:06:00",
        backupWindow: "03:00-04:00",
        clock: () => FIXED_NOW,
        ...(snapshot ? { clusterHooks: { beforeUpdate: [snapshot] } } : {}),
        ...o.database,
    });
    const common = {
        stack,
        cluster,
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        loadBalancer,
        logRetentionDays: production ? 90 : 14,
        ...(o.redeployToken ? { redeployToken: o.redeployToken } : {}),
    };
    const version = production ? "v1.2.3" : "latest";
    const digest = `sha256:${"ab".repeat(32)}`;
    const backend = new AppService("backend", {
        ...common,
        service: "backend",
        image: `${REPOSITORY}/backend@${digest}`,
        requestedVersion: version,
        cpu: 512,
        memory: 1024,
        desiredCount: production ? 2 : 1,
        maxCount: production ? 6 : 1,
        database,
        environment: { LOG_LEVEL: "info" },
        ...(serviceHooks(true) ? { serviceHooks: serviceHooks(true) } : {}),
        ...o.backend,
    });
    const frontend = new AppService("frontend", {
        ...common,
        service: "frontend",
        image: `${REPOSITORY}/frontend@${digest}`,
        requestedVersion: version,
        desiredCount: production ? 2 : 1,
        maxCount: production ? 4 : 1,
        ...(serviceHooks(false) ? { serviceHooks: serviceHooks(false) } : {}),
        ...o.frontend,
    });
    await cloud.settle();
    return { cloud, stack, network, loadBalancer, cluster, database, backend, frontend };
}
