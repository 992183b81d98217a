/** `drydock check` with a progressive deployment strategy: the done-when command, the bake policy, the rollback model. */
import { expect } from "chai";
import { check } from "./support/checkCommand";

interface Resource {
    type: string;
    name: string;
    inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("drydock check: progressive deployment strategies", function () {
    this.timeout(120_000);

    it("check --stack production --set backendDeploymentStrategy=blue-green --json: BLUE_GREEN with a bake, alternate target group, both rules and the role", async () => {
        const r = await check(["--stack", "production", "--set", "backendDeploymentStrategy=blue-green", "--json"]);
        expect(r.stderr).to.equal("");
        expect(r.code).to.equal(0);
        const report = JSON.parse(r.stdout) as {
            ok: boolean;
            resources: Resource[];
            violations: unknown[];
            rollout: { service: string; strategy: string; seconds: number; rollback: { seconds: number } }[];
        };
        expect(report.ok).to.equal(true);
        const byName = (type: string, name: string) => report.resources.find((x) => x.type === type && x.name === name);
        const svc = report.resources.find((x) => x.type === "aws:ecs/service:Service" && x.inputs.name === "backend-service") as Resource;
        expect(svc.inputs.deploymentConfiguration).to.deep.equal({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" });
        const adv = svc.inputs.loadBalancers[0].advancedConfiguration;
        const alt = byName("aws:lb/targetGroup:TargetGroup", "backend-tg-alt");
        const test = byName("aws:lb/listenerRule:ListenerRule", "backend-test-route");
        const prod = byName("aws:lb/listenerRule:ListenerRule", "backend-route");
        const role = byName("aws:iam/role:Role", "backend-ecs-infrastructure");
        expect([alt, test, prod, role].every(Boolean), "alternate target group, both rules, the role").to.equal(true);
        expect(Object.keys(adv).sort()).to.deep.equal(["alternateTargetGroupArn", "productionListenerRule", "roleArn", "testListenerRule"]);
        expect(adv.alternateTargetGroupArn).to.match(/:targetgroup\/backend-tg-alt-/);
        expect(adv.productionListenerRule).to.match(/backend-route/);
        expect(adv.testListenerRule).to.match(/backend-test-route/);
        expect(adv.roleArn).to.match(/:role\/backend-ecs-infrastructure-/);
        const frontend = report.resources.find(
            (x) => x.type === "aws:ecs/service:Service" && x.inputs.name === "frontend-service",
        ) as Resource;
        expect(frontend.inputs.deploymentConfiguration).to.equal(undefined);
        const backend = report.rollout.find((x) => x.service === "backend-service");
        expect(backend).to.include({ strategy: "blue-green" });
        expect(backend?.rollback.seconds).to.be.lessThan(60);
        expect(report.rollout.find((x) => x.service === "frontend-service")?.rollback.seconds).to.be.greaterThan(5 * 60);
    });

    it("a 1-minute bake in production is a mandatory violation (exit 1)", async () => {
        const r = await check(["--stack", "production", "--set", "backendDeploymentStrategy=blue-green", "--set", "backendBakeMinutes=1"]);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.include("progressive-deployment-safeguards");
        expect(r.stdout).to.include(`service "backend-service" (BLUE_GREEN) bakes 1 minute in production stack "production"`);
        expect(r.stdout).to.match(/backend-service\s+blue-green\s+~\d+m \d\ds\s+~30s/);
    });

    it("refuses an out-of-range canary share with the key named (exit 2)", async () => {
        const r = await check(["--stack", "production", "--set", "backendDeploymentStrategy=canary", "--set", "backendCanaryPercent=0.05"]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.equal(
            "drydock: --set backendCanaryPercent=0.05: out of range; accepted: a number from 0.1 to 100 percent in steps of 0.1 (fix the value given with --set)\n",
        );
    });
});
