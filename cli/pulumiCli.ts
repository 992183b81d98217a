/**
 * The Pulumi CLI that `--apply` (and anything else that runs `pulumi up` for the user) needs: present on
 * PATH and at least {@link MIN_PULUMI_VERSION}. Older CLIs do not run resource hooks, or report a failed
 * after-hook (rollout verification) as a warning while `pulumi up` succeeds; a command checks this before it
 * writes anything, so a missing or old CLI never leaves a half-done change behind.
 */
import type { execFile as ExecFile } from "child_process";
import semver from "semver";
import { refused } from "./errors";

/** The oldest Pulumi CLI drydock's hooks work with (also `requiredPulumiVersion` in Pulumi.yaml). */
export const MIN_PULUMI_VERSION = "3.238.0";

const INSTALL = "https://www.pulumi.com/docs/install/";

/** What `pulumi version` said: the version, or why there is none. */
export type PulumiCliVersion = { found: true; version: string } | { found: false; why: string };

/** Runs `pulumi version` (the executable found on PATH in `env`) and parses its answer, e.g. `v3.238.0`. */
export function pulumiCliVersion(env: NodeJS.ProcessEnv = process.env, timeoutMs = 20_000): Promise<PulumiCliVersion> {
    return new Promise((resolve) => {
        // child_process is loaded here, not at start-up: most commands never ask for the Pulumi CLI.

        const execFile = (require("child_process") as { execFile: typeof ExecFile }).execFile;
        execFile("pulumi", ["version"], { env, timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
            if (error && (error as NodeJS.ErrnoException).code === "ENOENT")
                return resolve({ found: false, why: "the Pulumi CLI (pulumi) is not on PATH" });
            if (error) return resolve({ found: false, why: `\`pulumi version\` failed (${error.message.split("\n")[0].trim()})` });
            const version = /v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(String(stdout))?.[1];
            if (!version || !semver.valid(version))
                return resolve({
                    found: false,
                    why: `\`pulumi version\` printed ${JSON.stringify(String(stdout).trim().slice(0, 60))}, not a version`,
                });
            resolve({ found: true, version });
        });
    });
}

/**
 * Refuses (exit 1, one line naming what is missing) unless the Pulumi CLI on PATH is at least
 * {@link MIN_PULUMI_VERSION}. Call it before writing anything: every command that runs `pulumi up` for the
 * user (`promote --apply`, `rollback --apply`, `sync --apply`) goes through here, as
 * `await requirePulumiCli("--apply", deps.automation)`.
 * @param what the flag or command that needs the CLI, e.g. `--apply`.
 * @returns the version found.
 */
export async function requirePulumiCli(what: string, automation: { cliVersion(): Promise<PulumiCliVersion> }): Promise<string> {
    const found = await automation.cliVersion();
    const without = what === "--apply" ? "; or run without --apply and deploy yourself" : "";
    if (!found.found) {
        throw refused(what, `${found.why}; nothing was written`, `install Pulumi ${MIN_PULUMI_VERSION} or newer (${INSTALL})${without}`);
    }
    if (semver.lt(found.version, MIN_PULUMI_VERSION)) {
        throw refused(
            what,
            `the Pulumi CLI on PATH is ${found.version}, older than ${MIN_PULUMI_VERSION} (it would not run drydock's update hooks, or would let a failed rollout verification pass); nothing was written`,
            `upgrade it (${INSTALL})${without}`,
        );
    }
    return found.version;
}
