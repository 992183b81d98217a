/** Per-service keys generated from the service table, and `<service>TaskRoleStatements`. */
import { expect } from "chai";
import { ConfigError, parseSettings, RawConfig } from "../config";
import { CONFIG_KEYS, configKey } from "../configSchema";
import { serviceNames, services, tableProblems, withServices } from "../services";

const REQUIRED: RawConfig = {
    backendVersion: "v1.2.3",
    frontendVersion: "v1.2.3",
    backendImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/backend",
    frontendImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/frontend",
};

function problems(values: RawConfig): string[] {
    try {
        parseSettings({ ...REQUIRED, ...values }, "staging");
    } catch (err) {
        if (err instanceof ConfigError) return err.problems.map((p) => `${p.key}: ${p.message}`);
        throw err;
    }
    return [];
}

describe("config: per-service keys come from the service table", () => {
    it("declares each service's keys with the table's defaults", () => {
        for (const spec of services()) {
            const p = spec.configPrefix;
            expect(configKey(`${p}Cpu`).default).to.equal(spec.defaults.cpu);
            expect(configKey(`${p}Memory`).default).to.equal(spec.defaults.memory);
            expect(configKey(`${p}DesiredCount`).default).to.equal(spec.defaults.desiredCount);
            expect(configKey(`${p}Port`).default).to.equal(spec.port);
            expect(configKey(`${p}Version`).default, "versions are required").to.equal(undefined);
            expect(configKey(`${p}TaskRoleStatements`).default).to.equal("[]");
        }
        expect(CONFIG_KEYS.filter((k) => k.key.endsWith("PathPatterns")).map((k) => k.key)).to.deep.equal(["backendPathPatterns"]);
    });

    it("builds settings for every service of the table, in table order, with its route's patterns", () => {
        const s = parseSettings(REQUIRED, "staging");
        expect(Object.keys(s.services)).to.deep.equal(serviceNames());
        expect(s.services.backend).to.include({ cpu: 512, memory: 1024, port: 8000 });
        expect(s.services.backend.pathPatterns).to.deep.equal(["/api/*"]);
        expect(s.services.frontend.pathPatterns).to.deep.equal(["/*"]);
        expect(s.services.backend.taskRoleStatements).to.deep.equal([]);
    });

    it("reads task-role statements, Allow by default", () => {
        const s = parseSettings(
            {
                ...REQUIRED,
                backendTaskRoleStatements: '[{"actions":["sqs:SendMessage"],"resources":["arn:aws:sqs:us-east-1:123456789012:jobs"]}]',
            },
            "staging",
        );
        expect(s.services.backend.taskRoleStatements).to.deep.equal([
            { actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:jobs"], effect: "Allow" },
        ]);
    });

    it("refuses task-role statements that are not JSON, grant * or a whole service on *, or name no service", () => {
        expect(problems({ backendTaskRoleStatements: "s3:GetObject" })).to.deep.equal([
            `drydock:backendTaskRoleStatements: not JSON; accepted: a JSON list of statements, e.g. [{"actions":["s3:GetObject"],"resources":["arn:aws:s3:::my-bucket/*"]}]`,
        ]);
        expect(problems({ frontendTaskRoleStatements: '[{"actions":["s3:*"],"resources":["*"]}]' })).to.deep.equal([
            "drydock:frontendTaskRoleStatements: statement 1 grants s3:* on every resource (*); name the actions or the resources",
        ]);
        expect(problems({ backendTaskRoleStatements: '[{"actions":["*"],"resources":["*"],"effect":"Maybe","why":1}]' })).to.deep.equal([
            `drydock:backendTaskRoleStatements: statement 1 has an unknown field "why"; accepted: actions, resources, effect`,
            `drydock:backendTaskRoleStatements: statement 1: effect "Maybe"; accepted: Allow or Deny`,
            `drydock:backendTaskRoleStatements: statement 1: action "*" is not service:Action (e.g. s3:GetObject)`,
        ]);
        expect(problems({ backendTaskRoleStatements: '[{"actions":["s3:GetObject"],"resources":["bucket"]}]' })).to.deep.equal([
            `drydock:backendTaskRoleStatements: statement 1: resource "bucket" is not an ARN or *`,
        ]);
    });
});

describe("the service table itself", () => {
    it("is sound: unique names, prefixes and listener-rule priorities; known hooks", () => {
        expect(tableProblems(services())).to.deep.equal([]);
    });

    it("names what is wrong with a bad entry, and withServices refuses it without touching the table", async () => {
        const [backend] = services();
        const twin = { ...backend, name: "Backend2", hooks: ["release-gate", "deploy-twice"] as never };
        expect(tableProblems([...services(), twin])).to.deep.equal([
            `two services share the config prefix "backend"`,
            `two services share the listener-rule priority 100`,
            `service name "Backend2": use 1-20 lower-case letters and digits`,
            "Backend2: unknown hooks deploy-twice; accepted: release-gate, pre-update-snapshot, run-migrations, verify-rollout",
        ]);
        let ran = false;
        const err = await withServices([twin], () => (ran = true)).catch((e: Error) => e);
        expect(String(err)).to.match(/^Error: withServices: two services share the config prefix "backend"/);
        expect(ran).to.equal(false);
        expect(serviceNames()).to.deep.equal(["backend", "frontend"]);
    });
});
