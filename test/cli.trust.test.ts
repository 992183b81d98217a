/**
 * What an operator relies on in every command: a closed pipe ends quietly, errors under --json are JSON on
 * stdout as well, the project is found from a subdirectory, and hints are commands one can paste.
 */
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { DescribeDBClustersCommand } from "@aws-sdk/client-rds";
import { expect } from "chai";
import { spawnSync } from "child_process";
import { EventEmitter } from "events";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { join } from "path";
import { endQuietlyOnClosedPipe } from "../cli/output";
import { projectDir } from "../cli/stackContext";
import {
    awsError,
    cleanup,
    digest,
    drydock,
    FakeAutomation,
    fixture,
    image,
    mocks,
    readStack,
    resetMocks,
    stackDir,
} from "./fixtures/cli/harness";

const ROOT = join(__dirname, "..");

describe("drydock in every command", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("a closed pipe (| head -1) ends the command quietly with exit 0, no EPIPE trace", function () {
        this.timeout(30_000);
        // `true` exits without reading: every write of drydock hits a closed pipe.
        const r = spawnSync(
            "bash",
            [
                "-c",
                `node ${JSON.stringify(join(ROOT, "bin", "drydock.js"))} window --stack production --at 2026-11-25T10:00:00Z | true; echo "exit \${PIPESTATUS[0]}" >&2`,
            ],
            {
                cwd: dir,
                encoding: "utf8",
            },
        );
        expect(r.stderr).to.equal("exit 0\n");
    });

    it("only EPIPE is quiet: another stream error stays an error", () => {
        const stream = new EventEmitter();
        const exits: number[] = [];
        endQuietlyOnClosedPipe([stream], (code) => exits.push(code));
        stream.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
        expect(exits).to.deep.equal([0]);
        expect(() => stream.emit("error", Object.assign(new Error("write EIO"), { code: "EIO" }))).to.throw("write EIO");
    });

    it("under --json every error is also one JSON object on stdout ({error, code}), the line still on stderr", async () => {
        writeFileSync(
            join(dir, "Pulumi.production.yaml"),
            fixture("production").replace("drydock:releaseTimeZone: Europe/Berlin", "drydock:releaseTimeZone: Mars/Olympus"),
        );
        const config = await drydock(dir, ["window", "--stack", "production", "--json"]);
        expect(config.code).to.equal(2);
        expect(config.stderr).to.match(/^drydock: Pulumi\.production\.yaml: drydock:releaseTimeZone="Mars\/Olympus": /);
        expect(JSON.parse(config.stdout)).to.deep.equal({ error: config.stderr.trim().replace(/^drydock: /, ""), code: 2 });
        const usage = await drydock(dir, ["status", "--json"]);
        expect(usage.code).to.equal(2);
        expect(JSON.parse(usage.stdout)).to.deep.equal({ error: "required option '-s, --stack <name>' not specified", code: 2 });
        const unknownStack = await drydock(dir, ["versions", "backend", "--stack", "qa", "--json"]);
        expect(JSON.parse(unknownStack.stdout).code).to.equal(2);
        const text = await drydock(dir, ["window", "--stack", "production"]);
        expect(text.stdout).to.equal(""); // without --json stdout stays empty
    });

    it("finds the project from a subdirectory by walking up to Pulumi.yaml, as Pulumi does", async () => {
        writeFileSync(join(dir, "Pulumi.yaml"), "name: drydock\nruntime: nodejs\n");
        const sub = join(dir, "services", "backend");
        mkdirSync(sub, { recursive: true });
        expect(projectDir(sub)).to.equal(dir);
        const window = await drydock(sub, ["window", "--stack", "production", "--json"]);
        expect(window.code, window.stderr).to.equal(0);
        const pause = await drydock(sub, ["pause", "--stack", "production", "--reason", "from a subdirectory"]);
        expect(pause.code, pause.stderr).to.equal(0);
        expect(readStack(dir, "production")).to.include("drydock:pauseReason: from a subdirectory");
        expect(readdirSync(sub)).to.deep.equal([]); // nothing written where the command ran
        mocks.ecs.on(DescribeServicesCommand).rejects(awsError("ClusterNotFoundException"));
        mocks.rds.on(DescribeDBClustersCommand).rejects(awsError("DBClusterNotFoundFault"));
        const status = await drydock(sub, ["status", "--stack", "staging"]);
        expect(status.code, status.stderr).to.equal(0);
        // Without a Pulumi.yaml above, the working directory itself is the project (as before).
        expect(projectDir(dir)).to.equal(dir);
    });

    it("--apply runs Pulumi in the project directory, not the subdirectory", async () => {
        writeFileSync(join(dir, "Pulumi.yaml"), "name: drydock\nruntime: nodejs\n");
        const sub = join(dir, "docs");
        mkdirSync(sub);
        const automation = new FakeAutomation();
        mocks.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [image(digest("c"), ["v1.2.2"], "2026-11-01T00:00:00Z")] });
        const r = await drydock(sub, ["rollback", "--stack", "production", "--service", "backend", "--to", "v1.2.2", "--apply"], {
            automation,
        });
        expect(r.code, r.stderr).to.equal(0);
        expect(automation.calls).to.deep.equal([`preview production ${dir}`, `up production ${dir}`]);
    });

    for (const args of [
        ["promote", "--from", "staging", "--to", "production", "--apply"],
        ["rollback", "--stack", "production", "--service", "backend", "--to", "v1.2.2", "--apply"],
    ]) {
        it(`${args[0]} --apply refuses before writing anything when the project has no policies/PulumiPolicy.yaml`, async () => {
            rmSync(join(dir, "policies"), { recursive: true });
            const before = readStack(dir, "production");
            const automation = new FakeAutomation();
            const r = await drydock(dir, args, { automation });
            expect(r.code).to.equal(1);
            expect(r.stderr).to.match(/^drydock: --apply: .*policies\/PulumiPolicy\.yaml not found: .*nothing was previewed or deployed/);
            expect(r.stderr.trim().split("\n")).to.have.length(1);
            expect(readStack(dir, "production")).to.equal(before);
            expect(automation.calls).to.deep.equal([]);
        });
    }

    it("hints are commands one can paste: npx drydock …, in the command's output and in the docs' code", () => {
        const cmd = "(versions|status|promote|rollback|pause|resume|window|snapshot|snapshots|check|sync|history|approve|abort|migrate)\\b";
        // In source: a command after "(", "run", "use", "see", "with", "then", … inside a string (comments and prose naming a command are not hints).
        const hint = new RegExp(`(?<=(\\(|: |[Rr]un |[Uu]se |[Ss]ee |with |[Tt]ry |then ))drydock ${cmd}( --| <| \\$\\{| [a-z]+ --)`);
        // In docs: a command line in a fenced code block (what a reader pastes), outside the generated usage synopses.
        const code = new RegExp(`(^\\s*|# or: |\\(|: )drydock ${cmd}`);
        // In prose: an inline command with its stack or source (`drydock versions backend --stack staging`) is one to paste too.
        const inline = new RegExp(`(?<!npx )\`drydock ${cmd}[^\`]*--(stack|from) `);
        const offenders: string[] = [];
        const lines = (file: string) => readFileSync(file, "utf8").split("\n");
        const walk = (path: string, ext: RegExp): string[] =>
            readdirSync(path).flatMap((name) => {
                const full = join(path, name);
                return statSync(full).isDirectory() ? walk(full, ext) : ext.test(name) ? [full] : [];
            });
        for (const file of walk(join(ROOT, "cli"), /\.ts$/)) {
            lines(file).forEach((line, i) => {
                if (!/^\s*(\*|\/\/|\/\*)/.test(line) && hint.test(line))
                    offenders.push(`${file.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`);
            });
        }
        for (const file of [...walk(join(ROOT, "docs"), /\.md$/), join(ROOT, "README.md")]) {
            let fenced = false;
            let generated = false;
            lines(file).forEach((line, i) => {
                if (line.includes("command-reference:start")) generated = true;
                if (line.includes("command-reference:end")) generated = false;
                if (line.trim().startsWith("```")) fenced = !fenced;
                else if (fenced && !generated && code.test(line)) offenders.push(`${file.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`);
                else if (!fenced && !file.endsWith("benchmarks.md") && inline.test(line))
                    offenders.push(`${file.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`);
            });
        }
        expect(offenders).to.deep.equal([]);
    });
});
