import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildProgram } from "../cli/main";
import { defaultDeps } from "../cli/deps";
import { HOOK_NAMES } from "../components/hooks";
import { policyNames } from "../policies/policies";
import { renderConfigReference } from "../scripts/configReference";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

describe("README", () => {
    it("shows the two set-up commands a newcomer runs", () => {
        expect(README).to.include("npm ci && npx drydock check --stack production");
        expect(README).to.include("\nnpm test ");
    });

    it("has the config reference generated from configSchema.ts (run `npm run docs:config` after changing a key)", () => {
        expect(README).to.include(renderConfigReference());
    });

    it("documents every drydock command in the command reference", () => {
        const reference = README.slice(README.indexOf("## Command reference"));
        const commands = buildProgram(defaultDeps()).commands.map((c) => c.name());
        expect(commands).to.include.members(["versions", "status", "promote", "rollback", "pause", "resume", "window", "snapshot", "snapshots", "check"]);
        for (const name of commands) expect(reference, name).to.include(`\`${name} `);
    });

    it("explains every policy and every hook by name", () => {
        for (const name of policyNames) expect(README, name).to.include(`\`${name}\``);
        for (const name of Object.values(HOOK_NAMES)) expect(README, name).to.include(`\`${name}\``);
    });
});
