/**
 * `drydock promote --from staging --to production [--service backend|frontend|all] [--apply]`:
 * pin the target stack to exactly what the source stack runs now — its exact immutable tag for
 * that image (semver, then full, then timestamp) or its digest — in the target's stack file.
 * Refuses, writing nothing, when only a mutable version can be found.
 */
import { Command, Option } from "commander";
import { ServiceName } from "../../config";
import { versionOf } from "../../aws/ecr";
import { shortTaskDefinition } from "../../release/names";
import { runningTaskDigests } from "../../aws/ecs";
import { applyStack, checkReleaseGate, saveAndShow } from "../apply";
import { findDeployed } from "../deployed";
import { CliDeps } from "../deps";
import { refused, usageError } from "../errors";
import { createCtx, shortDigest } from "../output";
import { commandAction, serviceOption } from "../program";
import { exactVersionIn, ExactVersion, imageFor, repositoryOf } from "../resolve";
import { openStack, serviceOf, servicesFor, StackContext, versionKey } from "../stackContext";

export interface Promotion {
    service: ServiceName;
    /** The target's version before. */
    from: string;
    exact: ExactVersion;
    /** What the source's task definition asks for (e.g. `latest`), for the report. */
    sourceVersion: string;
    sourceTaskDefinition: string;
    /** Warnings worth printing (e.g. the source rolled back). */
    notes: string[];
}

/** What `source` runs for `service`, as an exact immutable version that `target` can deploy. */
export async function planPromotion(deps: CliDeps, source: StackContext, target: StackContext, service: ServiceName): Promise<Promotion> {
    const what = `${source.stack} ${service}`;
    const deployed = await findDeployed(deps, source, service);
    const td = deployed.image;
    if (!td || !deployed.state) throw refused(what, deployed.note ?? "nothing deployed", `deploy ${source.stack} first (pulumi up -s ${source.stack})`);
    const primary = deployed.state.primary;
    if (primary?.rolloutState && primary.rolloutState !== "COMPLETED") {
        throw refused(
            what,
            `its rollout is ${primary.rolloutState}${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ""}, so ${source.stack} has not proved it yet`,
            `wait until drydock status --stack ${source.stack} shows COMPLETED`,
        );
    }
    const notes = deployed.state.failed.map(
        (f) => `${source.stack} ${service}: ECS rolled back a failed deployment of ${shortTaskDefinition(f.taskDefinition)}; promoting what runs now (${td.version}).`,
    );
    const repo = repositoryOf(td.ref, serviceOf(source, service).repository);
    let exact: ExactVersion | undefined;
    if (td.ref.digest) {
        exact = await exactVersionIn(deps, source.region, repo, { digest: td.ref.digest });
        if (!exact) throw refused(what, `runs ${td.ref.digest}, which is no longer in ${repo.uri}`, "push or restore that image, or choose a version with pulumi config set");
    } else {
        const tag = td.ref.tag ?? "latest";
        if (versionOf(tag).immutable) {
            exact = await exactVersionIn(deps, source.region, repo, { tag });
            if (!exact) throw refused(what, `runs ${tag}, which is not in ${repo.uri}`, "push or restore that image, or choose a version with pulumi config set");
        } else {
            // A mutable tag may have moved since the tasks pulled it: ask the running tasks what they run.
            const digests = await runningTaskDigests(deps.ecs(source.region), source.stack, service, td);
            if (digests.length === 1) exact = await exactVersionIn(deps, source.region, repo, { digest: digests[0] });
            if (!exact) {
                throw refused(
                    what,
                    `runs the mutable tag ${tag} and ${
                        digests.length > 1 ? `its tasks run ${digests.length} different images` : digests.length === 0 ? `no task of ${shortTaskDefinition(td.arn)} is RUNNING` : "the image its tasks run cannot be found"
                    }; refusing to write a mutable version`,
                    `set pinDigests to true for ${source.stack} and redeploy it, or promote a version by hand: pulumi config set ${versionKey(service)} <exact version> -s ${target.stack}`,
                );
            }
        }
    }
    const targetRepo = serviceOf(target, service).repository;
    if (targetRepo.uri !== exact.repository.uri && !(await imageFor(deps, target.region, targetRepo, exact.version))) {
        throw refused(
            `${target.stack} ${service}`,
            `${exact.version.raw} is not in ${targetRepo.uri} (the repository ${target.stack} deploys from)`,
            `copy the image there, or set ${versionKey(service)} by hand`,
        );
    }
    return { service, from: serviceOf(target, service).version.raw, exact, sourceVersion: td.version, sourceTaskDefinition: td.arn, notes };
}

export function registerPromote(program: Command, deps: CliDeps): void {
    program
        .command("promote")
        .description("pin the target stack to exactly what the source stack runs now (written into the target's stack file)")
        .addOption(new Option("--from <stack>", "stack whose running version is promoted, e.g. staging").makeOptionMandatory())
        .addOption(new Option("--to <stack>", "stack whose file is changed, e.g. production").makeOptionMandatory())
        .addOption(serviceOption("which service to promote"))
        .addOption(new Option("--apply", "then run pulumi preview and pulumi up for the target stack"))
        .action(
            commandAction(async (opts: { from: string; to: string; service: string; apply?: boolean }) => {
                const ctx = createCtx(deps, false);
                if (opts.from === opts.to) throw usageError("--to", `is the same stack as --from (${opts.from})`, "promote from one stack to another, e.g. --from staging --to production");
                const source = openStack(deps, opts.from);
                const target = openStack(deps, opts.to);
                const plans = await ctx.step(`Reading what ${source.stack} runs`, () =>
                    Promise.all(servicesFor(opts.service).map((s) => planPromotion(deps, source, target, s))),
                );
                for (const plan of plans) target.file.set(versionKey(plan.service), plan.exact.version.raw);
                target.file.settings(); // the edited file must still be valid (throws ConfigError, exit 2)
                if (target.file.changed.length > 0) {
                    checkReleaseGate(ctx, deps, target, `promotion of ${plans.map((p) => `${p.service} ${p.exact.version.raw}`).join(", ")}`, !!opts.apply);
                }
                for (const plan of plans) {
                    for (const n of plan.notes) ctx.warn(`drydock: warning: ${n}`);
                    const change = plan.from === plan.exact.version.raw ? "unchanged" : `${plan.from} -> ${plan.exact.version.raw}`;
                    ctx.print(
                        `${plan.service}: ${source.stack} runs ${plan.sourceVersion} = ${shortDigest(plan.exact.image.digest)}${plan.exact.image.tags.length ? ` (tags: ${plan.exact.image.tags.join(", ")})` : ""}; ${target.stack}: ${change}`,
                    );
                }
                if (target.file.changed.length === 0) {
                    ctx.print(`${target.file.fileName} already pins what ${source.stack} runs. Nothing changed.`);
                } else {
                    ctx.print();
                    saveAndShow(ctx, target.file);
                }
                if (opts.apply) return applyStack(ctx, deps, target.stack);
                if (target.file.changed.length > 0) {
                    ctx.print();
                    ctx.print(`Next: review and commit ${target.file.fileName}, then pulumi preview -s ${target.stack} --policy-pack policies && pulumi up -s ${target.stack}`);
                    ctx.print(`      (or run this command again with --apply)`);
                }
                return 0;
            }),
        );
}
