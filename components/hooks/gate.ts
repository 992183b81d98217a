/**
 * `release-gate`: may this change of a service's image happen now (paused? inside a release window?)
 *
 * Bound before a guarded ECS service is updated and before it is created. A replacement is a create of the new
 * service plus a delete of the old one, so the create binding is what keeps a replacement from slipping past the
 * gate; a first deployment passes it too (an empty window list or `releaseOverride` lets it through). During a
 * preview a refusal is a warning; at `pulumi up` it stops the update before anything changes.
 */
import * as pulumi from "@pulumi/pulumi";
import { evaluateReleaseGate } from "../../release/gate";
import { serviceChange, stringInput } from "./changes";
import { HOOK_NAMES, HookRuntime, versions } from "./runtime";

/** `backend-service v1.2.3 → v1.3.0`, or `backend-service (created at v1.3.0)` for a create or replacement. */
function subjectOf(args: pulumi.ResourceHookArgs, from?: string, to?: string): string {
    const name = stringInput(args.newInputs, "name") ?? args.name;
    if (args.oldInputs === undefined) return `${name} (created${to ? ` at ${to}` : ""})`;
    return `${name}${versions(from, to)}`;
}

export function createReleaseGateHook(rt: HookRuntime): pulumi.ResourceHook {
    return new pulumi.ResourceHook(
        HOOK_NAMES.releaseGate,
        async (args) => {
            // A create has no old inputs: every input counts as changed, so the image counts as new.
            const change = serviceChange(args.oldInputs, args.newInputs);
            const subject = subjectOf(args, change.fromVersion, change.toVersion);
            const { release, stack } = rt.ctx;
            const decision = evaluateReleaseGate({ ...release, now: rt.now(), imageChanged: change.imageChanged, stack, subject });
            if (!decision.allowed) {
                if (rt.isDryRun()) {
                    rt.log.warn(`this version change would be refused at \`pulumi up\`: ${decision.message}`);
                    return;
                }
                throw new Error(decision.message);
            }
            if (decision.overridden && release.override) {
                rt.overridesUsed.set(args.urn, release.override);
                rt.log.warn(decision.message);
            } else {
                rt.log.info(decision.message);
            }
        },
        { onDryRun: true },
    );
}
