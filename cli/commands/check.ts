/**
 * `drydock check --stack S [--set key=value]... [--policy-config FILE] [--json]`: the offline plan.
 * Synthesizes the stack under mocks, evaluates the policy pack as CrossGuard would and estimates
 * rollout times. Exit 0 with no mandatory violation, 1 with one, 2 for bad config or usage.
 */
import { readFileSync } from "fs";
import { resolve } from "path";
import { Command, InvalidArgumentError, Option } from "commander";
import type { CheckReport } from "../../offline/check";
import type { PolicyConfigEntry } from "../../policies/evaluate";
import { formatInZone } from "../../release/windows";
import { CliDeps } from "../deps";
import { EXIT, usageError } from "../errors";
import { Ctx, createCtx, renderTable } from "../output";
import { commandAction, jsonOption, stackOption } from "../program";
import { ConfigError } from "../../config/types";
import { fullKeyName, openStackFile } from "../stackContext";

/** Parses one `--set key=value` (the value as `pulumi config set` stores it; lists as JSON). */
export function parseSetting(value: string, previous: Array<[string, string]> = []): Array<[string, string]> {
    const eq = value.indexOf("=");
    if (eq <= 0) {
        throw new InvalidArgumentError(
            `expected key=value (e.g. backendVersion=v1.3.0 or releaseWindows='["tue:09:00-tue:16:00"]'), got ${JSON.stringify(value)}.`,
        );
    }
    return [...previous, [value.slice(0, eq).trim(), value.slice(eq + 1)]];
}

function readPolicyConfig(cwd: string, path: string): Record<string, PolicyConfigEntry> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(readFileSync(resolve(cwd, path), "utf8"));
    } catch (e) {
        throw usageError(
            `--policy-config ${path}`,
            `cannot read it as JSON: ${(e as Error).message}`,
            "pass a file in --policy-pack-config format",
        );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw usageError(
            `--policy-config ${path}`,
            "not a JSON object",
            'e.g. {"production-images-pinned": {"productionStacks": ["production"]}}',
        );
    }
    return parsed as Record<string, PolicyConfigEntry>;
}

function duration(seconds: number): string {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds % 60);
    return m > 0 ? `${m}m ${String(s).padStart(2, "0")}s` : `${s}s`;
}

/** The resources by type, and the update hooks of each hooked resource in the order they run. */
function printResources(ctx: Ctx, report: CheckReport): void {
    const byType = new Map<string, string[]>();
    for (const r of report.resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r.name]);
    ctx.print(`Resources: ${report.resources.length}`);
    ctx.print(
        renderTable(
            ["type", "count", "names"],
            [...byType.entries()]
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([t, names]) => [t, names.length, names.slice(0, 4).join(", ") + (names.length > 4 ? ", …" : "")]),
        ),
    );
    ctx.print();

    const hooked = report.resources.filter((r) => Object.keys(r.hooks).length > 0);
    ctx.print("Update hooks (in the order they run):");
    ctx.print(
        renderTable(
            ["resource", "type", "hooks"],
            hooked.map((r) => [
                r.name,
                r.type,
                Object.entries(r.hooks)
                    .map(([k, v]) => `${k}: ${(v ?? []).join(" → ")}`)
                    .join("; "),
            ]),
        ),
    );
    ctx.print();
}

function printReport(ctx: Ctx, report: CheckReport): void {
    ctx.print(`drydock check: stack ${report.stack} (offline: program under mocks, policy pack evaluated as CrossGuard would)`);
    ctx.print();

    printResources(ctx, report);
    const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
    const advisory = report.violations.filter((v) => v.enforcementLevel === "advisory");
    ctx.print(`Policy violations: ${mandatory.length} mandatory, ${advisory.length} advisory`);
    for (const v of [...mandatory, ...advisory]) {
        const who = v.urn ? v.urn.split("::").pop() : "(stack)";
        ctx.print(`  ${v.enforcementLevel === "mandatory" ? "✗" : "!"} [${v.enforcementLevel}] ${v.policy}  ${who}`);
        for (const line of v.message.split("\n")) ctx.print(`      ${line}`);
    }
    ctx.print();

    ctx.print("Rollout and rollback estimates per service (its deployment strategy; rolling: min healthy 100% / max 200%):");
    ctx.print(
        renderTable(
            ["service", "strategy", "rollout", "rollback", "made of"],
            report.rollout.map((r) => [
                r.service,
                r.strategy,
                `~${duration(r.seconds)}`,
                `~${duration(r.rollback.seconds)}`,
                `rollout: ${r.terms.map((t) => `${t.name} ${t.seconds}s`).join(" + ")}; rollback (${r.rollback.when}): ${r.rollback.terms.map((t) => `${t.name} ${t.seconds}s`).join(" + ")}`,
            ]),
        ),
    );
    ctx.print(
        `The deployment alarms fire after ${report.rollout[0]?.alarmDetectionSeconds ?? 120}s of failures, before any rollback starts; docs/progressive-delivery.md states the model's assumptions.`,
    );
    ctx.print();

    const rel = report.release;
    ctx.print(
        `Release: ${rel.paused ? `PAUSED${rel.pauseReason ? ` (${rel.pauseReason})` : ""}` : "not paused"}; window ${rel.windowOpen ? "open now" : "closed now"}` +
            (rel.nextWindowStart ? `; next opens ${formatInZone(new Date(rel.nextWindowStart), rel.timeZone)}` : ""),
    );
    ctx.print(`Migrations: ${report.migrations.note}`);
    for (const w of report.warnings) ctx.warn(`drydock: warning: ${w}`);
    ctx.print();
    ctx.print(
        report.ok
            ? "Result: OK, no mandatory policy violation."
            : `Result: FAILED, ${mandatory.length} mandatory policy violation${mandatory.length === 1 ? "" : "s"}: ${[...new Set(mandatory.map((v) => v.policy))].join(", ")}.`,
    );
}

/**
 * A config error caused by a `--set` value blames `--set key=value` (exit 2), not the stack file; problems
 * of the stack file itself keep blaming the file.
 */
export function blameSet(e: ConfigError, overrides: Array<[string, string]>): Error {
    const set = new Map(overrides.map(([key, value]) => [fullKeyName(key.trim()), value]));
    const fromSet = e.problems.filter((p) => set.has(p.key));
    if (fromSet.length === 0) return e;
    // The value only when the config funnel shows it: never an unknown or secret-looking key's value (issue 11).
    const what = fromSet
        .map((p) => `--set ${p.key.replace(/^drydock:/, "")}${p.value !== undefined ? `=${set.get(p.key)}` : ""}`)
        .join(", ");
    const others = e.problems.length - fromSet.length;
    return usageError(
        what,
        fromSet.map((p) => p.message).join("; ") +
            (others ? `; and ${others} problem${others === 1 ? "" : "s"} in Pulumi.${e.stack}.yaml itself` : ""),
        "fix the value given with --set",
    );
}

export function registerCheck(program: Command, deps: CliDeps): void {
    program
        .command("check")
        .description(
            "offline plan: synthesize the stack under mocks, run the policy pack, estimate rollout times (no cloud, no credentials)",
        )
        .addOption(stackOption())
        .addOption(
            new Option(
                "--set <key=value>",
                "override a config value as `pulumi config set` would store it (lists as JSON); repeatable",
            ).argParser(parseSetting),
        )
        .addOption(new Option("--policy-config <file>", "policy pack config, as for `pulumi preview --policy-pack-config`"))
        .addOption(jsonOption())
        .action(
            commandAction(
                async (opts: { stack: string; set?: Array<[string, string]>; policyConfig?: string; json?: boolean }) => {
                    const ctx = createCtx(deps, !!opts.json);
                    // Loaded here, not at start-up: it brings Pulumi, the AWS provider SDK and the policy pack.

                    const { applyOverrides, runCheck } = require("../../offline/check") as typeof import("../../offline/check");

                    const { PolicyConfigError } = require("../../policies/evaluate") as typeof import("../../policies/evaluate");
                    const file = openStackFile(deps, opts.stack);
                    const values = applyOverrides(file.values(), opts.set ?? []);
                    const policyConfig = opts.policyConfig ? readPolicyConfig(deps.cwd, opts.policyConfig) : undefined;
                    let report: CheckReport;
                    try {
                        report = await ctx.step(`synthesizing ${file.stack} offline`, () =>
                            runCheck({ stack: file.stack, values, policyConfig, now: deps.now() }),
                        );
                    } catch (e) {
                        // Policy config is an argument of this command: a bad value is a usage error, like a bad file.
                        if (e instanceof PolicyConfigError)
                            throw usageError(
                                `--policy-config ${opts.policyConfig}`,
                                e.problems.join("; "),
                                "see docs/policies.md for the policy config",
                            );
                        if (e instanceof ConfigError) throw blameSet(e, opts.set ?? []);
                        throw e;
                    }
                    if (ctx.json) ctx.printJson(report);
                    else printReport(ctx, report);
                    return report.ok ? EXIT.ok : EXIT.failed;
                },
                { deadline: "none" },
            ), // offline: no AWS call to wait for
        );
}
