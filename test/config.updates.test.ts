import { expect } from "chai";
import { ConfigError, parseSettings, RawConfig } from "../config";

const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock";
const base = (extra: RawConfig = {}): RawConfig => ({
    backendVersion: "v1.2.3",
    frontendVersion: "v1.2.3",
    backendImage: `${REPO}/backend`,
    frontendImage: `${REPO}/frontend`,
    ...extra,
});

function problems(values: RawConfig, stack: string): string[] {
    try {
        parseSettings(values, stack);
    } catch (e) {
        expect(e).to.be.instanceOf(ConfigError);
        return (e as ConfigError).problems.map((p) => `${p.key}=${p.value}: ${p.message}`);
    }
    throw new Error("expected a ConfigError");
}

describe("config: automatic-update keys", () => {
    it("defaults: manual everywhere; no minimum age and autoApply in staging; 24h and pull requests in production", () => {
        expect(parseSettings(base(), "staging").updates).to.deep.equal({
            channel: "manual",
            minimumReleaseAge: "0",
            minimumReleaseAgeMs: 0,
            allowPrereleases: false,
            autoApply: true,
        });
        expect(parseSettings(base(), "production").updates).to.deep.include({
            minimumReleaseAge: "24h",
            minimumReleaseAgeMs: 86_400_000,
            autoApply: false,
        });
        expect(parseSettings(base(), "dev").updates).to.deep.include({ minimumReleaseAge: "0", autoApply: false });
    });

    it("the environment key decides the defaults, not only the stack name", () => {
        expect(parseSettings(base({ environment: "staging" }), "eu-main").updates).to.deep.include({
            autoApply: true,
            minimumReleaseAgeMs: 0,
        });
    });

    it("reads every key as written", () => {
        const u = parseSettings(
            base({ updateChannel: "patch", minimumReleaseAge: "1d12h", soakIn: "staging", allowPrereleases: "true", autoApply: "true" }),
            "production",
        ).updates;
        expect(u).to.deep.equal({
            channel: "patch",
            minimumReleaseAge: "1d12h",
            minimumReleaseAgeMs: 36 * 3_600_000,
            soakIn: "staging",
            allowPrereleases: true,
            autoApply: true,
        });
    });

    it("names the key, the value and what is accepted", () => {
        expect(problems(base({ updateChannel: "nightly" }), "staging")).to.deep.equal([
            "drydock:updateChannel=nightly: not accepted; accepted: manual, latest, patch, minor, major",
        ]);
        expect(problems(base({ minimumReleaseAge: "24" }), "staging")[0]).to.equal(
            'drydock:minimumReleaseAge=24: "24" has no unit (write e.g. 24h or 24m); accepted: 0, or whole numbers with units d, h, m, largest first, e.g. 30m, 24h, 2d, 1d12h',
        );
        expect(problems(base({ soakIn: "production" }), "production")[0]).to.match(
            /^drydock:soakIn=production: not another stack of this project/,
        );
        expect(problems(base({ autoApply: "yes" }), "staging")[0]).to.match(/^drydock:autoApply=yes: not accepted/);
    });
});
