/** policies/rules/loadBalancing.ts: load-balancer-health-checks. */
import { expect } from "chai";
import { PolicyInputResource } from "../../policies/evaluate";
import { T, details, healthCheck, run, targetGroup } from "./support";

describe("policies: load-balancer-health-checks", () => {
    const of = (r: PolicyInputResource) => details(run([r]), "load-balancer-health-checks");

    it("requires a healthCheck block", () => {
        expect(of(targetGroup({ healthCheck: undefined }))[0]).to.contain(`target group "backend-tg" has no healthCheck block`);
    });

    it("rejects a disabled health check", () => {
        expect(of(healthCheck({ enabled: false }))).to.deep.equal([
            `target group "backend-tg" has its health check disabled (healthCheck.enabled: false): unhealthy tasks keep receiving traffic. Set healthCheck.enabled: true.`,
        ]);
    });

    it("requires an explicit path and matcher", () => {
        expect(of(healthCheck({ path: undefined }))[0]).to.contain(`target group "backend-tg" has no explicit healthCheck.path`);
        expect(of(healthCheck({ matcher: "" }))[0]).to.contain(`target group "backend-tg" has no explicit healthCheck.matcher`);
    });

    it("does not ask a TCP health check for a path", () => {
        expect(of(healthCheck({ protocol: "TCP", path: undefined, matcher: undefined }))).to.deep.equal([]);
    });

    it("checks target groups declared through the aws.alb alias too", () => {
        expect(of(targetGroup({ healthCheck: undefined }, T.albTargetGroup))).to.have.length(1);
    });
});
