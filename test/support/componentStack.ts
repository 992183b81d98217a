/**
 * Builds a staging-like or production-like stack through the real program (`createDrydock`) under the mock cloud:
 * the committed Pulumi.<stack>.yaml, placed in an existing VPC (so subnet ids are known), production with a
 * certificate, plus the test's own config values. Returns the recorder and the components the program built.
 */
import type { AppService } from "../../components/appService";
import type { ServiceCluster } from "../../components/cluster";
import type { Database } from "../../components/database";
import type { LoadBalancer } from "../../components/loadBalancer";
import type { Network } from "../../components/network";
import { parseSettings, RawConfig, Settings } from "../../config";
import { engineConfig } from "../../offline/check";
import { MockCloud, startMockCloud } from "../../offline/mockCloud";
import { createDrydock, DrydockOutputs } from "../../program";
import { stackValues } from "./synthesize";

export type StackKind = "staging" | "production";

export const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0b9e6c1a-1111-2222-3333-444455556666";
export const REPOSITORY = "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock";

/** The existing VPC every built stack is placed in. */
export const EXISTING = {
    vpcId: "vpc-0123456789abcdef0",
    publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
};

export interface Overrides {
    /** Stack config values (keys without `drydock:`) over the committed stack file. */
    config?: RawConfig;
    /** null: none (production gets {@link CERTIFICATE_ARN} by default, staging none). */
    certificateArn?: string | null;
    preview?: boolean;
}

export interface BuiltStack {
    cloud: MockCloud;
    stack: string;
    settings: Settings;
    outputs: DrydockOutputs;
    network: Network;
    loadBalancer: LoadBalancer;
    cluster: ServiceCluster;
    database: Database;
    services: Record<string, AppService>;
    backend: AppService;
    frontend: AppService;
}

export async function buildStack(kind: StackKind, o: Overrides = {}): Promise<BuiltStack> {
    const stack = kind;
    const certificateArn =
        o.certificateArn === undefined ? (kind === "production" ? CERTIFICATE_ARN : undefined) : (o.certificateArn ?? undefined);
    const values: RawConfig = {
        ...stackValues(stack),
        vpcId: EXISTING.vpcId,
        publicSubnetIds: JSON.stringify(EXISTING.publicSubnetIds),
        privateSubnetIds: JSON.stringify(EXISTING.privateSubnetIds),
        ...(certificateArn ? { certificateArn } : {}),
        ...o.config,
    };
    const settings = parseSettings(values, stack);
    const cloud = startMockCloud({ stack, preview: o.preview ?? false, config: engineConfig(values) });
    const outputs = createDrydock(settings);
    await cloud.settle();
    const c = outputs.components;
    return { cloud, stack, settings, outputs, ...c, services: c.services, backend: c.services.backend, frontend: c.services.frontend };
}
