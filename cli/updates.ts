/**
 * What `drydock sync` decides from, read from AWS: per service the repository's images with their push
 * times (ECR), the image the stack runs (ECS: the task definition's digest, an immutable tag looked up in
 * ECR, or what its running tasks pulled), and, with `soakIn`, what the soak stack runs healthy and since
 * when (its primary deployment, COMPLETED; since its last change, so scaling it only shortens the soak).
 */
import { findImage, listImages, RepoImage, versionOf } from "../aws/ecr";
import { runningTaskDigests } from "../aws/ecs";
import { DecisionInput, ServiceInput, SoakRecord } from "../release/channels";
import { serviceNames } from "../services";
import { Deployed, findDeployed } from "./deployed";
import { CliDeps } from "./deps";
import { repositoryOf } from "./resolve";
import { StackUpdate } from "./automation";
import { oneLine } from "./errors";
import { utcMinute } from "./output";
import { ecrFor, imageKey, openStack, projectDir, StackContext, versionKey } from "./stackContext";

/**
 * The digest of the image a service runs: the task definition's own digest, else its immutable tag
 * looked up in `images` (or ECR), else what its RUNNING tasks pulled when they all agree.
 */
export async function deployedDigest(
    deps: CliDeps,
    sc: StackContext,
    service: string,
    deployed: Deployed,
    images?: RepoImage[],
): Promise<string | undefined> {
    const td = deployed.image;
    if (!td) return undefined;
    if (td.ref.digest) return td.ref.digest;
    const tag = td.ref.tag ?? "latest";
    if (versionOf(tag).immutable) {
        const known = images?.find((i) => i.tags.includes(tag));
        if (known) return known.digest;
        const repo = repositoryOf(td.ref, sc.settings.services[service].repository);
        return (await findImage(deps.ecr(repo.region ?? sc.region), repo, { tag }))?.digest;
    }
    const digests = await runningTaskDigests(deps.ecs(sc.region), sc.stack, service, td);
    return digests.length === 1 ? digests[0] : undefined;
}

/** What `soak` runs healthy now for `service`: its primary deployment, if its rollout COMPLETED. */
export async function soakRecords(deps: CliDeps, soak: StackContext, service: string): Promise<SoakRecord[]> {
    const deployed = await findDeployed(deps, soak, service);
    const primary = deployed.state?.primary;
    const since = primary?.updatedAt ?? primary?.createdAt;
    if (!primary || primary.rolloutState !== "COMPLETED" || !since || (deployed.state?.running ?? 0) < 1) return [];
    const digest = await deployedDigest(deps, soak, service, deployed);
    return digest ? [{ digest, since }] : [];
}

/** The soak stack of `sc`, opened read-only (its unrelated bad keys only warn), or undefined without `soakIn`. */
export function openSoakStack(deps: CliDeps, sc: StackContext): StackContext | undefined {
    const name = sc.settings.updates.soakIn;
    if (!name) return undefined;
    const keys = serviceNames().flatMap((s) => [versionKey(s), imageKey(s)]);
    return openStack(deps, name, { needs: keys });
}

async function serviceInput(deps: CliDeps, sc: StackContext, soak: StackContext | undefined, name: string): Promise<ServiceInput> {
    const svc = sc.settings.services[name];
    const [images, deployed, soaked] = await Promise.all([
        listImages(ecrFor(deps, sc, svc), svc.repository),
        findDeployed(deps, sc, name),
        soak ? soakRecords(deps, soak, name) : Promise.resolve(undefined),
    ]);
    const digest = await deployedDigest(deps, sc, name, deployed, images);
    return { name, configured: svc.version, images, ...(digest ? { deployedDigest: digest } : {}), ...(soaked ? { soak: soaked } : {}) };
}

/** Everything {@link decideUpdates} needs for `sc` at `at`, read from ECR and ECS. Nothing is read for a manual stack. */
export async function readDecisionInput(deps: CliDeps, sc: StackContext, at: Date): Promise<DecisionInput> {
    const u = sc.settings.updates;
    const policy = {
        channel: u.channel,
        minimumReleaseAgeMs: u.minimumReleaseAgeMs,
        allowPrereleases: u.allowPrereleases,
        ...(u.soakIn ? { soakIn: u.soakIn } : {}),
    };
    const base = { stack: sc.stack, policy, release: sc.settings.release, at };
    if (u.channel === "manual") {
        return { ...base, services: serviceNames().map((name) => ({ name, configured: sc.settings.services[name].version, images: [] })) };
    }
    const soak = openSoakStack(deps, sc);
    const services = await Promise.all(serviceNames().map((name) => serviceInput(deps, sc, soak, name)));
    return { ...base, services };
}

/** Where a version ran healthy in the soak stack: `{ stack, since }` per digest, for `drydock versions`. */
export interface SoakedIn {
    stack: string;
    since: Date;
}

/**
 * What the stack's soak stack (`soakIn`) runs healthy now for `service`, by digest; undefined without
 * `soakIn`. Read-only callers pass `warn`: a soak stack that cannot be read is then a warning, not an error.
 */
export async function soakedIn(
    deps: CliDeps,
    sc: StackContext,
    service: string,
    warn: (e: unknown) => void,
): Promise<Map<string, SoakedIn> | undefined> {
    if (!sc.settings.updates.soakIn) return undefined;
    try {
        const soak = openSoakStack(deps, sc) as StackContext;
        const records = await soakRecords(deps, soak, service);
        return new Map(records.map((r) => [r.digest, { stack: soak.stack, since: r.since }]));
    } catch (e) {
        warn(e);
        return undefined;
    }
}

/** The stack's most recent Pulumi update (refreshes and previews left out) when it failed, else undefined. */
export async function lastFailedUpdate(deps: CliDeps, stack: string): Promise<StackUpdate | undefined> {
    const updates = await deps.automation.history(stack, projectDir(deps.cwd), 10);
    const last = updates.filter((u) => u.kind === "update").sort((a, b) => b.version - a.version)[0];
    return last?.result === "failed" ? last : undefined;
}

/** `the last update (#12, 2026-11-24 09:00 UTC: "drydock sync …") failed`: when it failed and what it tried. */
export function failedUpdateLine(u: StackUpdate): string {
    const when = utcMinute(u.endTime ?? u.startTime);
    return `the last update (#${u.version}, ${when}${u.message ? `: "${oneLine(u.message)}"` : ""}) failed`;
}
