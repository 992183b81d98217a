/**
 * Entry point of the drydock Pulumi program (`pulumi preview` / `pulumi up`).
 *
 * Settings are read and validated once (config.ts): a bad value fails the preview with a message
 * naming every bad key before anything is planned.
 */
import { loadSettings } from "./config";
import { createDrydock } from "./program";

const outputs = createDrydock(loadSettings());

export const stack = outputs.stack;
export const url = outputs.url;
export const loadBalancerDnsName = outputs.loadBalancerDnsName;
/** The runbook's `aws ecs describe-services --cluster <ecsClusterName>`. */
export const ecsClusterName = outputs.ecsClusterName;
/** The runbook's `aws rds describe-db-clusters --db-cluster-identifier <databaseClusterIdentifier>`. */
export const databaseClusterIdentifier = outputs.databaseClusterIdentifier;
export const databaseEndpoint = outputs.databaseEndpoint;
/**
 * One output per service of the service table, named after the service (`pulumi stack output backend --json`):
 * the names come from the table, so they are added to this module's exports rather than declared one by one.
 */
for (const [name, service] of Object.entries(outputs.services)) {
    (module.exports as Record<string, unknown>)[name] = service;
}
