import { expect } from "chai";
import { ChannelPolicy, decideUpdates, DecisionInput, inChannel, ReleaseControls, releaseOf, ServiceInput } from "../release/channels";
import { formatDuration, parseDuration, tryParseDuration } from "../release/duration";
import { parseVersion } from "../release/version";
import { parseWeeklyWindow } from "../release/windows";

const H = 3_600_000;
const NOW = new Date("2026-11-24T10:00:00Z"); // a Tuesday
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const d = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;

const OPEN: ReleaseControls = { windows: [], timeZone: "UTC", paused: false };
const PATCH: ChannelPolicy = { channel: "patch", minimumReleaseAgeMs: 24 * H, allowPrereleases: false };

function service(configured: string, images: ServiceInput["images"], extra: Partial<ServiceInput> = {}): ServiceInput {
    return { name: "backend", configured: parseVersion(configured), images, ...extra };
}

function decide(svc: ServiceInput, policy: Partial<ChannelPolicy> = {}, release: Partial<ReleaseControls> = {}, at = NOW) {
    const input: DecisionInput = {
        stack: "production",
        policy: { ...PATCH, ...policy },
        release: { ...OPEN, ...release },
        at,
        services: [svc],
    };
    return decideUpdates(input);
}

/** The issue's example: v1.10.0 runs; v1.10.1 two days old, v1.10.2 one hour old, v1.11.0. */
const EXAMPLE = [
    { digest: d("0"), tags: ["v1.10.0"], pushedAt: ago(10 * 24 * H) },
    { digest: d("1"), tags: ["v1.10.1"], pushedAt: ago(48 * H) },
    { digest: d("2"), tags: ["v1.10.2"], pushedAt: ago(1 * H) },
    { digest: d("3"), tags: ["v1.11.0"], pushedAt: ago(72 * H) },
];

describe("release/duration", () => {
    it("reads 0, minutes, hours, days and combinations", () => {
        expect(parseDuration("0")).to.equal(0);
        expect(parseDuration("30m")).to.equal(30 * 60_000);
        expect(parseDuration("24h")).to.equal(24 * H);
        expect(parseDuration(" 2d ")).to.equal(48 * H);
        expect(parseDuration("1d12h30m")).to.equal(36.5 * H);
    });

    it("refuses what is no duration, saying what is accepted", () => {
        for (const bad of ["", "24", "1.5h", "-1h", "h", "1w", "12h1d", "1h1h", "24 h"]) {
            expect(tryParseDuration(bad).ok, bad).to.equal(false);
        }
        expect(() => parseDuration("24")).to.throw(
            /"24" has no unit \(write e.g. 24h or 24m\); accepted: 0, or whole numbers with units d, h, m/,
        );
    });

    it("formats ages compactly", () => {
        expect(formatDuration(0)).to.equal("0");
        expect(formatDuration(30_000)).to.equal("<1m");
        expect(formatDuration(25 * H + 5 * 60_000)).to.equal("1d1h5m");
        expect(formatDuration(24 * H)).to.equal("1d");
    });
});

describe("release/channels: semver channels", () => {
    it("patch: proposes v1.10.1, holds v1.10.2 as too young and v1.11.0 as outside the channel", () => {
        const r = decide(service("v1.10.0", EXAMPLE));
        const s = r.services[0];
        expect(s).to.deep.include({ name: "backend", running: "v1.10.0", proposed: "v1.10.1", proposedDigest: d("1") });
        expect(s.held.map((h) => [h.version, h.reason])).to.deep.equal([
            ["v1.11.0", "outside-channel"],
            ["v1.10.2", "too-young"],
        ]);
        expect(s.held[0].detail).to.equal("channel patch follows 1.10.x only");
        expect(s.held[1].detail).to.equal(
            "pushed 1h ago (Tue 2026-11-24 09:00 UTC); minimumReleaseAge is 1d, so eligible from Wed 2026-11-25 09:00 UTC",
        );
        expect(r.nextChange?.toISOString()).to.equal("2026-11-25T09:00:00.000Z");
    });

    it("minor and major widen the channel; the ordering is semver's, not the text's (1.9.3 < 1.10.0)", () => {
        const images = [
            { digest: d("a"), tags: ["v1.9.3"], pushedAt: ago(100 * H) },
            { digest: d("b"), tags: ["v1.10.0"], pushedAt: ago(90 * H) },
            { digest: d("c"), tags: ["v2.0.0"], pushedAt: ago(80 * H) },
        ];
        expect(decide(service("v1.9.0", images), { channel: "patch" }).services[0].proposed).to.equal("v1.9.3");
        expect(decide(service("v1.9.0", images), { channel: "minor" }).services[0].proposed).to.equal("v1.10.0");
        expect(decide(service("v1.9.0", images), { channel: "major" }).services[0].proposed).to.equal("v2.0.0");
        expect(decide(service("v2.0.0", images), { channel: "major" }).services[0]).to.deep.include({ proposed: null, held: [] });
    });

    it("inChannel compares major and minor numerically", () => {
        expect(inChannel("patch", "1.10.0", "1.10.7")).to.equal(true);
        expect(inChannel("patch", "1.10.0", "1.1.7")).to.equal(false);
        expect(inChannel("minor", "1.10.0", "1.99.0")).to.equal(true);
        expect(inChannel("minor", "1.10.0", "2.0.0")).to.equal(false);
        expect(inChannel("latest", "1.10.0", "1.10.1")).to.equal(false);
    });

    it("follows only exact semver tags, never floating, full, timestamp or other tags", () => {
        const images = [
            {
                digest: d("a"),
                tags: ["v1.10", "v1", "v1.10.9-20261120-080000-abcdef12", "20261120-080000", "main", "latest"],
                pushedAt: ago(100 * H),
            },
        ];
        expect(decide(service("v1.10.0", images)).services[0]).to.deep.include({ proposed: null, held: [] });
    });

    it("holds pre-releases unless allowPrereleases; a pre-release that runs may move on to its release", () => {
        const images = [
            { digest: d("a"), tags: ["v1.11.0-rc.1"], pushedAt: ago(100 * H) },
            { digest: d("b"), tags: ["v1.11.0-rc.2"], pushedAt: ago(90 * H) },
            { digest: d("c"), tags: ["v1.11.0"], pushedAt: ago(80 * H) },
        ];
        const noPre = decide(service("v1.10.0", images.slice(0, 2)), { channel: "minor" }).services[0];
        expect(noPre.proposed).to.equal(null);
        expect(noPre.held.map((h) => [h.version, h.reason])).to.deep.equal([
            ["v1.11.0-rc.2", "pre-release"],
            ["v1.11.0-rc.1", "pre-release"],
        ]);
        expect(decide(service("v1.10.0", images.slice(0, 2)), { channel: "minor", allowPrereleases: true }).services[0].proposed).to.equal(
            "v1.11.0-rc.2",
        );
        expect(decide(service("v1.11.0-rc.1", images), { channel: "patch" }).services[0].proposed).to.equal("v1.11.0");
    });

    it("never proposes a tag that names a moving target, even with allowPrereleases (v1.11.0-latest, v1.11.0-main)", () => {
        const images = [
            { digest: d("a"), tags: ["v1.11.0-latest"], pushedAt: ago(100 * H) },
            { digest: d("b"), tags: ["v1.11.0-main"], pushedAt: ago(90 * H) },
        ];
        const r = decide(service("v1.10.0", images), { channel: "minor", allowPrereleases: true }).services[0];
        expect(r.proposed).to.equal(null);
        expect(r.held.map((h) => h.version)).to.not.include.members(["v1.11.0-latest", "v1.11.0-main"]);
    });

    it("age boundary: exactly minimumReleaseAge old is old enough, one millisecond less is not", () => {
        const at = (ms: number) => [{ digest: d("a"), tags: ["v1.10.1"], pushedAt: ago(ms) }];
        expect(decide(service("v1.10.0", at(24 * H))).services[0].proposed).to.equal("v1.10.1");
        const young = decide(service("v1.10.0", at(24 * H - 1))).services[0];
        expect(young.proposed).to.equal(null);
        expect(young.held[0].eligibleAt?.getTime()).to.equal(NOW.getTime() + 1);
        expect(decide(service("v1.10.0", at(0)), { minimumReleaseAgeMs: 0 }).services[0].proposed).to.equal("v1.10.1");
    });

    it("an age is real elapsed time: 24h across the spring-forward night in Berlin is 24 hours, shown in local time", () => {
        const pushed = new Date("2026-03-28T12:00:00Z"); // Sat 13:00 CET; Berlin moves to CEST on Sunday 01:00 UTC
        const images = [{ digest: d("a"), tags: ["v1.10.1"], pushedAt: pushed }];
        const zone = { timeZone: "Europe/Berlin" };
        const before = decide(service("v1.10.0", images), {}, zone, new Date("2026-03-29T11:59:00Z")).services[0];
        expect(before.held[0].detail).to.equal(
            "pushed 23h59m ago (Sat 2026-03-28 13:00 Europe/Berlin (12:00 UTC)); minimumReleaseAge is 1d, so eligible from Sun 2026-03-29 14:00 Europe/Berlin (12:00 UTC)",
        );
        expect(decide(service("v1.10.0", images), {}, zone, new Date("2026-03-29T12:00:00Z")).services[0].proposed).to.equal("v1.10.1");
    });

    it("an image whose push time ECR does not report is held when an age is required", () => {
        const s = decide(service("v1.10.0", [{ digest: d("a"), tags: ["v1.10.1"] }])).services[0];
        expect(s.held[0]).to.deep.include({ reason: "too-young" });
        expect(s.held[0].detail).to.include("cannot be checked");
        expect(
            decide(service("v1.10.0", [{ digest: d("a"), tags: ["v1.10.1"] }]), { minimumReleaseAgeMs: 0 }).services[0].proposed,
        ).to.equal("v1.10.1");
    });

    it("--at in the past: images pushed after that instant do not exist yet", () => {
        const r = decide(service("v1.10.0", EXAMPLE), {}, {}, ago(2 * H));
        expect(r.services[0].proposed).to.equal("v1.10.1");
        expect(r.services[0].held.map((h) => h.version)).to.deep.equal(["v1.11.0"]);
    });

    it("downgrade: a version older than what ECS actually runs is held", () => {
        const s = decide(service("v1.10.0", EXAMPLE, { deployedDigest: d("2") }), { minimumReleaseAgeMs: 0 }).services[0];
        expect(s.proposed).to.equal("v1.10.2"); // aligns the file with what runs
        const older = decide(
            service("v1.10.0", EXAMPLE.slice(0, 2).concat([{ digest: d("9"), tags: ["v1.10.5"], pushedAt: ago(H) }]), {
                deployedDigest: d("9"),
            }),
        ).services[0];
        expect(older.proposed).to.equal(null);
        expect(older.held.map((h) => [h.version, h.reason])).to.deep.equal([
            ["v1.10.5", "too-young"],
            ["v1.10.1", "downgrade"],
        ]);
        expect(older.held[1].detail).to.equal("ECS already runs 1.10.5, newer than v1.10.1");
    });

    it("a stack file on latest or a floating tag takes its baseline from what ECS runs; with neither it says why it cannot decide", () => {
        const s = decide(service("latest", EXAMPLE, { deployedDigest: d("0") })).services[0];
        expect(s.proposed).to.equal("v1.10.1");
        const unknown = decide(service("v1.10", EXAMPLE)).services[0];
        expect(unknown.proposed).to.equal(null);
        expect(unknown.note).to.include("runs v1.10, which is no exact semver version");
    });

    it("a stack file pinned to a digest is judged by that image's semver tag", () => {
        const s = decide(service(d("0"), EXAMPLE, { deployedDigest: d("1") })).services[0];
        expect(s.proposed).to.equal("v1.10.1"); // from v1.10.0 (the pinned digest), not from what ECS runs
    });

    it("releaseOf names an image by its highest exact semver tag", () => {
        expect(releaseOf([{ digest: d("a"), tags: ["latest", "v1.2.3", "v1.2.10", "v1.2"] }], d("a"))).to.equal("1.2.10");
        expect(releaseOf([{ digest: d("a"), tags: ["latest"] }], d("a"))).to.equal(undefined);
    });
});

describe("release/channels: soak", () => {
    const soakIn = { soakIn: "staging" };

    it("a version qualifies once it has run healthy in the soak stack for minimumReleaseAge", () => {
        const soaked = decide(service("v1.10.0", EXAMPLE, { soak: [{ digest: d("1"), since: ago(24 * H) }] }), soakIn).services[0];
        expect(soaked.proposed).to.equal("v1.10.1");
        const young = decide(service("v1.10.0", EXAMPLE, { soak: [{ digest: d("1"), since: ago(2 * H) }] }), soakIn);
        expect(young.services[0].proposed).to.equal(null);
        expect(young.services[0].held[2]).to.deep.include({ version: "v1.10.1", reason: "not-soaked" });
        expect(young.services[0].held[2].detail).to.equal(
            "healthy in staging since Tue 2026-11-24 08:00 UTC (2h); eligible from Wed 2026-11-25 08:00 UTC",
        );
        expect(young.nextChange?.toISOString()).to.equal("2026-11-25T08:00:00.000Z");
    });

    it("a version the soak stack never ran, or ran too briefly, is held without an end", () => {
        const never = decide(service("v1.10.0", EXAMPLE, { soak: [] }), soakIn).services[0];
        expect(never.held.find((h) => h.version === "v1.10.1")).to.deep.include({
            reason: "not-soaked",
            detail: "staging has not run it healthy (it must, for 1d)",
        });
        const brief = decide(service("v1.10.0", EXAMPLE, { soak: [{ digest: d("1"), since: ago(40 * H), until: ago(30 * H) }] }), soakIn)
            .services[0];
        expect(brief.held.find((h) => h.version === "v1.10.1")?.detail).to.equal(
            "staging ran it healthy for 10h only; minimumReleaseAge is 1d",
        );
        const earlier = decide(service("v1.10.0", EXAMPLE, { soak: [{ digest: d("1"), since: ago(40 * H), until: ago(10 * H) }] }), soakIn)
            .services[0];
        expect(earlier.proposed).to.equal("v1.10.1");
    });
});

describe("release/channels: latest", () => {
    const LATEST: Partial<ChannelPolicy> = { channel: "latest", minimumReleaseAgeMs: 0 };
    const images = (latestDigest: string, pushed = ago(48 * H)) => [
        { digest: d("a"), tags: ["v1.4.0"], pushedAt: ago(100 * H) },
        { digest: d("b"), tags: ["v1.5.0"], pushedAt: ago(60 * H) },
        { digest: latestDigest, tags: ["latest", ...(latestDigest === d("c") ? ["v1.6.0-rc.1"] : [])], pushedAt: pushed },
    ];

    it("proposes a redeploy when the latest digest moved away from what runs, nothing when it did not", () => {
        const moved = decide(service("latest", images(d("e")), { deployedDigest: d("a") }), LATEST).services[0];
        expect(moved).to.deep.include({ running: "latest", runningDigest: d("a"), proposed: "latest", proposedDigest: d("e"), held: [] });
        const same = decide(service("latest", images(d("e")), { deployedDigest: d("e") }), LATEST).services[0];
        expect(same).to.deep.include({ proposed: null, held: [] });
    });

    it("a digest moving under latest is subject to the age, pre-release and downgrade checks", () => {
        const young = decide(service("latest", images(d("e"), ago(H)), { deployedDigest: d("a") }), {
            ...LATEST,
            minimumReleaseAgeMs: 6 * H,
        }).services[0];
        expect(young.held[0]).to.deep.include({ version: "latest", digest: d("e"), reason: "too-young" });
        const pre = decide(service("latest", images(d("c")), { deployedDigest: d("a") }), LATEST).services[0];
        expect(pre.held[0]).to.deep.include({ reason: "pre-release" });
        const back = [
            { digest: d("a"), tags: ["v1.4.0", "latest"], pushedAt: ago(100 * H) },
            { digest: d("b"), tags: ["v1.5.0"], pushedAt: ago(60 * H) },
        ];
        const down = decide(service("latest", back, { deployedDigest: d("b") }), LATEST).services[0];
        expect(down.held[0]).to.deep.include({ reason: "downgrade", detail: "latest moved back to 1.4.0; ECS runs 1.5.0" });
    });

    it("every service redeploys together: while one service's moved latest is held, the other's proposal is held too", () => {
        const backend = service("latest", images(d("e"), ago(48 * H)), { deployedDigest: d("a") });
        const frontend = { ...service("latest", images(d("f"), ago(H)), { deployedDigest: d("b") }), name: "frontend" };
        const input: DecisionInput = {
            stack: "staging",
            policy: { ...PATCH, ...LATEST, minimumReleaseAgeMs: 6 * H },
            release: OPEN,
            at: NOW,
            services: [backend, frontend],
        };
        const r = decideUpdates(input);
        expect(r.services.map((s) => s.proposed)).to.deep.equal([null, null]);
        expect(r.services[0].held[0]).to.deep.include({
            version: "latest",
            digest: d("e"),
            reason: "too-young",
            eligibleAt: new Date("2026-11-24T15:00:00Z"),
        });
        expect(r.services[0].held[0].detail).to.match(
            /^deploying it would also deploy frontend's latest, which is held \(too-young: pushed 1h ago/,
        );
        expect(r.nextChange?.toISOString()).to.equal("2026-11-24T15:00:00.000Z");
        const later = decideUpdates({ ...input, at: new Date("2026-11-24T15:00:00Z") });
        expect(later.services.map((s) => s.proposed)).to.deep.equal(["latest", "latest"]);
    });

    it("says why it cannot follow latest: the file pins a version, no latest tag, or nothing runs", () => {
        expect(decide(service("v1.4.0", images(d("e")), { deployedDigest: d("a") }), LATEST).services[0].note).to.include(
            "the stack file sets v1.4.0; set it to latest",
        );
        expect(decide(service("latest", images(d("e")).slice(0, 2), { deployedDigest: d("a") }), LATEST).services[0].note).to.equal(
            "the repository has no image tagged latest",
        );
        expect(decide(service("latest", images(d("e"))), LATEST).services[0].note).to.include("cannot tell which image runs");
    });
});

describe("release/channels: stack holds", () => {
    const BERLIN = {
        windows: [parseWeeklyWindow("tue:09:00-tue:16:00"), parseWeeklyWindow("thu:09:00-thu:16:00")],
        timeZone: "Europe/Berlin",
    };

    it("paused: proposes nothing and says so, keeping the per-version reasons", () => {
        const r = decide(service("v1.10.0", EXAMPLE), {}, { paused: true, pauseReason: "incident 4711" });
        expect(r).to.deep.include({ paused: true, hold: 'updates are paused on stack "production" (reason: "incident 4711")' });
        expect(r.services[0].proposed).to.equal(null);
        expect(r.services[0].held.map((h) => [h.version, h.reason])).to.deep.equal([
            ["v1.10.1", "paused"],
            ["v1.11.0", "outside-channel"],
            ["v1.10.2", "too-young"],
        ]);
        expect(r.nextChange).to.equal(null); // a pause ends when someone resumes, not by itself
    });

    it("window closed: held until the next opening, in the stack's zone; the next change is that opening", () => {
        // Tuesday 16:30 in Berlin (15:30 UTC): after the window; the next opens Thursday 09:00 CET = 08:00 UTC.
        const at = new Date("2026-11-24T15:30:00Z");
        const r = decide(service("v1.10.0", EXAMPLE), { minimumReleaseAgeMs: 0 }, BERLIN, at);
        expect(r.windowOpen).to.equal(false);
        expect(r.services[0].held[0]).to.deep.include({ version: "v1.10.2", reason: "window-closed" });
        expect(r.services[0].held[0].detail).to.equal(
            "it is outside every release window; the next window opens Thu 2026-11-26 09:00 Europe/Berlin (08:00 UTC)",
        );
        expect(r.nextChange?.toISOString()).to.equal("2026-11-26T08:00:00.000Z");
    });

    it("inside a window the next change is its end, or an earlier coming of age", () => {
        const r = decide(service("v1.10.0", EXAMPLE), {}, BERLIN); // 11:00 Berlin
        expect(r.windowOpen).to.equal(true);
        expect(r.services[0].proposed).to.equal("v1.10.1");
        expect(r.nextChange?.toISOString()).to.equal("2026-11-24T15:00:00.000Z"); // 16:00 Berlin, before v1.10.2 comes of age
    });

    it("the same instant is judged by the stack zone's wall clock (10:00 UTC is 05:00 in New York)", () => {
        const ny = { windows: [parseWeeklyWindow("tue:09:00-tue:16:00")], timeZone: "America/New_York" };
        expect(decide(service("v1.10.0", EXAMPLE), {}, ny).windowOpen).to.equal(false); // 05:00 in New York
        expect(decide(service("v1.10.0", EXAMPLE), {}, ny, new Date("2026-11-24T14:00:00Z")).windowOpen).to.equal(true); // 09:00 there
    });

    it("releaseOverride lets the proposal through a pause, and says so", () => {
        const r = decide(service("v1.10.0", EXAMPLE), {}, { paused: true, override: "hotfix CVE-2026-1" });
        expect(r).to.deep.include({ overridden: true });
        expect(r.hold).to.equal(undefined);
        expect(r.services[0].proposed).to.equal("v1.10.1");
    });

    it("manual: proposes nothing, holds nothing, and has no next change", () => {
        const r = decide(service("v1.10.0", EXAMPLE), { channel: "manual" });
        expect(r.services[0]).to.deep.include({ proposed: null, held: [] });
        expect(r.services[0].note).to.include("manual");
        expect(r.nextChange).to.equal(null);
    });
});
