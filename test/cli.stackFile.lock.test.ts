/**
 * Issue 11: stack-file writes never lose one and never change what the file is. Real concurrent
 * processes for the lock; file modes, symlinks, read-only files and leftovers in a temporary directory.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { editStackFile, loadStack } from "../cli/stackFile";
import { removeStaleTemporaries, withStackFileLock } from "../cli/stackFileWrite";
import { CliError } from "../cli/errors";
import { rejection } from "./support/rejection";

const ROOT = path.join(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures", "cli");

function project(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drydock-lock-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const f of fs.readdirSync(FIXTURES).filter((n) => /^Pulumi\..+\.yaml$/.test(n)))
        fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
    return dir;
}

function drydock(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [path.join(ROOT, "bin", "drydock.js"), ...args], {
            cwd,
            env: { PATH: process.env.PATH ?? "", HOME: cwd },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("stack-file writes under a lock (issue 11)", function () {
    this.timeout(120_000);
    let dir: string;
    beforeEach(() => (dir = project()));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("of ten concurrent pause commands on an unpaused stack exactly one succeeds, and its reason is the one in the file", async () => {
        expect(loadStack(dir, "production").get("updatesPaused")).to.not.equal("true");
        const runs = await Promise.all(
            Array.from({ length: 10 }, (_, i) => drydock(["pause", "--stack", "production", "--reason", `reason-${i}`], dir)),
        );
        const won = runs.map((r, i) => ({ ...r, i })).filter((r) => r.code === 0);
        expect(won, runs.map((r) => `${r.code} ${r.stderr.trim()}`).join("\n")).to.have.length(1);
        for (const r of runs.filter((x) => x.code !== 0)) expect(r.stderr.trim().split("\n"), r.stderr).to.have.length(1);
        const file = loadStack(dir, "production");
        expect(file.get("updatesPaused")).to.equal("true");
        expect(file.get("pauseReason")).to.equal(`reason-${won[0].i}`);
        expect(fs.readdirSync(dir).filter((n) => n.endsWith(".tmp") || n.endsWith(".lock"))).to.deep.equal([]);
    });

    it("editStackFile decides and writes under one lock: a refusal writes nothing", async () => {
        const before = fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8");
        const err = await rejection(
            editStackFile(dir, "production", (file) => {
                file.set("pauseReason", "x");
                throw new CliError("production", "refused on purpose", undefined, 1);
            }),
        );
        expect(err.message).to.equal("production: refused on purpose");
        expect(fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8")).to.equal(before);
        const reason = await editStackFile(dir, "production", (file) => {
            file.set("pauseReason", "held");
            return file.get("pauseReason");
        });
        expect(reason).to.equal("held");
        expect(loadStack(dir, "production").get("pauseReason")).to.equal("held");
    });

    it("resume reads the stack file under the lock: a pause written while it waited is resumed, not refused as changed on disk", async () => {
        const file = path.join(dir, "Pulumi.production.yaml");
        const original = fs.readFileSync(file, "utf8");
        const paused = (reason: string) =>
            original.replace("drydock:updatesPaused: false\n", `drydock:updatesPaused: true\n  drydock:pauseReason: ${reason}\n`);
        fs.writeFileSync(file, paused("first"));
        const run = await withStackFileLock(file, async () => {
            const child = drydock(["resume", "--stack", "production"], dir);
            await new Promise((r) => setTimeout(r, 2500)); // the command has started and waits for the lock
            fs.writeFileSync(file, paused("second"));
            return { child }; // not the promise itself: the lock would be held until the command ends
        });
        const r = await run.child;
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.include('"second"');
        expect(loadStack(dir, "production").get("updatesPaused")).to.equal("false");
        expect(loadStack(dir, "production").get("pauseReason")).to.equal(undefined);
    });

    it("keeps the mode (group-write included) and the owner", async () => {
        const file = path.join(dir, "Pulumi.production.yaml");
        fs.chmodSync(file, 0o664);
        const root = typeof process.getuid === "function" && process.getuid() === 0;
        if (root) fs.chownSync(file, 1234, 2345);
        const r = await drydock(["pause", "--stack", "production", "--reason", "mode"], dir);
        expect(r.code, r.stderr).to.equal(0);
        const st = fs.statSync(file);
        expect(st.mode & 0o777).to.equal(0o664);
        if (root) expect([st.uid, st.gid]).to.deep.equal([1234, 2345]);
    });

    it("writes through a symlink to its target", async () => {
        const real = path.join(dir, "stacks");
        fs.mkdirSync(real);
        fs.renameSync(path.join(dir, "Pulumi.production.yaml"), path.join(real, "production.yaml"));
        fs.symlinkSync(path.join("stacks", "production.yaml"), path.join(dir, "Pulumi.production.yaml"));
        const r = await drydock(["pause", "--stack", "production", "--reason", "via link"], dir);
        expect(r.code, r.stderr).to.equal(0);
        expect(fs.lstatSync(path.join(dir, "Pulumi.production.yaml")).isSymbolicLink()).to.equal(true);
        expect(fs.readFileSync(path.join(real, "production.yaml"), "utf8")).to.contain("drydock:pauseReason: via link");
    });

    it("refuses a read-only file with one line and leaves it as it was", async () => {
        const file = path.join(dir, "Pulumi.production.yaml");
        fs.chmodSync(file, 0o444);
        const before = fs.readFileSync(file, "utf8");
        const r = await drydock(["pause", "--stack", "production", "--reason", "ro"], dir);
        expect(r.code).to.equal(1);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(/^drydock: Pulumi\.production\.yaml: is read-only; nothing written \(make it writable on purpose first/);
        expect(fs.readFileSync(file, "utf8")).to.equal(before);
    });

    it("removes temporary files an interrupted write left behind, on the next write", async () => {
        const stale = path.join(dir, ".Pulumi.production.yaml.999999.0badc0de.tmp");
        const foreign = path.join(dir, ".Pulumi.production.yaml.notes.tmp");
        fs.writeFileSync(stale, "half a file");
        fs.writeFileSync(foreign, "not ours");
        const r = await drydock(["pause", "--stack", "production", "--reason", "cleanup"], dir);
        expect(r.code, r.stderr).to.equal(0);
        expect(fs.existsSync(stale)).to.equal(false);
        expect(fs.existsSync(foreign)).to.equal(true);
        // A live process's temporary file is left alone (it may be writing right now).
        const mine = path.join(dir, `.Pulumi.production.yaml.${process.pid}.0badc0de.tmp`);
        fs.writeFileSync(mine, "in progress");
        expect(removeStaleTemporaries(path.join(dir, "Pulumi.production.yaml"))).to.deep.equal([]);
    });

    it("the repository ignores lock and temporary files", () => {
        const ignore = fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8");
        expect(ignore).to.match(/^\.Pulumi\.\*\.tmp$/m);
        expect(ignore).to.match(/^Pulumi\.\*\.yaml\.lock\/$/m);
    });
});
