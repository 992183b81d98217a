/** verify-rollout for blue/green, canary and linear services: the hook callback, called directly, over a mocked ECS. */
import {
    DescribeServiceDeploymentsCommand,
    DescribeServiceRevisionsCommand,
    DescribeServicesCommand,
    ECSClient,
    ListServiceDeploymentsCommand,
    ServiceDeployment,
} from "@aws-sdk/client-ecs";
import * as pulumi from "@pulumi/pulumi";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { createUpdateHooks, UpdateHooksContext } from "../components/hooks";
import { startMockCloud } from "../offline/mockCloud";
import { rejection } from "./support/rejection";

const ECS_ARN = "arn:aws:ecs:us-east-1:123456789012";
const TD = `${ECS_ARN}:task-definition/drydock-production-backend:42`;
const DEP = `${ECS_ARN}:service-deployment/drydock-production/backend-service/dep42`;
const NOW = new Date("2026-11-25T13:03:00Z");

function serviceInputs(deploymentConfiguration?: Record<string, unknown>) {
    return {
        name: "backend-service",
        cluster: `${ECS_ARN}:cluster/drydock-production`,
        taskDefinition: TD,
        ...(deploymentConfiguration ? { deploymentConfiguration } : {}),
    };
}

function args(deploymentConfiguration?: Record<string, unknown>): pulumi.ResourceHookArgs {
    const inputs = serviceInputs(deploymentConfiguration);
    return {
        urn: "urn:pulumi:production::drydock::aws:ecs/service:Service::backend-service",
        id: "x",
        name: "backend-service",
        type: "aws:ecs/service:Service",
        newInputs: inputs,
        newOutputs: inputs,
    };
}

function dep(over: Partial<ServiceDeployment>): ServiceDeployment {
    return {
        serviceDeploymentArn: DEP,
        status: "IN_PROGRESS",
        lifecycleStage: "SCALE_UP",
        targetServiceRevision: { arn: "rev42" },
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 10 },
        createdAt: NOW,
        updatedAt: NOW,
        ...over,
    };
}

describe("hooks: verify-rollout of progressive deployments", () => {
    const ecs = mockClient(ECSClient);
    let info: string[];
    let waited: number;

    before(() => startMockCloud({ stack: "production" }));
    after(() => ecs.restore());
    beforeEach(() => {
        ecs.reset();
        info = [];
        waited = 0;
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEP, createdAt: NOW }] });
        ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ taskDefinition: TD }] });
    });

    function hook(over: Partial<UpdateHooksContext> = {}) {
        let t = NOW.getTime();
        const ctx = {
            stack: "production",
            region: "us-east-1",
            clusterIdentifier: "drydock-production",
            ecsClusterName: "drydock-production",
            release: { windows: [], timeZone: "UTC", paused: false },
            snapshots: { keep: 10, timeoutMinutes: 30 },
            rolloutTimeoutMinutes: 30,
            clients: { ecs: () => new ECSClient({ region: "us-east-1" }) },
            now: () => new Date(t),
            sleep: async (ms: number) => {
                t += ms;
                waited += ms;
            },
            log: { info: (m: string) => info.push(m), warn: () => undefined },
            isDryRun: () => false,
            ...over,
        } as UpdateHooksContext;
        return createUpdateHooks(ctx).verifyRollout;
    }

    it("follows a blue/green deployment to SUCCESSFUL and never reads the rolling deployment", async () => {
        ecs.on(DescribeServiceDeploymentsCommand)
            .resolvesOnce({ serviceDeployments: [dep({ lifecycleStage: "BAKE_TIME" })] })
            .resolves({ serviceDeployments: [dep({ status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP" })] });
        await hook().callback(args({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" }));
        expect(info.at(-1)).to.equal("verify-rollout: backend-service: drydock-production-backend:42: deployment dep42 SUCCESSFUL");
        expect(ecs.commandCalls(DescribeServicesCommand)).to.have.length(0);
    });

    it("fails the update when ECS rolled back in the bake, naming the stage", async () => {
        ecs.on(DescribeServiceDeploymentsCommand).resolves({
            serviceDeployments: [
                dep({ status: "ROLLBACK_SUCCESSFUL", lifecycleStage: "BAKE_TIME", rollback: { reason: "alarm backend-target-5xx" } }),
            ],
        });
        const err = await rejection(hook().callback(args({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" })));
        expect(err.message).to.match(/^verify-rollout: ECS rolled back backend-service in stage BAKE_TIME: /);
        expect(err.message).to.include("alarm backend-target-5xx");
        expect(err.message).to.include("or go back: npx drydock rollback --stack production");
    });

    it("with WaitForBake false returns once production traffic has shifted", async () => {
        ecs.on(DescribeServiceDeploymentsCommand)
            .resolvesOnce({ serviceDeployments: [dep({ lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT" })] })
            .resolves({ serviceDeployments: [dep({ lifecycleStage: "BAKE_TIME" })] });
        await hook({ deployments: { backend: { waitForBake: false } } }).callback(
            args({ strategy: "CANARY", bakeTimeInMinutes: "60", canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: "10" } }),
        );
        expect(info.some((m) => m.includes("returns once production traffic has shifted"))).to.equal(true);
        expect(info.at(-1)).to.match(/production traffic has shifted; IN_PROGRESS in BAKE_TIME \(BLUE_GREEN\)/);
        expect(waited).to.equal(15_000);
    });

    it("waits rolloutTimeoutMinutes plus the strategy's bakes and approval before timing out", async () => {
        ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [dep({ lifecycleStage: "POST_TEST_TRAFFIC_SHIFT" })] });
        const hooks = [
            {
                targetType: "PAUSE",
                lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
                timeoutConfiguration: { timeoutInMinutes: "60", action: "ROLLBACK" },
            },
        ];
        const err = await rejection(hook().callback(args({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "10", lifecycleHooks: hooks })));
        expect(err.message).to.include("did not finish within 100 min");
        expect(waited).to.equal(100 * 60_000);
    });
});
