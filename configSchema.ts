/**
 * Every stack configuration key drydock reads, with its type, default and description.
 *
 * This table is the single source of truth: `config.ts` validates against it, `Pulumi.yaml`'s
 * project-level `config:` block must match it (a test compares them), and the README's config
 * reference is checked against it. No Pulumi or AWS import: the CLI reads it too.
 */

/** The Pulumi project-config types (`Pulumi.yaml` accepts exactly these). */
export type ConfigType = "string" | "integer" | "boolean" | "array";

export interface ConfigKey {
    /** Key without the `drydock:` namespace. */
    key: string;
    type: ConfigType;
    /** Absent means required: Pulumi refuses to run a stack that does not set it. */
    default?: string | number | boolean | string[];
    /** One line, shown in Pulumi.yaml and the README. */
    description: string;
}

export const CONFIG_NAMESPACE = "drydock";

const PLACEHOLDER_NOTE = "ECR repository URI without a tag, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-production";

export const CONFIG_KEYS: readonly ConfigKey[] = [
    // --- what runs -------------------------------------------------------------------------
    { key: "backendVersion", type: "string", description: "Backend image version: v1.2.3, v1.2.3-rc.1, 20241213-152430, v1.2.3-20241213-152430-a1b2c3d4, sha256:<digest>, latest, v1, v1.2 or another tag" },
    { key: "frontendVersion", type: "string", description: "Frontend image version (same forms as backendVersion)" },
    { key: "backendImage", type: "string", description: `Backend image repository: ${PLACEHOLDER_NOTE}` },
    { key: "frontendImage", type: "string", description: "Frontend image repository: ECR repository URI without a tag" },
    { key: "pinDigests", type: "boolean", default: true, description: "Resolve each version to its sha256 digest through ECR at deploy time and run repo@sha256:..." },
    { key: "redeployToken", type: "string", default: "", description: "Change to any new value to force a new deployment of the same images (the forced update)" },

    // --- release control ---------------------------------------------------------------------
    { key: "releaseWindows", type: "array", default: [], description: "Weekly windows when version changes may deploy, ddd:hh24:mi-ddd:hh24:mi in releaseTimeZone; empty means always open" },
    { key: "releaseTimeZone", type: "string", default: "UTC", description: "IANA time zone of releaseWindows, e.g. Europe/Berlin" },
    { key: "updatesPaused", type: "boolean", default: false, description: "Freeze versions: the release gate refuses any image change while true" },
    { key: "pauseReason", type: "string", default: "", description: "Why updates are paused (set by drydock pause --reason)" },
    { key: "releaseOverride", type: "string", default: "", description: "A reason that lets an update through a closed window or a pause; recorded in the log and snapshot tags. Unset it afterwards" },

    // --- services ------------------------------------------------------------------------------
    { key: "backendCpu", type: "integer", default: 512, description: "Backend task CPU units (Fargate: 256, 512, 1024, 2048, 4096, 8192, 16384)" },
    { key: "backendMemory", type: "integer", default: 1024, description: "Backend task memory in MiB (must fit the CPU size)" },
    { key: "backendDesiredCount", type: "integer", default: 2, description: "Backend tasks to run" },
    { key: "backendMaxCount", type: "integer", default: 2, description: "Backend autoscaling ceiling; above backendDesiredCount enables CPU target tracking" },
    { key: "backendPort", type: "integer", default: 8000, description: "Port the backend container listens on" },
    { key: "frontendCpu", type: "integer", default: 256, description: "Frontend task CPU units" },
    { key: "frontendMemory", type: "integer", default: 512, description: "Frontend task memory in MiB" },
    { key: "frontendDesiredCount", type: "integer", default: 2, description: "Frontend tasks to run" },
    { key: "frontendMaxCount", type: "integer", default: 2, description: "Frontend autoscaling ceiling; above frontendDesiredCount enables CPU target tracking" },
    { key: "frontendPort", type: "integer", default: 80, description: "Port the frontend container listens on" },
    { key: "autoscalingCpuTarget", type: "integer", default: 60, description: "Target average CPU percent for autoscaling" },
    { key: "logRetentionDays", type: "integer", default: 30, description: "CloudWatch log retention for /aws/ecs/<service>-logs-<stack>" },

    // --- load balancer and health checks -------------------------------------------------------
    { key: "certificateArn", type: "string", default: "", description: "ACM certificate ARN: enables HTTPS on 443 and redirects HTTP; empty serves plain HTTP (warned at preview)" },
    { key: "domainName", type: "string", default: "", description: "Public host name of the application, used in outputs and health-check URLs" },
    { key: "backendPathPatterns", type: "array", default: ["/api/*"], description: "ALB path patterns routed to the backend; everything else goes to the frontend" },
    { key: "healthCheckIntervalSeconds", type: "integer", default: 10, description: "Target group health-check interval, 5-15 seconds" },
    { key: "healthyThreshold", type: "integer", default: 2, description: "Consecutive passing checks before a new task takes traffic, 2-3" },
    { key: "unhealthyThreshold", type: "integer", default: 3, description: "Consecutive failing checks before a task is taken out, 2-10" },
    { key: "deregistrationDelaySeconds", type: "integer", default: 30, description: "Seconds an old task drains before it stops, 0-300 (AWS's default of 300 slows every rollout)" },
    { key: "healthCheckGracePeriodSeconds", type: "integer", default: 60, description: "Seconds ECS ignores failing health checks of a starting task (migrations run then), 1-1800" },

    // --- database ------------------------------------------------------------------------------
    { key: "maintenanceWindow", type: "string", default: "sun:05:00-sun:06:00", description: "Aurora weekly maintenance window, UTC, ddd:hh24:mi-ddd:hh24:mi, at least 30 minutes" },
    { key: "backupWindow", type: "string", default: "03:00-04:00", description: "Aurora daily backup window, UTC, hh24:mi-hh24:mi, at least 30 minutes, not overlapping maintenance" },
    { key: "backupRetentionDays", type: "integer", default: 7, description: "Automated backup retention in days, 1-35 (at least 7 in production)" },
    { key: "dbEngineVersion", type: "string", default: "16.6", description: "Aurora PostgreSQL engine version" },
    { key: "dbInstanceClass", type: "string", default: "db.serverless", description: "Instance class: db.serverless (Serverless v2) or a provisioned class such as db.r6g.large" },
    { key: "dbInstanceCount", type: "integer", default: 1, description: "Cluster instances (1 writer + readers), 1-15" },
    { key: "dbMinCapacity", type: "integer", default: 1, description: "Serverless v2 minimum capacity in ACUs, 0-256" },
    { key: "dbMaxCapacity", type: "integer", default: 4, description: "Serverless v2 maximum capacity in ACUs, 1-256" },
    { key: "dbName", type: "string", default: "app", description: "Name of the application database" },
    { key: "dbUsername", type: "string", default: "postgres", description: "Master user name (the password is generated and kept by RDS in Secrets Manager)" },

    // --- network -------------------------------------------------------------------------------
    { key: "vpcId", type: "string", default: "", description: "Existing VPC to use; empty creates a new VPC" },
    { key: "publicSubnetIds", type: "array", default: [], description: "Existing public subnets for the load balancer (with vpcId), at least 2" },
    { key: "privateSubnetIds", type: "array", default: [], description: "Existing private subnets for tasks and database (with vpcId), at least 2" },
    { key: "vpcCidr", type: "string", default: "10.0.0.0/16", description: "CIDR block of a new VPC" },
    { key: "availabilityZones", type: "integer", default: 2, description: "Availability zones of a new VPC, 2-6" },
    { key: "natGateways", type: "string", default: "single", description: "NAT gateways of a new VPC: single or one-per-az" },

    // --- update safety -------------------------------------------------------------------------
    { key: "snapshotsToKeep", type: "integer", default: 10, description: "drydock pre-update snapshots kept per stack; older ones are pruned, 1-100" },
    { key: "snapshotTimeoutMinutes", type: "integer", default: 30, description: "How long the pre-update snapshot may take before the update is stopped" },
    { key: "rolloutTimeoutMinutes", type: "integer", default: 30, description: "How long rollout verification waits for the new deployment to complete" },
];

/** Keys by name. */
export const CONFIG_KEY_MAP: ReadonlyMap<string, ConfigKey> = new Map(CONFIG_KEYS.map((k) => [k.key, k]));
