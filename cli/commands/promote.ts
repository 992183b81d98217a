/**
 * `drydock promote --from staging --to production [--service backend|frontend|all] [--apply]`:
 * pin the target stack to exactly what the source stack runs now — its exact immutable tag for
 * that image (semver, then full, then timestamp) or its digest — in the target's stack file.
 * Refuses, writing nothing, when only a mutable version can be found, when the source is unhealthy
 * (unless --force), when the version is older than the target's (unless --allow-downgrade), and with
 * --apply when the Pulumi CLI is missing or too old.
 */
import { Command, Option } from "commander";
import { ServiceName } from "../../config";
import { versionOf } from "../../aws/ecr";
import { shortTaskDefinition } from "../../release/names";
import { ImageVersion } from "../../release/version";
import { compareVersions } from "../../release/versionOrder";
import { runningTaskDigests, ServiceState, TaskDefinitionInfo } from "../../aws/ecs";
import { serviceProblems } from "../../aws/serviceHealth";
import { applyStack, checkReleaseGate, saveAndShow, requireApplyTools } from "../apply";
import { findDeployed } from "../deployed";
import { CliDeps } from "../deps";
import { refused, usageError } from "../errors";
import { createCtx, shortDigest } from "../output";
import { commandAction, serviceOption } from "../program";
import { exactVersionIn, ExactVersion, imageFor, repositoryOf } from "../resolve";
import { imageKey, openStack, serviceOf, servicesFor, StackContext, STACK_NAME_KEY, versionKey } from "../stackContext";

export interface Promotion {
    service: ServiceName;
    /** The target's version before. */
    from: string;
    exact: ExactVersion;
    /** What the source's task definition asks for (e.g. `latest`), for the report. */
    sourceVersion: string;
    sourceTaskDefinition: string;
    /** Warnings worth printing (e.g. the source is unhealthy and --force was given). */
    notes: string[];
}

export interface PromoteOptions {
    /** Promote from a source whose services have problems (fewer tasks running, a rollback). */
    force?: boolean;
    /** Write a version that is older, in release order, than the target's. */
    allowDowngrade?: boolean;
}

/**
 * What is wrong with the source service: its problems (tasks, rollbacks) and an unfinished rollout. Refuses
 * (exit 1) unless `force`; with `force` the problems come back as warnings.
 */
function checkSourceHealth(source: StackContext, service: ServiceName, state: ServiceState, now: Date, force: boolean): string[] {
    const problems = serviceProblems(state, now);
    const primary = state.primary;
    if (primary?.rolloutState && primary.rolloutState !== "COMPLETED" && primary.rolloutState !== "FAILED") {
        problems.unshift(
            `its rollout is ${primary.rolloutState}${primary.rolloutStateReason ? ` (${primary.rolloutStateReason.replace(/\.$/, "")})` : ""}, so ${source.stack} has not proved it yet`,
        );
    }
    if (problems.length === 0) return [];
    if (!force) {
        throw refused(
            `${source.stack} ${service}`,
            `is not healthy: ${problems.join("; ")}; nothing was written`,
            `wait until npx drydock status --stack ${source.stack} shows it healthy, or promote it anyway with --force`,
        );
    }
    return problems.map((p) => `${source.stack} ${service} is not healthy (${p}); promoting it anyway (--force).`);
}

/** The exact version of the image `td` runs in `source`, or a refusal saying why there is none. */
async function exactOfRunning(
    deps: CliDeps,
    source: StackContext,
    target: StackContext,
    service: ServiceName,
    td: TaskDefinitionInfo,
): Promise<ExactVersion> {
    const what = `${source.stack} ${service}`;
    const repo = repositoryOf(td.ref, serviceOf(source, service).repository);
    if (td.ref.digest) {
        const exact = await exactVersionIn(deps, source.region, repo, { digest: td.ref.digest });
        if (!exact)
            throw refused(
                what,
                `runs ${td.ref.digest}, which is no longer in ${repo.uri}`,
                "push or restore that image, or choose a version with pulumi config set",
            );
        return exact;
    }
    const tag = td.ref.tag ?? "latest";
    if (versionOf(tag).immutable) {
        const exact = await exactVersionIn(deps, source.region, repo, { tag });
        if (!exact)
            throw refused(
                what,
                `runs ${tag}, which is not in ${repo.uri}`,
                "push or restore that image, or choose a version with pulumi config set",
            );
        return exact;
    }
    // A mutable tag may have moved since the tasks pulled it: ask the running tasks what they run.
    const digests = await runningTaskDigests(deps.ecs(source.region), source.stack, service, td);
    const exact = digests.length === 1 ? await exactVersionIn(deps, source.region, repo, { digest: digests[0] }) : undefined;
    if (exact) return exact;
    const why =
        digests.length > 1
            ? `its tasks run ${digests.length} different images`
            : digests.length === 0
              ? `no task of ${shortTaskDefinition(td.arn)} is RUNNING`
              : "the image its tasks run cannot be found";
    throw refused(
        what,
        `runs the mutable tag ${tag} and ${why}; refusing to write a mutable version`,
        `set pinDigests to true for ${source.stack} and redeploy it, or promote a version by hand: pulumi config set ${versionKey(service)} <exact version> -s ${target.stack}`,
    );
}

/** What `source` runs for `service`, as an exact immutable version that `target` can deploy. */
export async function planPromotion(
    deps: CliDeps,
    source: StackContext,
    target: StackContext,
    service: ServiceName,
    options: PromoteOptions = {},
): Promise<Promotion> {
    const deployed = await findDeployed(deps, source, service);
    const td = deployed.image;
    if (!td || !deployed.state) {
        throw refused(
            `${source.stack} ${service}`,
            deployed.note ?? "nothing deployed",
            `deploy ${source.stack} first (pulumi up -s ${source.stack})`,
        );
    }
    const notes = checkSourceHealth(source, service, deployed.state, deps.now(), !!options.force);
    const exact = await exactOfRunning(deps, source, target, service, td);
    const targetRepo = serviceOf(target, service).repository;
    if (targetRepo.uri !== exact.repository.uri && !(await imageFor(deps, target.region, targetRepo, exact.version))) {
        throw refused(
            `${target.stack} ${service}`,
            `${exact.version.raw} is not in ${targetRepo.uri} (the repository ${target.stack} deploys from)`,
            `copy the image there, or set ${versionKey(service)} by hand`,
        );
    }
    const from = serviceOf(target, service).version.raw;
    if (!options.allowDowngrade) await refuseDowngrade(deps, source, target, service, exact.version);
    return { service, from, exact, sourceVersion: td.version, sourceTaskDefinition: td.arn, notes };
}

/** Semver-family versions compare with each other, timestamps with timestamps; anything else has no order worth refusing on. */
function comparable(a: ImageVersion, b: ImageVersion): boolean {
    const family = (v: ImageVersion) =>
        v.kind === "semver" || v.kind === "full" ? "semver" : v.kind === "timestamp" ? "timestamp" : undefined;
    return family(a) !== undefined && family(a) === family(b);
}

/** Refuses (exit 1) when `next` is older, in release order, than what the target's file has now (a digest by its tag). */
async function refuseDowngrade(
    deps: CliDeps,
    source: StackContext,
    target: StackContext,
    service: ServiceName,
    next: ImageVersion,
): Promise<void> {
    let current = serviceOf(target, service).version;
    if (current.kind === "digest") {
        const named = await exactVersionIn(deps, target.region, serviceOf(target, service).repository, {
            digest: current.digest ?? current.raw,
        });
        if (named) current = named.version;
    }
    if (!comparable(current, next) || compareVersions(next, current) >= 0) return;
    throw refused(
        `${target.stack} ${service}`,
        `${source.stack} runs ${next.raw}, which is older than ${current.raw} in ${target.file.fileName} (${current.raw} is newer); refusing a downgrade, nothing was written`,
        `to downgrade on purpose add --allow-downgrade; to undo a bad release use npx drydock rollback --stack ${target.stack}`,
    );
}

/** The registration: parses and prints; {@link planPromotion} decides. */
export function registerPromote(program: Command, deps: CliDeps): void {
    program
        .command("promote")
        .description("pin the target stack to exactly what the source stack runs now (written into the target's stack file)")
        .addOption(new Option("--from <stack>", "stack whose running version is promoted, e.g. staging").makeOptionMandatory())
        .addOption(new Option("--to <stack>", "stack whose file is changed, e.g. production").makeOptionMandatory())
        .addOption(serviceOption("which service to promote"))
        .addOption(new Option("--allow-downgrade", "write a version older (in release order) than the target's"))
        .addOption(new Option("--force", "promote although the source's services are unhealthy (tasks missing, a rollback)"))
        .addOption(new Option("--apply", "then run pulumi preview and pulumi up for the target stack"))
        .action(commandAction((opts: PromoteArgs) => promote(deps, opts)));
}

interface PromoteArgs {
    from: string;
    to: string;
    service: string;
    apply?: boolean;
    force?: boolean;
    allowDowngrade?: boolean;
}

async function promote(deps: CliDeps, opts: PromoteArgs): Promise<number> {
    const ctx = createCtx(deps, false);
    if (opts.from === opts.to)
        throw usageError(
            "--to",
            `is the same stack as --from (${opts.from})`,
            "promote from one stack to another, e.g. --from staging --to production",
        );
    const services = servicesFor(opts.service);
    if (opts.apply) await requireApplyTools(deps); // a Pulumi CLI and the policy pack, before anything is written
    // The source's versions do not matter (what runs does); the target's versions of these services are replaced.
    const source = openStack(deps, opts.from, { needs: [STACK_NAME_KEY, ...services.map(imageKey)] });
    const target = openStack(deps, opts.to, { overwrites: services.map(versionKey) });
    const plans = await ctx.step(`Reading what ${source.stack} runs`, () =>
        Promise.all(
            services.map((s) => planPromotion(deps, source, target, s, { force: opts.force, allowDowngrade: opts.allowDowngrade })),
        ),
    );
    for (const plan of plans) target.file.set(versionKey(plan.service), plan.exact.version.raw);
    target.file.settings(); // the edited file must still be valid (throws ConfigError, exit 2)
    if (target.file.changed.length > 0) {
        checkReleaseGate(
            ctx,
            deps,
            target,
            `promotion of ${plans.map((p) => `${p.service} ${p.exact.version.raw}`).join(", ")}`,
            !!opts.apply,
        );
    }
    for (const plan of plans) {
        for (const n of plan.notes) ctx.warn(`drydock: warning: ${n}`);
        const change = plan.from === plan.exact.version.raw ? "unchanged" : `${plan.from} -> ${plan.exact.version.raw}`;
        const tags = plan.exact.image.tags.length ? ` (tags: ${plan.exact.image.tags.join(", ")})` : "";
        ctx.print(
            `${plan.service}: ${source.stack} runs ${plan.sourceVersion} = ${shortDigest(plan.exact.image.digest)}${tags}; ${target.stack}: ${change}`,
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
        ctx.print(
            `Next: review and commit ${target.file.fileName}, then pulumi preview -s ${target.stack} --policy-pack policies && pulumi up -s ${target.stack}`,
        );
        ctx.print(`      (or run this command again with --apply)`);
    }
    return 0;
}
