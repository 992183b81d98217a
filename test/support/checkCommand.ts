/** `drydock check` run in-process on the committed stacks, at a fixed instant, with its output captured. */
import * as path from "node:path";
import { run } from "../../cli/main";

export const ROOT = path.join(__dirname, "..", "..");
/** Tue 11:00 Europe/Berlin: production's release window is open. */
export const CHECK_NOW = new Date("2026-11-24T10:00:00Z");

export async function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await run(["node", "drydock", "check", ...args], {
        cwd: ROOT,
        now: () => CHECK_NOW,
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
    });
    return { code, stdout, stderr };
}
