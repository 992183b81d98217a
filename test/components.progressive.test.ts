/**
 * Blue/green, canary and linear deployments under mocks: what the route and the service get for each strategy,
 * for both services, and that a rolling service keeps exactly today's resources.
 */
import { expect } from "chai";
import type { MockCloud, RecordedResource } from "../offline/mockCloud";
import { one, T } from "./support/records";
import { synthesize } from "./support/synthesize";

const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

function inputs(r: RecordedResource): Record<string, any> /* eslint-disable-line @typescript-eslint/no-explicit-any */ {
    return r.inputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The ECS service, its rules and target groups of one service. */
function partsOf(cloud: MockCloud, service: "backend" | "frontend") {
    const svc = cloud.byType(T.service).find((r) => r.inputs.name === `${service}-service`) as RecordedResource;
    return {
        svc,
        tg: one(cloud, T.targetGroup, `${service}-tg`),
        rule: one(cloud, T.rule, `${service}-route`),
        alt: cloud.byType(T.targetGroup).find((r) => r.name === `${service}-tg-alt`),
        test: cloud.byType(T.rule).find((r) => r.name === `${service}-test-route`),
        role: cloud.byType(T.role).find((r) => r.name === `${service}-ecs-infrastructure`),
        attachment: cloud.byType(ATTACHMENT).find((r) => r.name === `${service}-ecs-infrastructure-lb`),
    };
}

describe("components: progressive deployment strategies", function () {
    this.timeout(60_000);

    it("rolling (the default) adds nothing: no alternate target group, test rule, role or deploymentConfiguration", async () => {
        const { cloud } = await synthesize("production");
        for (const service of ["backend", "frontend"] as const) {
            const p = partsOf(cloud, service);
            expect([p.alt, p.test, p.role, p.attachment]).to.deep.equal([undefined, undefined, undefined, undefined]);
            expect(inputs(p.svc).deploymentConfiguration).to.equal(undefined);
            expect(inputs(p.svc).loadBalancers[0].advancedConfiguration).to.equal(undefined);
            expect(inputs(p.rule).actions).to.deep.equal([
                { type: "forward", targetGroupArn: inputs(p.tg).arn ?? inputs(p.rule).actions[0].targetGroupArn },
            ]);
            expect(p.rule.ignoreChanges).to.equal(undefined);
            expect(inputs(p.svc).waitForSteadyState).to.equal(true);
        }
    });

    for (const service of ["backend", "frontend"] as const) {
        it(`${service} blue-green: alternate target group, production and test rules (ignoreChanges on actions), infrastructure role, advancedConfiguration`, async () => {
            const { cloud } = await synthesize("production", {
                [`${service}DeploymentStrategy`]: "blue-green",
                [`${service}BakeMinutes`]: "15",
            });
            const p = partsOf(cloud, service);
            expect(p.alt, "alternate target group").to.not.equal(undefined);
            const alt = p.alt as RecordedResource;
            for (const key of ["port", "protocol", "targetType", "deregistrationDelay", "healthCheck", "vpcId"])
                expect(inputs(alt)[key], key).to.deep.equal(inputs(p.tg)[key]);

            const svc = inputs(p.svc);
            expect(svc.deploymentConfiguration).to.deep.equal({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "15" });
            expect(svc.waitForSteadyState).to.equal(false);
            expect(svc.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
            const adv = svc.loadBalancers[0].advancedConfiguration;
            expect(Object.keys(adv).sort()).to.deep.equal([
                "alternateTargetGroupArn",
                "productionListenerRule",
                "roleArn",
                "testListenerRule",
            ]);
            for (const v of Object.values(adv)) expect(v).to.be.a("string").and.match(/^arn:/);
            expect(adv.alternateTargetGroupArn).to.not.equal(svc.loadBalancers[0].targetGroupArn);

            const prod = inputs(p.rule);
            expect(prod.actions[0].forward.targetGroups.map((t: { weight: number }) => t.weight)).to.deep.equal([100, 0]);
            expect(p.rule.ignoreChanges).to.deep.equal(["actions"]);
            const test = p.test as RecordedResource;
            expect(test.ignoreChanges).to.deep.equal(["actions"]);
            expect(inputs(test).priority).to.equal(prod.priority - 1);
            expect(inputs(test).conditions).to.deep.equal([
                ...prod.conditions,
                { httpHeader: { httpHeaderName: "X-Drydock-Test", values: ["production"] } },
            ]);

            const role = p.role as RecordedResource;
            expect(JSON.parse(inputs(role).assumeRolePolicy).Statement).to.deep.equal([
                { Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
            expect(inputs(p.attachment as RecordedResource).policyArn).to.equal(
                "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
            );

            expect(svc.alarms).to.deep.include({ enable: true, rollback: true });
            expect(svc.alarms.alarmNames).to.include.members([
                `drydock-production-${service}-target-5xx`,
                `drydock-production-${service}-alt-target-5xx`,
                `drydock-production-${service}-alt-unhealthy-hosts`,
            ]);
            const other = partsOf(cloud, service === "backend" ? "frontend" : "backend");
            expect(other.alt, "the other service stays rolling").to.equal(undefined);
        });
    }

    it("canary and linear carry their configuration; an approval adds the PAUSE hook", async () => {
        const canary = await synthesize("production", {
            backendDeploymentStrategy: "canary",
            backendCanaryPercent: "12.5",
            backendCanaryBakeMinutes: "7",
            backendApprovalRequired: "true",
            backendApprovalTimeoutMinutes: "45",
        });
        expect(inputs(partsOf(canary.cloud, "backend").svc).deploymentConfiguration).to.deep.equal({
            strategy: "CANARY",
            bakeTimeInMinutes: "10",
            canaryConfiguration: { canaryPercent: 12.5, canaryBakeTimeInMinutes: "7" },
            lifecycleHooks: [
                {
                    targetType: "PAUSE",
                    lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
                    timeoutConfiguration: { timeoutInMinutes: "45", action: "ROLLBACK" },
                },
            ],
        });
        const linear = await synthesize("staging", {
            frontendDeploymentStrategy: "linear",
            frontendLinearStepPercent: "25",
            frontendLinearStepBakeMinutes: "2",
        });
        const f = partsOf(linear.cloud, "frontend");
        expect(inputs(f.svc).deploymentConfiguration).to.deep.equal({
            strategy: "LINEAR",
            bakeTimeInMinutes: "10",
            linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "2" },
        });
        expect(inputs(f.test as RecordedResource).conditions[1]).to.deep.equal({
            httpHeader: { httpHeaderName: "X-Drydock-Test", values: ["staging"] },
        });
    });
});
