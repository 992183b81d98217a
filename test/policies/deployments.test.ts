/** policies/rules/deployments.ts: zero-downtime-rolling-updates. */
import { expect } from "chai";
import { details, run, service } from "./support";

describe("policies: zero-downtime-rolling-updates", () => {
    const of = (props: Record<string, unknown>) => details(run([service(props)]), "zero-downtime-rolling-updates");

    it("requires minimum healthy percent >= 100", () => {
        expect(of({ deploymentMinimumHealthyPercent: 50 })).to.deep.equal([
            `service "backend-service" has deploymentMinimumHealthyPercent 50: a rollout stops old tasks before new ones are healthy. Set it to at least 100.`,
        ]);
    });

    it("requires maximum percent >= 200", () => {
        expect(of({ deploymentMaximumPercent: 150 })[0]).to.contain(`service "backend-service" has deploymentMaximumPercent 150`);
    });

    it("requires a circuit breaker that rolls back", () => {
        expect(of({ deploymentCircuitBreaker: undefined })[0]).to.contain(`service "backend-service" has no deploymentCircuitBreaker`);
        expect(of({ deploymentCircuitBreaker: { enable: true, rollback: false } })[0]).to.contain(
            "does not roll back failed deployments (rollback is false)",
        );
        expect(of({ deploymentCircuitBreaker: { enable: false, rollback: true } })[0]).to.contain("(enable is false)");
    });

    it("requires a health-check grace period", () => {
        expect(of({ healthCheckGracePeriodSeconds: undefined })[0]).to.contain(
            `service "backend-service" has no healthCheckGracePeriodSeconds`,
        );
        expect(of({ healthCheckGracePeriodSeconds: 0 })[0]).to.contain(
            `service "backend-service" has a zero healthCheckGracePeriodSeconds`,
        );
    });

    it("accepts ECS's defaults (100/200) when the percentages are unset", () => {
        expect(of({ deploymentMinimumHealthyPercent: undefined, deploymentMaximumPercent: undefined })).to.deep.equal([]);
    });

    it("does not apply to services without a load balancer or with another deployment controller", () => {
        expect(of({ loadBalancers: [], deploymentMinimumHealthyPercent: 0 })).to.deep.equal([]);
        expect(of({ deploymentController: { type: "CODE_DEPLOY" }, deploymentMinimumHealthyPercent: 0 })).to.deep.equal([]);
    });
});
