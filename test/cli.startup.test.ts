import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { COMMANDS, commandFor } from "../cli/commandList";
import { defaultDeps } from "../cli/deps";
import { buildProgram } from "../cli/main";

const ROOT = path.join(__dirname, "..");

/** Runs bin/drydock.js in a fresh process and returns the files it loaded (relative; packages by name). */
function loadedBy(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string; loaded: string[] } {
    const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drydock-probe-")), "probe.js");
    fs.writeFileSync(probe, `process.on("exit", () => require("fs").writeSync(3, JSON.stringify(Object.keys(require.cache))));\n`);
    const r = spawnSync(process.execPath, ["-r", probe, path.join(ROOT, "bin", "drydock.js"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe", "pipe"],
        env: { ...process.env, CI: "true", ...env },
    });
    fs.rmSync(path.dirname(probe), { recursive: true });
    const files = JSON.parse(String(r.output[3])) as string[];
    const loaded = files.map((f) => {
        if (f.includes("node_modules/.cache/")) return f.slice(f.indexOf(".cache/"));
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
        return pkg ? pkg[1] : path.relative(ROOT, f);
    });
    return { status: r.status, stderr: r.stderr, loaded: [...new Set(loaded)] };
}

const HEAVY = [
    "@pulumi/pulumi",
    "@pulumi/aws",
    "@pulumi/awsx",
    "@pulumi/policy",
    "@aws-sdk/client-ecs",
    "@aws-sdk/client-ecr",
    "@aws-sdk/client-rds",
    "esbuild",
    "typescript",
    "ora",
    "cli-table3",
];

describe("drydock start-up", () => {
    describe("the command list (cli/commandList.ts)", () => {
        const full = buildProgram(defaultDeps());

        for (const entry of COMMANDS) {
            it(`${entry.name}: the summary is the command's own description, and its module registers it`, () => {
                const command = full.commands.find((c) => c.name() === entry.name);
                expect(command, `cli/commandList.ts lists ${entry.name}; its module must register it`).to.be.instanceOf(Command);
                expect(entry.summary).to.equal(command!.description());
            });
        }

        it("finds the command an argv runs, or asks help for, and nothing for --help, --version or an unknown command", () => {
            expect(commandFor(["node", "drydock", "window", "--stack", "production"])?.name).to.equal("window");
            expect(commandFor(["node", "drydock", "help", "pause"])?.name).to.equal("pause");
            expect(commandFor(["node", "drydock", "--help"])).to.equal(undefined);
            expect(commandFor(["node", "drydock", "-V"])).to.equal(undefined);
            expect(commandFor(["node", "drydock", "deploy"])).to.equal(undefined);
        });

        it("drydock --help lists every command (from the list alone) with its summary", () => {
            let out = "";
            const program = buildProgram(defaultDeps({ stdout: (s) => void (out += s) }), ["node", "drydock", "--help"]);
            expect(program.commands.map((c) => c.name())).to.deep.equal(COMMANDS.map((c) => c.name));
            program.outputHelp();
            for (const c of COMMANDS) expect(out).to.include(`  ${c.name} [options]${c.args ? ` ${c.args}` : ""}`);
        });
    });

    describe("what a fresh process loads, running the TypeScript sources (DRYDOCK_BUNDLE=0)", () => {
        const sources = { DRYDOCK_BUNDLE: "0" };

        it("drydock --version loads no command module and nothing heavy", () => {
            loadedBy(["--version"], sources); // the first start after an edit transpiles (and loads esbuild); later ones read the cache
            const r = loadedBy(["--version"], sources);
            expect(r.status, r.stderr).to.equal(0);
            expect(r.loaded).to.include.members(["bin/drydock.js", "cli/main.ts", "commander"]);
            expect(r.loaded.filter((f) => f.startsWith("cli/commands/"))).to.deep.equal([]);
            expect(["yaml", "luxon", ...HEAVY].filter((p) => r.loaded.includes(p))).to.deep.equal([]);
        });

        for (const args of [
            ["window", "--stack", "production"],
            ["pause", "--help"],
        ]) {
            it(`drydock ${args.join(" ")} loads only its own command module and no AWS SDK, Pulumi or transpiler`, () => {
                loadedBy(args, sources);
                const r = loadedBy(args, sources);
                expect(r.status, r.stderr).to.equal(0);
                expect(r.loaded).to.include.members(["cli/main.ts", "yaml"]);
                expect(r.loaded.filter((f) => f.startsWith("cli/commands/"))).to.deep.equal([`cli/commands/${args[0]}.ts`]);
                expect(HEAVY.filter((p) => r.loaded.includes(p))).to.deep.equal([]);
            });
        }
    });

    describe("what a fresh process loads, running the bundle (bin/bundle.js)", () => {
        const bundleOf = (loaded: string[]) =>
            loaded.filter((f) => /^\.cache\/drydock\/cli\/drydock-[0-9a-f]+\.js$/.test(f) || f === ".cache");

        it("drydock --version and window run the bundle and load nothing heavy", () => {
            for (const args of [["--version"], ["window", "--stack", "production"]]) {
                loadedBy(args); // builds the bundle if a source changed since the last build
                const r = loadedBy(args);
                expect(r.status, r.stderr).to.equal(0);
                expect(r.loaded).to.include("bin/bundle.js");
                expect(r.loaded).to.not.include("cli/main.ts");
                expect(bundleOf(r.loaded)).to.have.length(1);
                expect(
                    HEAVY.filter((p) => r.loaded.includes(p)),
                    args.join(" "),
                ).to.deep.equal([]);
            }
        });

        it("drydock check loads Pulumi and the policy pack, but no AWS SDK client: the hooks are built, never run", () => {
            const r = loadedBy(["check", "--stack", "production", "--json"]);
            expect(r.status, r.stderr).to.equal(0);
            expect(r.loaded).to.include.members(["@pulumi/pulumi", "@pulumi/aws", "@pulumi/policy"]);
            expect(r.loaded.filter((p) => p.startsWith("@aws-sdk/client-") || p === "@smithy/node-http-handler")).to.deep.equal([]);
        });
    });

    describe("the transpile cache (bin/register.js)", () => {
        const { compiled, CACHE_DIR } = require("../bin/register.js") as { compiled: (s: string, f: string) => string; CACHE_DIR: string };
        const file = path.join(os.tmpdir(), `drydock-register-${process.pid}.ts`);
        const cached = () => fs.readdirSync(CACHE_DIR).filter((f) => f.endsWith(".js"));

        it("transpiles a file once, then reads the result from the cache; changed content gets a fresh transpile", () => {
            const source = `export const answer: number = ${Date.now()};\n`;
            const before = new Set(cached());
            const first = compiled(source, file);
            expect(first).to.include("exports").and.not.include(": number");
            const added = cached().filter((f) => !before.has(f));
            expect(added).to.have.length(1);
            // The second call reads the cache entry (proved by marking it), it does not transpile again.
            const entry = path.join(CACHE_DIR, added[0]);
            fs.writeFileSync(entry, `${first}// read from the cache\n`);
            expect(compiled(source, file)).to.include("// read from the cache");
            const changed = compiled(source.replace("answer", "other"), file);
            expect(changed).to.include("other").and.not.include("// read from the cache");
            for (const f of cached().filter((f) => !before.has(f))) fs.unlinkSync(path.join(CACHE_DIR, f));
        });

        it("with DRYDOCK_TRANSPILE_CACHE=0 still runs (transpiling in memory)", () => {
            const r = loadedBy(["--version"], { DRYDOCK_TRANSPILE_CACHE: "0", DRYDOCK_BUNDLE: "0" });
            expect(r.status, r.stderr).to.equal(0);
            expect(r.loaded).to.include("esbuild");
        });
    });
});
