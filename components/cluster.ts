import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ecsClusterName } from "../release/names";
import { definedOnly } from "./validate";

export interface ServiceClusterArgs {
    /** Stack name, for the physical name `drydock-<stack>`. @default pulumi.getStack() */
    stack?: string;
    /**
     * CloudWatch Container Insights: per-task CPU/memory/network metrics, which make a slow or failing rollout
     * visible. `"enhanced"` adds per-container metrics at a higher CloudWatch cost.
     * @default "enabled"
     */
    containerInsights?: "enabled" | "enhanced" | "disabled";
    /** Tags for the cluster. @default {} */
    tags?: Record<string, string>;
}

/** The ECS cluster both services run in, named `drydock-<stack>` so the runbook's commands work as written. */
export class ServiceCluster extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    /** `drydock-<stack>`. */
    readonly name: pulumi.Output<string>;

    constructor(name: string, args: ServiceClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("drydock:components:ServiceCluster", name, {}, opts);
        const a = {
            stack: pulumi.getStack(),
            containerInsights: "enabled" as NonNullable<ServiceClusterArgs["containerInsights"]>,
            tags: {},
            ...definedOnly(args),
        };

        const cluster = new aws.ecs.Cluster(
            `${name}-cluster`,
            {
                name: ecsClusterName(a.stack),
                settings: [{ name: "containerInsights", value: a.containerInsights }],
                tags: a.tags,
            },
            { parent: this },
        );

        this.arn = cluster.arn;
        this.name = cluster.name;
        this.registerOutputs({ arn: this.arn, name: this.name });
    }
}
