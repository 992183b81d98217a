/** The per-service strategy keys through the config funnel: defaults, AWS's ranges, and the checks across keys. */
import { expect } from "chai";
import { ConfigError, parseSettings, RawConfig } from "../config";
import { ROLLING } from "../release/strategy";
import { withServices } from "../services";

const BASE: RawConfig = {
    backendVersion: "v1.2.3",
    frontendVersion: "v1.2.3",
    backendImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend",
    frontendImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/frontend",
    "aws:region": "us-east-1",
};

function problems(values: RawConfig, stack = "staging"): string[] {
    try {
        parseSettings({ ...BASE, ...values }, stack);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems.map((p) => `${p.key}${p.value === undefined ? "" : `=${p.value}`}: ${p.message}`);
    }
}

describe("config: deployment strategy keys", () => {
    it("defaults every service to rolling, with AWS's defaults for the rest", () => {
        const s = parseSettings(BASE, "production");
        expect(s.services.backend.deployment).to.deep.equal(ROLLING);
        expect(s.services.frontend.deployment).to.deep.equal(ROLLING);
    });

    it("reads a canary with its share, bake and approval", () => {
        const s = parseSettings(
            {
                ...BASE,
                frontendDeploymentStrategy: "canary",
                frontendCanaryPercent: "2.5",
                frontendBakeMinutes: "30",
                frontendApprovalRequired: "true",
                frontendWaitForBake: "false",
            },
            "staging",
        );
        expect(s.services.frontend.deployment).to.include({
            strategy: "canary",
            canaryPercent: 2.5,
            bakeMinutes: 30,
            approvalRequired: true,
            waitForBake: false,
        });
    });

    it("names the key and what AWS accepts for every out-of-range value, all at once", () => {
        expect(
            problems({
                backendDeploymentStrategy: "bluegreen",
                backendBakeMinutes: "1441",
                backendCanaryPercent: "0.15",
                backendLinearStepPercent: "2.9",
                backendLinearStepBakeMinutes: "-1",
                backendApprovalTimeoutMinutes: "0",
                backendWaitForBake: "sometimes",
            }),
        ).to.deep.equal([
            "drydock:backendDeploymentStrategy=bluegreen: not accepted; accepted: rolling, blue-green, canary, linear",
            "drydock:backendBakeMinutes=1441: out of range; accepted: an integer from 0 to 1440 minutes",
            "drydock:backendCanaryPercent=0.15: not a multiple of 0.1; accepted: a number from 0.1 to 100 percent in steps of 0.1",
            "drydock:backendLinearStepPercent=2.9: out of range; accepted: a number from 3 to 100 percent in steps of 0.1",
            "drydock:backendLinearStepBakeMinutes=-1: out of range; accepted: an integer from 0 to 1440 minutes",
            "drydock:backendWaitForBake=sometimes: not a boolean; accepted: true or false",
            "drydock:backendApprovalTimeoutMinutes=0: out of range; accepted: an integer from 1 to 20160 minutes",
        ]);
    });

    it("refuses an approval without a progressive strategy, and five path patterns with one (the test rule adds the header)", () => {
        expect(problems({ backendApprovalRequired: "true" })).to.deep.equal([
            "drydock:backendApprovalRequired=true: an approval pauses a blue-green, canary or linear deployment; set backendDeploymentStrategy to one of them, or backendApprovalRequired to false",
        ]);
        const five = JSON.stringify(["/api/*", "/a/*", "/b/*", "/c/*", "/d/*"]);
        expect(problems({ backendPathPatterns: five })).to.deep.equal([]);
        expect(problems({ backendPathPatterns: five, backendDeploymentStrategy: "blue-green" })[0]).to.match(
            /^drydock:backendDeploymentStrategy=blue-green: the test listener rule matches the 5 path patterns plus the X-Drydock-Test header/,
        );
    });

    it("refuses a progressive strategy whose test-rule priority another route holds", async () => {
        const worker = {
            name: "admin",
            configPrefix: "admin",
            port: 9000,
            route: { pathPatterns: ["/admin/*"], priority: 99, healthCheckPath: "/" },
            database: false,
            hooks: [],
            defaults: { cpu: 256, memory: 512, desiredCount: 1, maxCount: 1 },
        };
        await withServices([worker], () => {
            const extra = { adminVersion: "v1.0.0", adminImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/admin" };
            expect(problems({ ...extra, backendDeploymentStrategy: "linear" })).to.deep.equal([
                "drydock:backendDeploymentStrategy=linear: the test listener rule needs priority 99 (one before backend's 100), which admin's route has; give backend's route another priority in the service table",
            ]);
        });
    });
});
