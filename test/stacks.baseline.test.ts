/**
 * The refactor changes nothing a user deployed: for both committed stacks, every AWS resource of the baseline
 * (`drydock check --json` from before the service table, test/fixtures/baseline/) is still planned, under the same
 * URN or with that URN among its aliases (then Pulumi updates it in place instead of replacing it), with the same
 * key inputs: physical names, ports, health check, images, sizes, routing, IAM documents. Timestamps, tags added
 * since (the environment tag), hooks and release state are not compared; components only by their URN.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { CheckedResource, CheckReport, runCheck } from "../offline/check";
import { stackValues } from "./support/synthesize";

const BASELINE = path.join(__dirname, "fixtures", "baseline");

/** Inputs that decide what AWS runs and what it is called. */
const KEY_INPUTS = [
    "name",
    "family",
    "clusterIdentifier",
    "identifier",
    "port",
    "protocol",
    "targetType",
    "fromPort",
    "toPort",
    "ipProtocol",
    "cidrIpv4",
    "cidrIpv6",
    "securityGroupId",
    "referencedSecurityGroupId",
    "healthCheck",
    "deregistrationDelay",
    "priority",
    "conditions",
    "actions",
    "listenerArn",
    "defaultActions",
    "cpu",
    "memory",
    "desiredCount",
    "launchType",
    "loadBalancers",
    "networkConfiguration",
    "healthCheckGracePeriodSeconds",
    "deploymentMinimumHealthyPercent",
    "deploymentMaximumPercent",
    "instanceClass",
    "engineVersion",
    "serverlessv2ScalingConfiguration",
    "retentionInDays",
    "minCapacity",
    "maxCapacity",
    "resourceId",
    "metricName",
    "threshold",
    "dimensions",
    "policy",
    "assumeRolePolicy",
    "role",
    "vpcId",
    "subnets",
    "backupRetentionPeriod",
    "preferredBackupWindow",
    "preferredMaintenanceWindow",
    "deletionProtection",
    "masterUsername",
    "databaseName",
] as const;

/** The containers as far as users notice: name, image, ports, variable names. */
function containersOf(r: CheckedResource): unknown {
    const text = r.inputs.containerDefinitions;
    if (typeof text !== "string") return undefined;
    return (JSON.parse(text) as Record<string, unknown>[]).map((c) => ({
        name: c.name,
        image: c.image,
        portMappings: c.portMappings,
        environment: (c.environment as { name: string }[]).map((e) => e.name),
        secrets: (c.secrets as { name: string }[]).map((e) => e.name),
    }));
}

function keyInputs(r: CheckedResource): Record<string, unknown> {
    const picked: Record<string, unknown> = {};
    for (const k of KEY_INPUTS) if (r.inputs[k] !== undefined) picked[k] = r.inputs[k];
    const containers = containersOf(r);
    if (containers !== undefined) picked.containers = containers;
    return picked;
}

const isComponent = (r: CheckedResource): boolean => r.type.startsWith("drydock:components:");

for (const stack of ["staging", "production"]) {
    describe(`the ${stack} stack keeps what it deployed before the service table`, () => {
        const baseline = JSON.parse(fs.readFileSync(path.join(BASELINE, `check.${stack}.json`), "utf8")) as CheckReport;
        let report: CheckReport;
        const byUrn = new Map<string, CheckedResource>();
        before(async function () {
            this.timeout(60_000);
            report = await runCheck({ stack, values: stackValues(stack), now: new Date("2026-11-25T12:00:00Z") });
            for (const r of report.resources) {
                byUrn.set(r.urn, r);
                for (const alias of r.aliases ?? []) byUrn.set(alias, r);
            }
        });

        it("plans every resource of the baseline under its URN or an alias of it", () => {
            const missing = baseline.resources.filter((r) => !byUrn.has(r.urn)).map((r) => r.urn);
            expect(missing).to.deep.equal([]);
            expect(baseline.resources.length).to.be.greaterThan(40);
        });

        it("keeps each AWS resource's key inputs (names, ports, health check, images, sizes)", () => {
            for (const old of baseline.resources.filter((r) => !isComponent(r))) {
                const now = byUrn.get(old.urn);
                expect(now, old.urn).to.not.equal(undefined);
                expect(now!.type, old.urn).to.equal(old.type);
                expect(keyInputs(now!), old.urn).to.deep.equal(keyInputs(old));
            }
        });

        it("adds no AWS resource: only the route components, whose children alias their old URNs", () => {
            const known = new Set(baseline.resources.map((r) => r.urn));
            const added = report.resources.filter((r) => !known.has(r.urn) && !(r.aliases ?? []).some((a) => known.has(a)));
            expect(added.map((r) => r.type)).to.have.members(["drydock:components:ServiceRoute", "drydock:components:ServiceRoute"]);
            // Only the route's children moved; other aliases are the AWS provider's own (aws:lb → aws:elasticloadbalancingv2).
            const aliased = report.resources.filter((r) => (r.aliases ?? []).some((a) => known.has(a)));
            expect(aliased.map((r) => r.name).sort()).to.deep.equal(
                ["backend", "frontend"]
                    .flatMap((s) => [`${s}-tg`, `${s}-route`, `${s}-5xx`, `${s}-unhealthy`, `${s}-from-alb-in`, `${s}-from-alb-out`])
                    .sort(),
            );
            for (const r of aliased) {
                expect(r.aliases, r.urn).to.include(`urn:pulumi:${stack}::drydock::drydock:components:AppService$${r.type}::${r.name}`);
                expect(r.urn).to.equal(
                    `urn:pulumi:${stack}::drydock::drydock:components:AppService$drydock:components:ServiceRoute$${r.type}::${r.name}`,
                );
            }
        });

        it("keeps exactly the two services with their physical names, and the same policy verdict", () => {
            const services = report.resources.filter((r) => r.type === "aws:ecs/service:Service").map((r) => r.inputs.name);
            expect(services).to.have.members(["backend-service", "frontend-service"]);
            expect(report.ok).to.equal(baseline.ok);
            expect(report.violations.map((v) => `${v.policy} ${v.urn ?? ""}`)).to.deep.equal(
                baseline.violations.map((v) => `${v.policy} ${v.urn ?? ""}`),
            );
            // The rolling-update estimate is unchanged (later fields, such as the rollback estimate, are additions).
            const estimate = (r: CheckReport["rollout"][number]) => ({
                service: r.service,
                seconds: r.seconds,
                waves: r.waves,
                terms: r.terms,
            });
            expect(report.rollout.map(estimate)).to.deep.equal(baseline.rollout.map(estimate));
        });
    });
}
