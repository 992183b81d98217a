/** migrationCommand / migrationTimeoutMinutes in the config funnel. */
import { expect } from "chai";
import { ConfigError, parseSettings, RawConfig } from "../config";
import { migrationService } from "../config/migrations";

const BASE: RawConfig = {
    "aws:region": "us-east-1",
    backendVersion: "v1.2.3",
    frontendVersion: "v1.2.3",
    backendImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/backend",
    frontendImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/frontend",
};

function problems(values: RawConfig): string[] {
    try {
        parseSettings({ ...BASE, ...values }, "staging");
        return [];
    } catch (e) {
        return (e as ConfigError).problems.map((p) => `${p.key}: ${p.message}`);
    }
}

describe("config: migrations", () => {
    it("defaults: no command (migrations at start-up), 30 minutes", () => {
        expect(parseSettings(BASE, "staging").migrations).to.deep.equal({ command: [], timeoutMinutes: 30 });
    });

    it("reads the command as a list and the timeout within 1-720 minutes", () => {
        const s = parseSettings({ ...BASE, migrationCommand: '["alembic","upgrade","head"]', migrationTimeoutMinutes: "90" }, "staging");
        expect(s.migrations).to.deep.equal({ command: ["alembic", "upgrade", "head"], timeoutMinutes: 90 });
    });

    it("names the key and what is accepted", () => {
        expect(problems({ migrationCommand: "alembic upgrade head" })).to.deep.equal([
            `drydock:migrationCommand: not a list; accepted: a YAML list in the stack file or JSON text such as '["a","b"]'`,
        ]);
        expect(problems({ migrationCommand: '["alembic", " "]' })[0]).to.match(
            /^drydock:migrationCommand: has an empty item; accepted: a list of non-empty strings/,
        );
        expect(problems({ migrationTimeoutMinutes: "0" })).to.deep.equal([
            "drydock:migrationTimeoutMinutes: out of range; accepted: an integer from 1 to 720 minutes",
        ]);
    });

    it("the migration service is the table entry with run-migrations: the backend", () => {
        expect(migrationService().name).to.equal("backend");
    });
});
