import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { expect } from "chai";
import { writeFileSync } from "fs";
import { join } from "path";
import {
    awsError,
    BACKEND_REPO,
    cleanup,
    digest,
    drydock,
    ecsService,
    FakeAutomation,
    fixture,
    FRONTEND_REPO,
    image,
    mocks,
    readStack,
    resetMocks,
    stackDir,
    taskDefinition,
    tdArn,
} from "./fixtures/cli/harness";

const A = digest("a");
const B = digest("b");
const F = digest("f");

/** Staging runs backend A (latest + v1.4.0 + more tags on one digest) and frontend F (latest + a timestamp). */
function mockStaging(backendImage = `${BACKEND_REPO}@${A}`, frontendImage = `${FRONTEND_REPO}@${F}`): void {
    mocks.ecs.on(DescribeServicesCommand, { cluster: "drydock-staging" }).resolves({
        services: [ecsService("staging", "backend", { revision: 12 }), ecsService("staging", "frontend", { revision: 9 })],
    });
    mocks.ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("staging", "backend", 12) })
        .resolves(taskDefinition("staging", "backend", 12, backendImage, "latest"));
    mocks.ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("staging", "frontend", 9) })
        .resolves(taskDefinition("staging", "frontend", 9, frontendImage, "latest"));
    mocks.ecr
        .on(DescribeImagesCommand, { repositoryName: "drydock/backend", imageIds: [{ imageDigest: A }] })
        .resolves({
            imageDetails: [
                image(A, ["latest", "20261120-080000", "v1.4.0-20261120-080000-abcdef12", "v1.4", "v1.4.0"], "2026-11-20T08:00:00Z"),
            ],
        })
        .on(DescribeImagesCommand, { repositoryName: "drydock/backend", imageIds: [{ imageTag: "latest" }] })
        .resolves({ imageDetails: [image(B, ["latest", "v1.5.0"], "2026-11-23T08:00:00Z")] })
        .on(DescribeImagesCommand, { repositoryName: "drydock/frontend", imageIds: [{ imageDigest: F }] })
        .resolves({ imageDetails: [image(F, ["latest", "20261120-090000"], "2026-11-20T09:00:00Z")] });
}

describe("drydock promote", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("writes the exact immutable tags of what staging runs into production, keeping comments (moving tags share the digest: v1.4.0 wins)", async () => {
        mockStaging();
        const automation = new FakeAutomation();
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        const after = readStack(dir, "production");
        expect(after).to.equal(
            fixture("production")
                .replace("drydock:backendVersion: v1.3.0 # promoted from staging", "drydock:backendVersion: v1.4.0 # promoted from staging")
                .replace("drydock:frontendVersion: v1.3.0", "drydock:frontendVersion: 20261120-090000"),
        );
        expect(after).to.include("# Pinned versions: reviewed in the pull request.");
        expect(r.stdout).to.include(
            "backend: staging runs latest = sha256:aaaaaaaaaaaa (tags: latest, 20261120-080000, v1.4.0-20261120-080000-abcdef12, v1.4, v1.4.0); production: v1.3.0 -> v1.4.0",
        );
        expect(r.stdout).to.include("frontend: staging runs latest = sha256:ffffffffffff");
        expect(r.stdout).to.include(
            "-  drydock:backendVersion: v1.3.0 # promoted from staging\n-  drydock:frontendVersion: v1.3.0\n+  drydock:backendVersion: v1.4.0 # promoted from staging\n+  drydock:frontendVersion: 20261120-090000\n",
        );
        expect(r.stdout).to.include(
            "Next: review and commit Pulumi.production.yaml, then pulumi preview -s production --policy-pack policies && pulumi up -s production",
        );
        expect(automation.calls).to.deep.equal([]);
        expect(readStack(dir, "staging")).to.equal(fixture("staging"));
    });

    it("writes the digest when the image has no exact tag", async () => {
        mockStaging();
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/frontend", imageIds: [{ imageDigest: F }] })
            .resolves({ imageDetails: [image(F, ["latest", "main"], "2026-11-20T09:00:00Z")] });
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--service", "frontend"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include(`drydock:frontendVersion: ${F}\n`);
        expect(readStack(dir, "production")).to.include("drydock:backendVersion: v1.3.0 # promoted");
    });

    it("asks the running tasks which image a mutable tag means (the tag may have moved since)", async () => {
        mockStaging(`${BACKEND_REPO}:latest`);
        mocks.ecs.on(ListTasksCommand).resolves({ taskArns: ["arn:task/1", "arn:task/2"] });
        mocks.ecs.on(DescribeTasksCommand).resolves({
            tasks: [1, 2].map((n) => ({
                taskArn: `arn:task/${n}`,
                taskDefinitionArn: tdArn("staging", "backend", 12),
                containers: [
                    { name: "log-router", imageDigest: digest("9") },
                    { name: "backend", imageDigest: A },
                ],
            })),
        });
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--service", "backend"]);
        expect(r.code, r.stderr).to.equal(0);
        // `latest` now points at B (v1.5.0), but staging's tasks run A: production gets v1.4.0.
        expect(readStack(dir, "production")).to.include("drydock:backendVersion: v1.4.0 # promoted from staging");
        expect(mocks.ecs.commandCalls(ListTasksCommand)[0].args[0].input).to.deep.equal({
            cluster: "drydock-staging",
            serviceName: "backend-service",
            desiredStatus: "RUNNING",
        });
    });

    it("refuses (exit 1, nothing written) when only a mutable version can be found", async () => {
        mockStaging(`${BACKEND_REPO}:latest`);
        mocks.ecs.on(ListTasksCommand).resolves({ taskArns: ["arn:task/1", "arn:task/2"] });
        mocks.ecs.on(DescribeTasksCommand).resolves({
            tasks: [A, B].map((d, n) => ({
                taskArn: `arn:task/${n}`,
                taskDefinitionArn: tdArn("staging", "backend", 12),
                containers: [{ name: "backend", imageDigest: d }],
            })),
        });
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
            /^drydock: staging backend: runs the mutable tag latest and its tasks run 2 different images; refusing to write a mutable version \(set pinDigests/,
        );
        expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });

    it("refuses while the source's rollout has not completed", async () => {
        mockStaging();
        mocks.ecs.on(DescribeServicesCommand, { cluster: "drydock-staging" }).resolves({
            services: [
                ecsService("staging", "backend", {
                    revision: 12,
                    rolloutState: "IN_PROGRESS",
                    rolloutStateReason: "ECS deployment ecs-svc/12 in progress.",
                }),
                ecsService("staging", "frontend", { revision: 9 }),
            ],
        });
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
            /^drydock: staging backend: is not healthy: its rollout is IN_PROGRESS \(ECS deployment ecs-svc\/12 in progress\), so staging has not proved it yet; nothing was written \(wait until npx drydock status --stack staging shows it healthy, or promote it anyway with --force\)\n$/,
        );
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });

    it("refuses to promote from an unhealthy source (tasks missing, a rollback), naming what is wrong, unless --force", async () => {
        mockStaging();
        const backend = ecsService("staging", "backend", {
            revision: 12,
            running: 1,
            desired: 2,
            others: [{ revision: 13, status: "ACTIVE", rolloutState: "FAILED", rolloutStateReason: "tasks failed to start." }],
        });
        mocks.ecs
            .on(DescribeServicesCommand, { cluster: "drydock-staging" })
            .resolves({ services: [backend, ecsService("staging", "frontend", { revision: 9 })] });
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            "drydock: staging backend: is not healthy: 1 of 2 tasks running; ECS rolled back the failed deployment of drydock-staging-backend:13 (tasks failed to start); nothing was written " +
                "(wait until npx drydock status --stack staging shows it healthy, or promote it anyway with --force)\n",
        );
        expect(readStack(dir, "production")).to.equal(fixture("production"));

        const forced = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--force"]);
        expect(forced.code, forced.stderr).to.equal(0);
        expect(forced.stderr).to.include(
            "drydock: warning: staging backend is not healthy (1 of 2 tasks running); promoting it anyway (--force).",
        );
        expect(readStack(dir, "production")).to.include("drydock:backendVersion: v1.4.0");
    });

    it("refuses a downgrade by release order (v1.10.0 -> v1.3.0), saying which is newer, unless --allow-downgrade", async () => {
        mockStaging();
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/backend", imageIds: [{ imageDigest: A }] })
            .resolves({ imageDetails: [image(A, ["latest", "v1.3.0"], "2026-11-20T08:00:00Z")] });
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            fixture("production").replace("drydock:backendVersion: v1.3.0", "drydock:backendVersion: v1.10.0"),
        );
        const before = readStack(dir, "production");
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--service", "backend"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            "drydock: production backend: staging runs v1.3.0, which is older than v1.10.0 in Pulumi.production.yaml (v1.10.0 is newer); refusing a downgrade, nothing was written " +
                "(to downgrade on purpose add --allow-downgrade; to undo a bad release use npx drydock rollback --stack production)\n",
        );
        expect(readStack(dir, "production")).to.equal(before);
        const allowed = await drydock(dir, [
            "promote",
            "--from",
            "staging",
            "--to",
            "production",
            "--service",
            "backend",
            "--allow-downgrade",
        ]);
        expect(allowed.code, allowed.stderr).to.equal(0);
        expect(allowed.stdout).to.include("production: v1.10.0 -> v1.3.0");
    });

    it("a digest in the target's file is compared by its tag; a timestamp and a semver version are not compared", async () => {
        mockStaging();
        const C = digest("c");
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/backend", imageIds: [{ imageDigest: C }] })
            .resolves({ imageDetails: [image(C, ["v2.0.0"], "2026-11-21T08:00:00Z")] });
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            fixture("production").replace("drydock:backendVersion: v1.3.0", `drydock:backendVersion: ${C}`),
        );
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.include("staging runs v1.4.0, which is older than v2.0.0");
        // frontend alone: production's v1.3.0 against staging's timestamp 20261120-090000 has no order: written.
        const frontend = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--service", "frontend"]);
        expect(frontend.code, frontend.stderr).to.equal(0);
    });

    it("repairs a bad version key it writes (the key is replaced, so no warning)", async () => {
        mockStaging();
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            fixture("production").replace("drydock:backendVersion: v1.3.0", "drydock:backendVersion: v1.10..0"),
        );
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--service", "backend"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.include("production: v1.10..0 -> v1.4.0");
        expect(r.stderr).to.equal("");
    });

    describe("--apply checks the Pulumi CLI before writing anything", () => {
        for (const [name, version, pattern] of [
            [
                "missing",
                { found: false, why: "the Pulumi CLI (pulumi) is not on PATH" },
                /^drydock: --apply: the Pulumi CLI \(pulumi\) is not on PATH; nothing was written \(install Pulumi 3\.238\.0 or newer/,
            ],
            [
                "too old",
                { found: true, version: "3.200.1" },
                /^drydock: --apply: the Pulumi CLI on PATH is 3\.200\.1, older than 3\.238\.0 .*; nothing was written \(upgrade it/,
            ],
        ] as const) {
            it(`refuses when it is ${name} (exit 1, one line, file untouched, nothing read or run)`, async () => {
                mockStaging();
                const automation = new FakeAutomation();
                automation.pulumiVersion = version;
                const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--apply"], { automation });
                expect(r.code).to.equal(1);
                expect(r.stderr).to.match(pattern);
                expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
                expect(readStack(dir, "production")).to.equal(fixture("production"));
                expect(automation.calls).to.deep.equal([]);
                expect(mocks.ecs.calls()).to.have.length(0);
            });
        }
    });

    it("refuses when the digest staging runs is gone from the repository", async () => {
        mockStaging();
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/backend", imageIds: [{ imageDigest: A }] })
            .rejects(awsError("ImageNotFoundException", "not found"));
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.include(`runs ${A}, which is no longer in ${BACKEND_REPO}`);
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });

    it("changes nothing on access denied", async () => {
        mockStaging();
        mocks.ecr.on(DescribeImagesCommand).rejects(awsError("AccessDeniedException", "not authorized to perform: ecr:DescribeImages"));
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
            /^drydock: ECR DescribeImages drydock\/(backend|frontend) sha256:.*: access denied: not authorized to perform: ecr:DescribeImages/,
        );
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });

    it("--apply previews and updates the target stack through the Automation API", async () => {
        mockStaging();
        const automation = new FakeAutomation();
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--apply"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        expect(automation.calls).to.deep.equal([`preview production ${dir}`, `up production ${dir}`]);
        expect(r.stdout).to.include("Preview: 1 update, 20 same");
        expect(r.stdout).to.include("Update succeeded: 1 update, 20 same");
    });

    it("--apply fails with exit 1 when the update fails, after writing the file", async () => {
        mockStaging();
        const automation = new FakeAutomation();
        automation.upResult = { summary: { result: "failed", resourceChanges: {} }, stdout: "" };
        const r = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--apply"], { automation });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.include("drydock: pulumi up -s production: finished with result failed");
        const failing = new FakeAutomation();
        failing.previewError = new Error("code: 255\n stdout: \n stderr: error: release gate refused\n");
        const p = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--apply"], { automation: failing });
        expect(p.code).to.equal(1);
        expect(p.stderr).to.equal(
            "drydock: pulumi preview -s production: failed: release gate refused (the stack file is already updated; fix the problem and run pulumi up, or revert the file)\n",
        );
        expect(failing.calls).to.deep.equal([`preview production ${dir}`]);
    });

    it("warns when the target is paused, and says when nothing changes", async () => {
        mockStaging();
        await drydock(dir, ["pause", "--stack", "production", "--reason", "freeze"]);
        const first = await drydock(dir, ["promote", "--from", "staging", "--to", "production"]);
        expect(first.code).to.equal(0);
        expect(first.stderr).to.include(
            'drydock: warning: pulumi up -s production will refuse this version change now: updates are paused on stack "production" (reason: "freeze")',
        );
        const second = await drydock(dir, ["promote", "--from", "staging", "--to", "production"]);
        expect(second.stdout).to.include("already pins what staging runs. Nothing changed.");
    });

    it("rejects usage errors with exit 2", async () => {
        const same = await drydock(dir, ["promote", "--from", "production", "--to", "production"]);
        expect(same.code).to.equal(2);
        expect(same.stderr).to.match(/^drydock: --to: is the same stack as --from/);
        const missing = await drydock(dir, ["promote", "--from", "staging"]);
        expect(missing.code).to.equal(2);
        const service = await drydock(dir, ["promote", "--from", "staging", "--to", "production", "--service", "db"]);
        expect(service.code).to.equal(2);
        expect(service.stderr).to.include("Allowed choices are backend, frontend, all");
        const unknown = await drydock(dir, ["promote", "--from", "staging", "--to", "prod"]);
        expect(unknown.code).to.equal(2);
        expect(mocks.ecs.calls()).to.have.length(0);
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });
});
