/**
 * `drydock approve --stack S --service X` and `drydock abort --stack S --service X [--reason TEXT]`: act on a
 * service's blue/green, canary or linear deployment in progress.
 *
 * - approve continues the approval pause (`<service>ApprovalRequired`) after the test-traffic shift
 *   (ECS ContinueServiceDeployment, CONTINUE): production traffic starts to shift.
 * - abort stops the deployment and rolls it back (ECS StopServiceDeployment, ROLLBACK): production traffic
 *   goes back to the old revision, which still runs during the approval pause, the canary, a linear shift
 *   and the bake.
 *
 * Both refuse, without changing anything, when nothing waits (approve) or nothing is in progress (abort),
 * saying what the deployment is doing. They need only `aws:region` from the stack file, so they work
 * while another key of it is invalid.
 */
import { Command, Option } from "commander";
import { abortDeployment, approveDeployment, DeploymentAction } from "../../aws/serviceDeployments";
import { ecsClusterName, ecsServiceName } from "../../release/names";
import { serviceNames } from "../../services";
import { CliDeps } from "../deps";
import { usageError } from "../errors";
import { createCtx, Ctx } from "../output";
import { commandAction, jsonOption, stackOption } from "../program";
import { openStackFile } from "../stackContext";

/** `--service <name>`, one service of the table (required). */
function oneServiceOption(): Option {
    return new Option("--service <service>", "the service whose deployment to act on").choices(serviceNames()).makeOptionMandatory();
}

interface Target {
    stack: string;
    region: string;
    cluster: string;
    /** The service as the table (and `status --json`) names it: `backend`. */
    name: string;
    /** Its ECS service: `backend-service`. */
    service: string;
}

/** The stack's region and the ECS names, from the stack file alone. */
function targetOf(deps: CliDeps, stack: string, service: string): Target {
    const file = openStackFile(deps, stack);
    const region = file.get("aws:region")?.trim();
    if (!region)
        throw usageError(`${file.fileName}: aws:region`, "missing", `set it: pulumi config set aws:region <region> -s ${file.stack}`);
    return { stack: file.stack, region, cluster: ecsClusterName(file.stack), name: service, service: ecsServiceName(service) };
}

function report(
    ctx: Ctx,
    verb: "approved" | "aborted",
    t: Target,
    action: DeploymentAction,
    extra: Record<string, unknown>,
    lines: string[],
): void {
    if (ctx.json) {
        ctx.printJson({
            stack: t.stack,
            service: t.name,
            ecsService: action.service,
            action: verb,
            deploymentArn: action.deploymentArn,
            before: action.before,
            ...extra,
        });
        return;
    }
    for (const line of lines) ctx.print(line);
}

export function registerApprove(program: Command, deps: CliDeps): void {
    program
        .command("approve")
        .description(
            "continue a service's deployment paused for approval after the test-traffic shift (production traffic starts to shift)",
        )
        .addOption(stackOption())
        .addOption(oneServiceOption())
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: { stack: string; service: string; json?: boolean }) => {
                const ctx = createCtx(deps, !!opts.json);
                const t = targetOf(deps, opts.stack, opts.service);
                const action = await ctx.step(`Approving ${t.service}`, () =>
                    approveDeployment(deps.ecs(t.region), { cluster: t.cluster, service: t.service, stack: t.stack, name: t.name }),
                );
                report(ctx, "approved", t, action, {}, [
                    `Approved ${t.service} in ${t.stack}: it was ${action.before}.`,
                    `ECS now shifts production traffic; the deployment alarms can still roll it back during the bake.`,
                    `Follow it: npx drydock status --stack ${t.stack} --watch`,
                ]);
                return 0;
            }),
        );
}

export function registerAbort(program: Command, deps: CliDeps): void {
    program
        .command("abort")
        .description("stop a service's deployment in progress and roll it back (production traffic returns to the old revision)")
        .addOption(stackOption())
        .addOption(oneServiceOption())
        .addOption(new Option("--reason <text>", "why (printed and in --json; ECS keeps no reason for a stop)"))
        .addOption(jsonOption())
        .action(
            commandAction(async (opts: { stack: string; service: string; reason?: string; json?: boolean }) => {
                const ctx = createCtx(deps, !!opts.json);
                const reason = opts.reason?.trim();
                if (opts.reason !== undefined && !reason)
                    throw usageError("--reason", "is empty", 'say why, e.g. --reason "5xx on checkout"');
                const t = targetOf(deps, opts.stack, opts.service);
                const action = await ctx.step(`Aborting ${t.service}`, () =>
                    abortDeployment(deps.ecs(t.region), { cluster: t.cluster, service: t.service, stack: t.stack, name: t.name }),
                );
                report(ctx, "aborted", t, action, { reason: reason ?? null }, [
                    `Aborted ${t.service} in ${t.stack}${reason ? ` (${reason})` : ""}: it was ${action.before}.`,
                    `ECS rolls back: production traffic returns to the previous revision.`,
                    `Pulumi's state still records the new task definition: deploy a fixed version, or set the stack file back (npx drydock rollback --stack ${t.stack}).`,
                    `Follow it: npx drydock status --stack ${t.stack} --watch`,
                ]);
                return 0;
            }),
        );
}
