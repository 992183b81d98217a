import { expect } from "chai";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import YAML from "yaml";
import { MIN_PULUMI_VERSION } from "../cli/pulumiCli";
import { deployBudget, GITHUB_JOB_LIMIT_MINUTES } from "../release/deployBudget";
import { budgetOutputs } from "../scripts/deployBudget";

const ROOT = join(__dirname, "..");

describe("the deploy job's budget", () => {
    it("outlasts every wait the stack allows, and the AWS session outlasts the job", () => {
        const b = deployBudget({ snapshotTimeoutMinutes: 30, migrationTimeoutMinutes: 30, rolloutTimeoutMinutes: 30 });
        expect(b).to.deep.equal({ waitMinutes: 90, jobMinutes: 110, roleSeconds: 7200 });
        const longer = deployBudget({ snapshotTimeoutMinutes: 60, migrationTimeoutMinutes: 15, rolloutTimeoutMinutes: 45 });
        expect(longer.jobMinutes).to.equal(140);
        expect(longer.roleSeconds).to.equal(150 * 60);
    });

    it("adds a progressive deployment's approval pause and bakes, which verify-rollout waits through", () => {
        const b = deployBudget({
            snapshotTimeoutMinutes: 30,
            migrationTimeoutMinutes: 30,
            rolloutTimeoutMinutes: 30,
            deploymentWaitMinutes: 70,
        });
        expect(b).to.deep.equal({ waitMinutes: 160, jobMinutes: 180, roleSeconds: 190 * 60 });
        const week = deployBudget({
            snapshotTimeoutMinutes: 30,
            migrationTimeoutMinutes: 30,
            rolloutTimeoutMinutes: 30,
            deploymentWaitMinutes: 1450,
        });
        expect(week.problem).to.match(
            /\+ 1450 of a progressive deployment's approval pause and bakes \+ 20 margin\); lower those timeouts, or set <service>WaitForBake to false/,
        );
    });

    it("the deploy job's budget of a stack follows its services' strategies", () => {
        const dir = mkdtempSync(join(tmpdir(), "drydock-budget-"));
        try {
            copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
            const production = readFileSync(join(ROOT, "Pulumi.production.yaml"), "utf8");
            writeFileSync(join(dir, "Pulumi.production.yaml"), production);
            expect(budgetOutputs(dir, "production")).to.equal("job-minutes=110\nrole-seconds=7200\n");
            // blue-green with an approval (60 min) and the default 10-minute bake waited for: 30 + 30 + 30 + 70 + 20.
            const bg = `${production.trimEnd()}\n  drydock:backendDeploymentStrategy: blue-green\n  drydock:backendApprovalRequired: "true"\n`;
            writeFileSync(join(dir, "Pulumi.production.yaml"), bg);
            expect(budgetOutputs(dir, "production")).to.equal("job-minutes=180\nrole-seconds=11400\n");
            // Not waiting for the bake: only the approval pause counts.
            writeFileSync(join(dir, "Pulumi.production.yaml"), `${bg}  drydock:backendWaitForBake: "false"\n`);
            expect(budgetOutputs(dir, "production")).to.equal("job-minutes=170\nrole-seconds=10800\n");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("says when the stack's timeouts cannot fit a GitHub job", () => {
        const b = deployBudget({ snapshotTimeoutMinutes: 300, migrationTimeoutMinutes: 30, rolloutTimeoutMinutes: 30 });
        expect(b.jobMinutes).to.be.above(GITHUB_JOB_LIMIT_MINUTES);
        expect(b.problem).to.match(
            /^the job would need 380 minutes, more than GitHub's 360-minute limit for a job .*lower those timeouts$/,
        );
    });
});

describe("what a first real pulumi up needs", () => {
    it("Pulumi.yaml refuses a Pulumi CLI older than the hooks need", () => {
        const project = YAML.parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as { requiredPulumiVersion?: string };
        expect(project.requiredPulumiVersion).to.equal(`>=${MIN_PULUMI_VERSION}`);
    });

    it("npm refuses an old Node.js (.nvmrc, engine-strict) instead of failing later", () => {
        const engines = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
        expect(engines).to.equal(">=22.12.0");
        expect(readFileSync(join(ROOT, ".nvmrc"), "utf8").trim()).to.equal("22.12");
        expect(readFileSync(join(ROOT, ".npmrc"), "utf8").split("\n")).to.include("engine-strict=true");
    });
});
