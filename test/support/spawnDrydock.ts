/** The real `drydock` command (bin/drydock.js) as a child process, for tests against a loopback AWS endpoint. */
import { spawn } from "node:child_process";
import * as path from "node:path";

const BIN = path.join(__dirname, "..", "..", "bin", "drydock.js");

export interface Spawned {
    code: number | null;
    stdout: string;
    stderr: string;
    /** Wall time from start to exit, milliseconds. */
    ms: number;
}

/** Runs `drydock <args>` in `cwd` with exactly `env` and resolves when it exits. */
export function spawnDrydock(
    args: string[],
    env: Record<string, string>,
    cwd: string = path.join(__dirname, "..", ".."),
): Promise<Spawned> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    });
}
