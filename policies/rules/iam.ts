/**
 * IAM: no policy grants everything, or a whole service, on every resource.
 *
 * drydock's roles are least privilege: the execution role pulls one repository, writes one log group and
 * reads the referenced secrets; the task role has the ECS Exec channels plus the statements a stack
 * configures (`<service>TaskRoleStatements`, validated in config too). This rule is the last line: a
 * statement that allows `*` or `<service>:*` on the resource `*` is refused wherever it comes from.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { SubChecks, asRecord, checkUnknownsInJson, q } from "./common";

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The statements of a policy document given as JSON text or an object; undefined when it is not one. */
function statementsOf(policy: unknown): Record<string, unknown>[] | undefined {
    let doc: unknown = policy;
    if (typeof policy === "string") {
        try {
            doc = checkUnknownsInJson("policy", policy, JSON.parse(policy) as unknown);
        } catch (e) {
            if (e instanceof SyntaxError) return undefined;
            throw e;
        }
    }
    const statements = asList(asRecord(doc)?.["Statement"]);
    return statements.map(asRecord).filter((s): s is Record<string, unknown> => s !== undefined);
}

/** Allowed actions that cover everything (`*`) or a whole service (`s3:*`), when the statement's resources include `*` (or it uses NotResource). */
export function wildcardGrants(statement: Record<string, unknown>): string[] {
    if (statement["Effect"] !== "Allow") return [];
    // NotResource allows every resource but the ones named: as wide as "*".
    if (!asList(statement["Resource"]).includes("*") && statement["NotResource"] === undefined) return [];
    if (statement["NotAction"] !== undefined) return ["NotAction"];
    return asList(statement["Action"]).filter((a): a is string => typeof a === "string" && (a === "*" || a.endsWith(":*")));
}

function checkPolicy(policy: unknown, args: ResourceValidationArgs, report: ReportViolation): void {
    const checks = new SubChecks();
    checks.run(() => {
        const statements = statementsOf(policy);
        if (statements === undefined) return;
        statements.forEach((s, i) => {
            const wide = wildcardGrants(s);
            if (wide.length === 0) return;
            const sid = typeof s["Sid"] === "string" ? ` (${q(s["Sid"])})` : "";
            report(
                `policy ${q(args.name)} statement ${i + 1}${sid} allows ${wide.map((a) => q(a)).join(", ")} on every resource ("*"). ` +
                    `Name the actions (e.g. "s3:GetObject") and the resources (ARNs); for a task role, fix <service>TaskRoleStatements.`,
            );
        });
    });
    checks.done();
}

/** Mandatory: no `*` (or whole-service) action on the `*` resource in any inline or managed policy. */
export const iamLeastPrivilege: ResourceValidationPolicy = {
    name: "iam-least-privilege",
    description: "No IAM policy allows every action, or every action of a service, on every resource.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: [
        "List the actions the application calls and the resources it touches, e.g.",
        '  pulumi config set backendTaskRoleStatements \'[{"actions":["s3:GetObject"],"resources":["arn:aws:s3:::uploads/*"]}]\'',
        'Actions AWS does not scope to a resource (e.g. ecr:GetAuthorizationToken) may keep the resource "*".',
    ].join("\n"),
    validateResource: [
        validateResourceOfType(aws.iam.RolePolicy, (p, args, report) => checkPolicy(p.policy, args, report)),
        validateResourceOfType(aws.iam.Policy, (p, args, report) => checkPolicy(p.policy, args, report)),
    ],
};
