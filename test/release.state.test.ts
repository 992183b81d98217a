import { expect } from "chai";
import { evaluateReleaseGate } from "../release/gate";
import { releaseState, ReleaseSettingsInput } from "../release/state";
import { parseWeeklyWindow } from "../release/windows";

const berlin = (over: Partial<ReleaseSettingsInput> = {}): ReleaseSettingsInput => ({
    windows: ["tue:09:00-tue:16:00", "thu:09:00-thu:16:00"].map(parseWeeklyWindow),
    timeZone: "Europe/Berlin",
    paused: false,
    ...over,
});
const TUESDAY_NOON_BERLIN = new Date("2026-11-24T11:00:00Z"); // 12:00 CET
const WEDNESDAY_NOON_BERLIN = new Date("2026-11-25T11:00:00Z");

describe("release/state: the release state computed once", () => {
    it("is open inside a window: which one, until when, and the next opening after it", () => {
        const s = releaseState(berlin(), TUESDAY_NOON_BERLIN);
        expect(s).to.include({ windowOpen: true, alwaysOpen: false, paused: false, releasable: true, overridden: false });
        expect(s.blockedBy).to.equal(undefined);
        expect(s.currentWindow?.window).to.equal("tue:09:00-tue:16:00");
        expect(s.currentWindow?.end.toISOString()).to.equal("2026-11-24T15:00:00.000Z");
        expect(s.nextWindow?.start.toISOString()).to.equal("2026-11-26T08:00:00.000Z");
    });

    it("is closed between windows, blocked by the closed window, with the next start in the zone and in UTC", () => {
        const s = releaseState(berlin(), WEDNESDAY_NOON_BERLIN);
        expect(s).to.include({ windowOpen: false, blockedBy: "closed-window", releasable: false });
        expect(s.nextWindow?.window).to.equal("thu:09:00-thu:16:00");
        expect(s.nextWindow?.start.toISOString()).to.equal("2026-11-26T08:00:00.000Z"); // 09:00 in Berlin
        expect(s.currentWindow).to.equal(undefined);
    });

    it("a pause blocks even inside a window, says why, and still names the next window for after it", () => {
        const s = releaseState(berlin({ paused: true, pauseReason: "incident 4711" }), TUESDAY_NOON_BERLIN);
        expect(s).to.include({ windowOpen: true, paused: true, pauseReason: "incident 4711", blockedBy: "paused", releasable: false });
        expect(s.nextWindow?.window).to.equal("thu:09:00-thu:16:00");
    });

    it("the override lets an image change through a pause or a closed window, and only then counts as used", () => {
        expect(releaseState(berlin({ paused: true, override: "hotfix" }), TUESDAY_NOON_BERLIN)).to.include({
            releasable: true,
            overridden: true,
            override: "hotfix",
        });
        expect(releaseState(berlin({ override: "hotfix" }), WEDNESDAY_NOON_BERLIN)).to.include({ releasable: true, overridden: true });
        expect(releaseState(berlin({ override: "hotfix" }), TUESDAY_NOON_BERLIN)).to.include({ releasable: true, overridden: false });
        expect(releaseState(berlin({ override: "   " }), WEDNESDAY_NOON_BERLIN)).to.include({ releasable: false, overridden: false });
    });

    it("without windows is always open", () => {
        const s = releaseState(berlin({ windows: [] }), WEDNESDAY_NOON_BERLIN);
        expect(s).to.include({ windowOpen: true, alwaysOpen: true, releasable: true });
        expect(s.nextWindow).to.equal(undefined);
    });

    it("the gate decides from the same state", () => {
        for (const [settings, at] of [
            [berlin(), TUESDAY_NOON_BERLIN],
            [berlin(), WEDNESDAY_NOON_BERLIN],
            [berlin({ paused: true }), TUESDAY_NOON_BERLIN],
            [berlin({ override: "x" }), WEDNESDAY_NOON_BERLIN],
        ] as const) {
            const d = evaluateReleaseGate({ ...settings, now: at, imageChanged: true, stack: "production" });
            const s = releaseState(settings, at);
            expect(d.allowed).to.equal(s.releasable);
            expect(d.overridden).to.equal(s.overridden);
            expect(d.state).to.deep.equal(s);
            expect(d.nextWindow).to.deep.equal(s.nextWindow);
        }
    });
});
