import { expect } from "chai";
import { copyFileSync, writeFileSync } from "fs";
import { join } from "path";
import { cleanup, drydock, fixture, mocks, readStack, resetMocks, stackDir } from "./fixtures/cli/harness";

describe("drydock pause / resume", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("pause sets updatesPaused and keeps the reason beside it, comments intact", async () => {
        const r = await drydock(dir, ["pause", "--stack", "production", "--reason", "incident 4711: hold releases"]);
        expect(r.code, r.stderr).to.equal(0);
        const after = readStack(dir, "production");
        expect(after).to.include(
            '  # Freeze switch (drydock pause / resume).\n  drydock:updatesPaused: true\n  drydock:pauseReason: "incident 4711: hold releases"\n  drydock:pausedAt: 2026-11-24T10:00:00Z\n',
        );
        for (const line of fixture("production")
            .split("\n")
            .filter((l) => l.includes("#")))
            expect(after).to.include(line);
        expect(r.stdout).to.include(
            '-  drydock:updatesPaused: false\n+  drydock:updatesPaused: true\n+  drydock:pauseReason: "incident 4711: hold releases"',
        );
        expect(r.stdout).to.include("Paused production: incident 4711: hold releases");
        expect(r.stdout).to.include("Unfreeze: npx drydock resume --stack production");
        expect(mocks.ecs.calls().length + mocks.rds.calls().length + mocks.ecr.calls().length).to.equal(0);
    });

    it("pause adds the key to a stack file that does not have it; pausing again changes nothing", async () => {
        await drydock(dir, ["pause", "--stack", "staging", "--reason", "demo"]);
        const once = readStack(dir, "staging");
        expect(once).to.include("drydock:updatesPaused: true\n  drydock:pauseReason: demo\n");
        const again = await drydock(dir, ["pause", "--stack", "staging", "--reason", "demo"]);
        expect(again.code).to.equal(0);
        expect(again.stdout).to.include("already paused");
        expect(readStack(dir, "staging")).to.equal(once);
    });

    it("on the committed staging file (no updatesPaused key), pause writes a YAML boolean and resume leaves false, not strings", async () => {
        copyFileSync(join(__dirname, "..", "Pulumi.staging.yaml"), join(dir, "Pulumi.staging.yaml"));
        expect(readStack(dir, "staging")).not.to.include("updatesPaused");
        const paused = await drydock(dir, ["pause", "--stack", "staging", "--reason", "demo"]);
        expect(paused.code, paused.stderr).to.equal(0);
        expect(readStack(dir, "staging")).to.match(/^ {2}drydock:updatesPaused: true$/m);
        const resumed = await drydock(dir, ["resume", "--stack", "staging"]);
        expect(resumed.code, resumed.stderr).to.equal(0);
        const after = readStack(dir, "staging");
        expect(after).to.match(/^ {2}drydock:updatesPaused: false$/m);
        expect(after).not.to.match(/"(true|false)"/);
    });

    it("refuses to pause a paused stack with another reason, showing the current one and since when, unless --force", async () => {
        await drydock(dir, ["pause", "--stack", "production", "--reason", "incident 4711"]);
        const paused = readStack(dir, "production");
        const later = () => new Date("2026-11-24T12:30:00Z");
        const r = await drydock(dir, ["pause", "--stack", "production", "--reason", "quarter-end freeze"], { now: later });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            'drydock: stack production: already paused since 2026-11-24 10:00 UTC: "incident 4711"; nothing changed ' +
                '(to replace the reason: npx drydock pause --stack production --reason "…" --force; to unfreeze: npx drydock resume --stack production)\n',
        );
        expect(readStack(dir, "production")).to.equal(paused);
        const forced = await drydock(dir, ["pause", "--stack", "production", "--reason", "quarter-end freeze", "--force"], { now: later });
        expect(forced.code, forced.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include(
            "drydock:pauseReason: quarter-end freeze\n  drydock:pausedAt: 2026-11-24T10:00:00Z\n",
        ); // still paused since 10:00
        expect(forced.stdout).to.include('Still paused production; reason replaced (was "incident 4711"): quarter-end freeze');
        const resumed = await drydock(dir, ["resume", "--stack", "production"]);
        expect(resumed.stdout).to.include('Resumed production (paused since 2026-11-24 10:00 UTC: "quarter-end freeze")');
        expect(readStack(dir, "production")).to.not.include("pausedAt");
    });

    it("resume clears the pause and the reason; resuming a running stack changes nothing", async () => {
        await drydock(dir, ["pause", "--stack", "production", "--reason", "audit"]);
        const r = await drydock(dir, ["resume", "--stack", "production"]);
        expect(r.code).to.equal(0);
        expect(readStack(dir, "production")).to.equal(fixture("production"));
        expect(r.stdout).to.include("Resumed production");
        const again = await drydock(dir, ["resume", "--stack", "production"]);
        expect(again.code).to.equal(0);
        expect(again.stdout).to.include("not paused");
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });

    it("pause works even when another key of the stack file is invalid (an emergency must not wait for a typo)", async () => {
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            fixture("production").replace("drydock:snapshotsToKeep: 5", "drydock:snapshotsToKeep: many"),
        );
        const r = await drydock(dir, ["pause", "--stack", "production", "--reason", "outage"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include("drydock:updatesPaused: true");
    });

    it("refuses a missing or empty reason and an unknown stack with exit 2, changing nothing", async () => {
        const missing = await drydock(dir, ["pause", "--stack", "production"]);
        expect(missing.code).to.equal(2);
        expect(missing.stderr).to.equal("drydock: required option '--reason <text>' not specified (see npx drydock pause --help)\n");
        const empty = await drydock(dir, ["pause", "--stack", "production", "--reason", "  "]);
        expect(empty.code).to.equal(2);
        expect(empty.stderr).to.match(/^drydock: --reason: is empty \(say why/);
        const unknown = await drydock(dir, ["resume", "--stack", "qa"]);
        expect(unknown.code).to.equal(2);
        expect(unknown.stderr).to.include('stack "qa"');
        expect(readStack(dir, "production")).to.equal(fixture("production"));
    });
});
