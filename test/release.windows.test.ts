import { expect } from "chai";
import { DateTime } from "luxon";
import { formatInZone, isValidTimeZone, parseWeeklyWindow, releaseWindowState, WeeklyWindow, WindowError } from "../release/windows";
import { parseDailyWindow, windowMinutes, windowsOverlap } from "../release/auroraWindows";

const W = parseWeeklyWindow;
const D = parseDailyWindow;
const iso = (d: Date | undefined) => d?.toISOString();
const utc = (s: string) => new Date(s);

function thrown(f: () => unknown): WindowError {
    try {
        f();
    } catch (e) {
        expect(e).to.be.instanceOf(WindowError);
        return e as WindowError;
    }
    throw new Error("expected a WindowError");
}

describe("release/windows: parsing", () => {
    it("parses weekly windows into minutes since Monday 00:00", () => {
        expect(W("sun:05:00-sun:06:00")).to.deep.equal({ raw: "sun:05:00-sun:06:00", start: 6 * 1440 + 300, end: 6 * 1440 + 360 });
        expect(W("mon:00:00-mon:00:30")).to.deep.include({ start: 0, end: 30 });
        expect(W("sun:23:59-mon:00:00")).to.deep.include({ start: 10079, end: 0 });
        expect(W("SAT:22:00-Sun:02:00")).to.deep.include({ start: 5 * 1440 + 1320, end: 6 * 1440 + 120 });
        expect(W("  tue:09:00-tue:17:00 ").raw).to.equal("tue:09:00-tue:17:00");
    });

    it("parses daily windows into minutes since midnight", () => {
        expect(D("03:00-04:00")).to.deep.equal({ raw: "03:00-04:00", start: 180, end: 240 });
        expect(D("23:30-00:30")).to.deep.include({ start: 1410, end: 30 });
    });

    const badWeekly: [string, RegExp][] = [
        ["", /ddd:hh24:mi-ddd:hh24:mi/],
        ["sun:05:00", /ddd:hh24:mi-ddd:hh24:mi/],
        ["sun:05:00-", /is not hh24:mi|no day/],
        ["sun:05:00-sun:06:00-sun:07:00", /ddd:hh24:mi-ddd:hh24:mi/],
        ["sunday:05:00-sun:06:00", /unknown day "sunday"/],
        ["xyz:05:00-sun:06:00", /unknown day "xyz"/],
        ["sun:24:00-mon:01:00", /hour 24 is out of range 00-23/],
        ["sun:05:60-sun:06:00", /minute 60 is out of range 00-59/],
        ["sun:5:00-sun:06:00", /"5:00" is not hh24:mi/],
        ["sun:05-sun:06", /is not hh24:mi/],
        ["05:00-06:00", /no day/],
        ["sun:05:00-06:00", /no day/],
        ["sun:05:00-sun:05:00", /start and end are the same/],
        ["sun 05:00-sun 06:00", /no day|is not hh24:mi/],
        ["sun:05:00–sun:06:00", /ddd:hh24:mi-ddd:hh24:mi/], // en dash
    ];
    for (const [input, reason] of badWeekly) {
        it(`rejects weekly ${JSON.stringify(input)} naming the accepted format`, () => {
            const e = thrown(() => W(input));
            expect(e.reason).to.match(reason);
            expect(e.reason).to.contain("ddd:hh24:mi-ddd:hh24:mi");
            expect(e.reason).to.contain("sun:05:00-sun:06:00");
            expect(e.message).to.contain(JSON.stringify(input));
        });
    }

    const badDaily: [string, RegExp][] = [
        ["", /hh24:mi-hh24:mi/],
        ["03:00", /hh24:mi-hh24:mi/],
        ["3:00-4:00", /"3:00" is not hh24:mi/],
        ["24:00-01:00", /hour 24/],
        ["03:75-04:00", /minute 75/],
        ["03:00-03:00", /the same/],
        ["sun:03:00-sun:04:00", /hh24:mi-hh24:mi/],
    ];
    for (const [input, reason] of badDaily) {
        it(`rejects daily ${JSON.stringify(input)}`, () => {
            const e = thrown(() => D(input));
            expect(e.reason).to.match(reason);
            expect(e.reason).to.contain("hh24:mi-hh24:mi");
        });
    }

    it("windowMinutes handles plain, midnight-wrapping and week-wrapping windows", () => {
        expect(windowMinutes(W("sun:05:00-sun:06:00"))).to.equal(60);
        expect(windowMinutes(W("sat:22:00-sun:02:00"))).to.equal(240);
        expect(windowMinutes(W("sun:23:00-mon:01:00"))).to.equal(120);
        expect(windowMinutes(W("mon:01:00-mon:00:00"))).to.equal(7 * 1440 - 60);
        expect(windowMinutes(D("03:00-04:00"))).to.equal(60);
        expect(windowMinutes(D("23:30-00:30"))).to.equal(60);
    });
});

describe("release/windows: overlap", () => {
    const cases: [string, string, boolean][] = [
        ["sun:05:00-sun:06:00", "sun:05:30-sun:06:30", true],
        ["sun:05:00-sun:06:00", "sun:06:00-sun:07:00", false], // touching is fine
        ["sun:05:00-sun:06:00", "mon:05:00-mon:06:00", false],
        ["sun:23:00-mon:01:00", "mon:00:30-mon:00:45", true], // week wrap
        ["sun:23:00-mon:01:00", "sun:22:00-sun:23:30", true],
        ["sun:23:00-mon:01:00", "mon:01:00-mon:02:00", false],
        ["03:00-04:00", "sun:05:00-sun:06:00", false], // the defaults
        ["03:00-04:00", "sun:03:30-sun:04:30", true], // daily vs weekly
        ["03:00-04:00", "wed:02:00-wed:03:01", true],
        ["03:00-04:00", "wed:04:00-wed:05:00", false],
        ["23:00-01:00", "mon:00:30-mon:00:45", true], // daily wrap vs weekly
        ["23:00-01:00", "sun:23:30-sun:23:45", true],
        ["23:00-01:00", "tue:01:00-tue:23:00", false],
        ["03:00-04:00", "03:30-05:00", true],
        ["23:00-01:00", "00:30-02:00", true],
        ["23:00-01:00", "01:00-23:00", false],
        ["sat:22:00-sun:02:00", "sun:01:59-sun:03:00", true],
    ];
    for (const [a, b, want] of cases) {
        const parse = (s: string) => (/^[a-z]/i.test(s) ? W(s) : D(s));
        it(`${a} ${want ? "overlaps" : "does not overlap"} ${b} (both directions)`, () => {
            expect(windowsOverlap(parse(a), parse(b))).to.equal(want);
            expect(windowsOverlap(parse(b), parse(a))).to.equal(want);
        });
    }
});

describe("release/windows: time zones and formatting", () => {
    it("isValidTimeZone accepts IANA names and rejects others", () => {
        for (const z of ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]) expect(isValidTimeZone(z), z).to.equal(true);
        for (const z of ["", "Mars/Base", "Europe/Berln", "CEST+1"]) expect(isValidTimeZone(z), z).to.equal(false);
    });

    it("formatInZone shows the local time, the zone and UTC", () => {
        expect(formatInZone(utc("2026-11-28T21:00:00Z"), "Europe/Berlin")).to.equal("Sat 2026-11-28 22:00 Europe/Berlin (21:00 UTC)");
        expect(formatInZone(utc("2026-11-28T23:30:00Z"), "Europe/Berlin")).to.equal(
            "Sun 2026-11-29 00:30 Europe/Berlin (Sat 2026-11-28 23:30 UTC)",
        );
        expect(formatInZone(utc("2026-07-01T12:00:00Z"), "America/New_York")).to.equal("Wed 2026-07-01 08:00 America/New_York (12:00 UTC)");
        expect(formatInZone(utc("2026-11-28T21:00:00Z"), "UTC")).to.equal("Sat 2026-11-28 21:00 UTC");
    });

    it("formatInZone rejects an unknown zone instead of printing 'Invalid DateTime'", () => {
        expect(() => formatInZone(new Date(), "Mars/Base")).to.throw(WindowError, /Mars\/Base/);
    });

    it("releaseWindowState rejects an unknown zone", () => {
        const e = thrown(() => releaseWindowState([W("sun:05:00-sun:06:00")], "Europe/Berln", new Date()));
        expect(e.message).to.contain("Europe/Berln");
        expect(e.reason).to.contain("IANA");
    });
});

describe("release/windows: releaseWindowState", () => {
    it("no windows: always open", () => {
        expect(releaseWindowState([], "Europe/Berlin", new Date())).to.deep.equal({ open: true, always: true });
    });

    describe("a plain window in UTC (tue:09:00-tue:17:00)", () => {
        const w = [W("tue:09:00-tue:17:00")];
        const state = (s: string) => releaseWindowState(w, "UTC", utc(s));

        it("is closed before the start and names the next opening", () => {
            const s = state("2025-06-10T08:59:59.999Z"); // a Tuesday
            expect(s).to.deep.include({ open: false, always: false });
            expect(s.current).to.equal(undefined);
            expect(s.next).to.deep.equal({
                window: "tue:09:00-tue:17:00",
                start: utc("2025-06-10T09:00:00Z"),
                end: utc("2025-06-10T17:00:00Z"),
            });
        });

        it("start is inclusive; next is then the following week's opening", () => {
            const s = state("2025-06-10T09:00:00Z");
            expect(s.open).to.equal(true);
            expect(iso(s.current?.start)).to.equal("2025-06-10T09:00:00.000Z");
            expect(iso(s.current?.end)).to.equal("2025-06-10T17:00:00.000Z");
            expect(iso(s.next?.start)).to.equal("2025-06-17T09:00:00.000Z");
        });

        it("inside: open until the end", () => {
            const s = state("2025-06-10T16:59:59.999Z");
            expect(s.open).to.equal(true);
            expect(iso(s.next?.start)).to.equal("2025-06-17T09:00:00.000Z");
        });

        it("end is exclusive", () => {
            const s = state("2025-06-10T17:00:00Z");
            expect(s.open).to.equal(false);
            expect(iso(s.next?.start)).to.equal("2025-06-17T09:00:00.000Z");
        });

        it("from the rest of the week, next is the coming Tuesday", () => {
            expect(iso(state("2025-06-08T23:00:00Z").next?.start)).to.equal("2025-06-10T09:00:00.000Z"); // Sunday
            expect(iso(state("2025-06-12T12:00:00Z").next?.start)).to.equal("2025-06-17T09:00:00.000Z"); // Thursday
        });
    });

    describe("windows that wrap", () => {
        it("midnight: sat:22:00-sun:02:00 in Europe/Berlin", () => {
            const w = [W("sat:22:00-sun:02:00")];
            // Sun 2025-06-15 01:00 CEST = Sat 23:00 UTC
            const inside = releaseWindowState(w, "Europe/Berlin", utc("2025-06-14T23:00:00Z"));
            expect(inside.open).to.equal(true);
            expect(iso(inside.current?.start)).to.equal("2025-06-14T20:00:00.000Z");
            expect(iso(inside.current?.end)).to.equal("2025-06-15T00:00:00.000Z");
            expect(iso(inside.next?.start)).to.equal("2025-06-21T20:00:00.000Z");
            const after = releaseWindowState(w, "Europe/Berlin", utc("2025-06-15T00:00:00Z"));
            expect(after.open).to.equal(false);
            expect(iso(after.next?.start)).to.equal("2025-06-21T20:00:00.000Z");
        });

        it("the end of the week: sun:23:00-mon:01:00, seen from Monday morning", () => {
            const w = [W("sun:23:00-mon:01:00")];
            const s = releaseWindowState(w, "UTC", utc("2025-06-16T00:30:00Z")); // Monday
            expect(s.open).to.equal(true);
            expect(iso(s.current?.start)).to.equal("2025-06-15T23:00:00.000Z");
            expect(iso(s.current?.end)).to.equal("2025-06-16T01:00:00.000Z");
            expect(iso(s.next?.start)).to.equal("2025-06-22T23:00:00.000Z");
            const sunday = releaseWindowState(w, "UTC", utc("2025-06-15T23:30:00Z"));
            expect(sunday.open).to.equal(true);
            expect(iso(sunday.current?.start)).to.equal("2025-06-15T23:00:00.000Z");
            const closed = releaseWindowState(w, "UTC", utc("2025-06-16T01:00:00Z"));
            expect(closed.open).to.equal(false);
            expect(iso(closed.next?.start)).to.equal("2025-06-22T23:00:00.000Z");
        });
    });

    describe("daylight saving time", () => {
        const berlin = [W("sun:01:00-sun:04:00")];

        it("Europe/Berlin spring forward (2025-03-30): the window lasts 2 real hours", () => {
            const before = releaseWindowState(berlin, "Europe/Berlin", utc("2025-03-29T12:00:00Z"));
            expect(before.open).to.equal(false);
            expect(iso(before.next?.start)).to.equal("2025-03-30T00:00:00.000Z"); // 01:00 CET
            expect(iso(before.next?.end)).to.equal("2025-03-30T02:00:00.000Z"); // 04:00 CEST
            expect(releaseWindowState(berlin, "Europe/Berlin", utc("2025-03-30T01:30:00Z")).open).to.equal(true); // 03:30 CEST
            expect(releaseWindowState(berlin, "Europe/Berlin", utc("2025-03-30T02:00:00Z")).open).to.equal(false); // 04:00 CEST
            expect(releaseWindowState(berlin, "Europe/Berlin", utc("2025-03-30T02:30:00Z")).open).to.equal(false); // 04:30 CEST
        });

        it("Europe/Berlin fall back (2025-10-26): the window lasts 4 real hours", () => {
            const before = releaseWindowState(berlin, "Europe/Berlin", utc("2025-10-25T12:00:00Z"));
            expect(iso(before.next?.start)).to.equal("2025-10-25T23:00:00.000Z"); // 01:00 CEST
            expect(iso(before.next?.end)).to.equal("2025-10-26T03:00:00.000Z"); // 04:00 CET
            expect(releaseWindowState(berlin, "Europe/Berlin", utc("2025-10-26T02:30:00Z")).open).to.equal(true); // 03:30 CET
            expect(releaseWindowState(berlin, "Europe/Berlin", utc("2025-10-26T03:00:00Z")).open).to.equal(false);
        });

        it("the week after a DST change uses the new offset", () => {
            const s = releaseWindowState(berlin, "Europe/Berlin", utc("2025-04-01T12:00:00Z"));
            expect(iso(s.next?.start)).to.equal("2025-04-05T23:00:00.000Z"); // 01:00 CEST
            const w = releaseWindowState(berlin, "Europe/Berlin", utc("2025-10-28T12:00:00Z"));
            expect(iso(w.next?.start)).to.equal("2025-11-02T00:00:00.000Z"); // 01:00 CET
        });

        it("a start that does not exist that day opens when the clock jumps", () => {
            const s = releaseWindowState([W("sun:02:30-sun:04:00")], "Europe/Berlin", utc("2025-03-29T12:00:00Z"));
            expect(iso(s.next?.start)).to.equal("2025-03-30T01:00:00.000Z"); // 03:00 CEST, the moment of the jump
            expect(iso(s.next?.end)).to.equal("2025-03-30T02:00:00.000Z");
            expect(releaseWindowState([W("sun:02:30-sun:04:00")], "Europe/Berlin", utc("2025-03-30T00:59:59Z")).open).to.equal(false);
            expect(releaseWindowState([W("sun:02:30-sun:04:00")], "Europe/Berlin", utc("2025-03-30T01:00:00Z")).open).to.equal(true);
        });

        it("a window wholly inside the skipped hour does not occur that week", () => {
            const s = releaseWindowState([W("sun:02:10-sun:02:40")], "Europe/Berlin", utc("2025-03-29T12:00:00Z"));
            expect(iso(s.next?.start)).to.equal("2025-04-06T00:10:00.000Z");
        });

        it("a start in the repeated hour uses its first occurrence", () => {
            const s = releaseWindowState([W("sun:02:30-sun:05:00")], "Europe/Berlin", utc("2025-10-25T12:00:00Z"));
            expect(iso(s.next?.start)).to.equal("2025-10-26T00:30:00.000Z"); // 02:30 CEST
            expect(iso(s.next?.end)).to.equal("2025-10-26T04:00:00.000Z"); // 05:00 CET
        });

        it("America/New_York spring forward (2025-03-09) and fall back (2025-11-02)", () => {
            const ny = [W("sun:01:30-sun:03:30")];
            const spring = releaseWindowState(ny, "America/New_York", utc("2025-03-08T12:00:00Z"));
            expect(iso(spring.next?.start)).to.equal("2025-03-09T06:30:00.000Z"); // 01:30 EST
            expect(iso(spring.next?.end)).to.equal("2025-03-09T07:30:00.000Z"); // 03:30 EDT
            const fall = releaseWindowState(ny, "America/New_York", utc("2025-11-01T12:00:00Z"));
            expect(iso(fall.next?.start)).to.equal("2025-11-02T05:30:00.000Z"); // 01:30 EDT (first)
            expect(iso(fall.next?.end)).to.equal("2025-11-02T08:30:00.000Z"); // 03:30 EST
            // 01:45 EST (the second 01:45) is still inside
            expect(releaseWindowState(ny, "America/New_York", utc("2025-11-02T06:45:00Z")).open).to.equal(true);
        });

        it("a wrapped window across the New York fall back: sat:22:00-sun:02:00", () => {
            const s = releaseWindowState([W("sat:22:00-sun:02:00")], "America/New_York", utc("2025-11-02T06:30:00Z")); // 01:30 EST
            expect(s.open).to.equal(true);
            expect(iso(s.current?.start)).to.equal("2025-11-02T02:00:00.000Z"); // Sat 22:00 EDT
            expect(iso(s.current?.end)).to.equal("2025-11-02T07:00:00.000Z"); // Sun 02:00 EST
        });
    });

    describe("several windows", () => {
        const windows = [W("tue:09:00-tue:17:00"), W("thu:09:00-thu:12:00"), W("sat:22:00-sun:02:00")];

        it("next is the earliest opening among all windows", () => {
            const s = releaseWindowState(windows, "Europe/Berlin", utc("2025-06-11T12:00:00Z")); // Wed
            expect(s.open).to.equal(false);
            expect(s.next?.window).to.equal("thu:09:00-thu:12:00");
            expect(iso(s.next?.start)).to.equal("2025-06-12T07:00:00.000Z");
        });

        it("when open, current is the containing window and next the following opening", () => {
            const s = releaseWindowState(windows, "Europe/Berlin", utc("2025-06-12T08:00:00Z")); // Thu 10:00 CEST
            expect(s.current?.window).to.equal("thu:09:00-thu:12:00");
            expect(s.next?.window).to.equal("sat:22:00-sun:02:00");
            expect(iso(s.next?.start)).to.equal("2025-06-14T20:00:00.000Z");
        });

        it("overlapping windows: current is the one that ends last", () => {
            const s = releaseWindowState([W("mon:09:00-mon:10:00"), W("mon:08:00-mon:12:00")], "UTC", utc("2025-06-09T09:30:00Z"));
            expect(s.current?.window).to.equal("mon:08:00-mon:12:00");
        });
    });

    describe("properties over a year", () => {
        const windows: WeeklyWindow[] = [W("sat:22:00-sun:02:00"), W("sun:23:00-mon:01:00"), W("wed:02:30-wed:03:15")];

        /** Naive model: is the LOCAL wall clock (weekday + time) inside one of the windows? */
        function wallClockInside(at: Date, zone: string): boolean {
            const l = DateTime.fromJSDate(at, { zone });
            const m = (l.weekday - 1) * 1440 + l.hour * 60 + l.minute;
            return windows.some((w) => (w.end > w.start ? m >= w.start && m < w.end : m >= w.start || m < w.end));
        }

        for (const zone of ["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]) {
            it(`${zone}: matches the wall clock away from DST changes; next opens strictly later`, () => {
                let checked = 0;
                for (let t = Date.UTC(2025, 0, 1, 0, 7); t < Date.UTC(2026, 0, 1); t += 331 * 60_000) {
                    const at = new Date(t);
                    const s = releaseWindowState(windows, zone, at);
                    const offsetNow = DateTime.fromMillis(t, { zone }).offset;
                    const dstNearby =
                        DateTime.fromMillis(t - 86_400_000, { zone }).offset !== offsetNow ||
                        DateTime.fromMillis(t + 86_400_000, { zone }).offset !== offsetNow;
                    if (!dstNearby) {
                        expect(s.open, `${zone} ${at.toISOString()}`).to.equal(wallClockInside(at, zone));
                        checked++;
                    }
                    if (s.open) expect(s.current!.start.getTime() <= t && t < s.current!.end.getTime()).to.equal(true);
                    expect(s.next!.start.getTime()).to.be.greaterThan(t);
                    expect(s.next!.start.getTime() - t).to.be.at.most(7 * 86_400_000 + 3_600_000);
                    if (checked % 4 === 0) expect(releaseWindowState(windows, zone, s.next!.start).open).to.equal(true);
                }
                expect(checked).to.be.greaterThan(1400);
            });
        }
    });
});
