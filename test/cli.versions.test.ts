import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { expect } from "chai";
import {
    awsError,
    BACKEND_REPO,
    cleanup,
    digest,
    drydock,
    ecsService,
    image,
    mocks,
    resetMocks,
    stackDir,
    taskDefinition,
} from "./fixtures/cli/harness";

const A = digest("a");
const B = digest("b");
const C = digest("c");
const D = digest("d");
const E = digest("e");

/** Two pages: moving tags (latest, v1.2) share digest A with v1.2.3. */
function mockRepository(): void {
    mocks.ecr
        .on(DescribeImagesCommand, { repositoryName: "drydock/backend", nextToken: undefined })
        .resolves({
            imageDetails: [image(B, ["v1.2.2"], "2026-11-10T08:00:00Z"), image(A, ["latest", "v1.2.3", "v1.2"], "2026-11-20T08:00:00Z")],
            nextToken: "page-2",
        })
        .on(DescribeImagesCommand, { repositoryName: "drydock/backend", nextToken: "page-2" })
        .resolves({
            imageDetails: [
                image(C, ["20241213-152430", "main"], "2024-12-13T15:24:30Z"),
                image(D, [], "2024-12-01T00:00:00Z"),
                image(E, ["v1.10.0-rc.1"], "2026-11-21T08:00:00Z"),
            ],
        });
}

function mockDeployed(stack: string, img: string, version: string): void {
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [ecsService(stack, "backend", { revision: 8 })] });
    mocks.ecs.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(stack, "backend", 8, img, version));
}

describe("drydock versions", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("lists every tag over all pages, newest first, one row per tag, and marks the deployed digest", async () => {
        mockRepository();
        mockDeployed("production", `${BACKEND_REPO}@${A}`, "v1.2.3");
        const r = await drydock(dir, ["versions", "backend", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        const doc = JSON.parse(r.stdout);
        expect(Object.keys(doc)).to.deep.equal(["service", "repository", "versions"]);
        expect(doc.service).to.equal("backend");
        expect(doc.repository).to.equal(BACKEND_REPO);
        expect(doc.versions.map((v: { tag: string | null }) => v.tag)).to.deep.equal([
            "latest",
            "v1.10.0-rc.1",
            "v1.2",
            "v1.2.3",
            "v1.2.2",
            "20241213-152430",
            "main",
            null,
        ]);
        const v123 = doc.versions.find((v: { tag: string }) => v.tag === "v1.2.3");
        expect(v123).to.deep.equal({
            tag: "v1.2.3",
            digest: A,
            pushedAt: "2026-11-20T08:00:00Z",
            kind: "semver",
            immutable: true,
            deployed: true,
        });
        expect(doc.versions.filter((v: { deployed: boolean }) => v.deployed).map((v: { tag: string }) => v.tag)).to.deep.equal([
            "latest",
            "v1.2",
            "v1.2.3",
        ]);
        expect(doc.versions.find((v: { tag: string }) => v.tag === "latest")).to.include({ kind: "latest", immutable: false });
        expect(doc.versions.find((v: { tag: string | null }) => v.tag === null)).to.include({
            digest: D,
            kind: "digest",
            immutable: true,
            deployed: false,
        });
        // Both pages were read, with the registry id and repository name from the repository URI.
        const calls = mocks.ecr.commandCalls(DescribeImagesCommand);
        expect(calls).to.have.length(2);
        expect(calls[0].args[0].input).to.include({ repositoryName: "drydock/backend", registryId: "123456789012" });
        expect(calls[1].args[0].input).to.include({ nextToken: "page-2" });
        // The deployed image came from the production cluster's backend service.
        expect(mocks.ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).to.deep.equal({
            cluster: "drydock-production",
            services: ["backend-service"],
        });
    });

    it("resolves a deployed tag to its digest through the listing", async () => {
        mockRepository();
        mockDeployed("staging", `${BACKEND_REPO}:v1.2.2`, "v1.2.2");
        const r = await drydock(dir, ["versions", "backend", "--stack", "staging", "--json"]);
        expect(r.code).to.equal(0);
        const deployed = JSON.parse(r.stdout).versions.filter((v: { deployed: boolean }) => v.deployed);
        expect(deployed.map((v: { tag: string; digest: string }) => [v.tag, v.digest])).to.deep.equal([["v1.2.2", B]]);
    });

    it("prints a table with short digests and limits rows with --limit", async () => {
        mockRepository();
        mockDeployed("production", `${BACKEND_REPO}@${A}`, "v1.2.3");
        const r = await drydock(dir, ["versions", "backend", "--stack", "production", "--limit", "3"]);
        expect(r.code).to.equal(0);
        const lines = r.stdout.split("\n");
        expect(lines[0]).to.match(/^TAG\s+DIGEST\s+PUSHED\s+KIND\s+IMMUTABLE\s+DEPLOYED$/);
        expect(lines[1]).to.match(/^latest\s+sha256:aaaaaaaaaaaa\s+2026-11-20 08:00 UTC\s+latest\s+no\s+\* production$/);
        expect(lines[3]).to.match(/^v1\.2\s+sha256:aaaaaaaaaaaa .*floating\s+no\s+\* production$/);
        expect(r.stdout).to.not.include("v1.2.2");
        expect(r.stdout).to.include("3 of 8 rows, 5 images");
    });

    it("says so when the repository is empty (exit 0, JSON: empty list)", async () => {
        mocks.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [] });
        mocks.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: "MISSING" }] });
        const text = await drydock(dir, ["versions", "frontend", "--stack", "production"]);
        expect(text.code).to.equal(0);
        expect(text.stdout).to.include(`No images in ${BACKEND_REPO.replace("backend", "frontend")}`);
        const json = await drydock(dir, ["versions", "frontend", "--stack", "production", "--json"]);
        expect(json.code).to.equal(0);
        expect(JSON.parse(json.stdout)).to.deep.equal({
            service: "frontend",
            repository: BACKEND_REPO.replace("backend", "frontend"),
            versions: [],
        });
        expect(json.stderr).to.equal("");
    });

    it("lists versions of a stack that is not deployed yet, none marked deployed", async () => {
        mockRepository();
        mocks.ecs.on(DescribeServicesCommand).rejects(awsError("ClusterNotFoundException", "Cluster not found."));
        const r = await drydock(dir, ["versions", "backend", "--stack", "production"]);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.include("Stack production is not deployed");
        expect(r.stdout).to.not.include("* production");
    });

    it("rejects an unknown service and an unknown stack with exit 2", async () => {
        const svc = await drydock(dir, ["versions", "database", "--stack", "production"]);
        expect(svc.code).to.equal(2);
        expect(svc.stderr).to.match(/^drydock: .*'database'.*backend, frontend/);
        const stack = await drydock(dir, ["versions", "backend", "--stack", "prod"]);
        expect(stack.code).to.equal(2);
        expect(stack.stderr).to.equal(`drydock: stack "prod": no Pulumi.prod.yaml in ${dir} (stacks here: production, staging)\n`);
        const limit = await drydock(dir, ["versions", "backend", "--stack", "production", "--limit", "0"]);
        expect(limit.code).to.equal(2);
        expect(limit.stderr).to.include("--limit");
        expect(mocks.ecr.calls()).to.have.length(0);
    });

    it("reports a missing repository in one line (exit 1)", async () => {
        mocks.ecr
            .on(DescribeImagesCommand)
            .rejects(awsError("RepositoryNotFoundException", "The repository with name 'drydock/backend' does not exist"));
        mocks.ecs.on(DescribeServicesCommand).resolves({ services: [] });
        const r = await drydock(dir, ["versions", "backend", "--stack", "production", "--json"]);
        expect(r.code).to.equal(1);
        expect(JSON.parse(r.stdout).code).to.equal(1); // --json: the error as one JSON object too
        expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(/^drydock: ECR repository .*drydock\/backend: not found .*\(check drydock:backendImage/);
    });
});
