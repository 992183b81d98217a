import { expect } from "chai";
import { writeFileSync } from "fs";
import { join } from "path";
import { cleanup, drydock, fixture, mocks, resetMocks, stackDir } from "./fixtures/cli/harness";

describe("drydock window", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("says a window is open now, which one, and when the next opens (JSON in UTC)", async () => {
        // NOW = Tue 2026-11-24 11:00 Europe/Berlin
        const r = await drydock(dir, ["window", "--stack", "production", "--json"]);
        expect(r.code).to.equal(0);
        expect(JSON.parse(r.stdout)).to.deep.equal({
            open: true,
            paused: false,
            pauseReason: null,
            pausedAt: null,
            current: { window: "tue:09:00-tue:16:00", start: "2026-11-24T08:00:00Z", end: "2026-11-24T15:00:00Z" },
            nextStart: "2026-11-26T08:00:00Z",
        });
        const text = await drydock(dir, ["window", "--stack", "production"]);
        expect(text.stdout).to.include(
            "Now, Tue 2026-11-24 11:00 Europe/Berlin (10:00 UTC): OPEN — tue:09:00-tue:16:00, until Tue 2026-11-24 16:00 Europe/Berlin (15:00 UTC)",
        );
        expect(text.stdout).to.include("Next opening: Thu 2026-11-26 09:00 Europe/Berlin (08:00 UTC)");
        expect(mocks.ecs.calls()).to.have.length(0);
    });

    it("checks another time with --at, with or without an offset, across the DST change", async () => {
        // Sat 2026-03-28 12:00 UTC: closed; next opening Tue 2026-03-31 09:00 CEST = 07:00 UTC (summer time began Sunday).
        const closed = await drydock(dir, ["window", "--stack", "production", "--at", "2026-03-28T12:00:00Z", "--json"]);
        expect(JSON.parse(closed.stdout)).to.deep.equal({
            open: false,
            paused: false,
            pauseReason: null,
            pausedAt: null,
            current: null,
            nextStart: "2026-03-31T07:00:00Z",
        });
        // No offset: read in the stack's zone (Europe/Berlin): Tue 15:59 local is still open.
        const local = await drydock(dir, ["window", "--stack", "production", "--at", "2026-03-31T15:59", "--json"]);
        expect(JSON.parse(local.stdout)).to.include({ open: true });
        const text = await drydock(dir, ["window", "--stack", "production", "--at", "2026-03-28T12:00:00Z"]);
        expect(text.stdout).to.include("At Sat 2026-03-28 13:00 Europe/Berlin (12:00 UTC): CLOSED");
        expect(text.stdout).to.include('pulumi config set releaseOverride "<reason>" -s production');
    });

    it("treats a stack without windows as always open", async () => {
        const r = await drydock(dir, ["window", "--stack", "staging", "--json"]);
        expect(JSON.parse(r.stdout)).to.deep.equal({
            open: true,
            paused: false,
            pauseReason: null,
            pausedAt: null,
            current: null,
            nextStart: null,
        });
        const text = await drydock(dir, ["window", "--stack", "staging"]);
        expect(text.stdout).to.include("has no release windows");
    });

    it("mentions a pause", async () => {
        await drydock(dir, ["pause", "--stack", "production", "--reason", "freeze"]);
        const r = await drydock(dir, ["window", "--stack", "production"]);
        expect(r.stdout).to.include("Updates are PAUSED (freeze)");
        const json = JSON.parse((await drydock(dir, ["window", "--stack", "production", "--json"])).stdout);
        expect(json).to.include({ open: true, paused: true, pauseReason: "freeze", pausedAt: "2026-11-24T10:00:00Z" });
    });

    it("rejects a bad --at naming the argument and the accepted form (exit 2)", async () => {
        const r = await drydock(dir, ["window", "--stack", "production", "--at", "next tuesday"]);
        expect(r.code).to.equal(2);
        expect(r.stdout).to.equal("");
        expect(r.stderr).to.match(
            /^drydock: --at "next tuesday": not an ISO-8601 date-time .*\(use e\.g\. 2026-11-28T21:00:00Z or 2026-11-28T22:00\+01:00; without an offset the time is read in Europe\/Berlin\)\n$/,
        );
    });

    it("reports invalid release settings of the stack file as a config error (exit 2)", async () => {
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            fixture("production").replace("tue:09:00-tue:16:00", "tuesday 9-16").replace("Europe/Berlin", "Mars/Olympus"),
        );
        const r = await drydock(dir, ["window", "--stack", "production"]);
        expect(r.code).to.equal(2);
        expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(
            /^drydock: Pulumi\.production\.yaml: drydock:releaseWindows="tuesday 9-16": .*drydock:releaseTimeZone="Mars\/Olympus"/,
        );
    });
});
