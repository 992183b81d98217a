import { expect } from "chai";
import {
    DeploymentSettings,
    ecsDeploymentConfiguration,
    linearSteps,
    progressiveWaitMinutes,
    ROLLING,
    strategyKeySpecs,
} from "../release/strategy";
import { circuitBreakerThreshold, estimateStrategy } from "../release/strategyTiming";
import type { RolloutParams } from "../release/rollout";

const params: RolloutParams = {
    desiredCount: 2,
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    healthCheckIntervalSeconds: 10,
    healthyThreshold: 2,
    healthCheckGracePeriodSeconds: 60,
    deregistrationDelaySeconds: 30,
};
const bg: DeploymentSettings = { ...ROLLING, strategy: "blue-green", bakeMinutes: 10 };

describe("release/strategy: deployment strategies", () => {
    it("rolling keeps today's service inputs (no deploymentConfiguration)", () => {
        expect(ecsDeploymentConfiguration(ROLLING)).to.equal(undefined);
    });

    it("blue-green, canary and linear become ECS's deploymentConfiguration with minutes as strings", () => {
        expect(ecsDeploymentConfiguration(bg)).to.deep.equal({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" });
        expect(ecsDeploymentConfiguration({ ...bg, strategy: "canary", canaryPercent: 5, canaryBakeMinutes: 15 })).to.deep.equal({
            strategy: "CANARY",
            bakeTimeInMinutes: "10",
            canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: "15" },
        });
        expect(
            ecsDeploymentConfiguration({ ...bg, strategy: "linear", linearStepPercent: 25, linearStepBakeMinutes: 3 })?.linearConfiguration,
        ).to.deep.equal({ stepPercent: 25, stepBakeTimeInMinutes: "3" });
    });

    it("an approval adds a PAUSE hook after the test-traffic shift that rolls back on timeout", () => {
        expect(ecsDeploymentConfiguration({ ...bg, approvalRequired: true, approvalTimeoutMinutes: 90 })?.lifecycleHooks).to.deep.equal([
            {
                targetType: "PAUSE",
                lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
                timeoutConfiguration: { timeoutInMinutes: "90", action: "ROLLBACK" },
            },
        ]);
    });

    it("declares the per-service keys with AWS's ranges", () => {
        const keys = new Map(strategyKeySpecs("backend").map((k) => [k.key, k]));
        expect([...keys.keys()]).to.deep.equal([
            "backendDeploymentStrategy",
            "backendBakeMinutes",
            "backendCanaryPercent",
            "backendCanaryBakeMinutes",
            "backendLinearStepPercent",
            "backendLinearStepBakeMinutes",
            "backendWaitForBake",
            "backendApprovalRequired",
            "backendApprovalTimeoutMinutes",
        ]);
        expect(keys.get("backendCanaryPercent")).to.include({ type: "number", min: 0.1, max: 100, step: 0.1 });
        expect(keys.get("backendLinearStepPercent")).to.include({ type: "number", min: 3, max: 100, step: 0.1 });
        expect(keys.get("backendBakeMinutes")).to.include({ type: "integer", min: 0, max: 1440, default: 10 });
        expect(keys.get("backendDeploymentStrategy")?.allowed).to.deep.equal(["rolling", "blue-green", "canary", "linear"]);
    });

    it("counts linear steps and the minutes a progressive deployment waits", () => {
        expect([linearSteps(10), linearSteps(3), linearSteps(33.3), linearSteps(100)]).to.deep.equal([10, 34, 4, 1]);
        expect(progressiveWaitMinutes(ROLLING)).to.equal(0);
        expect(progressiveWaitMinutes({ ...bg, approvalRequired: true, approvalTimeoutMinutes: 60 })).to.equal(70);
        expect(
            progressiveWaitMinutes(
                { ...bg, strategy: "linear", linearStepPercent: 25, linearStepBakeMinutes: 6 },
                { includeFinalBake: false },
            ),
        ).to.equal(18);
    });
});

describe("release/strategyTiming: rollout and rollback per strategy", () => {
    it("rolling: rollback is circuit-breaker detection plus a redeploy, in minutes", () => {
        expect([
            circuitBreakerThreshold(1),
            circuitBreakerThreshold(2),
            circuitBreakerThreshold(10),
            circuitBreakerThreshold(1000),
        ]).to.deep.equal([3, 3, 5, 200]);
        const t = estimateStrategy(params, ROLLING);
        expect(t.rollout.seconds).to.equal(60 + 20 + 30);
        // 3 failures in 2 waves of 2 × (60 + 60 + 3 × 10), then a 110 s redeploy
        expect(t.rollback.seconds).to.equal(2 * 150 + 110);
        expect(t.rollback.seconds).to.be.greaterThan(5 * 60);
    });

    it("blue-green: rollback during the bake is a traffic shift under 60 s; the rollout includes the bake", () => {
        const t = estimateStrategy(params, bg);
        expect(t.rollback.seconds).to.equal(30);
        expect(t.rollback.seconds).to.be.lessThan(60);
        expect(t.rollout.seconds).to.equal(60 + 20 + 10 + 10 + 600 + 30);
        expect(t.rollout.terms.map((x) => x.seconds).reduce((a, b) => a + b, 0)).to.equal(t.rollout.seconds);
        expect(t.alarmDetectionSeconds).to.equal(120);
    });

    it("canary and linear add their shifting bakes", () => {
        expect(estimateStrategy(params, { ...bg, strategy: "canary", canaryBakeMinutes: 5 }).rollout.seconds).to.equal(
            60 + 20 + 10 + (300 + 20) + 600 + 30,
        );
        expect(
            estimateStrategy(params, { ...bg, strategy: "linear", linearStepPercent: 50, linearStepBakeMinutes: 2 }).rollout.seconds,
        ).to.equal(60 + 20 + 10 + (120 + 20) + 600 + 30);
    });
});
