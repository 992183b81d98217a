/**
 * The `run-migrations` hook: before the backend's ECS service changes (and before it is first created),
 * run `migrationCommand` as one Fargate task on the exact task definition the service is about to run,
 * and stop the update unless the task exits with code 0. Bound after `release-gate` and
 * `pre-update-snapshot`, so a migration never runs without the snapshot. Thin: the task is aws/tasks.ts.
 *
 * Skipped, with a line saying why, when the image did not change (a count or setting change needs no
 * migration); during a preview it only says it would run.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import * as pulumi from "@pulumi/pulumi";
import { awsClientConfig } from "../../aws/clients";
import { MIGRATION_TASK_TAGS, runOneOffTask } from "../../aws/tasks";
import { IMAGE_TAG, shortTaskDefinition } from "../../release/names";
import { compactUtc } from "../../release/timestamps";
import { HookInputs, serviceChange, stringInput, tagValue } from "./changes";
import { ECS_SERVICE_TYPE, HOOK_NAMES } from "./runtime";

export const RUN_MIGRATIONS = HOOK_NAMES.runMigrations;

export interface MigrationHookContext {
    stack: string;
    /** AWS region (`aws:region`); unset = the SDK's standard resolution. */
    region?: string;
    /** ECS cluster name, used when the service's own `cluster` input is unknown. */
    ecsClusterName: string;
    /** `migrationCommand`; the hook is bound only when it is not empty. */
    command: string[];
    /** `migrationTimeoutMinutes`. */
    timeoutMinutes: number;
    /** Identifies this `pulumi up` in the task's `drydock:update` tag; default: a time stamp and random part, made once. */
    updateId?: string;
    clients?: { ecs?: () => ECSClient; logs?: () => CloudWatchLogsClient };
    /** Test seams; defaults: real clock, setTimeout, pulumi.log, pulumi.runtime.isDryRun. */
    now?: () => Date;
    sleep?: (ms: number) => Promise<void>;
    log?: { info(msg: string): void; warn(msg: string): void };
    isDryRun?: () => boolean;
    pollMs?: number; // milliseconds
}

/** `20261124T100000Z-1a2b` (or `gh-<run id>-…` in GitHub Actions): one id per program run. */
export function newUpdateId(now: Date, env: NodeJS.ProcessEnv = process.env): string {
    const stamp = compactUtc(now);
    const random = Math.floor(Math.random() * 0x10000)
        .toString(16)
        .padStart(4, "0");
    return `${env.GITHUB_RUN_ID ? `gh-${env.GITHUB_RUN_ID}-` : ""}${stamp}-${random}`;
}

/** ECS tag values: letters, digits, spaces and `_ . : / = + - @`, at most 256 characters. */
function tagSafe(value: string): string {
    return value
        .replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, " ")
        .trim()
        .slice(0, 256);
}

/** The service's private subnets and security groups, from its new inputs. */
function networkOf(inputs: HookInputs): { subnets: string[]; securityGroups: string[] } | undefined {
    const net = inputs?.networkConfiguration as { subnets?: unknown; securityGroups?: unknown } | undefined;
    const strings = (v: unknown) =>
        Array.isArray(v) && v.every((x) => typeof x === "string" && x.length > 0) ? (v as string[]) : undefined;
    const subnets = strings(net?.subnets);
    const securityGroups = strings(net?.securityGroups);
    return subnets && subnets.length > 0 && securityGroups ? { subnets, securityGroups } : undefined;
}

/** Build the `run-migrations` hook (runs during previews too, only to say what it would do). */
export function createMigrationsHook(ctx: MigrationHookContext): pulumi.ResourceHook {
    const log = ctx.log ?? { info: (m: string) => pulumi.log.info(m), warn: (m: string) => pulumi.log.warn(m) };
    const isDryRun = ctx.isDryRun ?? (() => pulumi.runtime.isDryRun());
    const now = ctx.now ?? (() => new Date());
    const updateId = ctx.updateId ?? newUpdateId(now());
    let ecs: ECSClient | undefined;
    let logs: CloudWatchLogsClient | undefined;
    const clients = () => ({
        ecs: (ecs ??= ctx.clients?.ecs?.() ?? new ECSClient(awsClientConfig(ctx.region))),
        logs: (logs ??= ctx.clients?.logs?.() ?? new CloudWatchLogsClient(awsClientConfig(ctx.region))),
    });
    return new pulumi.ResourceHook(RUN_MIGRATIONS, (args) => runMigrations(args, { ctx, log, isDryRun, now, updateId, clients }), {
        onDryRun: true,
    });
}

/** What {@link createRunMigrationsHook} reads from the hook runtime of components/hooks/runtime.ts. */
export interface MigrationRuntime {
    ctx: {
        stack: string;
        region?: string;
        ecsClusterName: string;
        /** `settings.migrations`; unset or an empty command: the hook is not built. */
        migrations?: { command: string[]; timeoutMinutes: number };
        clients?: { logs?: () => CloudWatchLogsClient };
        sleep?: (ms: number) => Promise<void>;
        pollMs?: { migration?: number };
    };
    now: () => Date;
    log: { info(msg: string): void; warn(msg: string): void };
    isDryRun: () => boolean;
    ecs: () => ECSClient;
}

/** The factory's builder (components/hooks/index.ts SERVICE_HOOKS): the hook, or undefined when migrationCommand is empty. */
export function createRunMigrationsHook(rt: MigrationRuntime): pulumi.ResourceHook | undefined {
    const m = rt.ctx.migrations;
    if (!m || m.command.length === 0) return undefined;
    return createMigrationsHook({
        stack: rt.ctx.stack,
        ...(rt.ctx.region ? { region: rt.ctx.region } : {}),
        ecsClusterName: rt.ctx.ecsClusterName,
        command: m.command,
        timeoutMinutes: m.timeoutMinutes,
        clients: { ecs: rt.ecs, ...(rt.ctx.clients?.logs ? { logs: rt.ctx.clients.logs } : {}) },
        now: rt.now,
        ...(rt.ctx.sleep ? { sleep: rt.ctx.sleep } : {}),
        log: rt.log,
        isDryRun: rt.isDryRun,
        ...(rt.ctx.pollMs?.migration !== undefined ? { pollMs: rt.ctx.pollMs.migration } : {}),
    });
}

interface Run {
    ctx: MigrationHookContext;
    log: { info(msg: string): void; warn(msg: string): void };
    isDryRun: () => boolean;
    now: () => Date;
    updateId: string;
    clients: () => { ecs: ECSClient; logs: CloudWatchLogsClient };
}

async function runMigrations(args: pulumi.ResourceHookArgs, run: Run): Promise<void> {
    const { ctx, log } = run;
    if (args.type !== ECS_SERVICE_TYPE)
        throw new Error(`${RUN_MIGRATIONS} is bound to ${args.type} "${args.name}"; it only supports ${ECS_SERVICE_TYPE}`);
    const service = stringInput(args.newInputs, "name") ?? args.name;
    const command = ctx.command.join(" ");
    if (ctx.command.length === 0) throw new Error(`${RUN_MIGRATIONS}: bound to ${service} without a migrationCommand; nothing to run`);
    const creating = args.oldInputs === undefined;
    const change = serviceChange(args.oldInputs, args.newInputs);
    const image = tagValue(args.newInputs, IMAGE_TAG);
    if (!creating && !change.imageChanged) {
        log.info(
            `${RUN_MIGRATIONS}: ${service}: skipped: the image did not change (this update changes ${change.changedKeys.join(", ") || "nothing"})`,
        );
        return;
    }
    const taskDefinition = stringInput(args.newInputs, "taskDefinition");
    if (run.isDryRun()) {
        const on = taskDefinition ? shortTaskDefinition(taskDefinition) : "the new task definition";
        log.info(
            `${RUN_MIGRATIONS}: ${service}: would run \`${command}\` as one task of ${on}${image ? ` (${image})` : ""} before ${service} ${creating ? "is created" : "changes"}`,
        );
        return;
    }
    const network = networkOf(args.newInputs);
    if (!taskDefinition || !network) {
        throw new Error(
            `${RUN_MIGRATIONS}: ${service} has no known ${!taskDefinition ? "taskDefinition" : "networkConfiguration (subnets, security groups)"}; ` +
                `cannot run the migration, so the update stops before ${service} changes.`,
        );
    }
    await runTask(args, run, { service, creating, taskDefinition, network, from: change.fromVersion, to: change.toVersion });
}

async function runTask(
    args: pulumi.ResourceHookArgs,
    run: Run,
    t: {
        service: string;
        creating: boolean;
        taskDefinition: string;
        network: { subnets: string[]; securityGroups: string[] };
        from?: string;
        to?: string;
    },
): Promise<void> {
    const { ctx, log } = run;
    const tags: Record<string, string> = {
        [MIGRATION_TASK_TAGS.stack]: ctx.stack,
        [MIGRATION_TASK_TAGS.service]: t.service,
        [MIGRATION_TASK_TAGS.purpose]: "migration",
        ...(t.from ? { [MIGRATION_TASK_TAGS.fromVersion]: tagSafe(t.from) } : {}),
        ...(t.to ? { [MIGRATION_TASK_TAGS.toVersion]: tagSafe(t.to) } : {}),
        [MIGRATION_TASK_TAGS.update]: run.updateId,
    };
    const { ecs, logs } = run.clients();
    try {
        const r = await runOneOffTask(ecs, logs, {
            cluster: stringInput(args.newInputs, "cluster") ?? ctx.ecsClusterName,
            taskDefinition: t.taskDefinition,
            command: ctx.command,
            ...t.network,
            tags,
            startedBy: "drydock/run-migrations",
            timeoutMs: ctx.timeoutMinutes * 60_000,
            ...(ctx.pollMs !== undefined ? { pollMs: ctx.pollMs } : {}),
            now: run.now,
            ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
            log: (m) => log.info(`${RUN_MIGRATIONS}: ${m}`),
        });
        log.info(`${RUN_MIGRATIONS}: ${t.service}: migrations done (task ${r.taskArn}, exit code 0)`);
    } catch (e) {
        const retry = `Fix the migration and run pulumi up again, or run it by hand: npx drydock migrate --stack ${ctx.stack} --wait (docs/migrations.md).`;
        const stopped = t.creating
            ? `${t.service} was not created; nothing takes traffic from the new image.`
            : `The update of ${t.service} was stopped before it changed; it still runs its previous task definition.`;
        throw new Error(`${RUN_MIGRATIONS}: ${(e as Error).message}\n${stopped} ${retry}`, { cause: e });
    }
}
