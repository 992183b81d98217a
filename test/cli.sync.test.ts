import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTasksCommand, DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { expect } from "chai";
import { rmSync, writeFileSync } from "fs";
import { join } from "path";
import {
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
    NOW,
    readStack,
    resetMocks,
    stackDir,
    taskDefinition,
    tdArn,
} from "./fixtures/cli/harness";

const H = 3_600_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const [V100, V101, V102, V110, F130] = [digest("0"), digest("1"), digest("2"), digest("3"), digest("f")];

/** Production pinned to backend v1.10.0 in channel patch with minimumReleaseAge 24h; `extra` lines are appended to its config. */
function production(dir: string, extra: string[] = []): void {
    const text = fixture("production").replace(
        "drydock:backendVersion: v1.3.0 # promoted from staging",
        "drydock:backendVersion: v1.10.0 # follows patch releases",
    );
    writeFileSync(
        join(dir, "Pulumi.production.yaml"),
        [text.trimEnd(), "  drydock:updateChannel: patch", "  drydock:minimumReleaseAge: 24h", ...extra, ""].join("\n"),
    );
}

/** ECR: backend v1.10.0 (10 days), v1.10.1 (2 days), v1.10.2 (1 hour), v1.11.0 (3 days); frontend v1.3.0 only. */
function mockEcr(): void {
    mocks.ecr.on(DescribeImagesCommand, { repositoryName: "drydock/backend" }).resolves({
        imageDetails: [
            image(V100, ["v1.10.0"], ago(240 * H)),
            image(V101, ["v1.10.1"], ago(48 * H)),
            image(V102, ["v1.10.2"], ago(1 * H)),
            image(V110, ["v1.11.0"], ago(72 * H)),
        ],
    });
    mocks.ecr
        .on(DescribeImagesCommand, { repositoryName: "drydock/frontend" })
        .resolves({ imageDetails: [image(F130, ["v1.3.0"], ago(500 * H))] });
}

/** ECS: `stack` runs backend `backendDigest` and frontend v1.3.0, pinned by digest; the backend deployment last changed `since`. */
function mockEcs(stack: string, backendDigest: string, since?: string): void {
    const backend = ecsService(stack, "backend", { revision: 7 });
    if (since) backend.deployments![0].updatedAt = new Date(since);
    mocks.ecs
        .on(DescribeServicesCommand, { cluster: `drydock-${stack}` })
        .resolves({ services: [backend, ecsService(stack, "frontend", { revision: 5 })] });
    mocks.ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn(stack, "backend", 7) })
        .resolves(taskDefinition(stack, "backend", 7, `${BACKEND_REPO}@${backendDigest}`, "v1.10.0"));
    mocks.ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn(stack, "frontend", 5) })
        .resolves(taskDefinition(stack, "frontend", 5, `${FRONTEND_REPO}@${F130}`, "v1.3.0"));
}

describe("drydock sync", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
        mockEcr();
        mockEcs("production", V100);
    });
    afterEach(() => cleanup(dir));

    it("done when: proposes v1.10.1 in channel patch and says why v1.10.2 (too young) and v1.11.0 (outside the channel) are held", async () => {
        production(dir);
        const before = readStack(dir, "production");
        const r = await drydock(dir, ["sync", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        const doc = JSON.parse(r.stdout);
        expect(doc).to.deep.include({
            stack: "production",
            channel: "patch",
            autoApply: false,
            paused: false,
            windowOpen: true,
            nextChange: "2026-11-24T15:00:00Z",
        });
        const backend = doc.services.find((s: { name: string }) => s.name === "backend");
        expect(backend).to.deep.include({ running: "v1.10.0", runningDigest: V100, proposed: "v1.10.1", proposedDigest: V101 });
        expect(backend.held.map((h: { version: string; reason: string }) => [h.version, h.reason])).to.deep.equal([
            ["v1.11.0", "outside-channel"],
            ["v1.10.2", "too-young"],
        ]);
        expect(backend.held[1].eligibleAt).to.equal("2026-11-25T09:00:00Z");
        expect(doc.services.find((s: { name: string }) => s.name === "frontend")).to.deep.include({
            running: "v1.3.0",
            proposed: null,
            held: [],
        });
        expect(readStack(dir, "production")).to.equal(before); // read-only
    });

    it("done when: paused, it proposes nothing and says so", async () => {
        production(dir, ['  drydock:pauseReason: "incident 4711"']);
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            readStack(dir, "production").replace("drydock:updatesPaused: false", "drydock:updatesPaused: true"),
        );
        const r = await drydock(dir, ["sync", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        const doc = JSON.parse(r.stdout);
        expect(doc).to.deep.include({ paused: true, hold: 'updates are paused on stack "production" (reason: "incident 4711")' });
        const backend = doc.services.find((s: { name: string }) => s.name === "backend");
        expect(backend.proposed).to.equal(null);
        expect(backend.held[0]).to.deep.include({ version: "v1.10.1", reason: "paused" });
    });

    it("prints the same decision for people, with the next step", async () => {
        production(dir);
        const r = await drydock(dir, ["sync", "--stack", "production"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.include(
            "Stack production at Tue 2026-11-24 11:00 Europe/Berlin (10:00 UTC): channel patch, minimumReleaseAge 1d",
        );
        expect(r.stdout).to.include("backend: v1.10.0 (runs sha256:000000000000) -> propose v1.10.1 (sha256:111111111111)");
        expect(r.stdout).to.include("  held v1.11.0: outside-channel — channel patch follows 1.10.x only");
        expect(r.stdout).to.include("  held v1.10.2: too-young — pushed 1h ago");
        expect(r.stdout).to.include("frontend: v1.3.0 (runs sha256:ffffffffffff): nothing to propose");
        expect(r.stdout).to.include("Next: npx drydock sync --stack production --write (or --apply)");
    });

    it("--write edits the stack file like promote (comments kept) and prints the reason for the commit", async () => {
        production(dir);
        const automation = new FakeAutomation();
        const r = await drydock(dir, ["sync", "--stack", "production", "--write"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include("drydock:backendVersion: v1.10.1 # follows patch releases\n");
        expect(readStack(dir, "production")).to.include("drydock:frontendVersion: v1.3.0\n");
        expect(r.stdout).to.include(
            "-  drydock:backendVersion: v1.10.0 # follows patch releases\n+  drydock:backendVersion: v1.10.1 # follows patch releases",
        );
        expect(r.stdout).to.include("Reason: drydock sync production: backend v1.10.0 -> v1.10.1 (channel patch)");
        expect(automation.calls.filter((c) => !c.startsWith("history"))).to.deep.equal([]); // read only
    });

    it("--write --json reports what was written in the one JSON document", async () => {
        production(dir);
        const r = await drydock(dir, ["sync", "--stack", "production", "--write", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(JSON.parse(r.stdout).written).to.deep.equal({
            file: "Pulumi.production.yaml",
            message: "drydock sync production: backend v1.10.0 -> v1.10.1 (channel patch)",
        });
    });

    it("--apply writes, then previews and updates through the Automation API", async () => {
        production(dir);
        const automation = new FakeAutomation();
        const r = await drydock(dir, ["sync", "--stack", "production", "--apply"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include("drydock:backendVersion: v1.10.1");
        expect(automation.calls).to.deep.equal([`history production ${dir} 10`, `preview production ${dir}`, `up production ${dir}`]);
        const recording = new (class extends FakeAutomation {
            messages: (string | undefined)[] = [];
            async up(stack: string, cwd: string, options?: { message?: string }) {
                this.messages.push(options?.message);
                return super.up(stack, cwd);
            }
        })();
        production(dir);
        await drydock(dir, ["sync", "--stack", "production", "--apply"], { automation: recording });
        expect(recording.messages).to.deep.equal(["drydock sync production: backend v1.10.0 -> v1.10.1 (channel patch)"]); // what history shows
    });

    it("--apply refuses an old Pulumi CLI before writing anything", async () => {
        production(dir);
        const before = readStack(dir, "production");
        const automation = new FakeAutomation();
        automation.pulumiVersion = { found: true, version: "3.200.0" };
        const r = await drydock(dir, ["sync", "--stack", "production", "--apply"], { automation });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(/^drydock: --apply: the Pulumi CLI on PATH is 3\.200\.0, older than 3\.238\.0/);
        expect(readStack(dir, "production")).to.equal(before);
        expect(automation.calls).to.deep.equal([]);
    });

    it("--apply refuses before writing anything when the project has no policies/PulumiPolicy.yaml", async () => {
        production(dir);
        rmSync(join(dir, "policies"), { recursive: true });
        const before = readStack(dir, "production");
        const automation = new FakeAutomation();
        const r = await drydock(dir, ["sync", "--stack", "production", "--apply"], { automation });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            `drydock: --apply: ${join(dir, "policies", "PulumiPolicy.yaml")} not found: drydock runs pulumi preview and pulumi up only with the project's policy pack; nothing was previewed or deployed (run drydock from the project's checkout, which has policies/PulumiPolicy.yaml)\n`,
        );
        expect(readStack(dir, "production")).to.equal(before);
        expect(automation.calls).to.deep.equal([]);
    });

    describe("after a failed update", () => {
        const failedUpdate = (automation: FakeAutomation) => {
            const base = { kind: "update", environment: {}, config: {}, resourceChanges: {} };
            automation.historyResult = [
                {
                    ...base,
                    version: 12,
                    result: "failed",
                    startTime: new Date(ago(2 * H)),
                    endTime: new Date(ago(1.5 * H)),
                    message: "drydock sync production: backend v1.10.0 -> v1.10.1 (channel patch)",
                },
                { ...base, version: 11, result: "succeeded", startTime: new Date(ago(50 * H)), message: "deploy" },
            ];
            return automation;
        };

        it("--apply refuses in one line before writing, snapshotting or deploying anything", async () => {
            production(dir);
            const before = readStack(dir, "production");
            const automation = failedUpdate(new FakeAutomation());
            const r = await drydock(dir, ["sync", "--stack", "production", "--apply"], { automation });
            expect(r.code).to.equal(1);
            expect(r.stderr.trim().split("\n")).to.have.lengthOf(1);
            expect(r.stderr).to.include(
                'the last update (#12, 2026-11-24 08:30 UTC: "drydock sync production: backend v1.10.0 -> v1.10.1 (channel patch)") failed',
            );
            expect(r.stderr).to.include("npx drydock history --stack production");
            expect(r.stderr).to.include("npx drydock sync --stack production --apply --retry-failed");
            expect(readStack(dir, "production")).to.equal(before);
            expect(automation.calls.filter((c) => !c.startsWith("history"))).to.deep.equal([]);
        });

        it("--apply --retry-failed retries on purpose", async () => {
            production(dir);
            const automation = failedUpdate(new FakeAutomation());
            const r = await drydock(dir, ["sync", "--stack", "production", "--apply", "--retry-failed"], { automation });
            expect(r.code, r.stderr).to.equal(0);
            expect(readStack(dir, "production")).to.include("drydock:backendVersion: v1.10.1");
            expect(automation.calls).to.deep.equal([`preview production ${dir}`, `up production ${dir}`]);
        });

        it("sync (no --apply) shows a stack-level last-update-failed hold, and --write writes nothing", async () => {
            production(dir);
            const r = await drydock(dir, ["sync", "--stack", "production", "--json"], { automation: failedUpdate(new FakeAutomation()) });
            expect(r.code, r.stderr).to.equal(0);
            const doc = JSON.parse(r.stdout);
            expect(doc.hold).to.match(/^the last update \(#12, .*\) failed and is not retried by itself/);
            const backend = doc.services.find((s: { name: string }) => s.name === "backend");
            expect(backend.proposed).to.equal(null);
            expect(backend.held[0]).to.include({ version: "v1.10.1", reason: "last-update-failed" });
            const before = readStack(dir, "production");
            const w = await drydock(dir, ["sync", "--stack", "production", "--write"], { automation: failedUpdate(new FakeAutomation()) });
            expect(w.stdout).to.include("Held: the last update (#12");
            expect(readStack(dir, "production")).to.equal(before);
        });
    });

    it("drydock pause stops the controller: a paused stack's --apply writes and deploys nothing", async () => {
        production(dir);
        expect((await drydock(dir, ["pause", "--stack", "production", "--reason", "incident 4711"])).code).to.equal(0);
        const paused = readStack(dir, "production");
        const automation = new FakeAutomation();
        const r = await drydock(dir, ["sync", "--stack", "production", "--apply"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.include('Held: updates are paused on stack "production" (reason: "incident 4711")');
        expect(r.stdout).to.include("held v1.10.1: paused");
        expect(r.stdout).to.include("Nothing to write");
        expect(readStack(dir, "production")).to.equal(paused);
        expect(automation.calls.filter((c) => !c.startsWith("history"))).to.deep.equal([]); // read only
    });

    it("a closed window holds the proposal until it opens, exactly as the release gate; releaseOverride lets it through", async () => {
        production(dir);
        const at = "2026-11-24T17:30:00+01:00"; // Tuesday after the window
        const closed = JSON.parse((await drydock(dir, ["sync", "--stack", "production", "--json", "--at", at])).stdout);
        expect(closed).to.deep.include({ windowOpen: false, nextChange: "2026-11-25T09:00:00Z" }); // v1.10.2 comes of age before the window opens
        expect(closed.services[0].held[0]).to.deep.include({
            version: "v1.10.1",
            reason: "window-closed",
            eligibleAt: "2026-11-26T08:00:00Z",
        });
        production(dir, ['  drydock:releaseOverride: "hotfix CVE-2026-1"']);
        const over = JSON.parse((await drydock(dir, ["sync", "--stack", "production", "--json", "--at", at])).stdout);
        expect(over).to.deep.include({ overridden: true, hold: null });
        expect(over.services[0].proposed).to.equal("v1.10.1");
    });

    it("soakIn: proposes only what the soak stack has run healthy for minimumReleaseAge", async () => {
        production(dir, ["  drydock:soakIn: staging"]);
        mockEcs("staging", V101, ago(30 * H));
        const soaked = JSON.parse((await drydock(dir, ["sync", "--stack", "production", "--json"])).stdout);
        expect(soaked.services[0].proposed).to.equal("v1.10.1");
        mockEcs("staging", V101, ago(2 * H));
        const young = JSON.parse((await drydock(dir, ["sync", "--stack", "production", "--json"])).stdout);
        expect(young.services[0].proposed).to.equal(null);
        expect(young.services[0].held.find((h: { version: string }) => h.version === "v1.10.1")).to.deep.include({
            reason: "not-soaked",
            eligibleAt: "2026-11-25T08:00:00Z",
        });
    });

    it("soakIn naming a stack without a stack file is bad input (exit 2)", async () => {
        production(dir, ["  drydock:soakIn: canary"]);
        const r = await drydock(dir, ["sync", "--stack", "production", "--json"]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.include('stack "canary": no Pulumi.canary.yaml');
    });

    it("latest channel: a moved digest redeploys through redeployToken although the version stays latest", async () => {
        writeFileSync(join(dir, "Pulumi.staging.yaml"), `${fixture("staging").trimEnd()}\n  drydock:updateChannel: latest\n`);
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/backend" })
            .resolves({ imageDetails: [image(V100, ["v1.10.0"], ago(240 * H)), image(V102, ["v1.10.2", "latest"], ago(H))] });
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/frontend" })
            .resolves({ imageDetails: [image(F130, ["v1.3.0", "latest"], ago(500 * H))] });
        mockEcs("staging", V100);
        const automation = new FakeAutomation();
        const r = await drydock(dir, ["sync", "--stack", "staging", "--apply"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        const after = readStack(dir, "staging");
        expect(after).to.include("drydock:backendVersion: latest\n");
        expect(after).to.include("drydock:redeployToken: latest backend=sha256:222222222222 frontend=sha256:ffffffffffff");
        expect(r.stdout).to.include("Reason: drydock sync staging: backend latest -> sha256:222222222222 (channel latest)");
        expect(automation.calls).to.have.length(3); // history (did the last update fail?), preview, up
        mockEcs("staging", V102);
        const again = await drydock(dir, ["sync", "--stack", "staging", "--apply"], { automation: new FakeAutomation() });
        expect(again.stdout).to.include("Nothing to write");
    });

    it("asks the running tasks which image a mutable tag runs", async () => {
        writeFileSync(join(dir, "Pulumi.staging.yaml"), `${fixture("staging").trimEnd()}\n  drydock:updateChannel: latest\n`);
        mocks.ecs.on(DescribeServicesCommand, { cluster: "drydock-staging" }).resolves({
            services: [ecsService("staging", "backend", { revision: 7 }), ecsService("staging", "frontend", { revision: 5 })],
        });
        mocks.ecs
            .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("staging", "backend", 7) })
            .resolves(taskDefinition("staging", "backend", 7, `${BACKEND_REPO}:latest`, "latest"));
        mocks.ecs
            .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("staging", "frontend", 5) })
            .resolves(taskDefinition("staging", "frontend", 5, `${FRONTEND_REPO}:latest`, "latest"));
        mocks.ecs.on(ListTasksCommand).resolves({ taskArns: ["arn:task/1"] });
        mocks.ecs.on(DescribeTasksCommand).resolves({
            tasks: [{ taskDefinitionArn: tdArn("staging", "backend", 7), containers: [{ name: "backend", imageDigest: V100 }] }],
        });
        mocks.ecr
            .on(DescribeImagesCommand, { repositoryName: "drydock/backend" })
            .resolves({ imageDetails: [image(V102, ["latest"], ago(H))] });
        const doc = JSON.parse((await drydock(dir, ["sync", "--stack", "staging", "--json"])).stdout);
        expect(doc.services[0]).to.deep.include({ runningDigest: V100, proposed: "latest", proposedDigest: V102 });
    });

    it("manual (the default) proposes nothing and reads nothing from AWS", async () => {
        const r = await drydock(dir, ["sync", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(JSON.parse(r.stdout)).to.deep.include({ channel: "manual", nextChange: null });
        const text = await drydock(dir, ["sync", "--stack", "production"]);
        expect(text.stdout).to.equal(
            "Stack production: updateChannel is manual, so drydock sync proposes nothing; versions change only when a person changes them.\n" +
                "To follow releases: pulumi config set updateChannel patch -s production (or latest, minor, major; see docs/automatic-updates.md)\n",
        );
        expect(mocks.ecr.calls()).to.have.length(0);
    });

    it("bad input exits 2 with one line: --at, a bad channel, --at with --write", async () => {
        production(dir);
        const at = await drydock(dir, ["sync", "--stack", "production", "--at", "tomorrow"]);
        expect(at.code).to.equal(2);
        expect(at.stderr).to.match(/^drydock: --at "tomorrow": not an ISO-8601 date-time/);
        const both = await drydock(dir, ["sync", "--stack", "production", "--at", "2026-11-24T10:00Z", "--write"]);
        expect(both.code).to.equal(2);
        expect(both.stderr).to.include("cannot be combined with --write or --apply");
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            readStack(dir, "production").replace("updateChannel: patch", "updateChannel: weekly"),
        );
        const channel = await drydock(dir, ["sync", "--stack", "production"]);
        expect(channel.code).to.equal(2);
        expect(channel.stderr).to.include('drydock:updateChannel="weekly": not accepted; accepted: manual, latest, patch, minor, major');
    });

    it("a bad key that sync does not read is only a warning; --write refuses it before writing", async () => {
        production(dir, ["  drydock:dbInstanceCount: 99"]);
        const r = await drydock(dir, ["sync", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.include("drydock:dbInstanceCount");
        const before = readStack(dir, "production");
        const w = await drydock(dir, ["sync", "--stack", "production", "--write"]);
        expect(w.code).to.equal(2);
        expect(readStack(dir, "production")).to.equal(before);
    });
});

describe("drydock versions with soakIn", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
        mockEcr();
        mockEcs("production", V100);
        mockEcs("staging", V101, "2026-11-23T04:00:00Z");
        production(dir, ["  drydock:soakIn: staging"]);
    });
    afterEach(() => cleanup(dir));

    it("says per version since when it has run healthy in the soak stack", async () => {
        const r = await drydock(dir, ["versions", "backend", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        const rows = JSON.parse(r.stdout).versions as { tag: string; ranIn?: unknown }[];
        expect(rows.find((v) => v.tag === "v1.10.1")?.ranIn).to.deep.equal({ stack: "staging", since: "2026-11-23T04:00:00Z" });
        expect(rows.filter((v) => v.ranIn !== undefined)).to.have.length(1);
        const text = await drydock(dir, ["versions", "backend", "--stack", "production"]);
        expect(text.stdout).to.match(/DEPLOYED\s+IN STAGING/);
        expect(text.stdout).to.match(/v1\.10\.1 .* since 2026-11-23 04:00 UTC/);
    });

    it("a soak stack that cannot be read is a warning; the list still shows", async () => {
        mocks.ecs
            .on(DescribeServicesCommand, { cluster: "drydock-staging" })
            .rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException", $metadata: {} }));
        const r = await drydock(dir, ["versions", "backend", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.include("(shown without soak times)");
        expect(JSON.parse(r.stdout).versions).to.have.length(4);
    });
});
