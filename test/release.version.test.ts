import { expect } from "chai";
import { ACCEPTED_VERSION_FORMS, ImageVersion, parseVersion, tryParseVersion, VersionError, VersionKind } from "../release/version";
import { compareVersions, sortNewestFirst } from "../release/versionOrder";

const HEX64 = "0123456789abcdef".repeat(4);

describe("release/version: accepted forms", () => {
    const accepted: [string, VersionKind, boolean, Partial<ImageVersion>][] = [
        ["latest", "latest", false, {}],
        ["v1", "floating", false, { release: "1" }],
        ["v1.2", "floating", false, { release: "1.2" }],
        ["1", "floating", false, { release: "1" }],
        ["1.2", "floating", false, { release: "1.2" }],
        ["v0", "floating", false, { release: "0" }],
        ["v0.0", "floating", false, { release: "0.0" }],
        ["v10.20", "floating", false, { release: "10.20" }],
        ["v1.2.3", "semver", true, { release: "1.2.3" }],
        ["1.2.3", "semver", true, { release: "1.2.3" }],
        ["v0.0.0", "semver", true, { release: "0.0.0" }],
        ["v1.10.0", "semver", true, { release: "1.10.0" }],
        ["v1.3.0-rc.1", "semver", true, { release: "1.3.0-rc.1" }],
        ["1.3.0-alpha", "semver", true, { release: "1.3.0-alpha" }],
        ["v2.0.0-beta.2.x-y", "semver", true, { release: "2.0.0-beta.2.x-y" }],
        ["v1.2.3-4", "semver", true, { release: "1.2.3-4" }],
        ["20241213-152430", "timestamp", true, { buildTime: new Date("2024-12-13T15:24:30Z") }],
        ["20240229-000000", "timestamp", true, { buildTime: new Date("2024-02-29T00:00:00Z") }],
        ["19991231-235959", "timestamp", true, { buildTime: new Date("1999-12-31T23:59:59Z") }],
        [
            "v1.2.3-20241213-152430-a1b2c3d4",
            "full",
            true,
            { release: "1.2.3", buildTime: new Date("2024-12-13T15:24:30Z"), commit: "a1b2c3d4" },
        ],
        ["1.2.3-20241213-152430-abcdef0", "full", true, { release: "1.2.3", commit: "abcdef0" }],
        [`v1.2.3-20241213-152430-${"a".repeat(40)}`, "full", true, { commit: "a".repeat(40) }],
        ["v1.3.0-rc.1-20241213-152430-a1b2c3d4", "full", true, { release: "1.3.0-rc.1", commit: "a1b2c3d4" }],
        [`sha256:${HEX64}`, "digest", true, { digest: `sha256:${HEX64}` }],
        ["main", "other", false, {}],
        ["security-patch", "other", false, {}],
        ["Latest", "other", false, {}],
        ["feature_x.y", "other", false, {}],
        ["_underscore", "other", false, {}],
        ["v1.2-alpine", "other", false, {}],
        ["release-2024", "other", false, {}],
        ["a".repeat(128), "other", false, {}],
        ["sha256-abc", "other", false, {}],
        ["vnext", "other", false, {}],
    ];
    for (const [input, kind, immutable, fields] of accepted) {
        it(`accepts ${JSON.stringify(input.length > 60 ? input.slice(0, 60) + "…" : input)} as ${kind}`, () => {
            const v = parseVersion(input);
            expect(v.raw).to.equal(input);
            expect(v.kind).to.equal(kind);
            expect(v.immutable).to.equal(immutable);
            for (const [k, want] of Object.entries(fields)) {
                expect(v[k as keyof ImageVersion], k).to.deep.equal(want);
            }
            expect(tryParseVersion(input)).to.deep.equal({ ok: true, version: v });
        });
    }

    it("sets only the fields that belong to the kind", () => {
        expect(parseVersion("latest")).to.deep.equal({ raw: "latest", kind: "latest", immutable: false });
        expect(parseVersion("main")).to.deep.equal({ raw: "main", kind: "other", immutable: false });
        expect(parseVersion("v1.2.3")).to.not.have.property("buildTime");
        expect(parseVersion("20241213-152430")).to.not.have.property("release");
    });
});

describe("release/version: classification", () => {
    it("immutable = semver, timestamp, full, digest; mutable = latest, floating, other", () => {
        const byKind = (s: string) => [parseVersion(s).kind, parseVersion(s).immutable];
        expect(byKind("v1.2.3")).to.deep.equal(["semver", true]);
        expect(byKind("20241213-152430")).to.deep.equal(["timestamp", true]);
        expect(byKind("v1.2.3-20241213-152430-a1b2c3d4")).to.deep.equal(["full", true]);
        expect(byKind(`sha256:${HEX64}`)).to.deep.equal(["digest", true]);
        expect(byKind("latest")).to.deep.equal(["latest", false]);
        expect(byKind("v1.2")).to.deep.equal(["floating", false]);
        expect(byKind("main")).to.deep.equal(["other", false]);
    });

    it("detects a full tag before semver (semver alone would call it a pre-release)", () => {
        const v = parseVersion("v1.2.3-20241213-152430-a1b2c3d4");
        expect(v.kind).to.equal("full");
        expect(v.release).to.equal("1.2.3");
    });
});

describe("release/version: rejected forms", () => {
    const rejected: [string, RegExp][] = [
        ["", /empty/],
        [" ", /whitespace/],
        ["v1.2.3 ", /whitespace/],
        [" v1.2.3", /whitespace/],
        ["v1. 2", /whitespace/],
        ["main\n", /whitespace/],
        ["a\tb", /whitespace/],
        ["repo:tag", /":" is not allowed/],
        ["v1:2", /":" is not allowed/],
        [":latest", /":" is not allowed/],
        ["host:5000/repo", /":" is not allowed/],
        ["feature/x", /"\/" is not allowed/],
        ["v1.2.3+build.5", /"\+" is not allowed.*build metadata/],
        ["tag@sha256:abc", /not allowed|digest/],
        ["ümlaut", /is not allowed/],
        ["tag!", /"!" is not allowed/],
        ["tag$", /is not allowed/],
        [".hidden", /cannot start with "\."/],
        ["-dash", /cannot start with "-"/],
        ["a".repeat(129), /129 characters.*at most 128/],
        [`sha256:${HEX64.slice(1)}`, /64 hex characters, this one has 63/],
        [`sha256:${HEX64}0`, /64 hex characters, this one has 65/],
        ["sha256:", /64 hex characters, this one has 0/],
        [`sha256:${HEX64.toUpperCase()}`, /lowercase/],
        [`sha256:${"g".repeat(64)}`, /other than lowercase hex/],
        [`SHA256:${HEX64}`, /lowercase "sha256"/],
        [`sha512:${HEX64}${HEX64}`, /unsupported digest algorithm "sha512"/],
        [`md5:${HEX64.slice(0, 32)}`, /unsupported digest algorithm "md5"/],
        ["20241332-250000", /not a real UTC date-time/],
        ["20241301-120000", /not a real UTC date-time/],
        ["20240230-120000", /not a real UTC date-time/],
        ["20230229-120000", /not a real UTC date-time/],
        ["20241213-240000", /not a real UTC date-time/],
        ["20241213-236000", /not a real UTC date-time/],
        ["20241213-235960", /not a real UTC date-time/],
        ["20241200-120000", /not a real UTC date-time/],
        ["00000000-000000", /not a real UTC date-time/],
        ["2024121-152430", /timestamp.*YYYYMMDD-HHMMSS/],
        ["20241213-15243", /timestamp.*YYYYMMDD-HHMMSS/],
        ["20241213152430", /timestamp.*YYYYMMDD-HHMMSS/],
        ["20241213", /timestamp/],
        ["v1.2.3-20241332-152430-a1b2c3d4", /full tag.*not a real UTC date-time/],
        ["v1.2.3-20240230-152430-a1b2c3d4", /full tag.*not a real UTC date-time/],
        ["v1.2.3-20241213-152430-A1B2C3D4", /full tag.*commit of 7-40 lowercase hex/],
        ["v1.2.3-20241213-152430-abc123", /full tag.*commit/],
        [`v1.2.3-20241213-152430-${"a".repeat(41)}`, /full tag.*commit/],
        ["v1.2.3-20241213-152430-xyz1234", /full tag.*commit/],
        ["v1.2.3-20241213-152430", /full tag.*commit/],
        ["v1.2.3-20241213-152430-a1b2c3d4-extra", /full tag.*commit/],
        ["v01.2.3-20241213-152430-a1b2c3d4", /full tag.*not a valid semver/],
        ["v1..2", /looks like a version/],
        ["1.2.3.4", /looks like a version/],
        ["v1.2.3.4", /looks like a version/],
        ["v1.2.", /looks like a version/],
        ["v1.", /looks like a version/],
        ["1.", /looks like a version/],
        ["v01.2.3", /looks like a version/],
        ["v1.02.3", /looks like a version/],
        ["v01", /looks like a version/],
        ["v1.2.3-", /looks like a version/],
        ["v1.2.3-rc..1", /looks like a version/],
        ["v1.2.3-rc.01", /looks like a version/],
        ["1-2", /looks like a version/],
        ["v1-2-3", /looks like a version/],
        ["V1.2.3", /uppercase V/],
        ["V1", /uppercase V/],
    ];
    for (const [input, reason] of rejected) {
        it(`rejects ${JSON.stringify(input.length > 60 ? input.slice(0, 60) + "…" : input)}`, () => {
            const r = tryParseVersion(input);
            expect(r.ok, JSON.stringify(r)).to.equal(false);
            if (r.ok) return;
            expect(r.reason).to.match(reason);
            let thrown: unknown;
            try {
                parseVersion(input);
            } catch (e) {
                thrown = e;
            }
            expect(thrown).to.be.instanceOf(VersionError);
            const err = thrown as VersionError;
            expect(err.reason).to.equal(r.reason);
            expect(err.input).to.equal(input);
            expect(err.message).to.contain(JSON.stringify(input));
            expect(err.message).to.contain(r.reason);
            expect(err.message).to.contain(ACCEPTED_VERSION_FORMS);
        });
    }

    it("the accepted-forms text names every form with an example", () => {
        for (const s of [
            "latest",
            "v1.2",
            "v1.2.3",
            "v1.3.0-rc.1",
            "20241213-152430",
            "v1.2.3-20241213-152430-a1b2c3d4",
            "sha256:",
            "main",
        ]) {
            expect(ACCEPTED_VERSION_FORMS).to.contain(s);
        }
        expect(ACCEPTED_VERSION_FORMS).to.not.contain("\n");
    });

    it("a non-string input is rejected, not crashed on", () => {
        expect(tryParseVersion(undefined as unknown as string).ok).to.equal(false);
        expect(() => parseVersion(42 as unknown as string)).to.throw(VersionError);
    });

    it("every example in the accepted-forms text that names a form parses", () => {
        for (const s of ["latest", "v1", "v1.2", "v1.2.3", "v1.3.0-rc.1", "20241213-152430", "v1.2.3-20241213-152430-a1b2c3d4", "main"]) {
            expect(tryParseVersion(s).ok, s).to.equal(true);
        }
    });
});

describe("release/version: ordering", () => {
    const v = parseVersion;
    const cmp = (a: string, b: string) => compareVersions(v(a), v(b));
    const ascending = (...xs: string[]) => {
        for (let i = 0; i < xs.length; i++) {
            for (let j = 0; j < xs.length; j++) {
                const want = Math.sign(i - j);
                expect(cmp(xs[i], xs[j]), `${xs[i]} vs ${xs[j]}`).to.equal(want);
            }
        }
    };

    it("semver precedence, not text order: v1.10.0 after v1.9.3", () => {
        expect(cmp("v1.10.0", "v1.9.3")).to.equal(1);
        expect(cmp("v1.9.3", "v1.10.0")).to.equal(-1);
        ascending("v0.9.0", "v1.2.3", "v1.9.3", "v1.10.0", "v2.0.0", "v10.0.0");
    });

    it("pre-releases come before their release", () => {
        ascending("v1.2.9", "v1.3.0-alpha", "v1.3.0-rc.1", "v1.3.0-rc.2", "v1.3.0-rc.10", "v1.3.0", "v1.3.1");
    });

    it("the v is irrelevant to ordering", () => {
        expect(cmp("v1.2.3", "1.2.3")).to.equal(0);
        expect(cmp("v1.2", "1.2")).to.equal(0);
    });

    it("a full tag orders as its release, then build time, after the plain tag of that release", () => {
        ascending(
            "v1.2.2-20250101-000000-fffffff",
            "v1.2.3-rc.1",
            "v1.2.3",
            "v1.2.3-20241213-152430-bbbbbbb",
            "v1.2.3-20241214-000000-aaaaaaa",
            "v1.2.4",
            "v1.2.4-20200101-000000-aaaaaaa",
        );
        // Semver alone would put the full tag BELOW 1.2.3 (as a pre-release); drydock does not.
        expect(cmp("v1.2.3-20241213-152430-a1b2c3d4", "v1.2.3")).to.equal(1);
    });

    it("full tags of the same version and time order by commit, deterministically", () => {
        expect(cmp("v1.2.3-20241213-152430-aaaaaaa", "v1.2.3-20241213-152430-bbbbbbb")).to.equal(-1);
        expect(cmp("v1.2.3-20241213-152430-aaaaaaa", "1.2.3-20241213-152430-aaaaaaa")).to.equal(0);
    });

    it("a pre-release full tag orders as its pre-release", () => {
        ascending("v1.3.0-rc.1", "v1.3.0-rc.1-20241213-152430-a1b2c3d4", "v1.3.0-rc.2", "v1.3.0");
    });

    it("floating tags sort above every release they can float to", () => {
        ascending(
            "v1.1.9",
            "v1.2.0-rc.1",
            "v1.2.0",
            "v1.2.99",
            "v1.2.99-20991231-235959-fffffff",
            "v1.2",
            "v1.3.0-rc.1",
            "v1.3",
            "v1.99.0",
            "v1",
            "v2.0.0-rc.1",
            "v2",
        );
    });

    it("timestamps order by time and below every semver-family tag", () => {
        ascending(
            "20200101-000000",
            "20241213-152430",
            "20241213-152431",
            "29991231-235959",
            "v0.0.0",
            "v0",
            "v1.2.3-19700101-000000-aaaaaaa",
        );
    });

    it("latest is above everything; other and digests are at the bottom, by text", () => {
        ascending(
            `sha256:${"0".repeat(64)}`,
            `sha256:${"f".repeat(64)}`,
            "feature-a",
            "main",
            "zzz",
            "19700101-000000",
            "v0.0.1",
            "v999",
            "latest",
        );
    });

    it("is antisymmetric and reflexive over a mixed set", () => {
        const all = [
            "latest",
            "v1",
            "v1.2",
            "v1.2.3",
            "1.2.3",
            "v1.3.0-rc.1",
            "20241213-152430",
            "v1.2.3-20241213-152430-a1b2c3d4",
            `sha256:${HEX64}`,
            "main",
            "dev",
        ];
        for (const a of all) {
            expect(cmp(a, a)).to.equal(0);
            for (const b of all) expect(cmp(a, b)).to.equal(-cmp(b, a) || 0);
        }
    });

    it("sortNewestFirst sorts newest first, is stable and does not mutate its input", () => {
        const items = [
            { id: 1, tag: "v1.9.3" },
            { id: 2, tag: "latest" },
            { id: 3, tag: "v1.2.3" },
            { id: 4, tag: "main" },
            { id: 5, tag: "1.2.3" },
            { id: 6, tag: "v1.10.0" },
            { id: 7, tag: "v1.2.3-20241213-152430-a1b2c3d4" },
            { id: 8, tag: "20241213-152430" },
            { id: 9, tag: "v1.2.3" },
        ];
        const before = JSON.stringify(items);
        const sorted = sortNewestFirst(items, (i) => v(i.tag));
        expect(JSON.stringify(items)).to.equal(before);
        expect(sorted).to.not.equal(items);
        // 3, 5 and 9 are the same release: they keep their input order.
        expect(sorted.map((i) => i.id)).to.deep.equal([2, 6, 1, 7, 3, 5, 9, 8, 4]);
    });

    it("sortNewestFirst handles empty and single lists", () => {
        expect(sortNewestFirst([], (x: string) => v(x))).to.deep.equal([]);
        expect(sortNewestFirst(["v1.2.3"], (x) => v(x))).to.deep.equal(["v1.2.3"]);
    });
});
