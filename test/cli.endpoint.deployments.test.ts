/**
 * `drydock approve` and `drydock abort` as a real process against a local stand-in for ECS (127.0.0.1, the
 * JSON protocol, AWS_ENDPOINT_URL): the calls ECS receives, signed for the stack's region, with no client mocks.
 */
import { expect } from "chai";
import { awsProcessEnv, startAwsEndpoint, type AwsEndpoint, type SeenCall } from "./support/awsEndpoint";
import { spawnDrydock } from "./support/spawnDrydock";

const ARN = "arn:aws:ecs:us-east-1:123456789012:service-deployment/drydock-production/backend-service/dep7";
const PREFIX = "AmazonEC2ContainerServiceV20141113.";

/** The deployment waits for approval until ContinueServiceDeployment; then it bakes, until StopServiceDeployment. */
let state: "paused" | "baking" | "rolling-back" = "paused";

function deployment(): Record<string, unknown> {
    const base = {
        serviceDeploymentArn: ARN,
        createdAt: 1_763_978_400,
        updatedAt: 1_763_978_700,
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 10 },
    };
    if (state === "paused") {
        return {
            ...base,
            status: "IN_PROGRESS",
            lifecycleStage: "POST_TEST_TRAFFIC_SHIFT",
            lifecycleHookDetails: [
                { hookId: "hook-42", targetType: "PAUSE", status: "AWAITING_ACTION", expiresAt: 1_763_982_000, timeoutAction: "ROLLBACK" },
            ],
        };
    }
    if (state === "baking") return { ...base, status: "IN_PROGRESS", lifecycleStage: "BAKE_TIME" };
    return { ...base, status: "ROLLBACK_IN_PROGRESS", lifecycleStage: "BAKE_TIME" };
}

function answer(target: string): [number, unknown] {
    switch (target.replace(PREFIX, "")) {
        case "ListServiceDeployments":
            return [200, { serviceDeployments: [{ serviceDeploymentArn: ARN, status: "IN_PROGRESS", createdAt: 1_763_978_400 }] }];
        case "DescribeServiceDeployments":
            return [200, { serviceDeployments: [deployment()], failures: [] }];
        case "ContinueServiceDeployment":
            state = "baking";
            return [200, { serviceDeploymentArn: ARN }];
        case "StopServiceDeployment":
            state = "rolling-back";
            return [200, { serviceDeploymentArn: ARN }];
        default:
            return [400, { __type: "UnknownOperationException", message: `the test server does not answer ${target}` }];
    }
}

const run = (args: string[], env: Record<string, string>) => spawnDrydock(args, env);

describe("drydock approve / abort against a local ECS endpoint (real SDK clients)", function () {
    this.timeout(60_000);
    let aws: AwsEndpoint;
    let endpoint: string;
    let seen: SeenCall[];

    before(async () => {
        aws = await startAwsEndpoint(answer);
        ({ endpoint, seen } = aws);
    });
    after(() => aws.close());

    const env = (): Record<string, string> => awsProcessEnv(endpoint, { AWS_MAX_ATTEMPTS: "1" });

    it("approve continues the paused hook; a second approve refuses (nothing waits); abort stops with ROLLBACK", async () => {
        const approved = await run(["approve", "--stack", "production", "--service", "backend", "--json"], env());
        expect(approved.stderr).to.equal("");
        expect(approved.code).to.equal(0);
        expect(JSON.parse(approved.stdout)).to.include({
            action: "approved",
            deploymentArn: ARN,
            service: "backend",
            ecsService: "backend-service",
        });
        const cont = seen.filter((s) => s.target === `${PREFIX}ContinueServiceDeployment`);
        expect(cont.map((s) => s.body)).to.deep.equal([{ serviceDeploymentArn: ARN, hookId: "hook-42", action: "CONTINUE" }]);
        expect(seen.find((s) => s.target === `${PREFIX}ListServiceDeployments`)?.body).to.deep.equal({
            cluster: "drydock-production",
            service: "backend-service",
            maxResults: 20,
        });

        const again = await run(["approve", "--stack", "production", "--service", "backend"], env());
        expect(again.code).to.equal(1);
        expect(again.stderr).to.equal(
            "drydock: approve backend: nothing waits for approval: the latest deployment is IN_PROGRESS in BAKE_TIME (BLUE_GREEN) (see npx drydock status --stack production)\n",
        );

        const aborted = await run(["abort", "--stack", "production", "--service", "backend", "--reason", "5xx on checkout"], env());
        expect(aborted.code, aborted.stderr).to.equal(0);
        expect(seen.filter((s) => s.target === `${PREFIX}StopServiceDeployment`).map((s) => s.body)).to.deep.equal([
            { serviceDeploymentArn: ARN, stopType: "ROLLBACK" },
        ]);
        expect(aborted.stdout).to.include(
            "Aborted backend-service in production (5xx on checkout): it was IN_PROGRESS in BAKE_TIME (BLUE_GREEN).",
        );
        for (const s of seen) expect(s.authorization).to.match(/Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ecs\/aws4_request/);
    });
});
