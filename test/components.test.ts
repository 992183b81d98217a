import { expect } from "chai";
import { AppService } from "../components/appService";
import { Database, DatabaseArgs } from "../components/database";
import { LoadBalancer } from "../components/loadBalancer";
import { Network } from "../components/network";
import { ECS_EXEC_ACTIONS } from "../components/serviceIam";
import { SECRET_LIKE_NAME } from "../components/taskContainer";
import { MockCloud, startMockCloud } from "../offline/mockCloud";
import { BuiltStack, buildStack, CERTIFICATE_ARN, EXISTING, REPOSITORY, StackKind } from "./support/componentStack";
import { defaultImageDigest } from "../offline/mockCloud";
import { asList, childrenOf, containers, one, promiseOf, statements, T } from "./support/records";

const SERVICES = ["backend", "frontend"] as const;

/** Builds one component under a fresh mock cloud and returns the error it throws. */
async function constructionError(build: () => void): Promise<Error> {
    const cloud = startMockCloud({ stack: "staging" });
    let error: unknown;
    try {
        build();
    } catch (e) {
        error = e;
    }
    await cloud.settle().catch(() => undefined);
    if (!(error instanceof Error)) {
        throw new Error("expected the component to throw, but it was created");
    }
    return error;
}

const existingNetwork = {
    vpcId: "vpc-0123456789abcdef0",
    publicSubnetIds: ["subnet-public-a", "subnet-public-b"],
    privateSubnetIds: ["subnet-private-a", "subnet-private-b"],
};

const dbArgs: DatabaseArgs = { stack: "staging", vpcId: existingNetwork.vpcId, subnetIds: existingNetwork.privateSubnetIds };

for (const kind of ["staging", "production"] as StackKind[]) {
    const production = kind === "production";

    describe(`components: ${kind}-like stack`, () => {
        let s: BuiltStack;
        let cloud: MockCloud;
        before(async () => {
            s = await buildStack(kind);
            cloud = s.cloud;
        });

        describe("ECS cluster and services", () => {
            it(`names the ECS cluster drydock-${kind} with Container Insights enabled`, () => {
                const [cluster] = cloud.byType(T.ecsCluster);
                expect(cloud.byType(T.ecsCluster)).to.have.length(1);
                expect(cluster.inputs.name).to.equal(`drydock-${kind}`);
                expect(cluster.inputs.settings).to.deep.equal([{ name: "containerInsights", value: "enabled" }]);
            });

            it("names the services backend-service and frontend-service, Fargate, on that cluster", () => {
                for (const service of SERVICES) {
                    const svc = one(cloud, T.service, `${service}-service`);
                    expect(svc.inputs.name).to.equal(`${service}-service`);
                    expect(svc.inputs.cluster).to.equal(`arn:aws:ecs:us-east-1:123456789012:cluster/drydock-${kind}`);
                    expect(svc.inputs.launchType).to.equal("FARGATE");
                    expect(svc.inputs.desiredCount).to.equal(production ? 2 : 1);
                }
            });

            it("rolls out with minimum healthy 100% and maximum 200%", () => {
                for (const service of SERVICES) {
                    const svc = one(cloud, T.service, `${service}-service`);
                    expect(svc.inputs.deploymentMinimumHealthyPercent).to.equal(100);
                    expect(svc.inputs.deploymentMaximumPercent).to.equal(200);
                    expect(svc.inputs.deploymentController).to.deep.equal({ type: "ECS" });
                }
            });

            it("enables the deployment circuit breaker with rollback", () => {
                for (const service of SERVICES) {
                    expect(one(cloud, T.service, `${service}-service`).inputs.deploymentCircuitBreaker).to.deep.equal({
                        enable: true,
                        rollback: true,
                    });
                }
            });

            it("rolls back on the target group's 5xx and unhealthy-host alarms", async () => {
                const lbSuffix = await promiseOf(s.loadBalancer.arnSuffix);
                for (const service of SERVICES) {
                    const svc = one(cloud, T.service, `${service}-service`);
                    const names = [`drydock-${kind}-${service}-target-5xx`, `drydock-${kind}-${service}-unhealthy-hosts`];
                    expect(svc.inputs.alarms).to.deep.equal({ alarmNames: names, enable: true, rollback: true });

                    const tgSuffix = await promiseOf(s[service].route!.targetGroupArnSuffix);
                    const alarms = childrenOf(cloud, T.alarm, service).filter((a) => a.parent!.includes("ServiceRoute"));
                    expect(alarms.map((a) => a.inputs.name)).to.have.members(names);
                    expect(alarms.map((a) => a.inputs.metricName)).to.have.members(["HTTPCode_Target_5XX_Count", "UnHealthyHostCount"]);
                    for (const alarm of alarms) {
                        expect(alarm.inputs).to.include({
                            namespace: "AWS/ApplicationELB",
                            comparisonOperator: "GreaterThanOrEqualToThreshold",
                            treatMissingData: "notBreaching",
                            period: 60,
                        });
                        expect(alarm.inputs.dimensions).to.deep.equal({ TargetGroup: tgSuffix, LoadBalancer: lbSuffix });
                    }
                }
            });

            it("gives starting tasks a health-check grace period and waits for a steady state", () => {
                for (const service of SERVICES) {
                    const svc = one(cloud, T.service, `${service}-service`);
                    expect(svc.inputs.healthCheckGracePeriodSeconds).to.equal(60);
                    expect(svc.inputs.waitForSteadyState).to.equal(true);
                }
            });

            it("runs tasks in the private subnets without a public IP, in the service's own security group", async () => {
                for (const service of SERVICES) {
                    const svc = one(cloud, T.service, `${service}-service`);
                    const sgId = await promiseOf(s[service].securityGroupId);
                    expect(svc.inputs.networkConfiguration).to.deep.equal({
                        subnets: EXISTING.privateSubnetIds,
                        securityGroups: [sgId],
                        assignPublicIp: false,
                    });
                }
            });

            it("enables ECS Exec, and the task role allows exactly the SSM channels it needs", () => {
                for (const service of SERVICES) {
                    expect(one(cloud, T.service, `${service}-service`).inputs.enableExecuteCommand).to.equal(true);
                    const taskPolicy = statements(one(cloud, T.rolePolicy, `${service}-task`));
                    expect(taskPolicy).to.have.length(1);
                    expect(asList(taskPolicy[0].Action)).to.have.members(ECS_EXEC_ACTIONS);
                    expect(ECS_EXEC_ACTIONS).to.have.members([
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ]);
                    const td = one(cloud, T.taskDefinition, `${service}-task`);
                    expect(td.inputs.taskRoleArn).to.match(new RegExp(`:role/${service}-task-`));
                    expect(containers(td)[0].linuxParameters?.initProcessEnabled).to.equal(true);
                }
            });

            it("lets the execution role pull images, write to its own log group, and read only the database secret", async () => {
                const secretArn = await promiseOf(s.database.masterUserSecretArn);
                for (const service of SERVICES) {
                    const stmts = statements(one(cloud, T.rolePolicy, `${service}-execution`));
                    const actions = stmts.flatMap((st) => asList(st.Action));
                    expect(actions).to.include.members([
                        "ecr:GetAuthorizationToken",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                        "logs:PutLogEvents",
                        "logs:CreateLogStream",
                    ]);
                    const logs = stmts.find((st) => asList(st.Action).includes("logs:PutLogEvents"));
                    expect(logs?.Resource).to.equal(`arn:aws:logs:us-east-1:123456789012:log-group:/aws/ecs/${service}-logs-${kind}:*`);
                    const secrets = stmts.filter((st) => asList(st.Action).some((act) => act.startsWith("secretsmanager:")));
                    if (service === "backend") {
                        expect(secrets).to.have.length(1);
                        expect(asList(secrets[0].Action)).to.deep.equal(["secretsmanager:GetSecretValue"]);
                        expect(asList(secrets[0].Resource)).to.deep.equal([secretArn]);
                    } else {
                        expect(secrets, "the frontend has no secrets to read").to.have.length(0);
                    }
                    expect(stmts.every((st) => st.Effect === "Allow" && !asList(st.Action).some((act) => act.includes("*")))).to.equal(
                        true,
                    );
                }
            });

            it("names each task definition family drydock-<stack>-<service>: Fargate, awsvpc, CPU and memory", () => {
                const sizes = { backend: ["512", "1024"], frontend: ["256", "512"] };
                for (const service of SERVICES) {
                    const td = one(cloud, T.taskDefinition, `${service}-task`);
                    expect(td.inputs.family).to.equal(`drydock-${kind}-${service}`);
                    expect(td.inputs.requiresCompatibilities).to.deep.equal(["FARGATE"]);
                    expect(td.inputs.networkMode).to.equal("awsvpc");
                    expect([td.inputs.cpu, td.inputs.memory]).to.deep.equal(sizes[service]);
                    expect(td.inputs.skipDestroy, "old revisions stay registered for rollback").to.equal(true);
                }
            });

            it("carries the requested version as task tag, APP_VERSION and image label, and runs the image given", () => {
                const version = production ? "v1.2.3" : "latest";
                for (const service of SERVICES) {
                    const td = one(cloud, T.taskDefinition, `${service}-task`);
                    expect((td.inputs.tags as Record<string, string>)["drydock:requested-version"]).to.equal(version);
                    const [c] = containers(td);
                    expect(c.image).to.equal(`${REPOSITORY}/${service}@${defaultImageDigest(`drydock/${service}`, version)}`);
                    expect(c.environment).to.deep.include({ name: "APP_VERSION", value: version });
                    expect(c.dockerLabels).to.deep.equal({ "org.opencontainers.image.version": version });
                    const svcTags = one(cloud, T.service, `${service}-service`).inputs.tags as Record<string, string>;
                    expect(svcTags["drydock:requested-version"]).to.equal(version);
                    expect(svcTags["drydock:image"]).to.equal(c.image);
                }
            });

            it("logs with awslogs to /aws/ecs/<service>-logs-<stack>, a log group with retention", () => {
                for (const service of SERVICES) {
                    const group = one(cloud, T.logGroup, `${service}-logs`);
                    expect(group.inputs.name).to.equal(`/aws/ecs/${service}-logs-${kind}`);
                    expect(group.inputs.retentionInDays).to.equal(production ? 90 : 14);
                    const [c] = containers(one(cloud, T.taskDefinition, `${service}-task`));
                    expect(c.logConfiguration).to.deep.equal({
                        logDriver: "awslogs",
                        options: {
                            "awslogs-group": `/aws/ecs/${service}-logs-${kind}`,
                            "awslogs-region": "us-east-1",
                            "awslogs-stream-prefix": service,
                        },
                    });
                }
            });
        });

        describe("target groups and health checks", () => {
            const paths = { backend: "/api/v1/utils/health-check/", frontend: "/" };
            it("health-checks the backend on /api/v1/utils/health-check/ and the frontend on /", () => {
                for (const service of SERVICES) {
                    const hc = one(cloud, T.targetGroup, `${service}-tg`).inputs.healthCheck as Record<string, unknown>;
                    expect(hc.path).to.equal(paths[service]);
                    expect(hc.enabled).to.equal(true);
                    expect(hc.matcher).to.equal("200-399");
                }
            });

            it("checks every 10 s (≤ 15), healthy after 2 passes (≤ 3), unhealthy after 3, timeout 5 s", () => {
                for (const service of SERVICES) {
                    const hc = one(cloud, T.targetGroup, `${service}-tg`).inputs.healthCheck as Record<string, number>;
                    expect(hc.interval).to.equal(10).and.to.be.at.most(15);
                    expect(hc.healthyThreshold).to.equal(2).and.to.be.at.most(3);
                    expect(hc.unhealthyThreshold).to.equal(3);
                    expect(hc.timeout).to.equal(5);
                }
            });

            it("drains replaced tasks for 30 s, not AWS's 300 s, and targets task IPs on the container port", () => {
                const ports = { backend: 8000, frontend: 80 };
                for (const service of SERVICES) {
                    const tg = one(cloud, T.targetGroup, `${service}-tg`);
                    expect(tg.inputs.deregistrationDelay).to.equal(30);
                    expect(tg.inputs.targetType).to.equal("ip");
                    expect(tg.inputs.port).to.equal(ports[service]);
                    const svc = one(cloud, T.service, `${service}-service`);
                    expect((svc.inputs.loadBalancers as { containerPort: number; containerName: string }[])[0]).to.include({
                        containerPort: ports[service],
                        containerName: service,
                    });
                }
            });
        });

        describe("load balancer", () => {
            it("is an internet-facing application load balancer in the public subnets that drops invalid header fields", () => {
                const [alb] = cloud.byType(T.alb);
                expect(alb.inputs.loadBalancerType).to.equal("application");
                expect(alb.inputs.internal).to.equal(false);
                expect(alb.inputs.dropInvalidHeaderFields).to.equal(true);
                expect(alb.inputs.subnets).to.deep.equal(EXISTING.publicSubnetIds);
            });

            if (production) {
                it("with a certificate: HTTPS on 443 with a TLS 1.3/1.2 policy, and HTTP 80 answering 301 to HTTPS", () => {
                    const https = one(cloud, T.listener, "alb-https");
                    expect(https.inputs).to.include({
                        port: 443,
                        protocol: "HTTPS",
                        certificateArn: CERTIFICATE_ARN,
                        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    });
                    const http = one(cloud, T.listener, "alb-http");
                    expect(http.inputs).to.include({ port: 80, protocol: "HTTP" });
                    expect(http.inputs.defaultActions).to.deep.equal([
                        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
                    ]);
                    expect(cloud.byType(T.listener)).to.have.length(2);
                });
            } else {
                it("without a certificate: a single plain HTTP listener on 80, no redirect", () => {
                    const listeners = cloud.byType(T.listener);
                    expect(listeners).to.have.length(1);
                    expect(listeners[0].inputs).to.include({ port: 80, protocol: "HTTP" });
                    expect(JSON.stringify(listeners[0].inputs.defaultActions)).not.to.include("redirect");
                    expect(listeners[0].inputs.certificateArn).to.equal(undefined);
                });
            }

            it("routes /api/* to the backend and everything else to the frontend, on the serving listener", async () => {
                const listenerArn = await promiseOf(s.loadBalancer.listenerArn);
                const serving = production ? "alb-https" : "alb-http";
                expect(listenerArn).to.include(`listener/app/${serving}/`);
                const backend = one(cloud, T.rule, "backend-route").inputs;
                const frontend = one(cloud, T.rule, "frontend-route").inputs;
                expect(backend.conditions).to.deep.equal([{ pathPattern: { values: ["/api/*"] } }]);
                expect(frontend.conditions).to.deep.equal([{ pathPattern: { values: ["/*"] } }]);
                expect(backend.priority as number).to.be.below(frontend.priority as number);
                for (const [rule, service] of [
                    [backend, "backend"],
                    [frontend, "frontend"],
                ] as const) {
                    expect(rule.listenerArn).to.equal(listenerArn);
                    expect(rule.actions).to.deep.equal([
                        { type: "forward", targetGroupArn: await promiseOf(s[service].route!.targetGroupArn) },
                    ]);
                }
            });

            it("creates each ECS service after its listener rule (ECS refuses a target group without a load balancer)", () => {
                for (const service of SERVICES) {
                    const rule = one(cloud, T.rule, `${service}-route`);
                    expect(one(cloud, T.service, `${service}-service`).dependencies).to.include(rule.urn);
                }
            });
        });

        describe("security groups", () => {
            it("opens nothing to the internet but the load balancer on 80 and 443", async () => {
                const albSg = await promiseOf(s.loadBalancer.securityGroupId);
                const open = cloud.byType(T.ingress).filter((r) => r.inputs.cidrIpv4 !== undefined || r.inputs.cidrIpv6 !== undefined);
                expect(open.map((r) => r.inputs.securityGroupId)).to.satisfy((ids: string[]) => ids.every((id) => id === albSg));
                expect(open.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]).sort()).to.deep.equal([
                    [443, 443, "0.0.0.0/0"],
                    [80, 80, "0.0.0.0/0"],
                ]);
                for (const sg of cloud.byType(T.sg)) {
                    expect(sg.inputs.ingress ?? [], `${sg.name} has no inline ingress`).to.deep.equal([]);
                    expect(sg.inputs.egress ?? [], `${sg.name} has no inline egress`).to.deep.equal([]);
                }
            });

            it("admits each service only from the load balancer, on its container port", async () => {
                const albSg = await promiseOf(s.loadBalancer.securityGroupId);
                for (const [service, port] of [
                    ["backend", 8000],
                    ["frontend", 80],
                ] as const) {
                    const sgId = await promiseOf(s[service].securityGroupId);
                    const ingress = cloud.byType(T.ingress).filter((r) => r.inputs.securityGroupId === sgId);
                    expect(ingress.map((r) => r.inputs)).to.deep.equal([
                        {
                            securityGroupId: sgId,
                            referencedSecurityGroupId: albSg,
                            ipProtocol: "tcp",
                            fromPort: port,
                            toPort: port,
                            description: `load balancer to ${service}`,
                            tags: ingress[0].inputs.tags,
                        },
                    ]);
                    const albEgress = cloud
                        .byType(T.egress)
                        .filter((r) => r.inputs.securityGroupId === albSg && r.inputs.referencedSecurityGroupId === sgId);
                    expect(albEgress.map((r) => [r.inputs.fromPort, r.inputs.toPort])).to.deep.equal([[port, port]]);
                }
            });

            it("admits the database on 5432 only from the backend service", async () => {
                const dbSg = await promiseOf(s.database.securityGroupId);
                const backendSg = await promiseOf(s.backend.securityGroupId);
                const ingress = cloud.byType(T.ingress).filter((r) => r.inputs.securityGroupId === dbSg);
                expect(ingress).to.have.length(1);
                expect(ingress[0].inputs).to.include({
                    referencedSecurityGroupId: backendSg,
                    ipProtocol: "tcp",
                    fromPort: 5432,
                    toPort: 5432,
                });
                const frontendSg = await promiseOf(s.frontend.securityGroupId);
                expect(
                    cloud
                        .byType(T.egress)
                        .filter((r) => r.inputs.securityGroupId === frontendSg && r.inputs.referencedSecurityGroupId === dbSg),
                ).to.have.length(0);
            });

            it("lets tasks out to the internet only on 443 (ECR, logs, Secrets Manager, ECS Exec through NAT)", () => {
                const open = cloud.byType(T.egress).filter((r) => r.inputs.cidrIpv4 !== undefined || r.inputs.cidrIpv6 !== undefined);
                expect(open.map((r) => r.name).sort()).to.deep.equal(["backend-out-443", "frontend-out-443"]);
                expect(open.every((r) => r.inputs.fromPort === 443 && r.inputs.toPort === 443)).to.equal(true);
            });
        });

        describe("secrets and environment", () => {
            it("gives the backend the database endpoint as env and the credentials only as ECS secrets", async () => {
                const secretArn = await promiseOf(s.database.masterUserSecretArn);
                const [c] = containers(one(cloud, T.taskDefinition, "backend-task"));
                const env = Object.fromEntries(c.environment.map((e) => [e.name, e.value]));
                expect(env.DB_HOST).to.equal(await promiseOf(s.database.endpoint));
                expect(env.DB_PORT).to.equal("5432");
                expect(env.DB_NAME).to.equal("app");
                expect(c.secrets).to.deep.equal([
                    { name: "DB_PASSWORD", valueFrom: `${secretArn}:password::` },
                    { name: "DB_USER", valueFrom: `${secretArn}:username::` },
                ]);
                expect(secretArn).to.match(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-/);
            });

            it("puts no password, secret or secret reference in any container environment variable", async () => {
                const secretArn = await promiseOf(s.database.masterUserSecretArn);
                for (const td of cloud.byType(T.taskDefinition)) {
                    for (const c of containers(td)) {
                        for (const { name, value } of c.environment) {
                            expect(name, `${td.name}: ${name}`).not.to.match(SECRET_LIKE_NAME);
                            expect(value, `${td.name}: ${name}`).not.to.include(secretArn);
                            expect(value.toLowerCase(), `${td.name}: ${name}`).not.to.include("password");
                        }
                    }
                }
                expect(JSON.stringify(cloud.resources.map((r) => r.inputs))).not.to.match(/masterPassword/);
            });
        });

        describe("database", () => {
            it(`is Aurora PostgreSQL with cluster identifier drydock-${kind}, Serverless v2 here`, () => {
                const [cluster] = cloud.byType(T.rdsCluster);
                expect(cluster.inputs).to.include({
                    clusterIdentifier: `drydock-${kind}`,
                    engine: "aurora-postgresql",
                    engineMode: "provisioned",
                });
                expect(cluster.inputs.serverlessv2ScalingConfiguration).to.deep.equal(
                    production ? { minCapacity: 1, maxCapacity: 16 } : { minCapacity: 1, maxCapacity: 4 },
                );
                const instances = cloud.byType(T.rdsInstance);
                expect(instances).to.have.length(production ? 2 : 1);
                expect(
                    instances.every((i) => i.inputs.instanceClass === "db.serverless" && i.inputs.engine === "aurora-postgresql"),
                ).to.equal(true);
            });

            it("sets the maintenance and backup windows on the cluster and the maintenance window on every instance", () => {
                const [cluster] = cloud.byType(T.rdsCluster);
                expect(cluster.inputs.preferredMaintenanceWindow).to.equal("sun:05:00-sun:06:00");
                expect(cluster.inputs.preferredBackupWindow).to.equal("03:00-04:00");
                for (const instance of cloud.byType(T.rdsInstance)) {
                    expect(instance.inputs.preferredMaintenanceWindow, instance.name).to.equal("sun:05:00-sun:06:00");
                }
            });

            it(`keeps backups ${production ? 14 : 7} days`, () => {
                expect(cloud.byType(T.rdsCluster)[0].inputs.backupRetentionPeriod).to.equal(production ? 14 : 7);
            });

            it("encrypts storage and copies tags to snapshots", () => {
                const [cluster] = cloud.byType(T.rdsCluster);
                expect(cluster.inputs.storageEncrypted).to.equal(true);
                expect(cluster.inputs.copyTagsToSnapshot).to.equal(true);
            });

            it("lets RDS manage the master password in Secrets Manager (no password in config or state)", async () => {
                const [cluster] = cloud.byType(T.rdsCluster);
                expect(cluster.inputs.manageMasterUserPassword).to.equal(true);
                expect(cluster.inputs).not.to.have.any.keys("masterPassword", "masterPasswordWo");
                expect(await promiseOf(s.database.masterUserSecretArn)).to.match(/^arn:aws:secretsmanager:/);
            });

            it("takes a final snapshot with a name unique to this creation of the cluster, kept on later updates", () => {
                const [cluster] = cloud.byType(T.rdsCluster);
                expect(cluster.inputs.skipFinalSnapshot).to.equal(false);
                // Named from the creation time (the program's clock); ignoreChanges keeps the first name afterwards.
                expect(cluster.inputs.finalSnapshotIdentifier).to.match(new RegExp(`^drydock-${kind}-final-\\d{14}$`));
                expect(cluster.inputs.finalSnapshotIdentifier).to.match(/^[a-z](?:[a-z0-9]|-(?!-)){0,253}[a-z0-9]$/);
                expect(cluster.ignoreChanges).to.deep.equal(["finalSnapshotIdentifier"]);
            });

            it(
                production
                    ? "in production: deletion protection, Pulumi protect, and changes wait for the maintenance window"
                    : "outside production: no deletion protection or protect, changes apply immediately",
                () => {
                    const [cluster] = cloud.byType(T.rdsCluster);
                    expect(cluster.inputs.deletionProtection).to.equal(production);
                    expect(cluster.protect).to.equal(production);
                    expect(cluster.inputs.applyImmediately).to.equal(!production);
                    for (const instance of cloud.byType(T.rdsInstance)) {
                        expect(instance.inputs.applyImmediately).to.equal(!production);
                    }
                },
            );

            it("upgrades minor versions automatically in the window, with Performance Insights, not publicly accessible", () => {
                for (const instance of cloud.byType(T.rdsInstance)) {
                    expect(instance.inputs).to.include({
                        autoMinorVersionUpgrade: true,
                        performanceInsightsEnabled: true,
                        publiclyAccessible: false,
                    });
                }
            });

            it("places the cluster in a subnet group of the private subnets and in its own security group", async () => {
                const [group] = cloud.byType(T.subnetGroup);
                expect(group.inputs.subnetIds).to.deep.equal(EXISTING.privateSubnetIds);
                const [cluster] = cloud.byType(T.rdsCluster);
                expect(cluster.inputs.vpcSecurityGroupIds).to.deep.equal([await promiseOf(s.database.securityGroupId)]);
                expect(cluster.inputs.dbSubnetGroupName).to.be.a("string").and.not.equal("");
            });

            it("exposes endpoint, port, identifier and database name", async () => {
                expect(await promiseOf(s.database.endpoint)).to.match(
                    new RegExp(`^drydock-${kind}\\.cluster-[0-9a-f]+\\.us-east-1\\.rds\\.amazonaws\\.com$`),
                );
                expect(await promiseOf(s.database.port)).to.equal(5432);
                expect(await promiseOf(s.database.clusterIdentifier)).to.equal(`drydock-${kind}`);
                expect(await promiseOf(s.database.databaseName)).to.equal("app");
            });
        });

        describe("autoscaling", () => {
            if (production) {
                it("tracks 60% average CPU between desiredCount and maxCount, and leaves the running count to the scaler", () => {
                    for (const [service, max] of [
                        ["backend", 6],
                        ["frontend", 4],
                    ] as const) {
                        const target = one(cloud, T.scalingTarget, `${service}-scaling`);
                        expect(target.inputs).to.include({
                            serviceNamespace: "ecs",
                            scalableDimension: "ecs:service:DesiredCount",
                            resourceId: `service/drydock-production/${service}-service`,
                            minCapacity: 2,
                            maxCapacity: max,
                        });
                        const policy = one(cloud, T.scalingPolicy, `${service}-cpu`);
                        expect(policy.inputs.policyType).to.equal("TargetTrackingScaling");
                        const config = policy.inputs.targetTrackingScalingPolicyConfiguration as Record<string, unknown>;
                        expect(config.targetValue).to.equal(60);
                        expect(config.predefinedMetricSpecification).to.deep.equal({
                            predefinedMetricType: "ECSServiceAverageCPUUtilization",
                        });
                        expect(one(cloud, T.service, `${service}-service`).ignoreChanges).to.deep.equal(["desiredCount"]);
                    }
                });
            } else {
                it("is off when maxCount equals desiredCount", () => {
                    expect(cloud.byType(T.scalingTarget)).to.have.length(0);
                    expect(cloud.byType(T.scalingPolicy)).to.have.length(0);
                    expect(one(cloud, T.service, "backend-service").ignoreChanges).to.equal(undefined);
                });
            }
        });

        describe("hooks", () => {
            it("binds the release gate, snapshot and rollout verification to the backend service", () => {
                expect(one(cloud, T.service, "backend-service").hooks).to.deep.equal({
                    beforeCreate: ["release-gate"],
                    beforeUpdate: ["release-gate", "pre-update-snapshot"],
                    afterCreate: ["verify-rollout"],
                    afterUpdate: ["verify-rollout"],
                });
                expect(one(cloud, T.service, "frontend-service").hooks).to.deep.equal({
                    beforeCreate: ["release-gate"],
                    beforeUpdate: ["release-gate"],
                    afterCreate: ["verify-rollout"],
                    afterUpdate: ["verify-rollout"],
                });
            });

            it("binds the cluster hooks to the Aurora cluster", () => {
                expect(cloud.byType(T.rdsCluster)[0].hooks).to.deep.equal({ beforeUpdate: ["pre-update-snapshot"] });
            });
        });

        it("parents every AWS resource to one of the components", () => {
            const components = new Set(cloud.resources.filter((r) => r.type.startsWith("drydock:components:")).map((r) => r.urn));
            const orphans = cloud.resources.filter((r) => !r.type.startsWith("drydock:") && !(r.parent && components.has(r.parent)));
            expect(orphans.map((r) => `${r.type} ${r.name}`)).to.deep.equal([]);
        });
    });
}

describe("components: options", () => {
    it("forces a new deployment with triggers only when a redeploy token is set", async () => {
        const { cloud } = await buildStack("staging", { config: { redeployToken: "2026-03-15-a" } });
        for (const service of SERVICES) {
            const svc = one(cloud, T.service, `${service}-service`);
            expect(svc.inputs.triggers).to.deep.equal({ redeployToken: "2026-03-15-a" });
            expect(svc.inputs.forceNewDeployment).to.equal(true);
        }
        const plain = await buildStack("staging");
        for (const service of SERVICES) {
            const svc = one(plain.cloud, T.service, `${service}-service`);
            expect(svc.inputs).not.to.have.any.keys("triggers", "forceNewDeployment");
        }
    });

    it("warns at preview when there is no certificate, and not when there is one", async () => {
        const plain = await buildStack("staging", { preview: true });
        expect(plain.cloud.warnings.join("\n")).to.match(/no certificateArn: the load balancer serves plain HTTP/);
        const https = await buildStack("staging", { preview: true, certificateArn: CERTIFICATE_ARN });
        expect(https.cloud.warnings).to.deep.equal([]);
    });

    it("makes path patterns, health-check settings and deregistration delay configurable", async () => {
        const { cloud } = await buildStack("staging", {
            config: {
                backendPathPatterns: '["/api/*","/docs*"]',
                healthCheckIntervalSeconds: "15",
                healthyThreshold: "3",
                deregistrationDelaySeconds: "10",
            },
        });
        expect(one(cloud, T.rule, "backend-route").inputs.conditions).to.deep.equal([{ pathPattern: { values: ["/api/*", "/docs*"] } }]);
        const tg = one(cloud, T.targetGroup, "backend-tg").inputs;
        expect(tg.deregistrationDelay).to.equal(10);
        expect(tg.healthCheck).to.include({ interval: 15, healthyThreshold: 3, timeout: 5, path: "/api/v1/utils/health-check/" });
        expect(one(cloud, T.targetGroup, "frontend-tg").inputs.healthCheck).to.include({ interval: 15, path: "/" });
    });

    it("supports a provisioned Aurora cluster: instance class on every instance, no Serverless v2 scaling", async () => {
        const { cloud } = await buildStack("production", { config: { dbInstanceClass: "db.r6g.large" } });
        expect(cloud.byType(T.rdsCluster)[0].inputs).not.to.have.property("serverlessv2ScalingConfiguration");
        expect(cloud.byType(T.rdsInstance).map((i) => i.inputs.instanceClass)).to.deep.equal(["db.r6g.large", "db.r6g.large"]);
    });

    it("gives a task role the configured statements next to ECS Exec, and only that service's role", async () => {
        const statement = { actions: ["s3:GetObject", "s3:PutObject"], resources: ["arn:aws:s3:::uploads/*"] };
        const { cloud } = await buildStack("staging", { config: { backendTaskRoleStatements: JSON.stringify([statement]) } });
        const backend = statements(one(cloud, T.rolePolicy, "backend-task"));
        expect(backend).to.have.length(2);
        expect(backend[1]).to.deep.equal({ Sid: "Configured1", Effect: "Allow", Action: statement.actions, Resource: statement.resources });
        expect(statements(one(cloud, T.rolePolicy, "frontend-task"))).to.have.length(1);
        expect(one(cloud, T.role, "backend-task").inputs.description).to.equal(
            "Application task role: ECS Exec and the configured statements",
        );
    });

    it("adds ::/0 on 80 and 443 for a dual-stack load balancer", async () => {
        const cloud = startMockCloud({ stack: "staging" });
        new LoadBalancer("web", {
            vpcId: "vpc-1",
            subnetIds: ["subnet-a", "subnet-b"],
            ipAddressType: "dualstack",
            certificateArn: CERTIFICATE_ARN,
        });
        await cloud.settle();
        const v6 = cloud
            .byType(T.ingress)
            .filter((r) => r.inputs.cidrIpv6 === "::/0")
            .map((r) => r.inputs.fromPort);
        expect(v6).to.have.members([80, 443]);
    });
});

describe("components: network", () => {
    it("passes an existing VPC and its subnets through", async () => {
        const cloud = startMockCloud({ stack: "staging" });
        const network = new Network("network", { existing: existingNetwork });
        await cloud.settle();
        expect(await promiseOf(network.vpcId)).to.equal(existingNetwork.vpcId);
        expect(await promiseOf(network.publicSubnetIds)).to.deep.equal(existingNetwork.publicSubnetIds);
        expect(await promiseOf(network.privateSubnetIds)).to.deep.equal(existingNetwork.privateSubnetIds);
        expect(cloud.byType(T.vpc)).to.have.length(0);
    });

    for (const [strategy, label] of [
        ["Single", "one NAT gateway (staging)"],
        ["OnePerAz", "a NAT gateway per zone (production)"],
    ] as const) {
        it(`creates an awsx VPC over two zones with ${label}, and exposes its subnets`, async () => {
            const cloud = startMockCloud({ stack: "staging" });
            const network = new Network("network", { natGateways: strategy });
            await cloud.settle();
            const [vpc] = cloud.byType(T.vpc);
            expect(vpc.inputs).to.deep.include({ numberOfAvailabilityZones: 2, natGateways: { strategy } });
            expect(vpc.inputs.subnetSpecs).to.deep.equal([{ type: "Public" }, { type: "Private" }]);
            expect(await promiseOf(network.vpcId)).to.match(/^vpc-/);
            expect(await promiseOf(network.publicSubnetIds)).to.have.length(2);
            expect(await promiseOf(network.privateSubnetIds)).to.have.length(2);
        });
    }

    it("refuses an existing VPC combined with new-VPC settings, naming both", async () => {
        const err = await constructionError(() => new Network("network", { existing: existingNetwork, natGateways: "OnePerAz" }));
        expect(err.message).to.match(/"existing" conflicts with "natGateways"/);
    });

    it("refuses an existing VPC with fewer than two subnets of a kind", async () => {
        const err = await constructionError(
            () => new Network("network", { existing: { ...existingNetwork, privateSubnetIds: ["subnet-1"] } }),
        );
        expect(err.message).to.match(/existing\.privateSubnetIds has 1 subnet\(s\); give at least 2/);
    });
});

describe("components: argument validation", () => {
    const lb = { securityGroupId: "sg-alb", listenerArn: "arn:listener", arnSuffix: "app/web/1" };
    const service = (extra: Partial<ConstructorParameters<typeof AppService>[1]>) => () =>
        new AppService("backend", {
            service: "backend",
            cluster: { arn: "arn:cluster", name: "drydock-staging" },
            vpcId: "vpc-1",
            subnetIds: ["subnet-a", "subnet-b"],
            route: { loadBalancer: lb, ...extra.route },
            image: "repo@sha256:00",
            requestedVersion: "v1.0.0",
            ...extra,
        });

    it("refuses a health-check interval above 15 s", async () => {
        const err = await constructionError(service({ route: { loadBalancer: lb, healthCheck: { interval: 30 } } }));
        expect(err.message).to.match(/healthCheck\.interval = 30 is not accepted; use an integer from 5 to 15 seconds/);
    });

    it("refuses a healthy threshold above 3", async () => {
        const err = await constructionError(service({ route: { loadBalancer: lb, healthCheck: { healthyThreshold: 5 } } }));
        expect(err.message).to.match(/healthCheck\.healthyThreshold = 5 is not accepted; use an integer from 2 to 3/);
    });

    it("refuses a CPU/memory pair Fargate cannot run", async () => {
        const err = await constructionError(service({ cpu: 256, memory: 4096 }));
        expect(err.message).to.match(/memory = 4096 MiB does not fit cpu = 256; Fargate takes 512, 1024 or 2048 MiB/);
    });

    it("refuses credentials in plain environment variables", async () => {
        const err = await constructionError(service({ environment: { DB_PASSWORD: "hunter2", STRIPE_API_KEY: "sk" } }));
        expect(err.message).to.match(/environment "DB_PASSWORD", "STRIPE_API_KEY" look like credentials; .*pass them as `secrets`/);
    });

    it("refuses maxCount below desiredCount", async () => {
        const err = await constructionError(service({ desiredCount: 3, maxCount: 2 }));
        expect(err.message).to.match(/maxCount = 2 is not accepted; use an integer from 3 to 1000/);
    });

    it("refuses fewer than 7 days of backups in production", async () => {
        const err = await constructionError(
            () => new Database("db", { ...dbArgs, stack: "production", production: true, backupRetentionDays: 3 }),
        );
        expect(err.message).to.match(
            /backupRetentionDays = 3 is not accepted; use an integer from 7 to 35 days \(production keeps at least 7 days/,
        );
    });

    it("refuses a malformed maintenance window, naming it", async () => {
        const err = await constructionError(() => new Database("db", { ...dbArgs, maintenanceWindow: "sunday 5am" }));
        expect(err.message).to.match(/^Database "db": maintenanceWindow = "sunday 5am" is not accepted/);
    });

    it("refuses a backup window overlapping the maintenance window", async () => {
        const err = await constructionError(
            () => new Database("db", { ...dbArgs, maintenanceWindow: "sun:03:30-sun:04:30", backupWindow: "03:00-04:00" }),
        );
        expect(err.message).to.match(/backupWindow = "03:00-04:00" is not accepted: overlaps the maintenance window sun:03:30-sun:04:30/);
    });

    it("refuses a stack name that cannot form the RDS identifier drydock-<stack>", async () => {
        const err = await constructionError(() => new Database("db", { ...dbArgs, stack: "My_Stack" }));
        expect(err.message).to.match(/"drydock-My_Stack" and "drydock-My_Stack-1" \(from the stack name\) are not valid RDS identifiers/);
    });
});

describe("components: a service without a route (a worker), and the component's own defaults", () => {
    const base = {
        service: "worker",
        cluster: { arn: "arn:aws:ecs:us-east-1:123456789012:cluster/drydock-staging", name: "drydock-staging" },
        vpcId: "vpc-1",
        subnetIds: ["subnet-a", "subnet-b"],
        image: "repo@sha256:00",
        requestedVersion: "v1.0.0",
        stack: "staging",
    };
    const lb = { securityGroupId: "sg-alb", listenerArn: "arn:listener", arnSuffix: "app/web/1" };

    it("takes no traffic: no target group, listener rule, ALB alarms, grace period or inbound rule; no hooks when none are passed", async () => {
        const cloud = startMockCloud({ stack: "staging" });
        const worker = new AppService("worker", base);
        await cloud.settle();
        expect(worker.route).to.equal(undefined);
        for (const type of [T.targetGroup, T.rule, T.alarm, T.ingress]) expect(cloud.byType(type), type).to.have.length(0);
        expect(cloud.byType("drydock:components:ServiceRoute")).to.have.length(0);
        const svc = one(cloud, T.service, "worker-service");
        expect(svc.inputs).to.not.have.any.keys("loadBalancers", "alarms", "healthCheckGracePeriodSeconds");
        expect(svc.inputs.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
        expect(svc.hooks).to.deep.equal({});
        expect(one(cloud, T.sg, "worker-sg").inputs.description).to.equal("drydock worker: no inbound traffic");
        expect(cloud.byType(T.egress).map((r) => r.inputs.fromPort)).to.deep.equal([443]);
    });

    it("keeps a route's defaults when optional arguments are passed as undefined", async () => {
        const cloud = startMockCloud({ stack: "staging" });
        new AppService("web", {
            ...base,
            service: "web",
            route: {
                loadBalancer: lb,
                pathPatterns: undefined,
                deregistrationDelay: undefined,
                healthCheck: { path: undefined, interval: undefined },
            },
        });
        await cloud.settle();
        expect(one(cloud, T.rule, "web-route").inputs).to.deep.include({
            priority: 50000,
            conditions: [{ pathPattern: { values: ["/*"] } }],
        });
        const tg = one(cloud, T.targetGroup, "web-tg").inputs;
        expect(tg.deregistrationDelay).to.equal(30);
        expect(tg.healthCheck).to.include({ path: "/", interval: 10, timeout: 5 });
        expect(one(cloud, T.service, "web-service").inputs.healthCheckGracePeriodSeconds).to.equal(60);
    });

    it("refuses a task-role statement that grants a whole service on every resource, or an action that names no service", async () => {
        const wide = await constructionError(
            () => new AppService("worker", { ...base, taskRoleStatements: [{ actions: ["s3:*"], resources: ["*"] }] }),
        );
        expect(wide.message).to.match(
            /^AppService "worker" \(worker\): taskRoleStatements\[0\] grants a whole service on every resource \(\*\)/,
        );
        const bare = await constructionError(
            () => new AppService("worker", { ...base, taskRoleStatements: [{ actions: ["*"], resources: ["arn:aws:s3:::b/*"] }] }),
        );
        expect(bare.message).to.match(/taskRoleStatements\[0\] is not accepted; use \{ actions: \["service:Action"/);
    });
});
