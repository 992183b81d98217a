import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { DescribeDBClusterSnapshotsCommand } from "@aws-sdk/client-rds";
import { expect } from "chai";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import {
    awsError,
    BACKEND_REPO,
    cleanup,
    digest,
    drydock,
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
const C = digest("c");

/** Revisions of a family: [revision, image, requested version, status]; the ACTIVE ones and the INACTIVE ones listed separately. */
function mockHistory(stack: string, service: string, revisions: [number, string, string, "ACTIVE" | "INACTIVE"][]): void {
    const family = `drydock-${stack}-${service}`;
    const arns = (status: string) => revisions.filter((r) => r[3] === status).map((r) => tdArn(stack, service, r[0]));
    mocks.ecs.on(ListTaskDefinitionsCommand, { familyPrefix: family, status: "ACTIVE" }).resolves({ taskDefinitionArns: arns("ACTIVE") });
    const inactive = arns("INACTIVE");
    // INACTIVE revisions come over two pages.
    mocks.ecs
        .on(ListTaskDefinitionsCommand, { familyPrefix: family, status: "INACTIVE", nextToken: undefined })
        .resolves({ taskDefinitionArns: inactive.slice(0, 1), ...(inactive.length > 1 ? { nextToken: "more" } : {}) })
        .on(ListTaskDefinitionsCommand, { familyPrefix: family, status: "INACTIVE", nextToken: "more" })
        .resolves({ taskDefinitionArns: inactive.slice(1) });
    for (const [revision, img, version, status] of revisions) {
        mocks.ecs
            .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn(stack, service, revision) })
            .resolves(taskDefinition(stack, service, revision, img, version, status));
    }
}

function mockImage(repositoryName: string, id: { imageTag: string } | { imageDigest: string }, found?: ReturnType<typeof image>): void {
    const call = mocks.ecr.on(DescribeImagesCommand, { repositoryName, imageIds: [id] });
    if (found) call.resolves({ imageDetails: [found] });
    else call.rejects(awsError("ImageNotFoundException", "The image requested does not exist"));
}

function mockSnapshots(): void {
    mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({
        DBClusterSnapshots: [
            {
                DBClusterSnapshotIdentifier: "drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080000",
                DBClusterIdentifier: "drydock-production",
                Status: "available",
                SnapshotCreateTime: new Date("2026-11-23T08:00:00Z"),
                TagList: [
                    { Key: "drydock:managed-by", Value: "drydock" },
                    { Key: "drydock:stack", Value: "production" },
                    { Key: "drydock:from-version", Value: "v1.2.3" },
                    { Key: "drydock:to-version", Value: "v1.3.0" },
                ],
            },
        ],
    });
}

describe("drydock rollback", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
        mockSnapshots();
    });
    afterEach(() => cleanup(dir));

    it("goes back to the version before the current one from the task definition history (all pages, ACTIVE and INACTIVE)", async () => {
        mockHistory("production", "backend", [
            [8, `${BACKEND_REPO}@${A}`, "v1.3.0", "ACTIVE"],
            [7, `${BACKEND_REPO}@${B}`, "v1.2.3", "INACTIVE"],
            [6, `${BACKEND_REPO}@${C}`, "v1.2.2", "INACTIVE"],
        ]);
        mockImage("drydock/backend", { imageTag: "v1.2.3" }, image(B, ["v1.2.3"], "2026-11-10T00:00:00Z"));
        const r = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.equal(
            fixture("production").replace("backendVersion: v1.3.0 #", "backendVersion: v1.2.3 #"),
        );
        expect(r.stdout).to.include("backend: v1.3.0 -> v1.2.3 (drydock-production-backend:7, registered 2026-11-07 00:00 UTC)");
        expect(r.stdout).to.include(
            "-  drydock:backendVersion: v1.3.0 # promoted from staging\n+  drydock:backendVersion: v1.2.3 # promoted from staging",
        );
        expect(r.stdout).to.include("Rollback does not undo database migrations");
        expect(r.stdout).to.include(
            "restore the newest pre-update snapshot drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080000 (available, 2026-11-23 08:00 UTC, taken before v1.2.3 -> v1.3.0)",
        );
        expect(r.stdout).to.include(
            "Next: commit Pulumi.production.yaml and run pulumi up -s production (or run this command again with --apply).",
        );
        // ACTIVE, then INACTIVE over two pages (the paginator reuses its input object, so only the last token is visible).
        const listed = mocks.ecs.commandCalls(ListTaskDefinitionsCommand).map((c) => c.args[0].input);
        expect(listed.map((i) => [i.familyPrefix, i.sort, i.status])).to.deep.equal([
            ["drydock-production-backend", "DESC", "ACTIVE"],
            ["drydock-production-backend", "DESC", "INACTIVE"],
            ["drydock-production-backend", "DESC", "INACTIVE"],
        ]);
        expect(listed[2].nextToken).to.equal("more");
        // Revision 6 was never needed.
        expect(mocks.ecs.commandCalls(DescribeTaskDefinitionCommand).map((c) => c.args[0].input.taskDefinition)).to.not.include(
            tdArn("production", "backend", 6),
        );
        expect(mocks.ecs.commandCalls(DescribeTaskDefinitionCommand)[0].args[0].input).to.deep.include({ include: ["TAGS"] });
    });

    it("skips revisions that run the same image and names a digest by its exact tag (staging tracks latest)", async () => {
        mockHistory("staging", "backend", [
            [12, `${BACKEND_REPO}@${A}`, "latest", "ACTIVE"],
            [11, `${BACKEND_REPO}@${A}`, "latest", "INACTIVE"], // a forced redeploy of the same image
            [10, `${BACKEND_REPO}@${B}`, "latest", "INACTIVE"],
        ]);
        mockImage("drydock/backend", { imageDigest: B }, image(B, ["v1.2.2", "20261101-120000"], "2026-11-01T12:00:00Z"));
        const r = await drydock(dir, ["rollback", "--stack", "staging", "--service", "backend"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(readStack(dir, "staging")).to.include("drydock:backendVersion: v1.2.2\n");
        expect(r.stdout).to.include(
            "backend: latest -> v1.2.2 (drydock-staging-backend:10, registered 2026-11-10 00:00 UTC, was latest, v1.2.2 by its digest)",
        );
    });

    it("refuses when the previous version is a mutable tag without a digest, changing nothing", async () => {
        mockHistory("staging", "backend", [
            [12, `${BACKEND_REPO}@${A}`, "latest", "ACTIVE"],
            [11, `${BACKEND_REPO}:main`, "main", "INACTIVE"],
        ]);
        const r = await drydock(dir, ["rollback", "--stack", "staging", "--service", "backend"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            "drydock: staging backend: the previous version is the mutable tag main (drydock-staging-backend:11, registered 2026-11-11 00:00 UTC) and drydock cannot tell which image it was (choose an exact version with --to VERSION (see npx drydock versions backend --stack staging))\n",
        );
        expect(readStack(dir, "staging")).to.equal(fixture("staging"));
    });

    it("refuses when the previous version is gone from the repository, or there is none", async () => {
        mockHistory("production", "backend", [
            [8, `${BACKEND_REPO}@${A}`, "v1.3.0", "ACTIVE"],
            [7, `${BACKEND_REPO}@${B}`, "v1.2.3", "INACTIVE"],
        ]);
        mockImage("drydock/backend", { imageTag: "v1.2.3" });
        const gone = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend"]);
        expect(gone.code).to.equal(1);
        expect(gone.stderr).to.include(
            `the previous version v1.2.3 (drydock-production-backend:7, registered 2026-11-07 00:00 UTC) is no longer in ${BACKEND_REPO}`,
        );
        mockHistory("production", "frontend", [[3, `${FRONTEND_REPO}@${A}`, "v1.3.0", "ACTIVE"]]);
        const none = await drydock(dir, ["rollback", "--stack", "production", "--service", "frontend"]);
        expect(none.code).to.equal(1);
        expect(none.stderr).to.include("every revision of drydock-production-frontend runs v1.3.0; there is no earlier version");
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });

    it("says a service that was never deployed has nothing to roll back to (no hint to a command that would fail)", async () => {
        mockHistory("production", "backend", []);
        const r = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            "drydock: production backend: never deployed: no task definitions in family drydock-production-backend, so there is nothing to roll back to " +
                "(choose a version for the first deployment with pulumi config set backendVersion <version> -s production)\n",
        );
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });

    it("rolls every service back by default, and refuses all if one cannot be (nothing written)", async () => {
        mockHistory("production", "backend", [
            [8, `${BACKEND_REPO}@${A}`, "v1.3.0", "ACTIVE"],
            [7, `${BACKEND_REPO}@${B}`, "v1.2.3", "INACTIVE"],
        ]);
        mockImage("drydock/backend", { imageTag: "v1.2.3" }, image(B, ["v1.2.3"], "2026-11-10T00:00:00Z"));
        mockHistory("production", "frontend", [
            [4, `${FRONTEND_REPO}@${C}`, "v1.3.0", "ACTIVE"],
            [3, `${FRONTEND_REPO}@${A}`, "v1.2.3", "INACTIVE"],
        ]);
        mockImage("drydock/frontend", { imageTag: "v1.2.3" });
        const refused = await drydock(dir, ["rollback", "--stack", "production"]);
        expect(refused.code).to.equal(1);
        expect(readStack(dir, "production")).to.equal(fixture("production"));
        mockImage("drydock/frontend", { imageTag: "v1.2.3" }, image(A, ["v1.2.3"], "2026-11-10T00:00:00Z"));
        const ok = await drydock(dir, ["rollback", "--stack", "production"]);
        expect(ok.code, ok.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include(
            "drydock:backendVersion: v1.2.3 # promoted from staging\n  drydock:frontendVersion: v1.2.3\n",
        );
    });

    it("--to checks the version exists in the repository before writing", async () => {
        mockImage("drydock/backend", { imageTag: "v1.2.2" }, image(C, ["v1.2.2"], "2026-11-01T00:00:00Z"));
        mockImage("drydock/backend", { imageTag: "v9.9.9" });
        const ok = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend", "--to", "v1.2.2"]);
        expect(ok.code, ok.stderr).to.equal(0);
        expect(ok.stdout).to.include("backend: v1.3.0 -> v1.2.2 (--to)");
        expect(readStack(dir, "production")).to.include("drydock:backendVersion: v1.2.2 # promoted from staging");

        const before = readStack(dir, "production");
        const missing = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend", "--to", "v9.9.9"]);
        expect(missing.code).to.equal(1);
        expect(missing.stderr).to.equal(
            `drydock: production backend: v9.9.9 is not in ${BACKEND_REPO} (see what is: npx drydock versions backend --stack production)\n`,
        );
        expect(readStack(dir, "production")).to.equal(before);
    });

    it("--to accepts a digest and looks it up by digest", async () => {
        mockImage("drydock/backend", { imageDigest: C }, image(C, [], "2026-11-01T00:00:00Z"));
        const r = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend", "--to", C]);
        expect(r.code, r.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include(`drydock:backendVersion: ${C} # promoted from staging`);
    });

    it("a production stack refuses a mutable or floating --to as the policy would (exit 1, one line, file untouched, no AWS call)", async () => {
        for (const [to, why] of [
            ["latest", "latest is mutable (it moves with every push)"],
            ["v1.2", "v1.2 is a floating version (it moves to every new 1.2.x release)"],
            ["main", "main is a mutable tag, not an exact version"],
        ]) {
            const r = await drydock(dir, ["rollback", "--stack", "production", "--to", to]);
            expect(r.code, to).to.equal(1);
            expect(r.stderr).to.equal(
                `drydock: --to ${to}: ${why}; production is a production stack, which runs exact versions only (policy production-images-pinned); nothing was written ` +
                    "(roll back to an exact version (v1.2.3, 20241213-152430, v1.2.3-20241213-152430-a1b2c3d4 or sha256:<digest>): npx drydock versions <service> --stack production)\n",
            );
        }
        expect(readStack(dir, "production")).to.equal(fixture("production"));
        expect(mocks.ecr.calls()).to.have.length(0);
    });

    it("elsewhere a mutable --to is written with one warning, not one per service", async () => {
        mockImage("drydock/backend", { imageTag: "main" }, image(A, ["main"], "2026-11-01T00:00:00Z"));
        mockImage("drydock/frontend", { imageTag: "main" }, image(B, ["main"], "2026-11-01T00:00:00Z"));
        const r = await drydock(dir, ["rollback", "--stack", "staging", "--to", "main"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.equal(
            "drydock: warning: main is a mutable tag, not an exact version; production stacks refuse it (prefer an exact version)\n",
        );
        expect(readStack(dir, "staging")).to.include("drydock:backendVersion: main\n  drydock:frontendVersion: main\n");
    });

    it("without --to names the previous digest by its newest immutable tag in release order, else writes the digest and says so", async () => {
        // Revision 8 was registered outside drydock (no requested-version tag): its version is its digest.
        mockHistory("production", "backend", [
            [9, `${BACKEND_REPO}@${A}`, "v1.10.0", "ACTIVE"],
            [8, `${BACKEND_REPO}@${B}`, "", "INACTIVE"],
        ]);
        mockImage(
            "drydock/backend",
            { imageDigest: B },
            image(B, ["latest", "v1.9", "v1.9.2-20261101-120000-abcdef1", "v1.9.3", "20261101-120000"], "2026-11-01T12:00:00Z"),
        );
        const r = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include("drydock:backendVersion: v1.9.3 # promoted from staging");
        expect(r.stdout).to.include(
            "backend: v1.3.0 -> v1.9.3 (drydock-production-backend:8, registered 2026-11-08 00:00 UTC, v1.9.3 by its digest)",
        );

        writeFileSync(join(dir, "Pulumi.production.yaml"), fixture("production"));
        mockImage("drydock/backend", { imageDigest: B }, image(B, ["latest", "hotfix"], "2026-11-01T12:00:00Z"));
        const bare = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend"]);
        expect(bare.code, bare.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include(`drydock:backendVersion: ${B} # promoted from staging`);
        expect(bare.stdout).to.include(
            `  backend: no immutable tag names sha256:bbbbbbbbbbbb in ${BACKEND_REPO}, so the digest itself is written (tags there: latest, hotfix).`,
        );
    });

    it("--to rejects a malformed version with exit 2 before any AWS call", async () => {
        const r = await drydock(dir, ["rollback", "--stack", "production", "--to", "v1..2"]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.match(
            /^drydock: --to "v1\.\.2": it looks like a version but is none of the accepted forms .*\(accepted: latest; floating v1 or v1\.2; exact semver/,
        );
        expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
        expect(mocks.ecr.calls()).to.have.length(0);
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });

    it("--apply refuses outside a release window, before writing or deploying anything, saying how to override", async () => {
        mockImage("drydock/backend", { imageTag: "v1.2.2" }, image(C, ["v1.2.2"], "2026-11-01T00:00:00Z"));
        const automation = new FakeAutomation();
        const before = readStack(dir, "production");
        const wednesday = () => new Date("2026-11-25T10:00:00Z");
        const r = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend", "--to", "v1.2.2", "--apply"], {
            automation,
            now: wednesday,
        });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            "drydock: production: the release gate of pulumi up would refuse this now: it is outside every release window; the next window opens Thu 2026-11-26 09:00 Europe/Berlin (08:00 UTC); " +
                'nothing was written or deployed (deploy then, or let it through: pulumi config set releaseOverride "<reason>" -s production)\n',
        );
        expect(automation.calls).to.deep.equal([]);
        expect(readStack(dir, "production")).to.equal(before);
    });

    it("--apply runs preview and up when an override lets it through, and says so", async () => {
        mockImage("drydock/backend", { imageTag: "v1.2.2" }, image(C, ["v1.2.2"], "2026-11-01T00:00:00Z"));
        const automation = new FakeAutomation();
        const wednesday = () => new Date("2026-11-25T10:00:00Z");
        const file = join(dir, "Pulumi.production.yaml");
        writeFileSync(file, readFileSync(file, "utf8").replace("config:\n", 'config:\n  drydock:releaseOverride: "rollback: INC-9"\n'));
        const r = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend", "--to", "v1.2.2", "--apply"], {
            automation,
            now: wednesday,
        });
        expect(r.code, r.stderr).to.equal(0);
        expect(automation.calls).to.deep.equal([`preview production ${dir}`, `up production ${dir}`]);
        expect(r.stderr).to.include('releaseOverride is set: "rollback: INC-9"; pulumi up will let it through and record the override');
    });

    it("lists snapshots best-effort: a failure to list them does not stop the rollback", async () => {
        mockImage("drydock/backend", { imageTag: "v1.2.2" }, image(C, ["v1.2.2"], "2026-11-01T00:00:00Z"));
        mocks.rds
            .on(DescribeDBClusterSnapshotsCommand)
            .rejects(awsError("AccessDeniedException", "not authorized to perform: rds:DescribeDBClusterSnapshots"));
        const r = await drydock(dir, ["rollback", "--stack", "production", "--service", "backend", "--to", "v1.2.2"]);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.include(
            "or restore a pre-update snapshot (could not list them: not authorized to perform: rds:DescribeDBClusterSnapshots).",
        );
    });
});
