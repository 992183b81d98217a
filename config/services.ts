/** Per-service keys: version, image repository, task size, counts and port. */
import { ACCEPTED_VERSION_FORMS, ImageVersion, tryParseVersion } from "../release/version";
import { parseRepositoryUri, RepositoryRef } from "../release/imageRef";
import { FARGATE_MEMORY, fargateMemoryText } from "../release/limits";
import type { Reader } from "./reader";
import { readDeployment } from "./strategy";
import type { ServiceSpec } from "../services";
import { readTaskRoleStatements } from "./taskRole";
import type { ServiceSettings } from "./types";

export function readVersion(r: Reader, key: string): ImageVersion {
    const raw = r.string(key);
    const parsed = tryParseVersion(raw);
    if (parsed.ok) return parsed.version;
    if (r.raw(key) !== undefined) {
        r.problem(key, raw, `${parsed.reason}. Accepted forms: ${ACCEPTED_VERSION_FORMS}`);
    }
    return { raw, kind: "other", immutable: false };
}

export function readRepository(r: Reader, key: string): RepositoryRef {
    const raw = r.string(key).trim();
    try {
        if (raw !== "") return parseRepositoryUri(raw);
    } catch (err) {
        r.problem(
            key,
            raw,
            `${(err as Error).message}. Accepted: an image repository without tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-production`,
        );
    }
    return { uri: raw, registry: "", repositoryName: raw };
}

/** `<prefix>PathPatterns`: an ALB rule's 1-5 path patterns. */
function readPatterns(r: Reader, key: string): string[] {
    const patterns = r.list(key);
    if (patterns.length === 0 && !r.hasProblem(key)) {
        r.problem(key, "[]", "must list at least one path pattern, e.g. /api/*");
    }
    if (patterns.length > 5) {
        r.problem(key, JSON.stringify(patterns), "an ALB rule accepts at most 5 path patterns");
    }
    for (const p of patterns) {
        if (!p.startsWith("/") || p.length > 128 || /\s/.test(p)) {
            r.problem(key, p, "not a path pattern; accepted: a path starting with /, up to 128 characters, * and ? as wildcards");
        }
    }
    return patterns;
}

/** One service's settings, from the keys its table entry generates. */
export function readService(r: Reader, spec: ServiceSpec): ServiceSettings {
    const p = spec.configPrefix;
    const version = readVersion(r, `${p}Version`);
    const repository = readRepository(r, `${p}Image`);
    const cpu = r.integer(`${p}Cpu`);
    const memory = r.integer(`${p}Memory`);
    if (FARGATE_MEMORY[cpu] && !FARGATE_MEMORY[cpu].includes(memory)) {
        r.problem(`${p}Memory`, String(memory), `does not fit ${p}Cpu ${cpu}; accepted: ${fargateMemoryText(cpu)}`);
    }
    const desiredCount = r.integer(`${p}DesiredCount`);
    const maxCount = r.integer(`${p}MaxCount`);
    if (maxCount < desiredCount) {
        r.problem(`${p}MaxCount`, String(maxCount), `must be at least ${p}DesiredCount (${desiredCount})`);
    }
    const port = r.integer(`${p}Port`);
    const route = spec.route;
    const pathPatterns = route ? (route.configurable ? readPatterns(r, `${p}PathPatterns`) : [...route.pathPatterns]) : undefined;
    return {
        name: spec.name,
        spec,
        version,
        repository,
        cpu,
        memory,
        desiredCount,
        maxCount: Math.max(maxCount, desiredCount),
        port,
        ...(pathPatterns ? { pathPatterns } : {}),
        taskRoleStatements: readTaskRoleStatements(r, `${p}TaskRoleStatements`),
        deployment: readDeployment(r, spec, pathPatterns),
    };
}
