/**
 * The real command against a local stand-in for AWS: no client mocks. Proves that `drydock` builds
 * standard AWS SDK v3 clients that honour AWS_ENDPOINT_URL, the credential environment and the
 * stack's region, and that a real process prints JSON and exits with the right code.
 * The server listens on 127.0.0.1 only and answers the few JSON-protocol calls `versions` makes.
 */
import { expect } from "chai";
import { awsProcessEnv, startAwsEndpoint, type AwsEndpoint, type SeenCall } from "./support/awsEndpoint";
import { spawnDrydock } from "./support/spawnDrydock";

const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend";
const OLD = `sha256:${"1".repeat(64)}`;
const NEW = `sha256:${"2".repeat(64)}`;

function answer(target: string, body: Record<string, unknown>): [number, unknown] {
    switch (target) {
        case "AmazonEC2ContainerRegistry_V20150921.DescribeImages":
            if (body.repositoryName === "drydock/frontend") {
                return [
                    400,
                    {
                        __type: "AccessDeniedException",
                        message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:DescribeImages",
                    },
                ];
            }
            if (!body.nextToken) {
                return [
                    200,
                    {
                        imageDetails: [
                            {
                                registryId: "123456789012",
                                repositoryName: "drydock/backend",
                                imageDigest: OLD,
                                imageTags: ["v1.2.3"],
                                imagePushedAt: 1_763_000_000,
                            },
                        ],
                        nextToken: "page-2",
                    },
                ];
            }
            return [
                200,
                {
                    imageDetails: [
                        {
                            registryId: "123456789012",
                            repositoryName: "drydock/backend",
                            imageDigest: NEW,
                            imageTags: ["v1.3.0", "latest"],
                            imagePushedAt: 1_763_500_000,
                        },
                    ],
                },
            ];
        case "AmazonEC2ContainerServiceV20141113.DescribeServices":
            return [
                200,
                {
                    services: [
                        {
                            serviceName: "backend-service",
                            status: "ACTIVE",
                            taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/drydock-production-backend:7",
                            desiredCount: 2,
                            runningCount: 2,
                            pendingCount: 0,
                            deployments: [
                                {
                                    id: "ecs-svc/1",
                                    status: "PRIMARY",
                                    taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/drydock-production-backend:7",
                                    rolloutState: "COMPLETED",
                                    desiredCount: 2,
                                    runningCount: 2,
                                    pendingCount: 0,
                                },
                            ],
                        },
                    ],
                    failures: [],
                },
            ];
        case "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition":
            return [
                200,
                {
                    taskDefinition: {
                        taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/drydock-production-backend:7",
                        family: "drydock-production-backend",
                        revision: 7,
                        containerDefinitions: [
                            { name: "backend", image: `${REPO}@${OLD}`, environment: [{ name: "APP_VERSION", value: "v1.2.3" }] },
                        ],
                    },
                    tags: [{ key: "drydock:requested-version", value: "v1.2.3" }],
                },
            ];
        default:
            return [400, { __type: "UnknownOperationException", message: `the test server does not answer ${target}` }];
    }
}

const run = (args: string[], env: Record<string, string>) => spawnDrydock(args, env);

describe("drydock against a local AWS endpoint (real SDK clients, AWS_ENDPOINT_URL)", function () {
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

    it("lists every page of the repository through the endpoint, signed for the stack's region, marking what runs", async () => {
        const r = await run(["versions", "backend", "--stack", "production", "--json"], env());
        expect(r.stderr).to.equal("");
        expect(r.code).to.equal(0);
        const doc = JSON.parse(r.stdout) as {
            service: string;
            versions: { tag: string | null; digest: string; deployed: boolean; kind: string }[];
        };
        expect(doc.service).to.equal("backend");
        expect(doc.versions.map((v) => [v.tag, v.deployed])).to.deep.equal([
            ["latest", false],
            ["v1.3.0", false],
            ["v1.2.3", true],
        ]);
        const describeImages = seen.filter((s) => s.target.endsWith("DescribeImages"));
        expect(describeImages.map((s) => s.body.nextToken ?? null)).to.deep.equal([null, "page-2"]);
        expect(describeImages[0].body).to.include({ registryId: "123456789012", repositoryName: "drydock/backend" });
        for (const s of seen) {
            expect(s.host).to.equal(endpoint.replace("http://", ""));
            expect(s.authorization).to.match(/Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/(ecr|ecs)\/aws4_request/);
        }
    });

    it("turns access denied into one line naming the permission, and exit 1", async () => {
        const r = await run(["versions", "frontend", "--stack", "production", "--json"], env());
        expect(r.code).to.equal(1);
        expect(JSON.parse(r.stdout)).to.deep.equal({ error: r.stderr.trim().replace(/^drydock: /, ""), code: 1 }); // --json: the error as JSON too
        expect(r.stderr.trim().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(/^drydock: .*access denied.*ecr:DescribeImages/);
    });
});
