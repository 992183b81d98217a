/**
 * `drydock migrate` as a real process against a local stand-in for AWS (AWS_ENDPOINT_URL, real SDK clients, no
 * mocks): the task runs with the command override in the service's subnets, and a task that stops without exit
 * code 0 fails the command (exit 1, one error line). The server listens on 127.0.0.1 only.
 */
import { expect } from "chai";
import { awsProcessEnv, startAwsEndpoint, type AwsEndpoint, type SeenCall } from "./support/awsEndpoint";
import { spawnDrydock } from "./support/spawnDrydock";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend";
const DIGEST = `sha256:${"3".repeat(64)}`;
const TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/drydock-staging-backend:9";
const TASK = "arn:aws:ecs:us-east-1:123456789012:task/drydock-staging/5ca1ab1e";

/** The stopped task the server reports; set per test. */
let stopped: Record<string, unknown> = {};

function answer(target: string): [number, unknown] {
    switch (target.split(".").pop()) {
        case "DescribeImages":
            return [
                200,
                {
                    imageDetails: [
                        {
                            registryId: "123456789012",
                            repositoryName: "drydock/backend",
                            imageDigest: DIGEST,
                            imageTags: ["latest"],
                            imagePushedAt: 1_763_000_000,
                        },
                    ],
                },
            ];
        case "DescribeServices":
            return [
                200,
                {
                    services: [
                        {
                            serviceName: "backend-service",
                            status: "ACTIVE",
                            taskDefinition: TD,
                            deployments: [{ id: "ecs-svc/1", status: "PRIMARY", taskDefinition: TD, rolloutState: "COMPLETED" }],
                            networkConfiguration: {
                                awsvpcConfiguration: {
                                    subnets: ["subnet-private-a"],
                                    securityGroups: ["sg-backend"],
                                    assignPublicIp: "DISABLED",
                                },
                            },
                        },
                    ],
                    failures: [],
                },
            ];
        case "DescribeTaskDefinition":
            return [
                200,
                {
                    taskDefinition: {
                        taskDefinitionArn: TD,
                        family: "drydock-staging-backend",
                        revision: 9,
                        containerDefinitions: [
                            {
                                name: "backend",
                                image: `${REPO}@${DIGEST}`,
                                essential: true,
                                logConfiguration: {
                                    logDriver: "awslogs",
                                    options: {
                                        "awslogs-group": "/aws/ecs/backend-logs-staging",
                                        "awslogs-region": "us-east-1",
                                        "awslogs-stream-prefix": "backend",
                                    },
                                },
                            },
                        ],
                    },
                    tags: [],
                },
            ];
        case "RunTask":
            return [200, { tasks: [{ taskArn: TASK, lastStatus: "PROVISIONING" }], failures: [] }];
        case "DescribeTasks":
            return [200, { tasks: [{ taskArn: TASK, lastStatus: "STOPPED", ...stopped }], failures: [] }];
        case "GetLogEvents":
            return [200, { events: [{ timestamp: 1_763_000_000_000, message: 'FATAL: password authentication failed for user "app"' }] }];
        default:
            return [400, { __type: "UnknownOperationException", message: `the test server does not answer ${target}` }];
    }
}

const run = (args: string[], cwd: string, env: Record<string, string>) => spawnDrydock(args, env, cwd);

describe("drydock migrate against a local AWS endpoint (real SDK clients, AWS_ENDPOINT_URL)", function () {
    this.timeout(60_000);
    let aws: AwsEndpoint;
    let endpoint: string;
    let dir: string;
    let seen: SeenCall[];

    before(async () => {
        aws = await startAwsEndpoint(answer);
        ({ endpoint, seen } = aws);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "drydock-migrate-"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.staging.yaml"),
            [
                "config:",
                "  aws:region: us-east-1",
                `  drydock:backendImage: ${REPO}`,
                "  drydock:frontendImage: 123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/frontend",
                "  drydock:backendVersion: latest",
                "  drydock:frontendVersion: latest",
                '  drydock:migrationCommand: ["alembic", "upgrade", "head"]',
                "",
            ].join("\n"),
        );
    });
    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        return aws.close();
    });
    beforeEach(() => {
        seen.length = 0;
    });

    const env = (): Record<string, string> => awsProcessEnv(endpoint, { AWS_MAX_ATTEMPTS: "1" });

    it("runs the task with the command override and fails closed when it stops without an exit code", async () => {
        stopped = {
            stopCode: "TaskFailedToStart",
            stoppedReason: "ResourceInitializationError: unable to pull secrets",
            containers: [{ name: "backend", lastStatus: "STOPPED" }],
        };
        const r = await run(["migrate", "--stack", "staging", "--no-snapshot", "--wait"], dir, env());
        expect(r.code, r.stderr).to.equal(1);
        expect(r.stdout).to.equal("");
        const runTask = seen.find((s) => s.target.endsWith(".RunTask"));
        expect(runTask?.body).to.deep.include({
            cluster: "drydock-staging",
            taskDefinition: TD,
            launchType: "FARGATE",
            overrides: { containerOverrides: [{ name: "backend", command: ["alembic", "upgrade", "head"] }] },
            networkConfiguration: {
                awsvpcConfiguration: { subnets: ["subnet-private-a"], securityGroups: ["sg-backend"], assignPublicIp: "DISABLED" },
            },
        });
        expect(seen.map((s) => s.target.split(".").pop())).to.not.include("RegisterTaskDefinition"); // the running task definition has the image
        expect(r.stderr.trimEnd().split("\n").at(-1)).to.match(
            new RegExp(
                `^drydock: migration task ${TASK}: stopped without exit code 0: ResourceInitializationError: unable to pull secrets \\(`,
            ),
        );
        expect(r.stderr).to.include('| FATAL: password authentication failed for user "app"');
    });

    it("exit 0 only on exit code 0", async () => {
        stopped = {
            stoppedReason: "Essential container in task exited",
            containers: [{ name: "backend", exitCode: 0, lastStatus: "STOPPED" }],
        };
        const r = await run(["migrate", "--stack", "staging", "--no-snapshot", "--wait", "--json"], dir, env());
        expect(r.code, r.stderr).to.equal(0);
        expect(JSON.parse(r.stdout)).to.deep.include({
            stack: "staging",
            taskArn: TASK,
            exitCode: 0,
            snapshot: null,
            image: `${REPO}@${DIGEST}`,
        });
    });
});
