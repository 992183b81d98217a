/** policies/rules/iam.ts: iam-least-privilege. */
import { expect } from "chai";
import { details, resource, run } from "./support";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const MANAGED_POLICY = "aws:iam/policy:Policy";

/** A task-role policy like drydock's: ECS Exec on "*" (the SSM channels take no resource) plus one configured statement. */
function taskPolicy(extra: Record<string, unknown>, type = ROLE_POLICY) {
    const exec = {
        Sid: "EcsExec",
        Effect: "Allow",
        Action: ["ssmmessages:CreateControlChannel", "ssmmessages:OpenDataChannel"],
        Resource: "*",
    };
    const s3 = { Sid: "Configured1", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::uploads/*"], ...extra };
    return resource(type, "backend-task", {
        role: "backend-task-1a2b3c",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [exec, s3] }),
    });
}

describe("policies: iam-least-privilege", () => {
    const of = (r: ReturnType<typeof taskPolicy>) => details(run([r]), "iam-least-privilege");

    it("passes named actions, and named actions on * where AWS takes no resource", () => {
        expect(of(taskPolicy({}))).to.deep.equal([]);
    });

    it("refuses * on *", () => {
        expect(of(taskPolicy({ Action: "*", Resource: "*" }))).to.deep.equal([
            `policy "backend-task" statement 2 ("Configured1") allows "*" on every resource ("*"). Name the actions (e.g. "s3:GetObject") and the resources (ARNs); for a task role, fix <service>TaskRoleStatements.`,
        ]);
    });

    it("refuses a whole service on *, and NotAction on *; in managed policies too", () => {
        expect(of(taskPolicy({ Action: ["s3:GetObject", "sqs:*"], Resource: ["arn:aws:s3:::a", "*"] }))[0]).to.contain(
            `allows "sqs:*" on every resource`,
        );
        expect(of(taskPolicy({ Action: undefined, NotAction: ["iam:*"], Resource: "*" }))[0]).to.contain(
            `allows "NotAction" on every resource`,
        );
        expect(of(taskPolicy({ Action: "*", Resource: "*" }, MANAGED_POLICY))).to.have.length(1);
        // NotResource is every resource but the ones it names.
        expect(of(taskPolicy({ Action: "*", Resource: undefined, NotResource: ["arn:aws:s3:::audit/*"] }))[0]).to.contain(
            `allows "*" on every resource`,
        );
    });

    it("lets a Deny of everything on * pass, and a wildcard on named resources", () => {
        expect(of(taskPolicy({ Effect: "Deny", Action: "*", Resource: "*" }))).to.deep.equal([]);
        expect(of(taskPolicy({ Action: "s3:*", Resource: ["arn:aws:s3:::uploads/*"] }))).to.deep.equal([]);
    });
});
