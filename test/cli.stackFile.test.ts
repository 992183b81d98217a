import { expect } from "chai";
import { readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { unifiedDiff } from "../cli/diff";
import { CliError } from "../cli/errors";
import { listStacks, loadStack } from "../cli/stackFile";
import { cleanup, fixture, readStack, stackDir } from "./fixtures/cli/harness";

describe("stack file edits", () => {
    let dir: string;
    beforeEach(() => {
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("reads values as Pulumi stores them: strings, booleans and numbers as text, lists as JSON", () => {
        const f = loadStack(dir, "production");
        expect(f.get("backendVersion")).to.equal("v1.3.0");
        expect(f.get("drydock:backendVersion")).to.equal("v1.3.0");
        expect(f.get("aws:region")).to.equal("us-east-1");
        expect(f.get("updatesPaused")).to.equal("false");
        expect(f.get("snapshotsToKeep")).to.equal("5");
        expect(f.get("releaseWindows")).to.equal('["tue:09:00-tue:16:00","thu:09:00-thu:16:00"]');
        expect(f.get("pauseReason")).to.equal(undefined);
        const values = f.values();
        expect(values).to.include({ "aws:region": "us-east-1", backendVersion: "v1.3.0", releaseTimeZone: "Europe/Berlin" });
        const s = f.settings();
        expect(s.services.backend.version.raw).to.equal("v1.3.0");
        expect(s.release.windows.map((w) => w.raw)).to.deep.equal(["tue:09:00-tue:16:00", "thu:09:00-thu:16:00"]);
        expect(s.snapshots.keep).to.equal(5);
    });

    it("accepts keys written without the drydock: namespace", () => {
        writeFileSync(join(dir, "Pulumi.bare.yaml"), "config:\n  aws:region: eu-west-1\n  backendVersion: v2.0.0 # bare\n");
        const f = loadStack(dir, "bare");
        expect(f.get("drydock:backendVersion")).to.equal("v2.0.0");
        expect(f.values()).to.include({ backendVersion: "v2.0.0" });
        f.set("backendVersion", "v2.0.1");
        expect(f.text()).to.equal("config:\n  aws:region: eu-west-1\n  backendVersion: v2.0.1 # bare\n");
    });

    it("changes a value in place, keeping every comment and the layout, and shows a diff", () => {
        const f = loadStack(dir, "production");
        expect(f.set("backendVersion", "v1.2.3")).to.equal(true);
        expect(f.set("frontendVersion", "v1.3.0")).to.equal(false); // unchanged
        expect(f.diff()).to.equal(
            [
                "--- a/Pulumi.production.yaml",
                "+++ b/Pulumi.production.yaml",
                "@@ -7,5 +7,5 @@",
                "   drydock:frontendImage: 123456789012.dkr.ecr.us-east-1.amazonaws.com/drydock/frontend",
                "   # Pinned versions: reviewed in the pull request.",
                "-  drydock:backendVersion: v1.3.0 # promoted from staging",
                "+  drydock:backendVersion: v1.2.3 # promoted from staging",
                "   drydock:frontendVersion: v1.3.0",
                "   # Version changes deploy only inside these windows (local time).",
                "",
            ].join("\n"),
        );
        f.save();
        const after = readStack(dir, "production");
        const before = fixture("production");
        expect(after).to.equal(before.replace("backendVersion: v1.3.0 #", "backendVersion: v1.2.3 #"));
        for (const comment of before.split("\n").filter((l) => l.trim().startsWith("#"))) expect(after).to.include(comment);
    });

    it("keeps a boolean a boolean and adds new keys beside a named one", () => {
        const f = loadStack(dir, "production");
        f.set("updatesPaused", "true");
        f.set("pauseReason", "audit: no releases", { after: "updatesPaused" });
        f.set("redeployToken", "2026-11-24");
        const text = f.text();
        expect(text).to.include(
            '  drydock:updatesPaused: true\n  drydock:pauseReason: "audit: no releases"\n  drydock:backupRetentionDays: 14',
        );
        expect(
            text.trimEnd().endsWith('drydock:redeployToken: "2026-11-24"') || text.trimEnd().endsWith("drydock:redeployToken: 2026-11-24"),
        ).to.equal(true);
        expect(f.changed.map((c) => c.key)).to.deep.equal(["drydock:updatesPaused", "drydock:pauseReason", "drydock:redeployToken"]);
        const reread = loadStack(dir, "production");
        f.save();
        expect(loadStack(dir, "production").settings().release).to.deep.include({ paused: true, pauseReason: "audit: no releases" });
        expect(reread.get("updatesPaused")).to.equal("false"); // the earlier read is unaffected
    });

    it("quotes new values that YAML would otherwise read as another type", () => {
        const f = loadStack(dir, "staging");
        f.set("backendVersion", "1.2"); // floating: must stay the string "1.2"
        f.set("frontendVersion", `sha256:${"0".repeat(64)}`);
        f.save();
        const again = loadStack(dir, "staging");
        expect(again.get("backendVersion")).to.equal("1.2");
        expect(again.settings().services.backend.version.kind).to.equal("floating");
        expect(again.settings().services.frontend.version.kind).to.equal("digest");
    });

    it("deletes a key, moving the comment above it to the next entry", () => {
        const path = join(dir, "Pulumi.production.yaml");
        writeFileSync(
            path,
            fixture("production").replace(
                "  drydock:updatesPaused: false\n",
                "  drydock:updatesPaused: true\n  # Why:\n  drydock:pauseReason: incident 42\n",
            ),
        );
        const f = loadStack(dir, "production");
        expect(f.delete("pauseReason")).to.equal(true);
        expect(f.delete("pauseReason")).to.equal(false);
        expect(f.text()).to.include("  drydock:updatesPaused: true\n  # Why:\n  drydock:backupRetentionDays: 14\n");
        expect(f.text()).to.not.include("incident 42");
    });

    it("writes atomically, leaving no temporary file, and refuses when the file changed on disk", () => {
        const f = loadStack(dir, "production");
        f.set("backendVersion", "v1.2.3");
        writeFileSync(join(dir, "Pulumi.production.yaml"), fixture("production") + "# edited meanwhile\n");
        expect(() => f.save()).to.throw(CliError, /changed on disk/);
        expect(readStack(dir, "production")).to.equal(fixture("production") + "# edited meanwhile\n");
        const g = loadStack(dir, "production");
        g.set("backendVersion", "v1.2.3");
        g.save();
        expect(readdirSync(dir).sort()).to.deep.equal(["Pulumi.production.yaml", "Pulumi.staging.yaml", "policies"]);
    });

    it("changes nothing and leaves no temporary file when the write fails", () => {
        const fsModule = require("fs") as { renameSync: (a: string, b: string) => void };
        const original = fsModule.renameSync;
        const f = loadStack(dir, "production");
        f.set("backendVersion", "v1.2.3");
        fsModule.renameSync = () => {
            throw Object.assign(new Error("EXDEV: cross-device link not permitted"), { code: "EXDEV" });
        };
        try {
            expect(() => f.save()).to.throw(CliError, /cannot write it: EXDEV.*nothing changed/);
        } finally {
            fsModule.renameSync = original;
        }
        expect(readStack(dir, "production")).to.equal(fixture("production"));
        expect(readdirSync(dir).sort()).to.deep.equal(["Pulumi.production.yaml", "Pulumi.staging.yaml", "policies"]);
    });

    it("keeps CRLF line endings", () => {
        const path = join(dir, "Pulumi.production.yaml");
        writeFileSync(path, fixture("production").replace(/\n/g, "\r\n"));
        const f = loadStack(dir, "production");
        f.set("backendVersion", "v1.2.3");
        f.save();
        const text = readFileSync(path, "utf8");
        expect(text).to.include("drydock:backendVersion: v1.2.3 # promoted from staging\r\n");
        expect(text.replace(/\r\n/g, "")).to.not.include("\n");
    });

    it("names the stacks it found for an unknown stack, and rejects invalid YAML (exit 2)", () => {
        expect(listStacks(dir)).to.deep.equal(["production", "staging"]);
        try {
            loadStack(dir, "prod");
            expect.fail("no error");
        } catch (e) {
            expect(e).to.be.instanceOf(CliError);
            expect((e as CliError).exitCode).to.equal(2);
            expect((e as CliError).hint).to.equal("stacks here: production, staging");
        }
        writeFileSync(join(dir, "Pulumi.broken.yaml"), "config:\n  aws:region: [unclosed\n");
        expect(() => loadStack(dir, "broken")).to.throw(CliError, /not valid YAML/);
        expect(() => loadStack(dir, "../etc/passwd")).to.throw(CliError);
    });

    it("diffs with context and separate hunks", () => {
        const before = ["a", "b", "c", "d", "e", "f", "g", "h", "i"].join("\n") + "\n";
        const after = ["a", "B", "c", "d", "e", "f", "g", "h", "i", "j"].join("\n") + "\n";
        expect(unifiedDiff("x", before, after, 1)).to.equal(
            ["--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "-b", "+B", " c", "@@ -9,1 +9,2 @@", " i", "+j", ""].join("\n"),
        );
        expect(unifiedDiff("x", before, before)).to.equal("");
    });
});
