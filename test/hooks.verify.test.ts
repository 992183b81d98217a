import {
    Deployment,
    DescribeServicesCommand,
    DescribeTasksCommand,
    ECSClient,
    ECSClientResolvedConfig,
    ListTasksCommand,
    Service,
    ServiceEvent,
    ServiceInputTypes,
    ServiceOutputTypes,
    Task,
} from "@aws-sdk/client-ecs";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { rejection } from "./support/rejection";
import { RolloutError, verifyRollout, VerifyRolloutRequest } from "../aws/rollout";
import { isoUtc } from "../release/timestamps";

const ARN = "arn:aws:ecs:us-east-1:123456789012";
const td = (rev: number) => `${ARN}:task-definition/drydock-production-backend:${rev}`;
const START = new Date("2026-11-28T21:30:00Z");
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);

function deployment(rev: number, over: Partial<Deployment> = {}): Deployment {
    return {
        id: `ecs-svc/${rev}00`,
        status: "PRIMARY",
        taskDefinition: td(rev),
        desiredCount: 2,
        runningCount: 0,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: "IN_PROGRESS",
        rolloutStateReason: "ECS deployment ecs-svc/4200 in progress.",
        createdAt: START,
        ...over,
    };
}

function service(deployments: Deployment[], events: ServiceEvent[] = []): Service {
    return { serviceName: "backend-service", status: "ACTIVE", deployments, events };
}

function stoppedTask(
    id: string,
    rev: number,
    stoppedSecondsAfterStart: number,
    reason: string,
    exitCode?: number,
    containerReason?: string,
): Task {
    return {
        taskArn: `${ARN}:task/drydock-production/${id}`,
        taskDefinitionArn: td(rev),
        lastStatus: "STOPPED",
        stopCode: "EssentialContainerExited",
        stoppedReason: reason,
        stoppedAt: at(stoppedSecondsAfterStart),
        containers: [{ name: "backend", exitCode, lastStatus: "STOPPED", reason: containerReason }],
    };
}

describe("hooks: rollout verification", () => {
    let ecsMock: AwsStub<ServiceInputTypes, ServiceOutputTypes, ECSClientResolvedConfig>;
    const ecs = new ECSClient({ region: "us-east-1" });
    let t: number;
    let sleeps: number[];
    let logs: string[];

    before(() => {
        ecsMock = mockClient(ECSClient);
    });
    after(() => ecsMock.restore());
    beforeEach(() => {
        ecsMock.reset();
        t = START.getTime();
        sleeps = [];
        logs = [];
        ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    });

    function req(extra: Partial<VerifyRolloutRequest> = {}): VerifyRolloutRequest {
        return {
            cluster: "drydock-production",
            service: "backend-service",
            expectedTaskDefinition: td(42),
            timeoutMs: 10 * 60_000,
            pollMs: 15_000,
            now: () => new Date(t),
            sleep: async (ms) => {
                sleeps.push(ms);
                t += ms;
            },
            log: (m) => logs.push(m),
            ...extra,
        };
    }

    /** DescribeServices answers `states` in turn; the last one repeats. */
    function states(...answers: Service[]) {
        let i = 0;
        ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [answers[Math.min(i++, answers.length - 1)]] }));
    }

    it("succeeds once the PRIMARY deployment runs the new task definition and is COMPLETED, reporting progress", async () => {
        const old = deployment(41, { status: "ACTIVE", rolloutState: "COMPLETED", runningCount: 2 });
        states(
            service([deployment(42, { pendingCount: 2 }), old]),
            service([deployment(42, { runningCount: 1, pendingCount: 1 }), old]),
            service([
                deployment(42, {
                    runningCount: 2,
                    rolloutState: "COMPLETED",
                    rolloutStateReason: "ECS deployment ecs-svc/4200 completed.",
                }),
            ]),
        );

        const result = await verifyRollout(ecs, req());

        expect(result).to.deep.equal({ deploymentId: "ecs-svc/4200", taskDefinition: td(42), waitedMs: 30_000 });
        expect(sleeps).to.deep.equal([15_000, 15_000]);
        expect(logs).to.deep.equal([
            "backend-service: deploying drydock-production-backend:42: 0/2 running, 2 pending (IN_PROGRESS: ECS deployment ecs-svc/4200 in progress.)",
            "backend-service: deploying drydock-production-backend:42: 1/2 running, 1 pending (IN_PROGRESS: ECS deployment ecs-svc/4200 in progress.)",
            "backend-service: rollout of drydock-production-backend:42 COMPLETED (2/2 running)",
        ]);
        const call = ecsMock.commandCalls(DescribeServicesCommand)[0].args[0].input;
        expect(call).to.deep.equal({ cluster: "drydock-production", services: ["backend-service"] });
    });

    it("fails when ECS rolled back, naming the failed and the serving task definitions, the stopped reasons and the events", async () => {
        states(
            service([
                deployment(42, { pendingCount: 2 }),
                deployment(41, { status: "ACTIVE", rolloutState: "COMPLETED", runningCount: 2 }),
            ]),
            service(
                [
                    deployment(41, { id: "ecs-svc/4101", runningCount: 2, createdAt: at(200) }),
                    deployment(42, {
                        status: "ACTIVE",
                        failedTasks: 4,
                        rolloutState: "FAILED",
                        rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
                    }),
                ],
                [
                    { createdAt: at(201), message: "(service backend-service) rolling back to deployment ecs-svc/4100." },
                    {
                        createdAt: at(200),
                        message: "(service backend-service) (deployment ecs-svc/4200) deployment failed: tasks failed to start.",
                    },
                ],
            ),
        );
        ecsMock.on(ListTasksCommand).resolves({ taskArns: ["t-old", "t1", "t2"].map((id) => `${ARN}:task/drydock-production/${id}`) });
        ecsMock.on(DescribeTasksCommand).resolves({
            tasks: [
                stoppedTask("t-old", 41, -3600, "Scaling activity initiated by (deployment ecs-svc/4100)"),
                stoppedTask(
                    "t1",
                    42,
                    60,
                    "Essential container in task exited",
                    1,
                    "OutOfMemoryError: Container killed due to memory usage",
                ),
                stoppedTask("t2", 42, 90, "Task failed ELB health checks in (target-group backend)", 137),
            ],
        });

        const err = await rejection(verifyRollout(ecs, req()));

        expect(err).to.be.instanceOf(RolloutError);
        const e = err as RolloutError;
        expect(e.outcome).to.equal("rolled-back");
        expect(e.failedTaskDefinition).to.equal("drydock-production-backend:42");
        expect(e.servingTaskDefinition).to.equal("drydock-production-backend:41");
        expect(e.message).to.include(
            "verify-rollout: ECS rolled back backend-service (cluster drydock-production): the deployment of drydock-production-backend:42 failed: ECS deployment circuit breaker: tasks failed to start.",
        );
        expect(e.message).to.include("task definition deployed by this update: drydock-production-backend:42");
        expect(e.message).to.include("task definition now serving:             drydock-production-backend:41");
        expect(e.stoppedReasons).to.deep.equal([
            `task t2 (drydock-production-backend:42) stopped at ${isoUtc(at(90))}: Task failed ELB health checks in (target-group backend); backend: exit 137`,
            `task t1 (drydock-production-backend:42) stopped at ${isoUtc(at(60))}: Essential container in task exited; backend: exit 1, OutOfMemoryError: Container killed due to memory usage`,
        ]);
        expect(e.message).to.include("Essential container in task exited; backend: exit 1, OutOfMemoryError");
        expect(e.message).to.not.include("Scaling activity initiated"); // an older task of the old revision
        expect(e.message).to.include("rolling back to deployment ecs-svc/4100.");
        // One timestamp format, without milliseconds.
        expect(e.message).to.include("- 2026-11-28T21:33:21Z (service backend-service) rolling back to deployment ecs-svc/4100.");
        expect(e.message).to.include("stopped at 2026-11-28T21:31:30Z:");
        expect(ecsMock.commandCalls(ListTasksCommand)[0].args[0].input).to.deep.equal({
            cluster: "drydock-production",
            serviceName: "backend-service",
            desiredStatus: "STOPPED",
        });
    });

    it("fails when the rollout FAILED without a rollback (no circuit breaker rollback)", async () => {
        states(
            service([
                deployment(42, {
                    rolloutState: "FAILED",
                    rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
                    failedTasks: 3,
                }),
            ]),
        );
        const err = (await rejection(verifyRollout(ecs, req()))) as RolloutError;
        expect(err.outcome).to.equal("failed");
        expect(err.message).to.include(
            "the rollout of backend-service failed (cluster drydock-production): the rollout FAILED: ECS deployment circuit breaker: tasks failed to start.",
        );
        expect(err.message).to.include("task definition now serving:             drydock-production-backend:42");
    });

    it("fails when the service events report the deployment failed before ECS updated its state", async () => {
        states(
            service(
                [deployment(42)],
                [{ createdAt: at(30), message: "(service backend-service) (deployment ecs-svc/4200) deployment failed: alarm detected." }],
            ),
        );
        const err = (await rejection(verifyRollout(ecs, req()))) as RolloutError;
        expect(err.outcome).to.equal("failed");
        expect(err.message).to.include("deployment failed: alarm detected.");
    });

    it("fails when the rollout does not complete in time, with the last state", async () => {
        states(service([deployment(42, { runningCount: 1, pendingCount: 1 })]));
        const err = (await rejection(verifyRollout(ecs, req({ timeoutMs: 40_000 })))) as RolloutError;
        expect(err.outcome).to.equal("timed-out");
        expect(err.message).to.include("the rollout of backend-service timed out");
        expect(err.message).to.include("did not complete within 40s (rolloutTimeoutMinutes); last state: 1/2 running, 1 pending");
        expect(err.message).to.include("stopped tasks (latest 5):\n    (none found)");
        expect(sleeps).to.deep.equal([15_000, 15_000, 10_000]);
    });

    it("still fails with the rollout error when the stopped tasks cannot be read", async () => {
        states(service([deployment(41)]));
        ecsMock
            .on(ListTasksCommand)
            .rejects(Object.assign(new Error("User is not authorized to perform: ecs:ListTasks"), { name: "AccessDeniedException" }));
        const err = (await rejection(verifyRollout(ecs, req()))) as RolloutError;
        expect(err.outcome).to.equal("rolled-back");
        expect(err.message).to.include(
            "(could not read stopped tasks: AccessDeniedException: User is not authorized to perform: ecs:ListTasks (the deploying AWS identity needs ecs:DescribeServices, ecs:ListTasks, ecs:DescribeTasks))",
        );
    });

    it("fails when the service is missing or cannot be read", async () => {
        ecsMock
            .on(DescribeServicesCommand)
            .resolves({ services: [], failures: [{ arn: `${ARN}:service/drydock-production/backend-service`, reason: "MISSING" }] });
        const missing = (await rejection(verifyRollout(ecs, req()))) as RolloutError;
        expect(missing.outcome).to.equal("missing");
        expect(missing.message).to.include("service backend-service in cluster drydock-production is MISSING");

        ecsMock
            .on(DescribeServicesCommand)
            .rejects(Object.assign(new Error("not authorized to perform: ecs:DescribeServices"), { name: "AccessDeniedException" }));
        const denied = await rejection(verifyRollout(ecs, req()));
        expect(denied.message).to.include("could not read service backend-service in cluster drydock-production: AccessDeniedException");
        expect(denied.message).to.include("Whether drydock-production-backend:42 is serving is unknown.");
    });

    it("accepts a service without rolloutState once only the primary is left at full count", async () => {
        states(service([deployment(42, { rolloutState: undefined, runningCount: 2 })]));
        const result = await verifyRollout(ecs, req({ expectedTaskDefinition: "drydock-production-backend:42" }));
        expect(result.taskDefinition).to.equal(td(42));
    });
});
