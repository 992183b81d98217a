import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isRdsIdentifier } from "../release/snapshots";
import { auroraWindowProblems } from "../release/windows";
import { dbClusterIdentifier } from "../release/names";
import { definedOnly, requireInteger, requireNumber } from "./validate";

/** Serverless v2 capacity range in Aurora capacity units (1 ACU ≈ 2 GiB memory). */
export interface ServerlessCapacity {
    /** ACUs, 0–256 in steps of 0.5 (0 lets an idle cluster pause). */
    min: number;
    /** ACUs, 1–256 in steps of 0.5, ≥ min. */
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
    /** Serverless v2 capacity (ACUs), used with `instanceClass: "db.serverless"`. @default { min: 0.5, max: 4 } */
    serverlessCapacity?: ServerlessCapacity;
    /** Cluster instances: one writer plus readers (failover targets). @default 1 */
    instanceCount?: number;
    /**
     * Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes; set on the cluster and on
     * every instance. Minor version upgrades and deferred changes happen here.
     * @default "sun:05:00-sun:06:00"
     */
    maintenanceWindow?: string;
    /** Daily backup window, UTC, `hh24:mi-hh24:mi`, at least 30 minutes, not overlapping the maintenance window. @default "03:00-04:00" */
    backupWindow?: string;
    /** Automated backup retention, 1–35 days; at least 7 when `production`. @default 7 */
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
}


/**
 * Aurora PostgreSQL (provisioned or Serverless v2) in private subnets.
 *
 * The security group admits nobody by itself: an `AppService` given this database as its `database` adds the one
 * ingress rule (its own security group, database port). The master password exists only in Secrets Manager.
 */
export class Database extends pulumi.ComponentResource implements DatabaseAttachment {
    readonly endpoint: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** `drydock-<stack>`. */
    readonly clusterIdentifier: pulumi.Output<string>;
    readonly masterUserSecretArn: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly databaseName: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("drydock:components:Database", name, {}, opts);
        const production = args.production ?? false;
        const a = {
            stack: pulumi.getStack(),
            engineVersion: "16.6",
            databaseName: "app",
            masterUsername: "postgres",
            instanceClass: "db.serverless",
            serverlessCapacity: { min: 0.5, max: 4 } as ServerlessCapacity, // ACUs
            instanceCount: 1,
            maintenanceWindow: "sun:05:00-sun:06:00", // UTC
            backupWindow: "03:00-04:00", // UTC
            backupRetentionDays: 7, // days
            deletionProtection: production,
            applyImmediately: !production,
            performanceInsightsRetentionDays: 7, // days
            clock: () => new Date(),
            tags: {},
            ...definedOnly(args),
            production,
        };
        const where = `Database "${name}"`;
        validate(where, a);
        const identifier = dbClusterIdentifier(a.stack);
        const lastInstance = `${identifier}-${a.instanceCount}`;
        if (!isRdsIdentifier(identifier) || !isRdsIdentifier(lastInstance)) {
            throw new Error(
                `${where}: the identifiers "${identifier}" and "${lastInstance}" (from the stack name) are not valid RDS identifiers; ` +
                    `use a stack name of lowercase letters, digits and single hyphens, at most ${63 - lastInstance.length + a.stack.length} characters`,
            );
        }
        const serverless = a.instanceClass === "db.serverless";
        const child = { parent: this };

        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: a.vpcId,
            description: `drydock ${identifier}: PostgreSQL from the backend service only`,
            tags: a.tags,
        }, child);

        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, {
            subnetIds: a.subnetIds,
            description: `drydock ${identifier}: private subnets`,
            tags: a.tags,
        }, child);

        const cluster = new aws.rds.Cluster(`${name}-cluster`, {
            clusterIdentifier: identifier,
            engine: "aurora-postgresql",
            engineMode: "provisioned", // Serverless v2 runs on the provisioned engine mode
            engineVersion: a.engineVersion,
            allowMajorVersionUpgrade: false,
            databaseName: a.databaseName,
            masterUsername: a.masterUsername,
            manageMasterUserPassword: true,
            port: 5432,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [sg.id],
            storageEncrypted: true,
            copyTagsToSnapshot: true,
            backupRetentionPeriod: a.backupRetentionDays,
            preferredBackupWindow: a.backupWindow,
            preferredMaintenanceWindow: a.maintenanceWindow,
            skipFinalSnapshot: false,
            // Unique per creation of the cluster: a re-created cluster of the same stack must not collide with the
            // final snapshot of its predecessor (a URN hash would). Set at creation and then kept: see ignoreChanges.
            finalSnapshotIdentifier: `${identifier}-final-${compactTimestamp(a.clock())}`,
            deletionProtection: a.deletionProtection,
            applyImmediately: a.applyImmediately,
            ...(serverless ? { serverlessv2ScalingConfiguration: { minCapacity: a.serverlessCapacity.min, maxCapacity: a.serverlessCapacity.max } } : {}),
            tags: a.tags,
        }, {
            parent: this,
            protect: a.production,
            ignoreChanges: ["finalSnapshotIdentifier"],
            ...(a.clusterHooks ? { hooks: a.clusterHooks } : {}),
        });

        for (let i = 1; i <= a.instanceCount; i++) {
            new aws.rds.ClusterInstance(`${name}-instance-${i}`, {
                identifier: `${identifier}-${i}`,
                clusterIdentifier: cluster.id,
                engine: "aurora-postgresql",
                engineVersion: cluster.engineVersion,
                instanceClass: a.instanceClass,
                dbSubnetGroupName: subnetGroup.name,
                publiclyAccessible: false,
                preferredMaintenanceWindow: a.maintenanceWindow,
                autoMinorVersionUpgrade: true,
                performanceInsightsEnabled: true,
                performanceInsightsRetentionPeriod: a.performanceInsightsRetentionDays,
                applyImmediately: a.applyImmediately,
                promotionTier: i === 1 ? 0 : 1, // the first instance is the preferred writer
                copyTagsToSnapshot: true,
                tags: a.tags,
            }, { ...child, ...(args.instanceHooks ? { hooks: args.instanceHooks } : {}) });
        }

        this.endpoint = cluster.endpoint;
        this.port = cluster.port;
        this.clusterIdentifier = cluster.clusterIdentifier;
        this.databaseName = pulumi.output(a.databaseName);
        this.securityGroupId = sg.id;
        this.masterUserSecretArn = cluster.masterUserSecrets.apply((secrets) => {
            const arn = secrets?.[0]?.secretArn;
            if (!arn) {
                throw new Error(`${where}: the cluster reports no master user secret although manageMasterUserPassword is true`);
            }
            return arn;
        });
        this.registerOutputs({
            endpoint: this.endpoint,
            port: this.port,
            clusterIdentifier: this.clusterIdentifier,
            masterUserSecretArn: this.masterUserSecretArn,
            securityGroupId: this.securityGroupId,
            databaseName: this.databaseName,
        });
    }
}

type Resolved = Required<Omit<DatabaseArgs, "clusterHooks" | "instanceHooks" | "vpcId" | "subnetIds">>;

function validate(where: string, a: Resolved): void {
    requireInteger(where, "backupRetentionDays", a.backupRetentionDays, a.production ? 7 : 1, 35, "days", a.production ? "production keeps at least 7 days of backups" : "");
    requireInteger(where, "instanceCount", a.instanceCount, 1, 15);
    const pi = a.performanceInsightsRetentionDays;
    if (!(pi === 7 || pi === 731 || (Number.isInteger(pi) && pi % 31 === 0 && pi >= 31 && pi <= 713))) {
        throw new Error(`${where}: performanceInsightsRetentionDays = ${pi} is not accepted; use 7, a multiple of 31 from 31 to 713 (months), or 731`);
    }
    if (a.instanceClass === "db.serverless") {
        requireNumber(where, "serverlessCapacity.min", a.serverlessCapacity.min, 0, 256, 0.5, "ACUs");
        requireNumber(where, "serverlessCapacity.max", a.serverlessCapacity.max, 1, 256, 0.5, "ACUs");
        if (a.serverlessCapacity.max < a.serverlessCapacity.min) {
            throw new Error(`${where}: serverlessCapacity.max (${a.serverlessCapacity.max}) is below serverlessCapacity.min (${a.serverlessCapacity.min}); max must be ≥ min`);
        }
    } else if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(a.instanceClass)) {
        throw new Error(`${where}: instanceClass = ${JSON.stringify(a.instanceClass)} is not accepted; use "db.serverless" or a class such as "db.r6g.large"`);
    }
    const [problem] = auroraWindowProblems(a.maintenanceWindow, a.backupWindow);
    if (problem) throw new Error(`${where}: ${problem.window}Window = ${JSON.stringify(problem.value)} is not accepted: ${problem.message}`);
}

/** `20260315T042501Z` → `20260315042501`: digits only, valid inside an RDS identifier. */
function compactTimestamp(d: Date): string {
    return d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
