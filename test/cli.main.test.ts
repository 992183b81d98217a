import { expect } from "chai";
import { spawnSync } from "child_process";
import { join } from "path";
import { createPulumiAutomation, formatChanges, SelectStack } from "../cli/automation";
import { defaultDeps } from "../cli/deps";
import { CliError, describeError, fromAwsError } from "../cli/errors";
import { buildProgram } from "../cli/main";
import { ConfigError } from "../config";
import { awsError, cleanup, drydock, stackDir } from "./fixtures/cli/harness";

const ROOT = join(__dirname, "..");

describe("drydock command line", () => {
    let dir: string;
    beforeEach(() => {
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    const commands = buildProgram(defaultDeps()).commands.map((c) => c.name());

    it("prints its version with --version and exits 0", async () => {
        const r = await drydock(dir, ["--version"]);
        expect(r.code).to.equal(0);
        expect(r.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
    });

    it("has every command of the issue", () => {
        for (const name of ["versions", "status", "promote", "rollback", "pause", "resume", "window", "snapshot", "snapshots"]) {
            expect(commands).to.include(name);
        }
    });

    for (const name of commands) {
        it(`${name} --help prints its usage and exits 0`, async () => {
            const r = await drydock(dir, [name, "--help"]);
            expect(r.code).to.equal(0);
            expect(r.stdout).to.match(new RegExp(`^Usage: drydock ${name} `));
            expect(r.stdout).to.include("--help");
            expect(r.stderr).to.equal("");
        });
    }

    it("drydock --help lists the commands and the exit codes", async () => {
        const r = await drydock(dir, ["--help"]);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.include("Exit codes: 0 ok, 1 refused or failed, 2 usage or configuration error.");
        for (const name of commands) expect(r.stdout).to.include(`  ${name}`);
    });

    it("usage errors exit 2 with one line naming the command's help", async () => {
        const none = await drydock(dir, []);
        expect(none.code).to.equal(2);
        const unknown = await drydock(dir, ["deploy"]);
        expect(unknown.code).to.equal(2);
        expect(unknown.stderr).to.equal("drydock: unknown command 'deploy' (see npx drydock --help)\n");
        const option = await drydock(dir, ["status", "--stack", "production", "--verbose"]);
        expect(option.code).to.equal(2);
        expect(option.stderr).to.equal("drydock: unknown option '--verbose' (see npx drydock status --help)\n");
        const stack = await drydock(dir, ["status"]);
        expect(stack.code).to.equal(2);
        expect(stack.stderr).to.equal("drydock: required option '-s, --stack <name>' not specified (see npx drydock status --help)\n");
        const extra = await drydock(dir, ["window", "--stack", "production", "now"]);
        expect(extra.code).to.equal(2);
    });

    it("a missing aws:region is a config error (exit 2) for commands that call AWS", async () => {
        const { writeFileSync } = await import("fs");
        writeFileSync(
            join(dir, "Pulumi.noregion.yaml"),
            "config:\n  drydock:backendVersion: v1.2.3\n  drydock:frontendVersion: v1.2.3\n  drydock:backendImage: 123456789012.dkr.ecr.us-east-1.amazonaws.com/b\n  drydock:frontendImage: 123456789012.dkr.ecr.us-east-1.amazonaws.com/f\n",
        );
        const r = await drydock(dir, ["status", "--stack", "noregion"]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.equal(
            "drydock: Pulumi.noregion.yaml: aws:region: missing (set it: pulumi config set aws:region <region> -s noregion)\n",
        );
        const window = await drydock(dir, ["window", "--stack", "noregion", "--json"]);
        expect(window.code).to.equal(0);
    });

    it("a missing required key is a config error naming the key (exit 2) for a command that uses it, a warning for one that does not", async () => {
        const { writeFileSync } = await import("fs");
        writeFileSync(join(dir, "Pulumi.partial.yaml"), "config:\n  aws:region: us-east-1\n  drydock:backendVersion: v1.2.3\n");
        const r = await drydock(dir, ["versions", "backend", "--stack", "partial"]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.match(/^drydock: Pulumi\.partial\.yaml: drydock:backendImage: required[^\n]*\n$/); // versions reads the repository
        const window = await drydock(dir, ["window", "--stack", "partial"]);
        expect(window.code, window.stderr).to.equal(0); // window reads none of them: one warning per missing key
        expect(window.stderr).to.include("drydock: warning: Pulumi.partial.yaml: drydock:frontendVersion: required");
        expect(window.stderr).to.include("drydock: warning: Pulumi.partial.yaml: drydock:backendImage: required");
        const write = await drydock(dir, ["rollback", "--stack", "partial", "--to", "v1.2.3"]);
        expect(write.code).to.equal(2);
        expect(write.stderr.trimEnd().split("\n")).to.have.length(1); // a command that writes refuses on any bad key, in one line
        expect(write.stderr).to.include("drydock:frontendImage: required");
    });

    it("turns errors into one line and an exit code", () => {
        expect(describeError(new CliError("--at", "bad", "use ISO", 2))).to.deep.equal({
            line: "drydock: --at: bad (use ISO)",
            exitCode: 2,
        });
        expect(describeError(new ConfigError("prod", [{ key: "drydock:x", value: "1", message: "unknown key" }]))).to.deep.equal({
            line: 'drydock: Pulumi.prod.yaml: drydock:x="1": unknown key (fix the stack file or use `pulumi config set`)',
            exitCode: 2,
        });
        expect(describeError(new TypeError("x is undefined\n  at y"))).to.deep.equal({
            line: "drydock: internal error: x is undefined at y (please report this with the command you ran)",
            exitCode: 1,
        });
        expect(describeError(awsError("ServiceUnavailable", "try later")).line).to.equal("drydock: AWS: ServiceUnavailable: try later");
        expect(
            fromAwsError(
                "ECR DescribeImages r",
                Object.assign(new Error("getaddrinfo ENOTFOUND api.ecr.us-east-1.amazonaws.com"), { name: "Error" }),
            ).why,
        ).to.match(/^cannot reach AWS/);
        expect(
            fromAwsError("x", awsError("UnrecognizedClientException", "The security token included in the request is invalid")).why,
        ).to.match(/^access denied/);
    });

    it("formats change summaries", () => {
        expect(formatChanges({ update: 2, same: 30, create: 0 })).to.equal("2 update, 30 same");
        expect(formatChanges({})).to.equal("no changes");
    });
});

describe("Pulumi Automation seam", () => {
    it("selects the stack in the working directory and adapts preview and up results", async () => {
        const calls: string[] = [];
        const outputs: string[] = [];
        const selectStack: SelectStack = async (args) => {
            calls.push(`select ${args.stackName} ${args.workDir}`);
            return {
                preview: async (opts?: { onOutput?: (s: string) => void }) => {
                    opts?.onOutput?.("previewing...\n");
                    return { stdout: "preview out", stderr: "", changeSummary: { update: 1, same: 3 } };
                },
                up: async (opts?: { onOutput?: (s: string) => void }) => {
                    opts?.onOutput?.("updating...\n");
                    return {
                        stdout: "up out",
                        stderr: "",
                        outputs: {},
                        summary: {
                            kind: "update",
                            startTime: new Date(),
                            message: "",
                            environment: {},
                            config: {},
                            result: "succeeded",
                            resourceChanges: { update: 1, same: 3 },
                        },
                    };
                },
            } as unknown as Awaited<ReturnType<SelectStack>>;
        };
        const automation = createPulumiAutomation({ selectStack, onOutput: (s) => outputs.push(s) });
        expect(await automation.preview("production", ROOT)).to.deep.equal({
            changeSummary: { update: 1, same: 3 },
            stdout: "preview out",
        });
        expect(await automation.up("production", ROOT)).to.deep.equal({
            summary: { result: "succeeded", resourceChanges: { update: 1, same: 3 } },
            stdout: "up out",
        });
        expect(calls).to.deep.equal([`select production ${ROOT}`, `select production ${ROOT}`]);
        expect(outputs).to.deep.equal(["previewing...\n", "updating...\n"]);
    });

    it("runs the project's policy pack with every preview and update", async () => {
        const seen: unknown[] = [];
        const selectStack: SelectStack = async () =>
            ({
                preview: async (opts: unknown) => (seen.push(opts), { stdout: "", stderr: "", changeSummary: {} }),
                up: async (opts: unknown) => (
                    seen.push(opts),
                    { stdout: "", stderr: "", outputs: {}, summary: { result: "succeeded", resourceChanges: {} } }
                ),
            }) as unknown as Awaited<ReturnType<SelectStack>>;
        const automation = createPulumiAutomation({ selectStack });
        await automation.preview("production", ROOT);
        await automation.up("production", ROOT);
        expect(seen).to.deep.equal([{ policyPacks: [join(ROOT, "policies")] }, { policyPacks: [join(ROOT, "policies")] }]);
        seen.length = 0;
    });

    it("refuses in one line, running nothing, when the project has no policies/PulumiPolicy.yaml", async () => {
        const calls: string[] = [];
        const selectStack: SelectStack = async (args) =>
            (calls.push(`select ${args.workDir}`), {}) as unknown as Awaited<ReturnType<SelectStack>>;
        const automation = createPulumiAutomation({ selectStack });
        const dir = join(ROOT, "test"); // a directory without a pack
        for (const run of [() => automation.preview("production", dir), () => automation.up("production", dir)]) {
            const error = await run().then(
                () => undefined,
                (e: unknown) => e as Error,
            );
            expect(error?.message).to.equal(
                `--apply: ${join(dir, "policies", "PulumiPolicy.yaml")} not found: drydock runs pulumi preview and pulumi up only with the project's policy pack; nothing was previewed or deployed`,
            );
        }
        expect(calls).to.deep.equal([]);
    });

    it("passes failures through", async () => {
        const automation = createPulumiAutomation({
            selectStack: async () => {
                throw new Error("no stack named 'production' found");
            },
        });
        let error: unknown;
        try {
            await automation.preview("production", ROOT);
        } catch (e) {
            error = e;
        }
        expect((error as Error).message).to.equal("no stack named 'production' found");
    });
});

describe("bin/drydock.js", () => {
    let dir: string;
    beforeEach(() => {
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    const node = (args: string[]) =>
        spawnSync(process.execPath, [join(ROOT, "bin", "drydock.js"), ...args], {
            cwd: dir,
            encoding: "utf8",
            env: { ...process.env, AWS_REGION: "", AWS_PROFILE: "" },
        });

    it("runs the TypeScript CLI and sets the exit code, without loading Pulumi for offline commands", () => {
        const ok = node(["window", "--stack", "staging", "--json"]);
        expect(ok.status, ok.stderr).to.equal(0);
        expect(JSON.parse(ok.stdout)).to.deep.equal({
            open: true,
            paused: false,
            pauseReason: null,
            pausedAt: null,
            current: null,
            nextStart: null,
        });
        const bad = node(["window", "--stack", "nope"]);
        expect(bad.status).to.equal(2);
        expect(bad.stderr).to.match(/^drydock: stack "nope": no Pulumi\.nope\.yaml/);
        const probe = spawnSync(
            process.execPath,
            [
                "-e",
                `require(${JSON.stringify(join(ROOT, "bin", "register.js"))}); require(${JSON.stringify(join(ROOT, "cli", "main.ts"))}); console.log(Object.keys(require.cache).filter((k) => k.includes("@pulumi")).slice(0, 2).join(",") || "false")`,
            ],
            { cwd: ROOT, encoding: "utf8" },
        );
        expect(probe.stdout.trim(), probe.stderr).to.equal("false");
    });
});
