/**
 * `drydock migrate`'s logic: the migration task by hand, with the hook's safety. `planMigration` only reads
 * and refuses (no migrationCommand, --no-snapshot in production, a version ECR does not have, the release
 * gate); `runMigration` then takes the pre-update snapshot, registers a revision of the running task
 * definition with the version's image when needed, and runs the task (aws/tasks.ts).
 */
import { createPreUpdateSnapshot, SnapshotError } from "../aws/snapshots";
import {
    describeForContainer,
    DescribedTaskDefinition,
    serviceTaskSetup,
    ServiceTaskSetup,
    taskDefinitionFor,
} from "../aws/taskDefinitions";
import { MIGRATION_TASK_TAGS, runOneOffTask, RunTaskRequest, TaskError, TaskLogStream } from "../aws/tasks";
import { migrationService } from "../config/migrations";
import { evaluateReleaseGate } from "../release/gate";
import { dbClusterIdentifier, ecsClusterName, ecsServiceName } from "../release/names";
import { compactUtc } from "../release/timestamps";
import { ImageVersion, tryParseVersion } from "../release/version";
import { CliDeps } from "./deps";
import { refused, usageError } from "./errors";
import { imageFor } from "./resolve";
import { StackContext } from "./stackContext";

export interface MigrateOptions {
    /** `--version`; default: the version in the stack file. */
    version?: string;
    /** `--wait`: wait until the task stops (else return once it runs). */
    wait: boolean;
    /** false with `--no-snapshot`. */
    snapshot: boolean;
}

export interface MigrationPlan {
    service: string;
    command: string[];
    version: ImageVersion;
    image: string;
    setup: ServiceTaskSetup;
    current: DescribedTaskDefinition;
}

/** The JSON document of `drydock migrate --json`. */
export interface MigrateResult {
    stack: string;
    taskArn: string | null;
    taskDefinition: string;
    image: string;
    exitCode: number | null;
    stoppedReason: string | null;
    logStream: { group: string; stream: string; url: string | null } | null;
    snapshot: string | null;
    durationSeconds: number;
    /** Set when the task did not end with exit code 0: the whole report. */
    error?: string;
}

/** Everything `runMigration` needs, read and checked; refuses before anything is written. */
export async function planMigration(deps: CliDeps, sc: StackContext, opts: MigrateOptions): Promise<MigrationPlan> {
    const spec = migrationService();
    const command = sc.settings.migrations.command;
    if (command.length === 0) {
        throw refused(
            `${sc.file.fileName}: drydock:migrationCommand`,
            "is empty, so the backend runs its migrations at container start-up; there is no migration task to run",
            `set it in ${sc.file.fileName}, e.g. drydock:migrationCommand: ["alembic", "upgrade", "head"]`,
        );
    }
    if (!opts.snapshot && sc.settings.isProduction) {
        throw refused(
            "--no-snapshot",
            `refused in production stack ${sc.stack}: a migration there always runs after a fresh snapshot`,
            `run npx drydock migrate --stack ${sc.stack} --wait`,
        );
    }
    const version = opts.version === undefined ? sc.settings.services[spec.name].version : parseOption(opts.version);
    const repo = sc.settings.services[spec.name].repository;
    const found = await imageFor(deps, sc.region, repo, version);
    if (!found)
        throw refused(
            `version ${version.raw}`,
            `not found in ECR repository ${repo.uri}`,
            `list the versions: npx drydock versions ${spec.name} --stack ${sc.stack}`,
        );
    const image = `${repo.uri}@${found.digest}`;
    const ecs = deps.ecs(sc.region);
    const setup = await serviceTaskSetup(ecs, ecsClusterName(sc.stack), ecsServiceName(spec.name));
    const current = await describeForContainer(ecs, setup.taskDefinition, spec.name);
    const gate = evaluateReleaseGate({
        ...sc.settings.release,
        now: deps.now(),
        imageChanged: current.image !== image,
        stack: sc.stack,
        subject: `${spec.name} ${version.raw}`,
    });
    if (!gate.allowed)
        throw refused(
            "release gate",
            gate.reason,
            `wait for the next window, or set a reason on purpose: pulumi config set releaseOverride "<why>" -s ${sc.stack}`,
        );
    return { service: spec.name, command, version, image, setup, current };
}

function parseOption(raw: string): ImageVersion {
    const parsed = tryParseVersion(raw);
    if (!parsed.ok)
        throw usageError(`--version ${JSON.stringify(raw)}`, parsed.reason, "e.g. --version v1.3.0 or --version sha256:<digest>");
    return parsed.version;
}

/**
 * Snapshot (unless `--no-snapshot`), the task definition for the image, the task. Resolves with the result;
 * a task that did not exit 0 gives a result with `error` (the caller exits 1). Refusals before the task throw.
 */
export async function runMigration(
    deps: CliDeps,
    sc: StackContext,
    plan: MigrationPlan,
    opts: MigrateOptions,
    progress: (m: string) => void,
): Promise<MigrateResult> {
    const started = deps.now().getTime();
    const snapshot = opts.snapshot ? await takeSnapshot(deps, sc, plan, opts, progress) : null;
    if (!snapshot) progress(`no snapshot taken (--no-snapshot): restore would rely on point-in-time recovery`);
    const ecs = deps.ecs(sc.region);
    const td = await taskDefinitionFor(ecs, plan.current, {
        container: plan.service,
        image: plan.image,
        requestedVersion: plan.version.raw,
    });
    progress(
        td.registered
            ? `registered ${td.arn} (the running task definition with ${plan.image})`
            : `using ${td.arn}, which runs ${plan.image}`,
    );
    const base = { stack: sc.stack, taskDefinition: td.arn, image: plan.image, snapshot };
    const seconds = () => Math.round((deps.now().getTime() - started) / 1000);
    try {
        const r = await runOneOffTask(ecs, deps.logs(sc.region), taskRequest(deps, sc, plan, td.arn, opts, progress));
        return {
            ...base,
            taskArn: r.taskArn,
            exitCode: r.exitCode ?? null,
            stoppedReason: r.stoppedReason ?? null,
            logStream: streamJson(r.logStream),
            durationSeconds: seconds(),
        };
    } catch (e) {
        if (!(e instanceof TaskError)) throw e;
        const stream = streamJson(e.logStream);
        return {
            ...base,
            taskArn: e.taskArn ?? null,
            exitCode: e.exitCode ?? null,
            stoppedReason: e.stoppedReason ?? null,
            logStream: stream,
            durationSeconds: seconds(),
            error: e.message,
        };
    }
}

/** The one-off task `drydock migrate` runs: the hook's, started by hand. */
function taskRequest(
    deps: CliDeps,
    sc: StackContext,
    plan: MigrationPlan,
    taskDefinition: string,
    opts: MigrateOptions,
    progress: (m: string) => void,
): RunTaskRequest {
    return {
        cluster: ecsClusterName(sc.stack),
        taskDefinition,
        container: plan.service,
        command: plan.command,
        subnets: plan.setup.subnets,
        securityGroups: plan.setup.securityGroups,
        tags: {
            [MIGRATION_TASK_TAGS.stack]: sc.stack,
            [MIGRATION_TASK_TAGS.service]: ecsServiceName(plan.service),
            [MIGRATION_TASK_TAGS.purpose]: "migration",
            [MIGRATION_TASK_TAGS.toVersion]: plan.version.raw,
            [MIGRATION_TASK_TAGS.update]: `migrate-${compactUtc(deps.now())}`, // drydock migrate, by hand
        },
        startedBy: "drydock/migrate",
        timeoutMs: sc.settings.migrations.timeoutMinutes * 60_000,
        noWait: !opts.wait,
        now: deps.now,
        sleep: deps.sleep,
        log: progress,
    };
}

function streamJson(s: TaskLogStream | undefined): MigrateResult["logStream"] {
    return s ? { group: s.group, stream: s.stream, url: s.url ?? null } : null;
}

async function takeSnapshot(
    deps: CliDeps,
    sc: StackContext,
    plan: MigrationPlan,
    opts: MigrateOptions,
    progress: (m: string) => void,
): Promise<string> {
    try {
        const r = await createPreUpdateSnapshot(deps.rds(sc.region), {
            clusterIdentifier: dbClusterIdentifier(sc.stack),
            stack: sc.stack,
            service: plan.service,
            toVersion: plan.version.raw,
            reason: `before drydock migrate: ${plan.command.join(" ")}`,
            keep: sc.settings.snapshots.keep,
            timeoutMs: sc.settings.snapshots.timeoutMinutes * 60_000,
            now: deps.now,
            sleep: deps.sleep,
            log: (m) => progress(`snapshot: ${m}`),
        });
        return r.identifier;
    } catch (e) {
        if (e instanceof SnapshotError) {
            const version = opts.version !== undefined ? ` --version ${plan.version.raw}` : "";
            throw refused(
                `snapshot of ${e.cluster}`,
                `${e.detail}; no migration ran`,
                `look: npx drydock snapshots --stack ${sc.stack}; retry: npx drydock migrate --stack ${sc.stack}${version} --wait`,
            );
        }
        throw e;
    }
}
