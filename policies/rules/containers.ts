/**
 * Reading an ECS task definition's containers as the image policies judge them: the parsed
 * `containerDefinitions` (a malformed one is a violation, never a pass), and a container's env and labels.
 */
import type { ReportViolation } from "@pulumi/policy";
import { asRecord, checkUnknownsInJson, nonEmpty, q } from "./common";

/** The env value of `name` in a container definition, if known. */
export function envValue(container: Record<string, unknown>, name: string): string | undefined {
    const env = container["environment"];
    if (!Array.isArray(env)) return undefined;
    for (let i = 0; i < env.length; i++) {
        const entry = asRecord(env[i]);
        if (entry !== undefined && entry["name"] === name) return nonEmpty(entry["value"]);
    }
    return undefined;
}

export function labelValue(container: Record<string, unknown>, name: string): string | undefined {
    return nonEmpty(asRecord(container["dockerLabels"])?.[name]);
}

/** Parses `containerDefinitions`; reports and returns undefined when it is not a JSON array of objects. */
export function parseContainers(text: unknown, family: string, report: ReportViolation): Record<string, unknown>[] | undefined {
    if (text === undefined || text === null) {
        report(
            `task definition ${q(family)} has no containerDefinitions, so its images cannot be verified. Set containerDefinitions to a JSON array of container definitions, each with an image pinned to an exact version or digest.`,
        );
        return undefined;
    }
    let parsed: unknown;
    try {
        parsed = typeof text === "string" ? JSON.parse(text) : text;
    } catch (e) {
        report(
            `task definition ${q(family)} has containerDefinitions that are not valid JSON (${(e as Error).message}), so its images cannot be verified. Set containerDefinitions to a JSON array of container definitions, each with an image pinned to an exact version or digest.`,
        );
        return undefined;
    }
    if (!Array.isArray(parsed) || parsed.some((c) => asRecord(c) === undefined)) {
        report(
            `task definition ${q(family)} has containerDefinitions that are not a JSON array of container definitions, so its images cannot be verified. Set containerDefinitions to a JSON array of container definitions, each with an image pinned to an exact version or digest.`,
        );
        return undefined;
    }
    const containers = parsed as Record<string, unknown>[];
    return typeof text === "string" ? checkUnknownsInJson("containerDefinitions", text, containers) : containers;
}
