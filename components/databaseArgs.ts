/** The arguments of the `Database` component and what a service needs to use it (database.ts re-exports them). */
import * as pulumi from "@pulumi/pulumi";

/** Serverless v2 capacity range in Aurora capacity units (1 ACU ≈ 2 GiB memory). */
export interface ServerlessCapacity {
    /** ACUs, as `dbMinCapacity` accepts (0–256 in steps of 0.5; 0 lets an idle cluster pause). */
    min: number;
    /** ACUs, as `dbMaxCapacity` accepts (1–256 in steps of 0.5), ≥ min. */
    max: number;
}

export interface DatabaseArgs {
    /** VPC of the database security group. */
    vpcId: pulumi.Input<string>;
    /** Private subnets for the DB subnet group, at least two zones. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Stack name, for the cluster identifier `drydock-<stack>`. @default pulumi.getStack() */
    stack?: string;
    /**
     * A production stack: backups kept ≥ 7 days, AWS `deletionProtection`, Pulumi `protect`, and changes wait for
     * the maintenance window (`applyImmediately: false`).
     * @default false
     */
    production?: boolean;
    /** Aurora PostgreSQL engine version. @default "16.6" */
    engineVersion?: string;
    /** Application database created in the cluster. @default "app" */
    databaseName?: string;
    /** Master user; its password is generated and rotated by RDS in Secrets Manager. @default "postgres" */
    masterUsername?: string;
    /**
     * `"db.serverless"` for Aurora Serverless v2, or a provisioned class such as `"db.r6g.large"`.
     * @default "db.serverless"
     */
    instanceClass?: string;
    /** Serverless v2 capacity (ACUs), used with `instanceClass: "db.serverless"`. @default the `dbMinCapacity`/`dbMaxCapacity` defaults, { min: 1, max: 4 } */
    serverlessCapacity?: ServerlessCapacity;
    /** Cluster instances: one writer plus readers (failover targets), as `dbInstanceCount` accepts. @default 1 */
    instanceCount?: number;
    /**
     * Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes; set on the cluster and on
     * every instance. Minor version upgrades and deferred changes happen here.
     * @default "sun:05:00-sun:06:00"
     */
    maintenanceWindow?: string;
    /** Daily backup window, UTC, `hh24:mi-hh24:mi`, at least 30 minutes, not overlapping the maintenance window. @default "03:00-04:00" */
    backupWindow?: string;
    /** Automated backup retention in days, as `backupRetentionDays` accepts; at least 7 when `production`. @default 7 */
    backupRetentionDays?: number;
    /** AWS-side deletion protection of the cluster. @default production */
    deletionProtection?: boolean;
    /** Apply modifications now (may restart) instead of in the next maintenance window. @default !production */
    applyImmediately?: boolean;
    /** Performance Insights retention, days: 7 (free) or 31–731 in months. @default 7 */
    performanceInsightsRetentionDays?: number;
    /** Resource hooks bound to the `aws.rds.Cluster` (e.g. a release gate). @default undefined */
    clusterHooks?: pulumi.ResourceHookBinding;
    /** Resource hooks bound to every `aws.rds.ClusterInstance` (a provisioned instance class changes there). @default undefined */
    instanceHooks?: pulumi.ResourceHookBinding;
    /** Clock for the creation time in the final snapshot's name. @default () => new Date() */
    clock?: () => Date;
    /** Tags for every child; copied to snapshots. @default {} */
    tags?: Record<string, string>;
}

/** What a service needs to use the database; a `Database` satisfies it. */
export interface DatabaseAttachment {
    endpoint: pulumi.Input<string>;
    port: pulumi.Input<number>;
    databaseName: pulumi.Input<string>;
    /** Secrets Manager secret (JSON `username`/`password`) that RDS manages for the master user. */
    masterUserSecretArn: pulumi.Input<string>;
    /** The database security group; a service given this attachment is admitted on the database port. */
    securityGroupId: pulumi.Input<string>;
    /** The cluster's instances: a service given this attachment is created after them (a migration at creation needs the writer). */
    instances?: pulumi.Resource[];
}
