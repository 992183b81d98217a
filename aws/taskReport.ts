/**
 * The report of a one-off task that did not exit 0 (aws/tasks.ts): the task ARN, what happened, a link to the
 * task, the log stream with a console link, and the last lines of its log. No Pulumi import.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { shortTaskDefinition } from "../release/names";
import { lastLogLines, regionOfArn, TaskLogStream, taskUrl } from "./taskLogs";

export type TaskOutcome = "exit-code" | "no-exit-code" | "not-placed" | "timed-out" | "lost";

/** The task did not end with exit code 0; `message` is the whole report (several lines). */
export class TaskError extends Error {
    constructor(
        message: string,
        readonly outcome: TaskOutcome,
        readonly taskArn: string | undefined,
        readonly exitCode: number | undefined,
        readonly stoppedReason: string | undefined,
        readonly logStream: TaskLogStream | undefined,
        readonly logLines: string[],
    ) {
        super(message);
        this.name = "TaskError";
    }
}

/** Where the failed task ran, for {@link taskFailure}. */
export interface FailedTask {
    cluster: string;
    command: string[];
    tdArn: string;
    taskArn: string;
    stream?: TaskLogStream;
    logs: CloudWatchLogsClient;
}

/** A TaskError with the task ARN, what happened, the log stream and its last lines. */
export async function taskFailure(
    r: FailedTask,
    outcome: TaskOutcome,
    what: string,
    exitCode: number | undefined,
    stoppedReason: string | undefined,
): Promise<TaskError> {
    const lines = r.stream ? await lastLogLines(r.logs, r.stream) : [];
    const region = r.stream?.region ?? regionOfArn(r.taskArn);
    const text = [
        `one-off task ${r.taskArn} (${shortTaskDefinition(r.tdArn)}, command: ${r.command.join(" ")}) ${what}.`,
        ...(region ? [`  task: ${taskUrl(region, r.cluster, r.taskArn)}`] : []),
        r.stream
            ? `  log stream: ${r.stream.group} ${r.stream.stream}${r.stream.url ? `\n  console: ${r.stream.url}` : ""}`
            : "  log stream: none (the container does not log to CloudWatch)",
        ...(lines.length > 0
            ? [`  last ${lines.length} log line${lines.length === 1 ? "" : "s"}:`, ...lines.map((l) => `    | ${l}`)]
            : []),
    ];
    return new TaskError(text.join("\n"), outcome, r.taskArn, exitCode, stoppedReason, r.stream, lines);
}
