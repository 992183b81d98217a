/**
 * Where a one-off task's container logs go and how to read the end of them: the CloudWatch log stream
 * named by the task definition's awslogs options (`<awslogs-stream-prefix>/<container>/<task id>`), its last
 * lines (CloudWatch Logs GetLogEvents), and links to the console. No Pulumi import.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ContainerDefinition } from "@aws-sdk/client-ecs";
import { askAws, fromAwsError } from "./errors";

/** Lines of the task's log quoted in a failure message. */
export const TASK_LOG_LINES = 20;

/** A task's CloudWatch log stream. */
export interface TaskLogStream {
    group: string;
    stream: string;
    region?: string;
    /** The stream in the CloudWatch console. */
    url?: string;
}

/** `arn:aws:ecs:…:task/drydock-production/0123abcd` → `0123abcd`. */
export function taskIdOf(taskArn: string): string {
    return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}

/** `arn:aws:ecs:us-east-1:…` → `us-east-1`, when the ARN names a region. */
export function regionOfArn(arn: string | undefined): string | undefined {
    const region = arn?.split(":")[3];
    return region ? region : undefined;
}

/** The CloudWatch console's encoding of a path part: URI-encoded twice, `%` written as `$`. */
function consoleEncode(s: string): string {
    return encodeURIComponent(encodeURIComponent(s)).replace(/%/g, "$");
}

/** The log stream in the CloudWatch console. */
export function logStreamUrl(region: string, group: string, stream: string): string {
    return (
        `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
        `#logsV2:log-groups/log-group/${consoleEncode(group)}/log-events/${consoleEncode(stream)}`
    );
}

/** The task in the ECS console. */
export function taskUrl(region: string, cluster: string, taskArn: string): string {
    const name = cluster.slice(cluster.lastIndexOf("/") + 1);
    return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(name)}/tasks/${taskIdOf(taskArn)}/configuration?region=${region}`;
}

/**
 * The log stream of `container` in task `taskArn`, from the container's awslogs options; undefined when
 * the container does not log to CloudWatch (another log driver, or no stream prefix: ECS then names no stream).
 */
export function taskLogStream(container: ContainerDefinition, taskArn: string, fallbackRegion?: string): TaskLogStream | undefined {
    const log = container.logConfiguration;
    const options = log?.options ?? {};
    const group = options["awslogs-group"];
    const prefix = options["awslogs-stream-prefix"];
    if (log?.logDriver !== "awslogs" || !group || !prefix || !container.name) return undefined;
    const stream = `${prefix}/${container.name}/${taskIdOf(taskArn)}`;
    const region = options["awslogs-region"] ?? fallbackRegion ?? regionOfArn(taskArn);
    return { group, stream, ...(region ? { region, url: logStreamUrl(region, group, stream) } : {}) };
}

/**
 * The last `lines` lines of the stream, oldest first. Never throws: a stream that does not exist (the
 * container never started) or a log read that fails becomes one line in parentheses saying so, because
 * the task's outcome is what the caller reports; the log only explains it.
 */
export async function lastLogLines(logs: CloudWatchLogsClient, where: TaskLogStream, lines = TASK_LOG_LINES): Promise<string[]> {
    try {
        const out = await askAws(`CloudWatch Logs GetLogEvents ${where.stream}`, () =>
            logs.send(
                new GetLogEventsCommand({ logGroupName: where.group, logStreamName: where.stream, startFromHead: false, limit: lines }),
            ),
        );
        const events = (out.events ?? []).filter((e) => e.message !== undefined);
        if (events.length === 0) return ["(the log stream is empty)"];
        return events.slice(-lines).map((e) => (e.message ?? "").replace(/\s+$/, ""));
    } catch (e) {
        if ((e as Error)?.name === "ResourceNotFoundException") return ["(no log stream: the container did not start or wrote nothing)"];
        const failure = fromAwsError(`CloudWatch Logs GetLogEvents ${where.group} ${where.stream}`, e);
        return [`(could not read the log: ${failure.why})`];
    }
}
