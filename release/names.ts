/**
 * Physical names of the resources the runbook's AWS CLI commands address (docs/operations.md)
 * (`aws ecs describe-services --cluster drydock-production --services backend-service`,
 * `aws logs tail /aws/ecs/backend-logs-production`). Pure: no Pulumi or AWS imports, so the CLI can use them.
 */

/** A service's name, as in the service table (services.ts), e.g. the container name. */
export type ServiceKind = string;

/** `…:task-definition/drydock-production-backend:42` → `drydock-production-backend:42`; `(none)` when unset. */
export function shortTaskDefinition(td: string | undefined): string {
    if (!td) return "(none)";
    const i = td.indexOf("task-definition/");
    return i >= 0 ? td.slice(i + "task-definition/".length) : td;
}

/** ECS cluster name: `drydock-<stack>`. */
export function ecsClusterName(stack: string): string {
    return `drydock-${stack}`;
}

/** ECS service name: `<service>-service`. */
export function ecsServiceName(service: ServiceKind): string {
    return `${service}-service`;
}

/** CloudWatch log group of a service: `/aws/ecs/<service>-logs-<stack>`. */
export function serviceLogGroupName(service: ServiceKind, stack: string): string {
    return `/aws/ecs/${service}-logs-${stack}`;
}

/** Task definition family: `drydock-<stack>-<service>`. */
export function taskFamilyName(stack: string, service: ServiceKind): string {
    return `drydock-${stack}-${service}`;
}

/** Aurora cluster identifier: `drydock-<stack>`. */
export function dbClusterIdentifier(stack: string): string {
    return `drydock-${stack}`;
}

/** Tag on each task definition carrying the version as configured (`latest`, `v1.2.3`, …). */
export const REQUESTED_VERSION_TAG = "drydock:requested-version";
/** Tag on each ECS service carrying the image reference it runs (`repo@sha256:…`), read by the update hooks. */
export const IMAGE_TAG = "drydock:image";
/** Docker label on each container carrying the version as configured. */
export const IMAGE_VERSION_LABEL = "org.opencontainers.image.version";
/** Container environment variable carrying the version as configured. */
export const APP_VERSION_ENV = "APP_VERSION";
