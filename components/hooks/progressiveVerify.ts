/**
 * verify-rollout for a service deployed blue/green, canary or linear: follows the ECS service deployment
 * (aws/deploymentWait.ts) through its lifecycle stages instead of the rolling deployment's task counts. The
 * strategy comes from what ECS was told (the service's `deploymentConfiguration` input); the wait covers
 * `rolloutTimeoutMinutes` plus the approval timeout, the canary or linear bakes and, with `waitForBake`, the bake.
 */
import type * as pulumi from "@pulumi/pulumi";
import { waitForServiceDeployment } from "../../aws/deploymentWait";
import { deploymentSettingsFromInputs, isProgressive, progressiveWaitMinutes } from "../../release/strategy";
import { HOOK_NAMES, HookRuntime } from "./runtime";

export interface ProgressiveTarget {
    cluster: string;
    service: string;
    expectedTaskDefinition: string;
    /** `<service>WaitForBake`: false returns once production traffic has shifted. */
    waitForBake: boolean;
}

/**
 * Waits for a progressive deployment; returns false, doing nothing, when the service deploys rolling.
 * Throws a RolloutError naming the lifecycle stage when ECS rolled the deployment back or it was stopped.
 */
export async function verifyProgressive(rt: HookRuntime, args: pulumi.ResourceHookArgs, t: ProgressiveTarget): Promise<boolean> {
    const d = deploymentSettingsFromInputs(args.newInputs as Record<string, unknown> | undefined);
    if (!isProgressive(d)) return false;
    const minutes = rt.ctx.rolloutTimeoutMinutes + progressiveWaitMinutes(d, { includeFinalBake: t.waitForBake });
    if (!t.waitForBake)
        rt.log.info(
            `${HOOK_NAMES.verifyRollout}: ${t.service}: returns once production traffic has shifted; follow the bake with npx drydock status --stack ${rt.ctx.stack} --watch`,
        );
    await waitForServiceDeployment(rt.ecs(), {
        cluster: t.cluster,
        service: t.service,
        expectedTaskDefinition: t.expectedTaskDefinition,
        waitForBake: t.waitForBake,
        timeoutMs: minutes * 60_000,
        stack: rt.ctx.stack,
        ...(rt.ctx.pollMs?.rollout !== undefined ? { pollMs: rt.ctx.pollMs.rollout } : {}),
        now: rt.now,
        ...(rt.ctx.sleep ? { sleep: rt.ctx.sleep } : {}),
        log: (m) => rt.log.info(`${HOOK_NAMES.verifyRollout}: ${m}`),
    });
    return true;
}
