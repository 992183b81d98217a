import { expect } from "chai";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { createPulumiAutomation } from "../cli/automation";
import { MIN_PULUMI_VERSION, pulumiCliVersion, requirePulumiCli } from "../cli/pulumiCli";
import { cleanup, drydock, fixture, readStack, resetMocks, stackDir } from "./fixtures/cli/harness";
import { rejection } from "./support/rejection";

/** A directory holding a fake `pulumi` that prints `output` for `pulumi version` (none when output is undefined). */
function fakePulumi(output: string | undefined): string {
    const dir = mkdtempSync(join(tmpdir(), "drydock-fake-pulumi-"));
    if (output !== undefined) {
        writeFileSync(join(dir, "pulumi"), `#!/bin/sh\n[ "$1" = version ] && echo '${output}' && exit 0\nexit 3\n`);
        chmodSync(join(dir, "pulumi"), 0o755);
    }
    return dir;
}

describe("the Pulumi CLI check (pulumi version on PATH)", () => {
    const dirs: string[] = [];
    const originalPath = process.env.PATH;
    const onPath = (output: string | undefined) => {
        const dir = fakePulumi(output);
        dirs.push(dir);
        process.env.PATH = dir; // only the fake: a real pulumi elsewhere must not answer
        return dir;
    };
    afterEach(() => {
        process.env.PATH = originalPath;
        for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    });

    it("reads the version a current CLI prints", async () => {
        onPath("v3.238.0");
        expect(await pulumiCliVersion()).to.deep.equal({ found: true, version: "3.238.0" });
        onPath("v3.240.1-alpha.x1234");
        expect(await requirePulumiCli("--apply", createPulumiAutomation())).to.equal("3.240.1-alpha.x1234");
    });

    it("refuses an older CLI, a missing one and one that prints no version, naming what is missing", async () => {
        onPath("v3.237.9");
        const old = await rejection(requirePulumiCli("--apply", createPulumiAutomation()));
        expect(old.message).to.equal(
            `--apply: the Pulumi CLI on PATH is 3.237.9, older than ${MIN_PULUMI_VERSION} (it would not run drydock's update hooks, or would let a failed rollout verification pass); nothing was written`,
        );
        onPath(undefined);
        expect((await rejection(requirePulumiCli("--apply", createPulumiAutomation()))).message).to.equal(
            "--apply: the Pulumi CLI (pulumi) is not on PATH; nothing was written",
        );
        onPath("warning: something");
        expect((await rejection(requirePulumiCli("--apply", createPulumiAutomation()))).message).to.match(
            /^--apply: `pulumi version` printed "warning: something", not a version/,
        );
    });

    describe("rollback --apply and promote --apply with the real check", () => {
        let dir: string;
        beforeEach(() => {
            resetMocks();
            dir = stackDir();
        });
        afterEach(() => cleanup(dir));

        for (const args of [
            ["rollback", "--stack", "production", "--to", "v1.2.3", "--apply"],
            ["promote", "--from", "staging", "--to", "production", "--apply"],
        ]) {
            it(`${args[0]} --apply with an old pulumi on PATH writes nothing and says so in one line (exit 1)`, async () => {
                onPath("v3.120.0");
                const r = await drydock(dir, args, { automation: createPulumiAutomation() });
                expect(r.code).to.equal(1);
                expect(r.stderr).to.match(
                    /^drydock: --apply: the Pulumi CLI on PATH is 3\.120\.0, older than 3\.238\.0 .*\(upgrade it \(https:\/\/www\.pulumi\.com\/docs\/install\/\); or run without --apply and deploy yourself\)\n$/,
                );
                expect(readStack(dir, "production")).to.equal(fixture("production"));
            });
        }
    });
});
