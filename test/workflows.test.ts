import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import semver from "semver";
import YAML from "yaml";
import { MIN_PULUMI_VERSION } from "../cli/pulumiCli";
import { budgetOutputs } from "../scripts/deployBudget";

const DIR = path.join(__dirname, "..", ".github", "workflows");

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    if?: string;
    strategy?: { matrix?: { stack?: string[] } };
    steps: Step[];
    environment?: string;
    concurrency?: { "cancel-in-progress"?: boolean };
}
interface Workflow {
    on: Record<string, unknown>;
    jobs: Record<string, Job>;
}

function load(name: string): { text: string; wf: Workflow } {
    const text = fs.readFileSync(path.join(DIR, name), "utf8");
    return { text, wf: YAML.parse(text) as Workflow };
}

describe("GitHub workflows", () => {
    for (const name of ["preview.yml", "deploy.yml", "auto-update.yml"]) {
        it(`${name} is a valid workflow (schema lint)`, () => {
            const { errors } = validateWorkflow(load(name).text);
            expect(errors, JSON.stringify(errors, null, 2)).to.deep.equal([]);
        });

        it(`${name} pins every action to a major version and runs Node 22`, () => {
            const steps = Object.values(load(name).wf.jobs).flatMap((j) => j.steps);
            for (const s of steps.filter((x) => x.uses)) expect(s.uses).to.match(/@v\d+$/);
            for (const s of steps.filter((x) => x.uses?.startsWith("actions/setup-node"))) expect(s.with?.["node-version"]).to.equal(22);
        });
    }

    for (const name of ["preview.yml", "deploy.yml", "auto-update.yml"]) {
        it(`${name} pins the Pulumi CLI to an exact version drydock's hooks work with (>= 3.238)`, () => {
            const steps = Object.values(load(name).wf.jobs)
                .flatMap((j) => j.steps)
                .filter((s) => s.uses?.startsWith("pulumi/actions@"));
            expect(steps).to.not.have.lengthOf(0);
            for (const s of steps) {
                const version = String(s.with?.["pulumi-version"]);
                expect(version).to.match(/^\d+\.\d+\.\d+$/);
                expect(semver.gte(version, MIN_PULUMI_VERSION)).to.equal(true);
            }
        });
    }

    it("every workflow runs the same Pulumi CLI as deploy.yml (3.270.0)", () => {
        const versions = ["preview.yml", "deploy.yml", "auto-update.yml"].flatMap((name) =>
            Object.values(load(name).wf.jobs)
                .flatMap((j) => j.steps)
                .filter((s) => s.uses?.startsWith("pulumi/actions@"))
                .map((s) => `${name} ${String(s.with?.["pulumi-version"])}`),
        );
        expect(versions).to.deep.equal(["preview.yml 3.270.0", "deploy.yml 3.270.0", "auto-update.yml 3.270.0"]);
    });

    it("the linter does catch a broken workflow", () => {
        const { errors } = validateWorkflow("on: pull_request\njobs:\n  a:\n    runs-onn: ubuntu-latest\n    steps:\n      - usess: x\n");
        expect(errors).to.not.have.lengthOf(0);
    });

    describe("preview.yml", () => {
        const { wf } = load("preview.yml");

        it("runs on every pull request", () => expect(wf.on).to.have.property("pull_request"));

        it("runs drydock check for each stack, needing no secrets (forks get a verdict)", () => {
            const job = wf.jobs.check;
            expect(job.strategy?.matrix?.stack).to.have.members(["staging", "production"]);
            expect(job.steps.map((s) => s.run ?? "")).to.include("npx drydock check --stack ${{ matrix.stack }}");
            expect(JSON.stringify(job)).not.to.include("secrets.");
        });

        it("previews each stack with the policy pack through pulumi/actions and comments the result", () => {
            const job = wf.jobs.preview;
            expect(job.strategy?.matrix?.stack).to.have.members(["staging", "production"]);
            const step = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
            expect(step.with).to.include({
                command: "preview",
                policyPacks: "policies",
                "comment-on-pr": true,
                "stack-name": "${{ matrix.stack }}",
            });
            expect(job.if).to.include("github.repository");
        });
    });

    describe("auto-update.yml", () => {
        const { wf } = load("auto-update.yml");
        const sync = wf.jobs.sync as Job & { needs?: string; permissions?: Record<string, string>; concurrency?: { group?: string } };
        const runs = sync.steps.map((s) => s.run ?? "").join("\n");

        it("runs every 30 minutes and on demand", () => {
            expect(wf.on.schedule).to.deep.equal([{ cron: "*/30 * * * *" }]);
            expect(wf.on).to.have.property("workflow_dispatch");
        });

        it("syncs only stacks whose updateChannel is not manual, one job per stack", () => {
            const list = wf.jobs.stacks.steps.find((s) => s.run?.includes("updateChannel"))!;
            expect(list.run).to.include('channel === "manual" ? [] : [stack]');
            expect(sync.needs).to.equal("stacks");
            expect(JSON.stringify(sync.strategy?.matrix?.stack)).to.equal(JSON.stringify("${{ fromJSON(needs.stacks.outputs.stacks) }}"));
        });

        it("shares deploy.yml's concurrency group per stack, waiting instead of cancelling", () => {
            const deploy = load("deploy.yml").wf.jobs.deploy as Job & { concurrency?: { group?: string } };
            expect(deploy.concurrency?.group).to.match(/^deploy-\$\{\{/);
            expect(sync.concurrency).to.deep.equal({ group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
        });

        it("never cancels a waiting deployment: stacks with a deploy.yml run in progress or waiting are left to the next schedule", () => {
            expect(load("deploy.yml").wf).to.have.property(
                "run-name",
                "deploy ${{ github.event_name == 'workflow_dispatch' && inputs.stack || 'staging' }}",
            );
            const stacks = wf.jobs.stacks as Job & { outputs?: Record<string, string>; permissions?: Record<string, string> };
            const last = stacks.steps[stacks.steps.length - 1];
            expect(last.run).to.include('gh run list --repo "$GITHUB_REPOSITORY" --workflow deploy.yml');
            expect(last.run).to.include('select(.status != "completed")');
            expect(stacks.outputs?.stacks).to.equal("${{ steps.free.outputs.stacks }}");
            expect(stacks.permissions).to.include({ actions: "read" });
        });

        it("fails a step when drydock fails inside a pipe; deploys the default branch as it is when the job starts", () => {
            expect(wf).to.have.nested.property("defaults.run.shell", "bash"); // bash -eo pipefail: `sync --apply | tee` fails with drydock
            const checkout = sync.steps.find((s) => s.uses?.startsWith("actions/checkout@"))!;
            expect(checkout.with).to.deep.equal({ ref: "${{ github.ref_name }}" });
            const only = wf.jobs.stacks.steps[0] as Step & { if?: string }; // a dispatch from another branch fails, loudly
            expect(only.if).to.equal("github.event_name != 'schedule' && github.ref_name != github.event.repository.default_branch");
            expect(only.run).to.include("exit 1");
        });

        it("budgets each sync job and its AWS session as deploy.yml does (npm run deploy:budget per stack)", () => {
            const list = wf.jobs.stacks.steps.find((s) => s.run?.includes("updateChannel"))!;
            expect(list.run).to.include('execFileSync("npm", ["run", "--silent", "deploy:budget", "--", stack]');
            const job = sync as Job & { "timeout-minutes"?: unknown };
            expect(job["timeout-minutes"]).to.equal("${{ fromJSON(needs.stacks.outputs.budgets)[matrix.stack]['job-minutes'] }}");
            const creds = sync.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
            expect(creds.with?.["role-duration-seconds"]).to.equal(
                "${{ fromJSON(needs.stacks.outputs.budgets)[matrix.stack]['role-seconds'] }}",
            );
        });

        it("decides with the Pulumi CLI and backend at hand, so a failed last update holds the stack (and warns)", () => {
            const names = sync.steps.map((s) => (s as Step & { name?: string }).name ?? s.uses ?? s.run);
            expect(names.indexOf("Install the Pulumi CLI")).to.be.lessThan(names.indexOf("Decide (read-only)"));
            const install = sync.steps.find((s) => s.uses?.startsWith("pulumi/actions@")) as Step & { if?: string };
            expect(install.if).to.equal(undefined);
            const decide = sync.steps.find((s) => (s as Step & { name?: string }).name === "Decide (read-only)")!;
            expect(decide.env).to.include({ PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}" });
            expect(decide.run).to.include('select(.reason == "last-update-failed")');
        });

        it("applies autoApply stacks with drydock sync --apply and commits the stack file; others get one pull request per stack", () => {
            expect(runs).to.include('npx drydock sync --stack "$STACK" --json > sync.json');
            expect(runs).to.include('npx drydock sync --stack "$STACK" --apply');
            expect(runs).to.include('npx drydock sync --stack "$STACK" --write');
            expect(runs).to.include('git add "Pulumi.$STACK.yaml"');
            const pr = sync.steps.find((s) => s.uses?.startsWith("peter-evans/create-pull-request@"))!;
            expect(pr.with).to.include({
                branch: "drydock/auto-update/${{ matrix.stack }}",
                "add-paths": "Pulumi.${{ matrix.stack }}.yaml",
            });
            expect(sync.permissions).to.include({ contents: "write", "pull-requests": "write", "id-token": "write" });
        });
    });

    describe("deploy.yml", () => {
        const { wf } = load("deploy.yml");

        it("deploys staging on merge to main and production only by manual dispatch", () => {
            expect(wf.on.push).to.deep.equal({ branches: ["main"] });
            const dispatch = wf.on.workflow_dispatch as { inputs: { stack: { options: string[] } } };
            expect(dispatch.inputs.stack.options).to.include("production");
            const job = wf.jobs.deploy;
            expect(job.environment).to.equal("${{ github.event_name == 'workflow_dispatch' && inputs.stack || 'staging' }}");
        });

        it("budgets the job and the AWS session from the stack's own timeouts (no fixed 90 minutes)", () => {
            const job = wf.jobs.deploy as Job & { needs?: string; "timeout-minutes"?: unknown };
            expect(job.needs).to.equal("budget");
            expect(job["timeout-minutes"]).to.equal("${{ fromJSON(needs.budget.outputs.job-minutes) }}");
            const creds = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
            expect(creds.with?.["role-duration-seconds"]).to.equal("${{ needs.budget.outputs.role-seconds }}");
            const budget = wf.jobs.budget.steps.map((s) => s.run ?? "").join("\n");
            expect(budget).to.include(
                "npm run --silent deploy:budget -- \"${{ github.event_name == 'workflow_dispatch' && inputs.stack || 'staging' }}\" >> \"$GITHUB_OUTPUT\"",
            );
            // What the script prints for the committed stacks: 30 + 30 + 30 minutes of waits + 20 margin; the session 10 minutes longer.
            for (const stack of ["staging", "production"])
                expect(budgetOutputs(path.join(__dirname, ".."), stack)).to.equal("job-minutes=110\nrole-seconds=7200\n");
        });

        it("refuses a production deploy dispatched from a branch other than the default, first thing", () => {
            const first = wf.jobs.budget.steps[0] as Step & { if?: string; name?: string };
            expect(first.if).to.equal(
                "github.event_name == 'workflow_dispatch' && inputs.stack == 'production' && github.ref_name != github.event.repository.default_branch",
            );
            expect(first.run).to.match(/::error::production deploys only from the default branch/);
            expect(first.run).to.include("exit 1");
            expect((wf.jobs.deploy as Job & { needs?: string }).needs).to.equal("budget"); // so pulumi up never starts
        });

        it("runs pulumi up with the policy pack, one deployment per stack at a time", () => {
            const job = wf.jobs.deploy;
            const step = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
            expect(step.with).to.include({ command: "up", policyPacks: "policies" });
            expect(job.concurrency?.["cancel-in-progress"]).to.equal(false);
            expect(job.steps.map((s) => s.run ?? "")).to.include('npx drydock check --stack "$STACK"');
        });
    });
});
