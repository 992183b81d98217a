/** policies/rules/strategies.ts: progressive-deployment-safeguards. */
import { expect } from "chai";
import { details, run, service, unknown } from "./support";

const POLICY = "progressive-deployment-safeguards";

/** A passing blue/green backend: bake 10, alarms that roll back, advancedConfiguration. */
function blueGreen(over: Record<string, unknown> = {}, deployment: Record<string, unknown> = {}, stack = "production") {
    return service(
        {
            deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: "10", ...deployment },
            alarms: {
                alarmNames: ["drydock-production-backend-target-5xx", "drydock-production-backend-unhealthy-hosts"],
                enable: true,
                rollback: true,
            },
            loadBalancers: [
                {
                    containerName: "backend",
                    containerPort: 8000,
                    targetGroupArn: "arn:aws:elasticloadbalancing:tg/backend",
                    advancedConfiguration: {
                        alternateTargetGroupArn: "arn:aws:elasticloadbalancing:tg/backend-alt",
                        productionListenerRule: "arn:aws:elasticloadbalancing:listener-rule/prod",
                        testListenerRule: "arn:aws:elasticloadbalancing:listener-rule/test",
                        roleArn: "arn:aws:iam::123456789012:role/backend-ecs-infrastructure",
                    },
                },
            ],
            ...over,
        },
        stack,
    );
}

const of = (...args: Parameters<typeof blueGreen>) => details(run([blueGreen(...args)]), POLICY);
const subject = `service "backend-service" (BLUE_GREEN)`;

describe(`policies: ${POLICY}`, () => {
    it("passes a blue/green service with a 10-minute bake and rollback alarms, and does not apply to rolling services", () => {
        expect(of()).to.deep.equal([]);
        expect(details(run([service()]), POLICY)).to.deep.equal([]);
        expect(details(run([service({ deploymentConfiguration: { strategy: "ROLLING" } })]), POLICY)).to.deep.equal([]);
    });

    it("refuses a 1-minute bake in production, naming the key to set", () => {
        expect(of({}, { bakeTimeInMinutes: "1" })).to.deep.equal([
            `${subject} bakes 1 minute in production stack "production": the old revision must keep running at least 5 minutes after the traffic shift so an alarm can roll back in seconds. ` +
                `Set pulumi config set backendBakeMinutes 10 -s production.`,
        ]);
        expect(of({}, { bakeTimeInMinutes: undefined })[0]).to.contain(`${subject} bakes no minutes in production stack "production"`);
    });

    it("takes the minimum bake from policy config, and leaves staging alone", () => {
        const strict = details(run([blueGreen({}, { bakeTimeInMinutes: "10" })], { [POLICY]: { minimumBakeMinutes: 15 } }), POLICY);
        expect(strict[0]).to.contain("bakes 10 minutes").and.to.contain("at least 15 minutes").and.to.contain("backendBakeMinutes 15");
        expect(of({}, { bakeTimeInMinutes: "0" }, "staging")).to.deep.equal([]);
    });

    it("requires deployment alarms that roll back in production", () => {
        const expected = `${subject} has no deployment alarms that roll back in production stack "production"`;
        expect(of({ alarms: undefined })[0]).to.contain(expected);
        expect(of({ alarms: { alarmNames: ["a"], enable: true, rollback: false } })[0]).to.contain(expected);
        expect(of({ alarms: { alarmNames: [], enable: true, rollback: true } })[0]).to.contain(expected);
        expect(of({ alarms: undefined }, {}, "staging")).to.deep.equal([]);
    });

    it("refuses a canary above 50% as not a canary, in any stack", () => {
        const canary = (percent: number, stack = "production") =>
            of({}, { strategy: "CANARY", canaryConfiguration: { canaryPercent: percent, canaryBakeTimeInMinutes: "10" } }, stack);
        expect(canary(50)).to.deep.equal([]);
        expect(canary(50.1)).to.deep.equal([
            `service "backend-service" (CANARY) sends 50.1% of production traffic to the canary: more than 50% is not a canary. ` +
                `Use a canary of at most 50% (pulumi config set backendCanaryPercent 10), or blue-green.`,
        ]);
        expect(canary(80, "staging")[0]).to.contain("is not a canary");
        // A string share is coerced by the provider, so it is judged the same way.
        expect(of({}, { strategy: "CANARY", canaryConfiguration: { canaryPercent: "80" } })[0]).to.contain(
            "sends 80% of production traffic",
        );
    });

    it("refuses a strategy ECS does not know, which no deployment rule would otherwise judge", () => {
        expect(details(run([service({ deploymentConfiguration: { strategy: "blue_green" } })]), POLICY)).to.deep.equal([
            `service "backend-service" has deploymentConfiguration.strategy "blue_green", which ECS does not know; accepted: ROLLING, BLUE_GREEN, CANARY, LINEAR.`,
        ]);
    });

    it("requires advancedConfiguration on the load balancer", () => {
        expect(of({ loadBalancers: [{ containerName: "backend", containerPort: 8000, targetGroupArn: "arn:tg" }] })[0]).to.contain(
            `${subject} has a load balancer without advancedConfiguration (alternateTargetGroupArn, productionListenerRule, roleArn)`,
        );
    });

    it("still judges the canary share while the bake is unknown during a preview", () => {
        const v = run([
            blueGreen(
                {},
                { strategy: "CANARY", bakeTimeInMinutes: unknown.unknownStringValue, canaryConfiguration: { canaryPercent: 90 } },
            ),
        ]).filter((x) => x.policy === POLICY);
        expect(v.map((x) => x.message).join("\n")).to.contain("is not a canary");
    });
});
