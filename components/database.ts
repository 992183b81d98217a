/**
 * Aurora PostgreSQL: `normalizeArgs()` (defaults from configSchema.ts), `validate()`, then `createCluster()` and
 * `createInstances()`. The arguments are documented in databaseArgs.ts.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { defaultOf } from "../configSchema";
import { isRdsIdentifier } from "../release/snapshots";
import { auroraWindowProblems } from "../release/auroraWindows";
import { PRODUCTION_MIN_BACKUP_RETENTION_DAYS } from "../release/limits";
import { dbClusterIdentifier } from "../release/names";
import { definedOnly, requireInSchemaRange } from "./validate";
import type { DatabaseArgs, DatabaseAttachment } from "./databaseArgs";

export * from "./databaseArgs";

type Resolved = Required<Omit<DatabaseArgs, "clusterHooks" | "instanceHooks">> & Pick<DatabaseArgs, "clusterHooks" | "instanceHooks">;

/** Defaults (from configSchema.ts, so the component and the stack config agree), then the caller's args. */
function normalizeArgs(args: DatabaseArgs): Resolved {
    const production = args.production ?? false;
    return {
        stack: pulumi.getStack(),
        engineVersion: defaultOf("dbEngineVersion"),
        databaseName: defaultOf("dbName"),
        masterUsername: defaultOf("dbUsername"),
        instanceClass: defaultOf("dbInstanceClass"),
        serverlessCapacity: { min: defaultOf<number>("dbMinCapacity"), max: defaultOf<number>("dbMaxCapacity") }, // ACUs
        instanceCount: defaultOf<number>("dbInstanceCount"),
        maintenanceWindow: defaultOf("maintenanceWindow"), // UTC
        backupWindow: defaultOf("backupWindow"), // UTC
        backupRetentionDays: defaultOf<number>("backupRetentionDays"), // days
        deletionProtection: production,
        applyImmediately: !production,
        performanceInsightsRetentionDays: 7, // days: the free tier
        clock: () => new Date(),
        tags: {},
        ...definedOnly(args),
        production,
    };
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
    /** `drydock-<stack>-<n>`: a service using the database waits for them. */
    readonly instances: aws.rds.ClusterInstance[];

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("drydock:components:Database", name, {}, opts);
        const where = `Database "${name}"`;
        const a = normalizeArgs(args);
        validate(where, a);
        const identifier = dbClusterIdentifier(a.stack);
        const parts = createCluster(this, name, a, identifier);
        this.instances = createInstances(this, name, a, identifier, parts);
        const { cluster, securityGroup } = parts;

        this.endpoint = cluster.endpoint;
        this.port = cluster.port;
        this.clusterIdentifier = cluster.clusterIdentifier;
        this.databaseName = pulumi.output(a.databaseName);
        this.securityGroupId = securityGroup.id;
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

interface DatabaseParts {
    cluster: aws.rds.Cluster;
    securityGroup: aws.ec2.SecurityGroup;
    subnetGroup: aws.rds.SubnetGroup;
}

function createCluster(parent: Database, name: string, a: Resolved, identifier: string): DatabaseParts {
    const child = { parent };
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: a.vpcId,
            description: `drydock ${identifier}: PostgreSQL from the backend service only`,
            tags: a.tags,
        },
        child,
    );
    const subnetGroup = new aws.rds.SubnetGroup(
        `${name}-subnets`,
        {
            subnetIds: a.subnetIds,
            description: `drydock ${identifier}: private subnets`,
            tags: a.tags,
        },
        child,
    );
    const serverless = a.instanceClass === "db.serverless";
    const cluster = new aws.rds.Cluster(
        `${name}-cluster`,
        {
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
            vpcSecurityGroupIds: [securityGroup.id],
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
            ...(serverless
                ? { serverlessv2ScalingConfiguration: { minCapacity: a.serverlessCapacity.min, maxCapacity: a.serverlessCapacity.max } }
                : {}),
            tags: a.tags,
        },
        {
            parent,
            protect: a.production,
            ignoreChanges: ["finalSnapshotIdentifier"],
            ...(a.clusterHooks ? { hooks: a.clusterHooks } : {}),
        },
    );
    return { cluster, securityGroup, subnetGroup };
}

function createInstances(
    parent: Database,
    name: string,
    a: Resolved,
    identifier: string,
    { cluster, subnetGroup }: DatabaseParts,
): aws.rds.ClusterInstance[] {
    const instances: aws.rds.ClusterInstance[] = [];
    for (let i = 1; i <= a.instanceCount; i++) {
        const instance = new aws.rds.ClusterInstance(
            `${name}-instance-${i}`,
            {
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
            },
            { parent, ...(a.instanceHooks ? { hooks: a.instanceHooks } : {}) },
        );
        instances.push(instance);
    }
    return instances;
}

function validate(where: string, a: Resolved): void {
    const production = a.production
        ? {
              min: PRODUCTION_MIN_BACKUP_RETENTION_DAYS,
              why: `production keeps at least ${PRODUCTION_MIN_BACKUP_RETENTION_DAYS} days of backups`,
          }
        : {};
    requireInSchemaRange(where, "backupRetentionDays", a.backupRetentionDays, "backupRetentionDays", production);
    requireInSchemaRange(where, "instanceCount", a.instanceCount, "dbInstanceCount");
    const pi = a.performanceInsightsRetentionDays;
    if (!(pi === 7 || pi === 731 || (Number.isInteger(pi) && pi % 31 === 0 && pi >= 31 && pi <= 713))) {
        throw new Error(
            `${where}: performanceInsightsRetentionDays = ${pi} is not accepted; use 7, a multiple of 31 from 31 to 713 (months), or 731`,
        );
    }
    if (a.instanceClass === "db.serverless") {
        requireInSchemaRange(where, "serverlessCapacity.min", a.serverlessCapacity.min, "dbMinCapacity");
        requireInSchemaRange(where, "serverlessCapacity.max", a.serverlessCapacity.max, "dbMaxCapacity");
        if (a.serverlessCapacity.max < a.serverlessCapacity.min) {
            throw new Error(
                `${where}: serverlessCapacity.max (${a.serverlessCapacity.max}) is below serverlessCapacity.min (${a.serverlessCapacity.min}); max must be ≥ min`,
            );
        }
    } else if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(a.instanceClass)) {
        throw new Error(
            `${where}: instanceClass = ${JSON.stringify(a.instanceClass)} is not accepted; use "db.serverless" or a class such as "db.r6g.large"`,
        );
    }
    const [problem] = auroraWindowProblems(a.maintenanceWindow, a.backupWindow);
    if (problem)
        throw new Error(`${where}: ${problem.window}Window = ${JSON.stringify(problem.value)} is not accepted: ${problem.message}`);
    const identifier = dbClusterIdentifier(a.stack);
    const lastInstance = `${identifier}-${a.instanceCount}`;
    if (!isRdsIdentifier(identifier) || !isRdsIdentifier(lastInstance)) {
        throw new Error(
            `${where}: the identifiers "${identifier}" and "${lastInstance}" (from the stack name) are not valid RDS identifiers; ` +
                `use a stack name of lowercase letters, digits and single hyphens, at most ${63 - lastInstance.length + a.stack.length} characters`,
        );
    }
}

/** `20260315T042501Z` → `20260315042501`: digits only, valid inside an RDS identifier. */
function compactTimestamp(d: Date): string {
    return d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
