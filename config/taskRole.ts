/**
 * `<service>TaskRoleStatements`: extra IAM statements for a service's task role (the application's own AWS
 * access, e.g. S3 or SQS), as JSON text in the stack config. Least privilege is kept: every action names a
 * service (`s3:GetObject`, `sqs:Send*`), no statement grants a whole service or everything on every
 * resource (`*` or `s3:*` on `*`), and resources are ARNs or `*`.
 */
import type { Reader } from "./reader";
import type { TaskRoleStatement } from "./types";

const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
const FIELDS = new Set(["actions", "resources", "effect"]);
const EXAMPLE = `[{"actions":["s3:GetObject"],"resources":["arn:aws:s3:::my-bucket/*"]}]`;

/** Problems of one statement, one line each. */
export function statementProblems(value: unknown, index: number): string[] {
    const at = `statement ${index + 1}`;
    if (value === null || typeof value !== "object" || Array.isArray(value))
        return [`${at} is not an object {actions, resources, effect?}`];
    const s = value as Record<string, unknown>;
    const problems = Object.keys(s)
        .filter((k) => !FIELDS.has(k))
        .map((k) => `${at} has an unknown field ${JSON.stringify(k)}; accepted: actions, resources, effect`);
    const list = (field: string): string[] | undefined => {
        const v = s[field];
        if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "string")) {
            problems.push(`${at}: ${field} must be a non-empty list of strings`);
            return undefined;
        }
        return v as string[];
    };
    const actions = list("actions");
    const resources = list("resources");
    if (s.effect !== undefined && s.effect !== "Allow" && s.effect !== "Deny")
        problems.push(`${at}: effect ${JSON.stringify(s.effect)}; accepted: Allow or Deny`);
    for (const a of actions ?? []) {
        if (!ACTION.test(a)) problems.push(`${at}: action ${JSON.stringify(a)} is not service:Action (e.g. s3:GetObject)`);
    }
    for (const r of resources ?? []) {
        if (r !== "*" && !/^arn:aws[a-z-]*:[a-z0-9-]+:/.test(r)) problems.push(`${at}: resource ${JSON.stringify(r)} is not an ARN or *`);
    }
    const wholeService = (actions ?? []).filter((a) => a.endsWith(":*"));
    if (s.effect !== "Deny" && resources?.includes("*") && wholeService.length > 0) {
        problems.push(`${at} grants ${wholeService.join(", ")} on every resource (*); name the actions or the resources`);
    }
    return problems;
}

/** Reads `<prefix>TaskRoleStatements`; every problem is recorded against the key. */
export function readTaskRoleStatements(r: Reader, key: string): TaskRoleStatement[] {
    const raw = r.string(key).trim();
    if (raw === "") return [];
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        r.problem(key, raw, `not JSON; accepted: a JSON list of statements, e.g. ${EXAMPLE}`);
        return [];
    }
    if (!Array.isArray(parsed)) {
        r.problem(key, raw, `not a list; accepted: a JSON list of statements, e.g. ${EXAMPLE}`);
        return [];
    }
    const problems = parsed.flatMap((s, i) => statementProblems(s, i));
    for (const p of problems) r.problem(key, raw, p);
    if (problems.length > 0) return [];
    return (parsed as TaskRoleStatement[]).map((s) => ({
        actions: [...s.actions],
        resources: [...s.resources],
        effect: s.effect ?? "Allow",
    }));
}
