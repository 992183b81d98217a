/**
 * `verify-rollout`: after ECS accepted a service's new task definition, wait until the deployment completed
 * and fail the update if ECS rolled it back or it did not finish in `rolloutTimeoutMinutes` (aws/rollout.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { RolloutError, verifyRollout } from "../../aws/rollout";
import { logGroupOf, serviceOfEcsName } from "../../services";
import { stringInput } from "./changes";
import { verifyProgressive } from "./progressiveVerify";
import { ECS_SERVICE_TYPE, HOOK_NAMES, HookRuntime, serviceLabel } from "./runtime";

export function createVerifyRolloutHook(rt: HookRuntime): pulumi.ResourceHook {
    const { ctx } = rt;
    return new pulumi.ResourceHook(HOOK_NAMES.verifyRollout, async (args) => {
        if (rt.isDryRun()) return;
        if (args.type !== ECS_SERVICE_TYPE) {
            throw new Error(`${HOOK_NAMES.verifyRollout} is bound to ${args.type} "${args.name}"; it only supports ${ECS_SERVICE_TYPE}`);
        }
        const expected = stringInput(args.newOutputs, "taskDefinition") ?? stringInput(args.newInputs, "taskDefinition");
        const service = stringInput(args.newOutputs, "name") ?? stringInput(args.newInputs, "name") ?? args.name;
        const cluster = stringInput(args.newOutputs, "cluster") ?? stringInput(args.newInputs, "cluster") ?? ctx.ecsClusterName;
        if (!expected)
            throw new Error(`${HOOK_NAMES.verifyRollout}: service ${service} has no known taskDefinition; cannot verify what ECS serves.`);
        try {
            // Blue/green, canary, linear: follow the ECS service deployment's stages (components/hooks/progressiveVerify.ts).
            const waitForBake = ctx.deployments?.[serviceLabel(args)]?.waitForBake ?? true;
            if (await verifyProgressive(rt, args, { cluster, service, expectedTaskDefinition: expected, waitForBake })) return;
            await verifyRollout(rt.ecs(), {
                cluster,
                service,
                expectedTaskDefinition: expected,
                timeoutMs: ctx.rolloutTimeoutMinutes * 60_000,
                ...(ctx.pollMs?.rollout !== undefined ? { pollMs: ctx.pollMs.rollout } : {}),
                now: rt.now,
                ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
                log: (m) => rt.log.info(`${HOOK_NAMES.verifyRollout}: ${m}`),
            });
        } catch (err) {
            throw new Error(`${(err as Error).message}\n${rolloutAdvice(err, serviceLabel(args), ctx.stack)}`, { cause: err });
        }
    });
}

/** What to do after verify-rollout failed. */
function rolloutAdvice(err: unknown, service: string, stack: string): string {
    const spec = serviceOfEcsName(`${service}-service`);
    const logs = spec ? `aws logs tail ${logGroupOf(spec, stack)} --since 30m` : "the service's CloudWatch logs";
    const status = `npx drydock status --stack ${stack}`;
    const outcome = err instanceof RolloutError ? err.outcome : undefined;
    if (outcome === "timed-out") {
        return (
            `ECS may still finish the rollout; watch it with ${status}. Running pulumi up again will not check it again ` +
            `(Pulumi's state already records the new task definition). If it does not finish, go back: npx drydock rollback --stack ${stack}, ` +
            `or retry the rollout: pulumi config set redeployToken "$(date +%s)" -s ${stack} && pulumi up -s ${stack}`
        );
    }
    if (outcome === "rolled-back" || outcome === "failed") {
        return (
            `Pulumi's state records the new task definition, but it is not what serves traffic. ` +
            `Read the task logs (${logs}) and deploy a fixed version, ` +
            `retry the same one (pulumi config set redeployToken "$(date +%s)" -s ${stack} && pulumi up -s ${stack}), ` +
            `or go back: npx drydock rollback --stack ${stack}`
        );
    }
    return `Check what the service runs with ${status}.`;
}
