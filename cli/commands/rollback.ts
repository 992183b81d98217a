/**
 * `drydock rollback --stack S [--service backend|frontend|all] [--to VERSION] [--apply]`: set the
 * stack file back to the version that ran before the current one (from the service's task
 * definition history), or to `--to` after checking the repository has it. Refuses otherwise,
 * changing nothing.
 */
import { Command, Option } from "commander";
import { ServiceName } from "../../config";
import { listDrydockSnapshots } from "../../aws/snapshots";
import { ImageVersion, parseVersion, VersionError, ACCEPTED_VERSION_FORMS } from "../../release/version";
import { versionOf } from "../../aws/ecr";
import { dbClusterIdentifier, shortTaskDefinition, taskFamilyName } from "../../release/names";
import { describeTaskDefinition, taskDefinitionHistory, TaskDefinitionInfo } from "../../aws/ecs";
import { applyStack, checkReleaseGate, saveAndShow, requireApplyTools } from "../apply";
import { CliDeps } from "../deps";
import { refused, usageError } from "../errors";
import { createCtx, shortDigest, utcMinute } from "../output";
import { commandAction, serviceOption, stackOption } from "../program";
import { exactVersionIn, imageFor } from "../resolve";
import { openStack, serviceOf, servicesFor, StackContext, versionKey } from "../stackContext";

/** How many older task definition revisions to inspect at most. */
const MAX_REVISIONS = 50;

export interface RollbackPlan {
    service: ServiceName;
    /** The version in the stack file before. */
    from: string;
    to: ImageVersion;
    /** Where `to` came from, for the report. */
    source: string;
    /** Said after the plan, e.g. that no immutable tag names the digest written. */
    note?: string;
}

/** Identifies what a revision runs: its digest when pinned, else its version. */
function runsKey(td: TaskDefinitionInfo): string {
    return td.ref.digest ?? td.version;
}

/** The newest older revision of the service's task definition that runs something else than the current one. */
async function previousRevision(deps: CliDeps, sc: StackContext, service: ServiceName): Promise<TaskDefinitionInfo> {
    const ecs = deps.ecs(sc.region);
    const what = `${sc.stack} ${service}`;
    const uri = serviceOf(sc, service).repository.uri;
    const history = await taskDefinitionHistory(ecs, sc.stack, service);
    if (history.length === 0) {
        throw refused(
            what,
            `never deployed: no task definitions in family ${taskFamilyName(sc.stack, service)}, so there is nothing to roll back to`,
            `choose a version for the first deployment with pulumi config set ${versionKey(service)} <version> -s ${sc.stack}`,
        );
    }
    const current = await describeTaskDefinition(ecs, history[0], service, uri);
    for (const arn of history.slice(1, MAX_REVISIONS + 1)) {
        const td = await describeTaskDefinition(ecs, arn, service, uri);
        if (runsKey(td) !== runsKey(current)) return td;
    }
    throw refused(
        what,
        `every revision of ${taskFamilyName(sc.stack, service)} runs ${current.version}; there is no earlier version`,
        `use --to VERSION (npx drydock versions ${service} --stack ${sc.stack})`,
    );
}

/**
 * The version that ran before the current one: the newest older revision of the service's task
 * definition that runs something else, named immutably: its immutable requested version, else the newest
 * immutable tag (in release order) that ECR gives its digest, else the digest itself (and the plan says so).
 */
export async function previousVersion(deps: CliDeps, sc: StackContext, service: ServiceName): Promise<RollbackPlan> {
    const what = `${sc.stack} ${service}`;
    const previous = await previousRevision(deps, sc, service);
    const source = `${shortTaskDefinition(previous.arn)}${previous.registeredAt ? `, registered ${utcMinute(previous.registeredAt)}` : ""}`;
    const repo = serviceOf(sc, service).repository; // the version written is resolved against this repository at deploy time
    const from = fileVersion(sc, service);
    const requested = versionOf(previous.version);
    if (requested.immutable && requested.kind !== "digest") {
        if (!(await imageFor(deps, sc.region, repo, requested))) {
            throw refused(
                what,
                `the previous version ${requested.raw} (${source}) is no longer in ${repo.uri}`,
                "choose another with --to VERSION",
            );
        }
        return { service, from, to: requested, source };
    }
    const digest = previous.ref.digest ?? requested.digest;
    if (digest) {
        const exact = await exactVersionIn(deps, sc.region, repo, { digest });
        if (!exact)
            throw refused(what, `the previous image ${digest} (${source}) is no longer in ${repo.uri}`, "choose another with --to VERSION");
        const was = requested.raw === digest ? "" : `, was ${previous.version}`;
        if (exact.version.kind !== "digest")
            return { service, from, to: exact.version, source: `${source}${was}, ${exact.version.raw} by its digest` };
        const note = `${service}: no immutable tag names ${shortDigest(digest)} in ${repo.uri}, so the digest itself is written (tags there: ${exact.image.tags.join(", ") || "none"}).`;
        return { service, from, to: exact.version, source: `${source}${was}`, note };
    }
    throw refused(
        what,
        `the previous version is the mutable tag ${previous.version} (${source}) and drydock cannot tell which image it was`,
        `choose an exact version with --to VERSION (see npx drydock versions ${service} --stack ${sc.stack})`,
    );
}

/** The version as written in the stack file (also when it is invalid: rollback replaces it). */
function fileVersion(sc: StackContext, service: ServiceName): string {
    return sc.file.get(versionKey(service)) ?? serviceOf(sc, service).version.raw;
}

/** `--to` parsed; a production stack refuses a mutable or floating version as the policy production-images-pinned would. */
export function parseTo(sc: StackContext, to: string): ImageVersion {
    let version: ImageVersion;
    try {
        version = parseVersion(to.trim());
    } catch (e) {
        if (e instanceof VersionError) throw usageError(`--to ${JSON.stringify(to)}`, e.reason, `accepted: ${ACCEPTED_VERSION_FORMS}`);
        throw e;
    }
    if (!version.immutable && sc.settings.isProduction) {
        throw refused(
            `--to ${version.raw}`,
            `${mutableText(version)}; ${sc.stack} is a production stack, which runs exact versions only (policy production-images-pinned); nothing was written`,
            `roll back to an exact version (v1.2.3, 20241213-152430, v1.2.3-20241213-152430-a1b2c3d4 or sha256:<digest>): npx drydock versions <service> --stack ${sc.stack}`,
        );
    }
    return version;
}

/** Why a version moves, in the policy's words. */
function mutableText(v: ImageVersion): string {
    if (v.kind === "latest") return `${v.raw} is mutable (it moves with every push)`;
    if (v.kind === "floating") return `${v.raw} is a floating version (it moves to every new ${v.release ?? v.raw}.x release)`;
    return `${v.raw} is a mutable tag, not an exact version`;
}

/** `--to`: a valid version that the service's repository has. */
export async function requestedVersion(
    deps: CliDeps,
    sc: StackContext,
    service: ServiceName,
    version: ImageVersion,
): Promise<RollbackPlan> {
    const repo = serviceOf(sc, service).repository;
    if (!(await imageFor(deps, sc.region, repo, version))) {
        throw refused(
            `${sc.stack} ${service}`,
            `${version.raw} is not in ${repo.uri}`,
            `see what is: npx drydock versions ${service} --stack ${sc.stack}`,
        );
    }
    return { service, from: fileVersion(sc, service), to: version, source: "--to" };
}

/** What rollback cannot undo, and the snapshot to restore; read before anything is written (a listing failure is only said). */
async function dataNote(deps: CliDeps, sc: StackContext): Promise<string[]> {
    const cluster = dbClusterIdentifier(sc.stack);
    const first = "Rollback does not undo database migrations: the older version must work with the schema the newer one left,";
    try {
        const newest = (await listDrydockSnapshots(deps.rds(sc.region), cluster, sc.stack))[0];
        const taken = newest?.fromVersion ? `, taken before ${newest.fromVersion} -> ${newest.toVersion ?? "?"}` : "";
        return [
            first,
            newest
                ? `or restore the newest pre-update snapshot ${newest.identifier} (${newest.status}, ${utcMinute(newest.createdAt)}${taken}).`
                : `or restore a snapshot; drydock has no snapshot of ${cluster} (npx drydock snapshots --stack ${sc.stack}).`,
        ];
    } catch (e) {
        return [first, `or restore a pre-update snapshot (could not list them: ${(e as Error).message.split("\n")[0]}).`];
    }
}

export function registerRollback(program: Command, deps: CliDeps): void {
    program
        .command("rollback")
        .description("set the stack file back to the version that ran before the current one, or to --to VERSION")
        .addOption(stackOption())
        .addOption(serviceOption("which service to roll back"))
        .addOption(new Option("--to <version>", "roll back to this version (checked against the repository) instead of the previous one"))
        .addOption(new Option("--apply", "then run pulumi preview and pulumi up for the stack"))
        .action(commandAction((opts: RollbackArgs) => rollback(deps, opts)));
}

interface RollbackArgs {
    stack: string;
    service: string;
    to?: string;
    apply?: boolean;
}

async function rollback(deps: CliDeps, opts: RollbackArgs): Promise<number> {
    const ctx = createCtx(deps, false);
    const services = servicesFor(opts.service);
    if (opts.apply) await requireApplyTools(deps); // a Pulumi CLI and the policy pack, before anything is written
    // The versions of these services are what rollback replaces: a bad value there is what it repairs.
    const sc = openStack(deps, opts.stack, { overwrites: services.map(versionKey) });
    const to = opts.to !== undefined ? parseTo(sc, opts.to) : undefined;
    const plans = await ctx.step(`Finding the version to roll back to`, () =>
        Promise.all(services.map((s) => (to !== undefined ? requestedVersion(deps, sc, s, to) : previousVersion(deps, sc, s)))),
    );
    for (const plan of plans) sc.file.set(versionKey(plan.service), plan.to.raw);
    sc.file.settings(); // the edited file must still be valid
    if (sc.file.changed.length > 0) {
        checkReleaseGate(ctx, deps, sc, `rollback of ${plans.map((p) => `${p.service} to ${p.to.raw}`).join(", ")}`, !!opts.apply);
    }
    for (const plan of plans) {
        ctx.print(
            `${plan.service}: ${plan.from === plan.to.raw ? `already ${plan.to.raw}` : `${plan.from} -> ${plan.to.raw}`} (${plan.source})`,
        );
        if (plan.note) ctx.print(`  ${plan.note}`);
    }
    // Only --to can name a mutable version, the same for every service: one warning.
    if (to && !to.immutable) ctx.warn(`drydock: warning: ${mutableText(to)}; production stacks refuse it (prefer an exact version)`);
    const note = await dataNote(deps, sc); // every AWS read before the write
    if (sc.file.changed.length === 0) {
        ctx.print(
            `${sc.file.fileName} already has these versions. Nothing changed; if they are not running, run pulumi up -s ${sc.stack}.`,
        );
    } else {
        ctx.print();
        saveAndShow(ctx, sc.file);
    }
    ctx.print();
    for (const line of note) ctx.print(line);
    if (opts.apply) return applyStack(ctx, deps, sc.stack);
    if (sc.file.changed.length > 0) {
        ctx.print();
        ctx.print(`Next: commit ${sc.file.fileName} and run pulumi up -s ${sc.stack} (or run this command again with --apply).`);
    }
    return 0;
}
