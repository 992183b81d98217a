import { expect } from "chai";
import {
    ContinueServiceDeploymentCommand,
    DescribeServiceDeploymentsCommand,
    ListServiceDeploymentsCommand,
    ServiceDeployment,
    StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import { writeFileSync } from "fs";
import { join } from "path";
import { awsError, cleanup, drydock, fixture, mocks, NOW, resetMocks, stackDir } from "./fixtures/cli/harness";

const ARN = "arn:aws:ecs:us-east-1:123456789012:service-deployment/drydock-production/backend-service/dep1";

function deployment(over: Partial<ServiceDeployment> = {}): ServiceDeployment {
    return {
        serviceDeploymentArn: ARN,
        status: "IN_PROGRESS",
        lifecycleStage: "POST_TEST_TRAFFIC_SHIFT",
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 10 },
        createdAt: new Date(NOW.getTime() - 5 * 60_000),
        updatedAt: new Date(NOW.getTime() - 60_000),
        lifecycleHookDetails: [
            {
                hookId: "hook-1",
                targetType: "PAUSE",
                status: "AWAITING_ACTION",
                expiresAt: new Date(NOW.getTime() + 59 * 60_000),
                timeoutAction: "ROLLBACK",
            },
        ],
        ...over,
    };
}

function listing(d: ServiceDeployment): void {
    mocks.ecs
        .on(ListServiceDeploymentsCommand)
        .resolves({ serviceDeployments: [{ serviceDeploymentArn: d.serviceDeploymentArn, status: d.status, createdAt: d.createdAt }] });
    mocks.ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [d], failures: [] });
}

describe("drydock approve / abort", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("approve continues the paused approval hook of the newest deployment", async () => {
        listing(deployment());
        mocks.ecs.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: ARN });
        const r = await drydock(dir, ["approve", "--stack", "production", "--service", "backend"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(mocks.ecs.commandCalls(ListServiceDeploymentsCommand)[0].args[0].input).to.deep.equal({
            cluster: "drydock-production",
            service: "backend-service",
            maxResults: 20,
        });
        const calls = mocks.ecs.commandCalls(ContinueServiceDeploymentCommand);
        expect(calls).to.have.length(1);
        expect(calls[0].args[0].input).to.deep.equal({ serviceDeploymentArn: ARN, hookId: "hook-1", action: "CONTINUE" });
        expect(r.stdout).to.include(
            "Approved backend-service in production: it was IN_PROGRESS in POST_TEST_TRAFFIC_SHIFT (BLUE_GREEN), waiting for approval.",
        );
        expect(r.stdout).to.include("npx drydock status --stack production --watch");
    });

    it("approve refuses when nothing waits, saying what the deployment is doing, and calls no write", async () => {
        listing(deployment({ lifecycleStage: "BAKE_TIME", lifecycleHookDetails: [] }));
        const r = await drydock(dir, ["approve", "--stack", "production", "--service", "backend"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            "drydock: approve backend: nothing waits for approval: the latest deployment is IN_PROGRESS in BAKE_TIME (BLUE_GREEN) (see npx drydock status --stack production)\n",
        );
        expect(mocks.ecs.commandCalls(ContinueServiceDeploymentCommand)).to.have.length(0);
    });

    it("approve refuses when the service never deployed", async () => {
        mocks.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
        const r = await drydock(dir, ["approve", "--stack", "production", "--service", "frontend"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.include("no deployment of frontend-service in cluster drydock-production");
    });

    it("abort stops the deployment in progress with ROLLBACK and prints the reason (JSON too)", async () => {
        listing(deployment({ lifecycleStage: "BAKE_TIME", lifecycleHookDetails: [] }));
        mocks.ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: ARN });
        const r = await drydock(dir, ["abort", "--stack", "production", "--service", "backend", "--reason", "5xx on checkout", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(mocks.ecs.commandCalls(StopServiceDeploymentCommand)[0].args[0].input).to.deep.equal({
            serviceDeploymentArn: ARN,
            stopType: "ROLLBACK",
        });
        expect(JSON.parse(r.stdout)).to.deep.equal({
            stack: "production",
            service: "backend",
            ecsService: "backend-service",
            action: "aborted",
            deploymentArn: ARN,
            before: "IN_PROGRESS in BAKE_TIME (BLUE_GREEN)",
            reason: "5xx on checkout",
        });
    });

    it("abort refuses a finished deployment and points at drydock rollback", async () => {
        listing(deployment({ status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP", lifecycleHookDetails: [] }));
        const r = await drydock(dir, ["abort", "--stack", "production", "--service", "backend"]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.include("no deployment is in progress: the latest is SUCCESSFUL in CLEAN_UP (BLUE_GREEN)");
        expect(r.stderr).to.include("npx drydock rollback --stack production");
        expect(mocks.ecs.commandCalls(StopServiceDeploymentCommand)).to.have.length(0);
    });

    it("abort refuses an empty --reason and an unknown service with exit 2, calling nothing", async () => {
        const empty = await drydock(dir, ["abort", "--stack", "production", "--service", "backend", "--reason", " "]);
        expect(empty.code).to.equal(2);
        expect(empty.stderr).to.include("--reason: is empty");
        const unknown = await drydock(dir, ["abort", "--stack", "production", "--service", "worker"]);
        expect(unknown.code).to.equal(2);
        expect(mocks.ecs.calls()).to.have.length(0);
    });

    it("access denied and throttling become one line naming the ECS call", async () => {
        mocks.ecs
            .on(ListServiceDeploymentsCommand)
            .rejects(awsError("AccessDeniedException", "User is not authorized to perform: ecs:ListServiceDeployments"));
        const denied = await drydock(dir, ["approve", "--stack", "production", "--service", "backend"]);
        expect(denied.code).to.equal(1);
        expect(denied.stderr).to.match(
            /^drydock: ECS ListServiceDeployments backend-service: access denied: User is not authorized to perform: ecs:ListServiceDeployments \(/,
        );
        expect(denied.stderr.split("\n")).to.have.length(2);

        resetMocks();
        listing(deployment({ lifecycleStage: "BAKE_TIME", lifecycleHookDetails: [] }));
        mocks.ecs.on(StopServiceDeploymentCommand).rejects(awsError("ThrottlingException", "Rate exceeded"));
        const throttled = await drydock(dir, ["abort", "--stack", "production", "--service", "backend"]);
        expect(throttled.code).to.equal(1);
        expect(throttled.stderr).to.include(
            "drydock: ECS StopServiceDeployment dep1: AWS kept throttling the request after the SDK's retries (ThrottlingException)",
        );
    });

    it("works while an unrelated key of the stack file is invalid (an incident must not wait for a typo)", async () => {
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            fixture("production").replace("drydock:snapshotsToKeep: 5", "drydock:snapshotsToKeep: many"),
        );
        listing(deployment());
        mocks.ecs.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: ARN });
        const r = await drydock(dir, ["approve", "--stack", "production", "--service", "backend"]);
        expect(r.code, r.stderr).to.equal(0);
    });
});
