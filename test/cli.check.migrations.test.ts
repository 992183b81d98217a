/** `drydock check` and migrations: the backend's hook order with and without migrationCommand, and the marker check. */
import { expect } from "chai";
import { check } from "./support/checkCommand";
import { hookMarkerViolations } from "../offline/migrationCheck";
import type { RecordedResource } from "../offline/mockCloud";
import { synthesize } from "./support/synthesize";

const COMMAND = 'migrationCommand=["alembic","upgrade","head"]';

interface Report {
    ok: boolean;
    resources: { type: string; name: string; inputs: Record<string, unknown>; hooks: Record<string, string[]> }[];
    violations: { policy: string }[];
    migrations: { mode: string; service: string; command: string[]; note: string };
}

const backendOf = (report: Report) =>
    report.resources.find((r) => r.type === "aws:ecs/service:Service" && r.inputs.name === "backend-service");
const frontendOf = (report: Report) =>
    report.resources.find((r) => r.type === "aws:ecs/service:Service" && r.inputs.name === "frontend-service");

describe("drydock check: migrations", () => {
    it(`--set '${COMMAND}' lists the backend's before-update hooks as release-gate, pre-update-snapshot, run-migrations`, async () => {
        const r = await check(["--stack", "production", "--set", COMMAND, "--json"]);
        expect(r.code, r.stderr).to.equal(0);
        const report = JSON.parse(r.stdout) as Report;
        const backend = backendOf(report);
        expect(backend?.hooks.beforeUpdate).to.deep.equal(["release-gate", "pre-update-snapshot", "run-migrations"]);
        expect(backend?.hooks.beforeCreate).to.deep.equal(["release-gate", "pre-update-snapshot", "run-migrations"]);
        expect(backend?.inputs.tags).to.deep.include({
            "drydock:hooks-before-create": "release-gate pre-update-snapshot run-migrations",
            "drydock:hooks-before-update": "release-gate pre-update-snapshot run-migrations",
        });
        expect(frontendOf(report)?.hooks.beforeUpdate).to.deep.equal(["release-gate"]);
        expect(report.violations.filter((v) => v.policy === "migrations-after-snapshot")).to.deep.equal([]);
        expect(report.migrations).to.deep.include({ mode: "task", service: "backend", command: ["alembic", "upgrade", "head"] });
        const text = await check(["--stack", "production", "--set", COMMAND]);
        expect(text.stdout).to.include(
            "Migrations: run-migrations runs `alembic upgrade head` as one task before backend changes (timeout 30 min)",
        );
        const row = text.stdout.split("\n").find((l) => l.startsWith("backend-service "));
        expect(row).to.include("beforeCreate: release-gate → pre-update-snapshot → run-migrations;");
        expect(row).to.include("beforeUpdate: release-gate → pre-update-snapshot → run-migrations;");
    });

    it("without migrationCommand the backend has no run-migrations, no marker tags, and check says migrations run at start-up", async () => {
        const r = await check(["--stack", "production", "--json"]);
        const report = JSON.parse(r.stdout) as Report;
        const backend = backendOf(report);
        expect(backend?.hooks.beforeUpdate).to.deep.equal(["release-gate", "pre-update-snapshot"]);
        expect(Object.values(backend?.hooks ?? {}).flat()).to.not.include("run-migrations");
        expect(Object.keys((backend?.inputs.tags ?? {}) as object)).to.not.include("drydock:hooks-before-update");
        expect(report.migrations).to.deep.include({ mode: "start-up", command: [] });
        expect(report.migrations.note).to.equal("backend runs its migrations at container start-up (migrationCommand is empty)");
    });

    it("the backend service is created after the Aurora instances: a migration on creation finds the writer", async () => {
        const { cloud } = await synthesize("production", { migrationCommand: '["alembic","upgrade","head"]' });
        const backend = cloud.byType("aws:ecs/service:Service").find((r) => r.inputs.name === "backend-service");
        const instances = cloud.byType("aws:rds/clusterInstance:ClusterInstance").map((r) => r.urn);
        expect(instances).to.have.length.greaterThan(0);
        expect(backend?.dependencies).to.include.members(instances);
    });

    it("reports migrations-after-snapshot when a service's hook-order tags do not match the hooks bound to it", () => {
        const service = (tags: Record<string, string>, hooks: RecordedResource["hooks"]): RecordedResource => ({
            type: "aws:ecs/service:Service",
            name: "backend-service",
            urn: "urn:pulumi:production::drydock::aws:ecs/service:Service::backend-service",
            inputs: { name: "backend-service", tags },
            hooks,
            protect: false,
        });
        const order = ["release-gate", "pre-update-snapshot", "run-migrations"];
        const honest = { "drydock:hooks-before-update": order.join(" ") };
        expect(hookMarkerViolations([service(honest, { beforeUpdate: order })])).to.deep.equal([]);
        expect(hookMarkerViolations([service({}, { beforeUpdate: ["release-gate", "pre-update-snapshot"] })])).to.deep.equal([]);
        const lying = hookMarkerViolations([service(honest, { beforeUpdate: ["release-gate", "run-migrations", "pre-update-snapshot"] })]);
        expect(lying).to.have.length(1);
        expect(lying[0]).to.deep.include({ policy: "migrations-after-snapshot", enforcementLevel: "mandatory" });
        expect(lying[0].message).to.include(
            'service "backend-service": its hook-order tags ({"drydock:hooks-before-update":"release-gate pre-update-snapshot run-migrations"}) do not match the hooks bound to it ' +
                "(beforeCreate: none; beforeUpdate: release-gate → run-migrations → pre-update-snapshot)",
        );
        expect(hookMarkerViolations([service({}, { beforeUpdate: order })])).to.have.length(1);
    });
});
