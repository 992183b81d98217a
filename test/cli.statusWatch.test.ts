import { expect } from "chai";
import {
    DescribeServiceDeploymentsCommand,
    DescribeServicesCommand,
    ListServiceDeploymentsCommand,
    ServiceDeployment,
} from "@aws-sdk/client-ecs";
import { DescribeDBClustersCommand } from "@aws-sdk/client-rds";
import { appendFileSync } from "fs";
import { join } from "path";
import { awsError, cleanup, drydock, mocks, NOW, resetMocks, stackDir } from "./fixtures/cli/harness";

const arn = (service: string) =>
    `arn:aws:ecs:us-east-1:123456789012:service-deployment/drydock-production/${service}-service/${service}-dep`;

function dep(service: string, over: Partial<ServiceDeployment>): ServiceDeployment {
    return {
        serviceDeploymentArn: arn(service),
        status: "IN_PROGRESS",
        lifecycleStage: "BAKE_TIME",
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 10 },
        createdAt: new Date(NOW.getTime() - 10 * 60_000),
        updatedAt: new Date(NOW.getTime() - 4 * 60_000),
        ...over,
    };
}

/** Each service's deployment goes through `states`, one per read. */
function deployments(states: Record<string, ServiceDeployment[]>): void {
    for (const [service, list] of Object.entries(states)) {
        mocks.ecs
            .on(ListServiceDeploymentsCommand, { service: `${service}-service` })
            .resolves({ serviceDeployments: [{ serviceDeploymentArn: arn(service), createdAt: list[0].createdAt }] });
        let call = mocks.ecs.on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [arn(service)] });
        for (const s of list) call = call.resolvesOnce({ serviceDeployments: [s], failures: [] });
        call.resolves({ serviceDeployments: [list[list.length - 1]], failures: [] });
    }
}

describe("drydock status: progressive deployments", () => {
    let dir: string;
    const sleeps: number[] = [];
    const sleep = async (ms: number) => void sleeps.push(ms);
    beforeEach(() => {
        resetMocks();
        sleeps.length = 0;
        dir = stackDir();
        appendFileSync(join(dir, "Pulumi.production.yaml"), "  drydock:backendDeploymentStrategy: blue-green\n");
    });
    afterEach(() => cleanup(dir));

    it("--watch follows a blue/green deployment through the bake until it completes (exit 0), at the given interval", async () => {
        deployments({
            backend: [
                dep("backend", {}),
                dep("backend", { lifecycleStage: "CLEAN_UP" }),
                dep("backend", { status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP" }),
            ],
            frontend: [
                dep("frontend", { status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP", deploymentConfiguration: { strategy: "ROLLING" } }),
            ],
        });
        const r = await drydock(dir, ["status", "--stack", "production", "--watch", "--interval", "5"], { sleep });
        expect(r.code, r.stderr).to.equal(0);
        expect(sleeps).to.deep.equal([5000, 5000]);
        expect(r.stdout).to.include("backend: IN_PROGRESS in BAKE_TIME (BLUE_GREEN), about 6 min of bake left");
        expect(r.stdout).to.include("backend: deployment backend-dep SUCCESSFUL");
        expect(r.stdout.trim().split("\n").at(-1)).to.equal("Every deployment completed.");
    });

    it("--watch says so when a service has no deployment to follow, instead of counting it silently", async () => {
        deployments({ backend: [dep("backend", { status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP" })] });
        mocks.ecs.on(ListServiceDeploymentsCommand, { service: "frontend-service" }).resolves({ serviceDeployments: [] });
        const r = await drydock(dir, ["status", "--stack", "production", "--watch"], { sleep });
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.include("frontend: ECS lists no deployment of frontend-service; nothing to follow");
    });

    it("--watch exits 1 when ECS rolls a deployment back, with the stage and reason (JSON too)", async () => {
        deployments({
            backend: [
                dep("backend", {}),
                dep("backend", { status: "ROLLBACK_SUCCESSFUL", rollback: { reason: "alarm drydock-production-backend-target-5xx" } }),
            ],
            frontend: [dep("frontend", { status: "SUCCESSFUL", lifecycleStage: "CLEAN_UP" })],
        });
        const text = await drydock(dir, ["status", "--stack", "production", "--watch"], { sleep });
        expect(text.code).to.equal(1);
        expect(sleeps).to.deep.equal([15000]);
        expect(text.stdout).to.include(
            "backend: ECS rolled the deployment back (ROLLBACK_SUCCESSFUL) in stage BAKE_TIME: alarm drydock-production-backend-target-5xx",
        );
        expect(text.stdout).to.include("Rolled back or stopped: backend.");

        resetMocks();
        deployments({
            backend: [dep("backend", { status: "ROLLBACK_SUCCESSFUL" })],
            frontend: [dep("frontend", { status: "SUCCESSFUL" })],
        });
        const json = await drydock(dir, ["status", "--stack", "production", "--watch", "--json"], { sleep });
        expect(json.code).to.equal(1);
        expect(JSON.parse(json.stdout)).to.deep.equal({
            stack: "production",
            watched: ["backend", "frontend"],
            rolledBack: ["backend"],
            ok: false,
        });
    });

    it("--watch: throttling and access denied end it with one line naming the call (exit 1)", async () => {
        mocks.ecs.on(ListServiceDeploymentsCommand).rejects(awsError("ThrottlingException", "Rate exceeded"));
        const throttled = await drydock(dir, ["status", "--stack", "production", "--watch"], { sleep });
        expect(throttled.code).to.equal(1);
        expect(throttled.stderr).to.equal(
            "drydock: ECS ListServiceDeployments backend-service: AWS kept throttling the request after the SDK's retries (ThrottlingException) (wait a minute and retry, or raise AWS_MAX_ATTEMPTS)\n",
        );
        resetMocks();
        mocks.ecs
            .on(ListServiceDeploymentsCommand)
            .rejects(awsError("AccessDeniedException", "not authorized to perform: ecs:ListServiceDeployments"));
        const denied = await drydock(dir, ["status", "--stack", "production", "--watch"], { sleep });
        expect(denied.code).to.equal(1);
        expect(denied.stderr).to.match(
            /^drydock: ECS ListServiceDeployments backend-service: access denied: not authorized to perform: ecs:ListServiceDeployments/,
        );
    });

    it("plain status shows the lifecycle stage and the bake time left of a blue/green service (and asks nothing for rolling ones)", async () => {
        // The cluster exists; its services are not found (so no task definitions or targets to read).
        mocks.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: "MISSING" }] });
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault"));
        deployments({ backend: [dep("backend", {})] });
        const json = await drydock(dir, ["status", "--stack", "production", "--json"]);
        expect(json.code, json.stderr).to.equal(0);
        expect(JSON.parse(json.stdout).deployments).to.deep.equal([
            {
                service: "backend",
                deploymentArn: arn("backend"),
                status: "IN_PROGRESS",
                strategy: "BLUE_GREEN",
                lifecycleStage: "BAKE_TIME",
                bakeSecondsLeft: 360,
                waitingForApproval: false,
                approvalExpiresAt: null,
                rollbackReason: null,
            },
        ]);
        expect(mocks.ecs.commandCalls(ListServiceDeploymentsCommand).map((c) => c.args[0].input.service)).to.deep.equal([
            "backend-service",
        ]);
        const text = await drydock(dir, ["status", "--stack", "production"]);
        expect(text.stdout).to.include(
            "Deployments in progress:\n  backend: BLUE_GREEN deployment backend-dep IN_PROGRESS in BAKE_TIME, about 6 min of bake left (roll back now: npx drydock abort --stack production --service backend)",
        );
    });

    it("plain status shows an approval pause and when it rolls back, in the one timestamp format (no milliseconds)", async () => {
        mocks.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: "MISSING" }] });
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault"));
        const expiresAt = new Date("2026-11-24T10:59:30.250Z");
        deployments({
            backend: [
                dep("backend", {
                    lifecycleStage: "POST_TEST_TRAFFIC_SHIFT",
                    lifecycleHookDetails: [{ hookId: "hook-1", status: "AWAITING_ACTION", expiresAt, timeoutAction: "ROLLBACK" }],
                } as Partial<ServiceDeployment>),
            ],
        });
        const json = await drydock(dir, ["status", "--stack", "production", "--json"]);
        expect(json.code, json.stderr).to.equal(0);
        expect(JSON.parse(json.stdout).deployments[0]).to.deep.include({
            waitingForApproval: true,
            approvalExpiresAt: "2026-11-24T10:59:30Z",
        });
        const text = await drydock(dir, ["status", "--stack", "production"]);
        expect(text.stdout).to.include(
            "waiting for approval (rolls back at 2026-11-24T10:59:30Z): npx drydock approve --stack production --service backend, or abort",
        );
    });

    it("plain status of a stack that is not deployed asks for no deployments", async () => {
        mocks.ecs.on(DescribeServicesCommand).rejects(awsError("ClusterNotFoundException", "Cluster not found."));
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault"));
        const r = await drydock(dir, ["status", "--stack", "production", "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(JSON.parse(r.stdout).deployments).to.equal(undefined);
        expect(mocks.ecs.commandCalls(ListServiceDeploymentsCommand)).to.have.length(0);
    });

    it("plain status without ecs:ListServiceDeployments warns on stderr and shows the rest (exit 0; JSON deployments: null)", async () => {
        mocks.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: "MISSING" }] });
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault"));
        mocks.ecs
            .on(ListServiceDeploymentsCommand)
            .rejects(awsError("AccessDeniedException", "not authorized to perform: ecs:ListServiceDeployments"));
        const warning =
            /^drydock: warning: ECS ListServiceDeployments backend-service: access denied: not authorized to perform: ecs:ListServiceDeployments.*\(status shown without the deployments/;
        const text = await drydock(dir, ["status", "--stack", "production"]);
        expect(text.code, text.stderr).to.equal(0);
        expect(text.stderr).to.match(warning);
        expect(text.stderr.trim().split("\n")).to.have.length(1);
        expect(text.stdout).to.match(/^backend\s/m);
        const json = await drydock(dir, ["status", "--stack", "production", "--json"]);
        expect(json.code, json.stderr).to.equal(0);
        expect(json.stderr).to.match(warning);
        const doc = JSON.parse(json.stdout);
        expect(doc.deployments).to.equal(null);
        expect(doc.services.map((s: { name: string }) => s.name)).to.deep.equal(["backend", "frontend"]);
    });
});
