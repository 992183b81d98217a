import { expect } from "chai";
import {
    DescribeServiceDeploymentsCommand,
    DescribeServiceRevisionsCommand,
    ECSClient,
    ListServiceDeploymentsCommand,
    ServiceDeployment,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { assessDeployment, waitForServiceDeployment } from "../aws/deploymentWait";
import { RolloutError } from "../aws/rollout";
import { bakeLeftMs, toView } from "../aws/serviceDeployments";

const ecs = new ECSClient({ region: "us-east-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" }, maxAttempts: 1 });
const mock = mockClient(ecs);
const ARN = "arn:aws:ecs:us-east-1:123456789012:service-deployment/drydock-production/backend-service/dep1";
const REVISION = "arn:aws:ecs:us-east-1:123456789012:service-revision/drydock-production/backend-service/rev9";
const TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/drydock-production-backend:9";
const T0 = new Date("2026-11-24T10:00:00Z");

function dep(over: Partial<ServiceDeployment>): ServiceDeployment {
    return {
        serviceDeploymentArn: ARN,
        status: "IN_PROGRESS",
        lifecycleStage: "SCALE_UP",
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 10 },
        targetServiceRevision: { arn: REVISION },
        createdAt: T0,
        updatedAt: T0,
        ...over,
    };
}

/** Each poll answers the next deployment state. */
function sequence(states: ServiceDeployment[]): void {
    mock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, createdAt: T0 }] });
    let call = mock.on(DescribeServiceDeploymentsCommand);
    for (const s of states) call = call.resolvesOnce({ serviceDeployments: [s], failures: [] });
    mock.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ serviceRevisionArn: REVISION, taskDefinition: TD }] });
}

function request(over: Partial<Parameters<typeof waitForServiceDeployment>[1]> = {}) {
    let clock = T0.getTime();
    const logs: string[] = [];
    return {
        logs,
        req: {
            cluster: "drydock-production",
            service: "backend-service",
            expectedTaskDefinition: TD,
            waitForBake: true,
            timeoutMs: 3_600_000,
            stack: "production",
            now: () => new Date(clock),
            sleep: async (ms: number) => {
                clock += ms;
            },
            log: (m: string) => logs.push(m),
            ...over,
        },
    };
}

describe("aws/serviceDeployments + deploymentWait: following a blue/green deployment", () => {
    beforeEach(() => mock.reset());

    it("waits through the stages until SUCCESSFUL", async () => {
        sequence([
            dep({}),
            dep({ lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT" }),
            dep({ lifecycleStage: "BAKE_TIME" }),
            dep({ status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP" }),
        ]);
        const { req, logs } = request();
        const r = await waitForServiceDeployment(ecs, req);
        expect(r.deploymentId).to.equal("dep1");
        expect(logs.at(-1)).to.equal("backend-service: drydock-production-backend:9: deployment dep1 SUCCESSFUL");
        expect(logs).to.include(
            "backend-service: deploying drydock-production-backend:9: IN_PROGRESS in BAKE_TIME (BLUE_GREEN), about 10 min of bake left",
        );
    });

    it("with waitForBake false returns once production traffic has shifted", async () => {
        sequence([dep({ lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT" }), dep({ lifecycleStage: "BAKE_TIME", updatedAt: T0 })]);
        const { req, logs } = request({ waitForBake: false });
        await waitForServiceDeployment(ecs, req);
        expect(logs.at(-1)).to.match(/production traffic has shifted; IN_PROGRESS in BAKE_TIME \(BLUE_GREEN\), about/);
        expect(mock.commandCalls(DescribeServiceDeploymentsCommand)).to.have.length(2);
    });

    it("fails the update on ROLLBACK_*, naming the stage it failed in and the alarm", async () => {
        sequence([
            dep({ lifecycleStage: "BAKE_TIME" }),
            dep({
                status: "ROLLBACK_SUCCESSFUL",
                lifecycleStage: "BAKE_TIME",
                rollback: { reason: "alarm drydock-production-backend-target-5xx in ALARM" },
                alarms: { triggeredAlarmNames: ["drydock-production-backend-target-5xx"] },
            }),
        ]);
        const { req } = request();
        const err = await waitForServiceDeployment(ecs, req).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(RolloutError);
        const e = err as RolloutError;
        expect(e.outcome).to.equal("rolled-back");
        expect(e.message.split("\n")[0]).to.equal(
            "verify-rollout: ECS rolled back backend-service in stage BAKE_TIME: ECS rolled the deployment back (ROLLBACK_SUCCESSFUL) in stage BAKE_TIME: alarm drydock-production-backend-target-5xx in ALARM.",
        );
        expect(e.message).to.include("alarms that fired: drydock-production-backend-target-5xx");
        expect(e.message).to.include("npx drydock status --stack production --watch");
    });

    it("fails when another deployment (a different task definition) replaced this update's", async () => {
        sequence([dep({})]);
        mock.on(DescribeServiceRevisionsCommand).resolves({
            serviceRevisions: [{ taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/drydock-production-backend:10" }],
        });
        const err = (await waitForServiceDeployment(ecs, request().req).catch((e: unknown) => e)) as RolloutError;
        expect(err.message).to.contain("another deployment of backend-service (to drydock-production-backend:10) replaced this update's");
    });

    it("never counts a deployment as this update's when ECS does not say which task definition it deploys", async () => {
        // A SUCCESSFUL newest deployment without a target revision could be the previous update's: keep reading, then time out.
        mock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, createdAt: T0 }] });
        mock.on(DescribeServiceDeploymentsCommand).resolves({
            serviceDeployments: [dep({ status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP", targetServiceRevision: undefined })],
        });
        const noRevision = (await waitForServiceDeployment(ecs, request({ timeoutMs: 60_000, pollMs: 15_000 }).req).catch(
            (e: unknown) => e,
        )) as RolloutError;
        expect(noRevision).to.be.instanceOf(RolloutError);
        expect(noRevision.outcome).to.equal("timed-out");
        expect(noRevision.message).to.contain("last: deployment dep1 SUCCESSFUL; ECS does not say yet which task definition it deploys");
        // A revision without a task definition is no confirmation either; once ECS names it, the success counts.
        mock.reset();
        sequence([dep({ status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP" })]);
        mock.on(DescribeServiceRevisionsCommand)
            .resolvesOnce({ serviceRevisions: [{ serviceRevisionArn: REVISION }] })
            .resolves({ serviceRevisions: [{ serviceRevisionArn: REVISION, taskDefinition: TD }] });
        mock.on(DescribeServiceDeploymentsCommand).resolves({
            serviceDeployments: [dep({ status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP" })],
        });
        const ok = await waitForServiceDeployment(ecs, request({ pollMs: 15_000 }).req);
        expect(ok.waitedMs).to.equal(15_000);
        expect(mock.commandCalls(DescribeServiceRevisionsCommand)).to.have.length(2);
    });

    it("times out with the last stage", async () => {
        mock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, createdAt: T0 }] });
        mock.on(DescribeServiceDeploymentsCommand).resolves({
            serviceDeployments: [
                dep({ lifecycleStage: "POST_TEST_TRAFFIC_SHIFT", lifecycleHookDetails: [{ hookId: "h", status: "AWAITING_ACTION" }] }),
            ],
        });
        mock.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ taskDefinition: TD }] });
        const err = (await waitForServiceDeployment(ecs, request({ timeoutMs: 60_000, pollMs: 15_000 }).req).catch(
            (e: unknown) => e,
        )) as RolloutError;
        expect(err.outcome).to.equal("timed-out");
        expect(err.message).to.contain(
            "did not finish within 60s; last: IN_PROGRESS in POST_TEST_TRAFFIC_SHIFT (BLUE_GREEN), waiting for approval",
        );
    });

    it("access denied names the permissions; throttling says so; neither passes silently", async () => {
        mock.on(ListServiceDeploymentsCommand).rejects(
            Object.assign(new Error("not authorized to perform ecs:ListServiceDeployments"), {
                name: "AccessDeniedException",
                $metadata: {},
            }),
        );
        const denied = (await waitForServiceDeployment(ecs, request().req).catch((e: unknown) => e)) as Error;
        expect(denied.message).to.contain(
            "verify-rollout: could not read the deployments of backend-service in cluster drydock-production",
        );
        expect(denied.message).to.contain("needs ecs:ListServiceDeployments, ecs:DescribeServiceDeployments, ecs:DescribeServiceRevisions");
        expect(denied.message).to.contain("Whether drydock-production-backend:9 is serving is unknown.");

        mock.reset();
        mock.on(ListServiceDeploymentsCommand).rejects(
            Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: {} }),
        );
        const throttled = (await waitForServiceDeployment(ecs, request().req).catch((e: unknown) => e)) as Error;
        expect(throttled.message).to.contain("AWS kept throttling the request after the SDK's retries (ThrottlingException)");
    });

    it("assessDeployment: STOPPED is a failure, bake time left counts from entering BAKE_TIME", () => {
        const stopped = assessDeployment(
            toView(dep({ status: "STOPPED", lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT", statusReason: "stopped by user" })),
            { waitForBake: true, now: T0 },
        );
        expect(stopped).to.deep.equal({
            state: "stopped",
            stage: "PRODUCTION_TRAFFIC_SHIFT",
            summary: "the deployment was stopped (STOPPED) in stage PRODUCTION_TRAFFIC_SHIFT: stopped by user",
        });
        const baking = toView(dep({ lifecycleStage: "BAKE_TIME", updatedAt: T0 }));
        expect(bakeLeftMs(baking, new Date(T0.getTime() + 4 * 60_000))).to.equal(6 * 60_000);
        expect(bakeLeftMs(baking, new Date(T0.getTime() + 40 * 60_000))).to.equal(0);
        expect(bakeLeftMs(toView(dep({})), T0)).to.equal(undefined);
    });
});
