/**
 * The seam between the `drydock` command and the Pulumi CLI: `--apply` runs a preview and an
 * update of one stack through the Pulumi Automation API. Tests use a fake `PulumiAutomation`;
 * the real one loads `@pulumi/pulumi/automation` only when a method is called, so the rest of the
 * command never needs the Pulumi CLI.
 */
import { existsSync } from "fs";
import { join } from "path";
import type { OpMap, PreviewResult, Stack, UpdateSummary, UpResult, UpdateResult } from "@pulumi/pulumi/automation";
import { refused } from "./errors";
import { pulumiCliVersion, PulumiCliVersion } from "./pulumiCli";

/** What an update reports back. */
export interface UpSummary {
    /** `succeeded` or `failed` (Pulumi's UpdateResult). */
    result: UpdateResult;
    /** Resource operations by kind, e.g. `{ update: 2, same: 30 }`. */
    resourceChanges: Record<string, number>;
}

/** Preview and update one stack of the Pulumi project in `cwd`. */
export interface PulumiAutomation {
    /** `pulumi preview -s <stack>`; throws if the preview fails. */
    preview(stack: string, cwd: string): Promise<{ changeSummary: Record<string, number>; stdout: string }>;
    /** `pulumi up -s <stack> --yes`; throws if the update fails. */
    up(stack: string, cwd: string, options?: { message?: string }): Promise<{ summary: UpSummary; stdout: string }>;
    /** `pulumi stack history -s <stack>`: the newest `limit` operations, newest first, secrets hidden. */
    history(stack: string, cwd: string, limit: number): Promise<StackUpdate[]>;
    /** `pulumi version` of the CLI the Automation API will run (the one on PATH); see cli/pulumiCli.ts. */
    cliVersion(): Promise<PulumiCliVersion>;
}

/** One operation of a stack's update history, as Pulumi records it. */
export interface StackUpdate {
    /** The stack's version after the operation (1, 2, …). */
    version: number;
    /** `update`, `refresh`, `destroy`, `import`, … */
    kind: string;
    /** `succeeded`, `failed`, `in-progress`, … */
    result: string;
    startTime: Date;
    endTime?: Date;
    /** The update's message (a commit message when run from CI). */
    message: string;
    /** What Pulumi recorded about where it ran: `git.author`, `git.head`, `ci.system`, `exec.kind`, … */
    environment: Record<string, string>;
    /** The configuration it ran with, keys in full (`drydock:backendVersion`); secrets as `[secret]`. */
    config: Record<string, string>;
    resourceChanges: Record<string, number>;
}

/** The part of the Automation API drydock uses (so tests can hand in a fake). */
export type SelectStack = (args: { stackName: string; workDir: string }) => Promise<Pick<Stack, "preview" | "up" | "history">>;

export interface AutomationOptions {
    /** Streams the engine's output while it runs (e.g. to stdout); default: nothing streamed. */
    onOutput?: (text: string) => void;
    /** Defaults to `LocalWorkspace.selectStack` from `@pulumi/pulumi/automation`, loaded on first use. */
    selectStack?: SelectStack;
}

function counts(map: OpMap | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [op, n] of Object.entries(map ?? {})) {
        if (typeof n === "number") out[op] = n;
    }
    return out;
}

function loadSelectStack(): SelectStack {
    // Loaded lazily: the Automation API is heavy and needs the Pulumi CLI only when used.

    const automation = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
    return (args) => automation.LocalWorkspace.selectStack(args);
}

/**
 * `<cwd>/policies`, the project's policy pack, which every `--apply` preview and update runs.
 * @throws CliError (exit 1) when `policies/PulumiPolicy.yaml` is missing: the update would run without any policy.
 */
export function policyPackDir(cwd: string): string {
    const pack = join(cwd, "policies");
    const file = join(pack, "PulumiPolicy.yaml");
    if (!existsSync(file)) {
        throw refused(
            "--apply",
            `${file} not found: drydock runs pulumi preview and pulumi up only with the project's policy pack; nothing was previewed or deployed`,
            "run drydock from the project's checkout, which has policies/PulumiPolicy.yaml",
        );
    }
    return pack;
}

/** The real implementation over `LocalWorkspace.selectStack({ stackName, workDir })`. */
export function createPulumiAutomation(options: AutomationOptions = {}): PulumiAutomation {
    let select = options.selectStack;
    const stackIn = (stackName: string, workDir: string) => {
        select ??= loadSelectStack();
        return select({ stackName, workDir });
    };
    const onOutput = options.onOutput;
    // The same guardrails as the pull-request preview: the project's CrossGuard pack runs with every operation.
    const operation = (cwd: string) => ({ ...(onOutput ? { onOutput } : {}), policyPacks: [policyPackDir(cwd)] });
    return {
        async preview(stack, cwd) {
            const op = operation(cwd); // refuses before the stack is even selected
            const s = await stackIn(stack, cwd);
            const r: PreviewResult = await s.preview(op);
            return { changeSummary: counts(r.changeSummary), stdout: r.stdout };
        },
        async up(stack, cwd, options) {
            const op = operation(cwd);
            const s = await stackIn(stack, cwd);
            // The message is what `pulumi stack history` (and `drydock history`) shows for this update.
            const r: UpResult = await s.up({ ...op, ...(options?.message ? { message: options.message } : {}) });
            return { summary: { result: r.summary.result, resourceChanges: counts(r.summary.resourceChanges) }, stdout: r.stdout };
        },
        cliVersion: () => pulumiCliVersion(),
        async history(stack, cwd, limit) {
            const s = await stackIn(stack, cwd);
            return (await s.history(limit, 1, false)).map(toStackUpdate);
        },
    };
}

function toStackUpdate(u: UpdateSummary): StackUpdate {
    const config: Record<string, string> = {};
    for (const [key, v] of Object.entries(u.config ?? {})) config[key] = v.secret ? "[secret]" : String(v.value);
    return {
        version: u.version,
        kind: u.kind,
        result: u.result,
        startTime: new Date(u.startTime),
        ...(u.endTime ? { endTime: new Date(u.endTime) } : {}),
        message: u.message ?? "",
        environment: { ...(u.environment ?? {}) },
        config,
        resourceChanges: counts(u.resourceChanges),
    };
}

/** `{ update: 2, same: 30 }` → `2 update, 30 same`; `no changes` when empty. */
export function formatChanges(changes: Record<string, number>): string {
    const parts = Object.entries(changes)
        .filter(([, n]) => n > 0)
        .map(([op, n]) => `${n} ${op}`);
    return parts.length ? parts.join(", ") : "no changes";
}
