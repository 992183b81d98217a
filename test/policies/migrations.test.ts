/** policies/rules/migrations.ts: migrations-after-snapshot (over the hook-order tags of release/hookOrder.ts). */
import { expect } from "chai";
import { hookOrderTags, migrationOrderProblems } from "../../release/hookOrder";
import { details, run, service } from "./support";

const POLICY = "migrations-after-snapshot";
const ORDER = ["release-gate", "pre-update-snapshot", "run-migrations"];
const FIX =
    "A migration must never run without the snapshot. Bind them as release-gate → pre-update-snapshot → run-migrations (components/hooks/index.ts SERVICE_HOOKS), or unset migrationCommand to migrate at start-up.";

/** The backend service with hook-order tags for `beforeCreate` / `beforeUpdate`. */
function migrating(update: string[] = ORDER, create: string[] = ORDER, stack = "production") {
    return service({ tags: { "drydock:stack": stack, ...hookOrderTags({ beforeCreate: create, beforeUpdate: update }) } }, stack);
}

describe("policies: migrations-after-snapshot", () => {
    const of = (r: ReturnType<typeof service>) => details(run([r]), POLICY);

    it("passes release-gate → pre-update-snapshot → run-migrations on create and update", () => {
        expect(of(migrating())).to.deep.equal([]);
    });

    it("reports run-migrations before pre-update-snapshot", () => {
        expect(of(migrating(["release-gate", "run-migrations", "pre-update-snapshot"]))).to.deep.equal([
            `service "backend-service" in production stack "production": run-migrations runs before pre-update-snapshot (beforeUpdate: release-gate → run-migrations → pre-update-snapshot). ${FIX}`,
        ]);
    });

    it("reports run-migrations without pre-update-snapshot (e.g. on create)", () => {
        expect(of(migrating(ORDER, ["release-gate", "run-migrations"]))).to.deep.equal([
            `service "backend-service" in production stack "production": run-migrations runs without pre-update-snapshot (beforeCreate: release-gate → run-migrations). ${FIX}`,
        ]);
    });

    it("reports release-gate after the steps it guards", () => {
        expect(of(migrating(["pre-update-snapshot", "run-migrations", "release-gate"]))[0]).to.contain(
            "release-gate runs after the step it guards (beforeUpdate: pre-update-snapshot → run-migrations → release-gate)",
        );
    });

    it("does not apply outside production, nor to services without run-migrations (migrationCommand empty)", () => {
        expect(of(migrating(["run-migrations"], ["run-migrations"], "staging"))).to.deep.equal([]);
        expect(of(service({ tags: { "drydock:stack": "production" } }))).to.deep.equal([]);
        expect(hookOrderTags({ beforeUpdate: ["release-gate", "pre-update-snapshot"] })).to.deep.equal({});
    });

    it("marker tags hold the names in run order, space-separated (ECS tag values allow no commas)", () => {
        expect(hookOrderTags({ beforeCreate: ORDER, beforeUpdate: ORDER, afterUpdate: ["verify-rollout"] })).to.deep.equal({
            "drydock:hooks-before-create": "release-gate pre-update-snapshot run-migrations",
            "drydock:hooks-before-update": "release-gate pre-update-snapshot run-migrations",
        });
        expect(migrationOrderProblems("beforeUpdate", ["release-gate", "pre-update-snapshot"])).to.deep.equal([]);
    });
});
