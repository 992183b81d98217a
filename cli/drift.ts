/**
 * Drift: the image a service runs is not the one its stack file's version resolves to in ECR now.
 * Compared by digest, so a task definition registered outside drydock (e.g. an emergency
 * `aws ecs update-service`) that runs the same image is no drift; reported by tag, not by digest.
 */
import { ServiceName } from "../config";
import { runningTaskDigests, TaskDefinitionInfo } from "../aws/ecs";
import { CliDeps } from "./deps";
import { CliError } from "./errors";
import { shortDigest } from "./output";
import { exactVersionIn, imageFor, repositoryOf } from "./resolve";
import { fullKeyName, imageKey, serviceOf, StackContext, versionKey } from "./stackContext";

export interface Drift {
    /** The digest the service's tasks run, when known. */
    runningDigest: string | null;
    /** The immutable version tag that digest carries in ECR (newest in release order), or null when it has none. */
    runningVersion: string | null;
    /** What the stack file's version resolves to in ECR now. */
    expectedDigest: string | null;
    /** The running digest differs from the expected one; null when either is unknown (`note` says why). */
    drift: boolean | null;
    /** One line when drift could not be decided, or what drifted. */
    note?: string;
}

/** The digest `td` runs: pinned in the task definition, else what its RUNNING tasks pulled (when they agree). */
async function runningDigestOf(deps: CliDeps, sc: StackContext, service: ServiceName, td: TaskDefinitionInfo): Promise<string | undefined> {
    if (td.ref.digest) return td.ref.digest;
    const digests = await runningTaskDigests(deps.ecs(sc.region), sc.stack, service, td);
    return digests.length === 1 ? digests[0] : undefined;
}

/** The digest the stack file's version of `service` resolves to now, or why it cannot be told. */
async function expectedDigestOf(deps: CliDeps, sc: StackContext, service: ServiceName): Promise<{ digest?: string; why?: string }> {
    const bad = [versionKey(service), imageKey(service)].map(fullKeyName).find((k) => sc.invalid.has(k));
    if (bad) return { why: `${bad} in ${sc.file.fileName} is invalid` };
    const { version, repository } = serviceOf(sc, service);
    if (version.kind === "digest") return { digest: version.digest ?? version.raw };
    const image = await imageFor(deps, sc.region, repository, version);
    return image ? { digest: image.digest } : { why: `${version.raw} is not in ${repository.uri}` };
}

/**
 * Compares what `td` runs with what the stack file asks for. AWS failures while looking do not fail the
 * caller: drift is then unknown and `note` says why.
 */
export async function driftOf(deps: CliDeps, sc: StackContext, service: ServiceName, td: TaskDefinitionInfo): Promise<Drift> {
    const none: Drift = { runningDigest: null, runningVersion: null, expectedDigest: null, drift: null };
    try {
        const running = await runningDigestOf(deps, sc, service, td);
        const exact = running
            ? await exactVersionIn(deps, sc.region, repositoryOf(td.ref, serviceOf(sc, service).repository), { digest: running })
            : undefined;
        const runningVersion = exact && exact.version.kind !== "digest" ? exact.version.raw : null;
        const expected = await expectedDigestOf(deps, sc, service);
        const base = { runningDigest: running ?? null, runningVersion, expectedDigest: expected.digest ?? null };
        if (!running) return { ...base, drift: null, note: `drift unknown: the image its tasks run cannot be told (${td.version})` };
        if (!expected.digest) return { ...base, drift: null, note: `drift unknown: ${expected.why}` };
        if (expected.digest === running) return { ...base, drift: false };
        const asked = serviceOf(sc, service).version.raw;
        return { ...base, drift: true, note: `the stack file asks for ${asked} but ${runningVersion ?? shortDigest(running)} runs` };
    } catch (e) {
        if (e instanceof CliError) return { ...none, note: `drift unknown: ${e.what}: ${e.why}` };
        throw e;
    }
}
