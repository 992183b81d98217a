/** policies/evaluate.ts: values unknown during preview, and enforcement levels applied like CrossGuard. */
import { expect } from "chai";
import { PolicyConfigError, PolicyConfigEntry, evaluatePolicies } from "../../policies/evaluate";
import { policies } from "../../policies/policies";
import { REQUESTED_VERSION_TAG } from "../../policies/rules/images";
import type { Policies, ResourceValidationPolicy } from "@pulumi/policy";
import {
    REPO,
    cluster,
    container,
    details,
    httpListener,
    httpsListener,
    loadBalancer,
    run,
    securityGroup,
    service,
    targetGroup,
    taskDefinition,
    unknown,
    withContainer,
} from "./support";

describe("policies: values unknown during preview", () => {
    it("judges the requested version when the container definitions are unknown, and says what it could not check", () => {
        const td = taskDefinition({ containerDefinitions: unknown.unknownStringValue, tags: { [REQUESTED_VERSION_TAG]: "latest" } });
        const vs = run([td]);
        expect(vs.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([
            ["production-images-pinned", "mandatory"],
            ["production-images-pinned", "advisory"],
        ]);
        expect(vs[0].message).to.contain(
            `task definition "drydock-production-backend" is not pinned: "latest" (tag drydock:requested-version) is mutable`,
        );
        expect(vs[1].message).to.equal(
            "can't run policy 'production-images-pinned' from policy pack 'drydock@v0.1.0' during preview: string value at .containerDefinitions can't be known during preview",
        );
    });

    it("reports only the advisory note when the unknown definitions were requested as an exact version", () => {
        const vs = run([taskDefinition({ containerDefinitions: unknown.unknownStringValue })]);
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    });

    it("still judges the requested version when the app container's image is unknown", () => {
        const defs = [container({ image: unknown.unknownStringValue })];
        const vs = run([taskDefinition({ containerDefinitions: JSON.stringify(defs), tags: { [REQUESTED_VERSION_TAG]: "latest" } })]);
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(vs[0].message).to.contain(
            `task definition "drydock-production-backend" is not pinned: "latest" (tag drydock:requested-version) is mutable`,
        );
    });

    it("checks the other containers when one image is unknown", () => {
        const defs = [container({ image: unknown.unknownStringValue }), { name: "log-router", image: "fluent/fluent-bit:latest" }];
        const vs = run([taskDefinition({ containerDefinitions: JSON.stringify(defs) })]);
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(vs[0].message).to.contain(`container "log-router"`);
        expect(vs[1].message).to.contain("string value at .containerDefinitions.0.image can't be known during preview");
    });

    it("runs the other service checks when the load balancers or the circuit breaker are unknown", () => {
        const vs = run([
            service({
                loadBalancers: unknown.unknownArrayValue,
                deploymentCircuitBreaker: unknown.unknownObjectValue,
                healthCheckGracePeriodSeconds: undefined,
            }),
        ]);
        const zero = vs.filter((v) => v.policy === "zero-downtime-rolling-updates");
        expect(zero.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(zero[0].message).to.contain("has no healthCheckGracePeriodSeconds");
        expect(zero[1].message).to.contain("can't be known during preview");
    });

    it("runs the other database checks when a window is unknown", () => {
        const d = run([cluster({ preferredMaintenanceWindow: unknown.unknownStringValue, storageEncrypted: false })]).filter(
            (v) => v.policy === "aurora-maintenance-and-backups",
        );
        expect(d.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(d[0].message).to.contain("does not encrypt its storage");
        expect(d[1].message).to.contain("string value at .preferredMaintenanceWindow can't be known during preview");
    });

    it("checks the other ingress rules when one rule's CIDRs are unknown", () => {
        const sg = securityGroup([
            { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: unknown.unknownArrayValue },
            { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] },
        ]);
        const vs = run([sg]).filter((v) => v.policy === "network-exposure");
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        expect(vs[0].message).to.contain("ingress rule #2");
    });

    it("passes unknown numbers and booleans without crashing", () => {
        const vs = run([
            service({ deploymentMinimumHealthyPercent: unknown.unknownNumberValue }),
            loadBalancer({ dropInvalidHeaderFields: unknown.unknownBooleanValue }),
            httpsListener(),
            httpListener({ protocol: unknown.unknownStringValue }),
        ]);
        expect(vs.map((v) => `${v.policy}:${v.enforcementLevel}`)).to.deep.equal([
            "zero-downtime-rolling-updates:advisory",
            "network-exposure:advisory",
            "http-redirects-to-https:advisory",
        ]);
    });
});

describe("policies: evaluatePolicies applies enforcement like CrossGuard", () => {
    const latest = () => withContainer({ image: `${REPO}:latest` });

    it("overrides a policy's level from config (string or object form)", () => {
        expect(run([latest()], { "production-images-pinned": "advisory" })[0].enforcementLevel).to.equal("advisory");
        expect(run([latest()], { "production-images-pinned": { enforcementLevel: "advisory" } })[0].enforcementLevel).to.equal("advisory");
    });

    it("skips disabled policies", () => {
        expect(run([latest()], { "production-images-pinned": { enforcementLevel: "disabled" } })).to.deep.equal([]);
    });

    it("applies `all` to every policy, below a policy's own entry", () => {
        const vs = run([latest(), service({ deploymentMaximumPercent: 100 })], {
            all: "advisory",
            "zero-downtime-rolling-updates": "mandatory",
        });
        expect(vs.map((v) => `${v.policy}:${v.enforcementLevel}`)).to.deep.equal([
            "production-images-pinned:advisory",
            "zero-downtime-rolling-updates:mandatory",
        ]);
    });

    it("reports violations of a remediate-level policy as mandatory", () => {
        expect(run([latest()], { "production-images-pinned": "remediate" })[0].enforcementLevel).to.equal("mandatory");
    });

    it("prefixes each message with the policy description, as CrossGuard prints it", () => {
        const [v] = run([latest()]);
        const own = policies.find((p) => p.name === "production-images-pinned");
        expect(v.message.split("\n")[0]).to.equal(own?.description);
    });

    it("refuses invalid config, naming the key and the bad value", () => {
        expect(() => run([latest()], { "production-images-pinned": "blocking" as PolicyConfigEntry })).to.throw(
            PolicyConfigError,
            `production-images-pinned: enforcementLevel "blocking" is not one of advisory, mandatory, remediate, disabled`,
        );
        expect(() => run([latest()], { "production-images-pinned": { productionStacks: "prod" } })).to.throw(
            PolicyConfigError,
            `production-images-pinned: productionStacks is "prod", expected array`,
        );
        expect(() => run([latest()], { "aurora-maintenance-and-backups": { minimumWindowMinutes: 10 } })).to.throw(
            PolicyConfigError,
            "aurora-maintenance-and-backups: minimumWindowMinutes is 10, expected at least 30",
        );
    });

    it("gives getConfig the schema defaults overlaid with the config, and asType the proxied props", () => {
        const seen: unknown[] = [];
        const probe: ResourceValidationPolicy = {
            name: "probe",
            description: "probe",
            configSchema: { properties: { limit: { type: "integer", default: 3 }, label: { type: "string", default: "x" } } },
            validateResource: (args, report) => {
                seen.push(args.getConfig());
                if (args.isType(Object as never)) report("never");
                report(`${args.type} ${args.name}`);
            },
        };
        const list: Policies = [probe];
        const vs = evaluatePolicies([targetGroup()], { policies: list, config: { probe: { limit: 5 } } });
        expect(seen).to.deep.equal([{ limit: 5, label: "x" }]);
        expect(vs).to.deep.equal([
            {
                policy: "probe",
                enforcementLevel: "advisory",
                urn: targetGroup().urn,
                message: "probe\naws:lb/targetGroup:TargetGroup backend-tg",
            },
        ]);
    });

    it("fails loudly when a policy throws anything but an unknown value", () => {
        const broken: ResourceValidationPolicy = {
            name: "broken",
            description: "broken",
            validateResource: () => {
                throw new TypeError("boom");
            },
        };
        expect(() => evaluatePolicies([targetGroup()], { policies: [broken] })).to.throw(
            /Error validating resource urn:pulumi:.* with policy 'broken'.*boom/s,
        );
    });

    it("unwraps secrets the way CrossGuard deserializes them", () => {
        const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
        expect(details(run([cluster({ storageEncrypted: secret(false) })]), "aurora-maintenance-and-backups")[0]).to.contain(
            "does not encrypt its storage",
        );
        expect(run([cluster({ storageEncrypted: secret(true) })])).to.deep.equal([]);
    });
});
