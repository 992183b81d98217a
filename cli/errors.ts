/**
 * The one-line report of any error that reached the top of the `drydock` command:
 *
 *     drydock: <what>: <why> (<what to do>)
 *
 * The error type and the AWS translator live in aws/errors.ts, shared with the hooks.
 */
import { ConfigError } from "../config/types";
import { CliError, EXIT, ExitCode, fromAwsError, isAwsError, oneLine } from "../aws/errors";

export { aws, CliError, EXIT, fromAwsError, isAwsError, oneLine, refused, usageError } from "../aws/errors";
export type { ExitCode } from "../aws/errors";

function errorMessage(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

/** The line to print and the exit code for any error that reached the top. */
export function describeError(e: unknown): { line: string; exitCode: ExitCode } {
    if (e instanceof CliError) {
        return { line: `drydock: ${oneLine(e.what)}: ${oneLine(e.why)}${e.hint ? ` (${oneLine(e.hint)})` : ""}`, exitCode: e.exitCode };
    }
    if (e instanceof ConfigError) {
        const problems = e.problems.map((p) => `${p.key}${p.value === undefined ? "" : `=${JSON.stringify(p.value)}`}: ${p.message}`);
        return {
            line: `drydock: Pulumi.${e.stack}.yaml: ${oneLine(problems.join("; "))} (fix the stack file or use \`pulumi config set\`)`,
            exitCode: EXIT.usage,
        };
    }
    if (isAwsError(e)) return describeError(fromAwsError("AWS", e));
    return {
        line: `drydock: internal error: ${oneLine(errorMessage(e))} (please report this with the command you ran)`,
        exitCode: EXIT.failed,
    };
}
