/**
 * The drydock policy list: the one place that decides which rules the pack runs.
 *
 * Rules are listed explicitly (no registration by import side effect), so a forgotten import is a
 * compile error rather than a silently missing policy. `index.ts` serves this list to CrossGuard;
 * `evaluate.ts` runs the very same list offline (`drydock check`, tests, the benchmark).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { auroraMaintenanceAndBackups } from "./rules/database";
import { zeroDowntimeRollingUpdates } from "./rules/deployments";
import { nonProductionImagesPinned, productionImagesPinned } from "./rules/images";
import { iamLeastPrivilege } from "./rules/iam";
import { loadBalancerHealthChecks } from "./rules/loadBalancing";
import { httpRedirectsToHttps, networkExposure } from "./rules/network";
import { securityGroupRulesExposure } from "./rules/ruleUnion";
import { migrationsAfterSnapshot } from "./rules/migrations";
import { progressiveDeploymentSafeguards } from "./rules/strategies";

/** Every drydock policy, in the order CrossGuard evaluates them. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    productionImagesPinned,
    nonProductionImagesPinned,
    zeroDowntimeRollingUpdates,
    progressiveDeploymentSafeguards,
    migrationsAfterSnapshot,
    loadBalancerHealthChecks,
    auroraMaintenanceAndBackups,
    networkExposure,
    securityGroupRulesExposure,
    httpRedirectsToHttps,
    iamLeastPrivilege,
];

/** The stable policy names, in list order (use them in policy config files). */
export const policyNames: string[] = policies.map((p) => p.name);

/** The pack's name: `pulumi preview --policy-pack policies` reports violations as `drydock@v<version>`. */
export const POLICY_PACK_NAME = "drydock";
