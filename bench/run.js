#!/usr/bin/env node
/**
 * `npm run bench`: the speed goals, measured (not timed tests), written to docs/benchmarks.md and
 * bench/results/latest.json — the one place the docs quote figures from.
 *
 * Start-up, as CPU time (user + system of the measured process, `process.cpuUsage()` at exit through
 * bench/cpuProbe.js), medians over fresh processes, runs interleaved so machine noise hits every
 * command alike:
 *   1. `drydock --version` ≤ 4× an empty `node -e 0`;
 *   2. `drydock window --stack production` ≤ 4× `node -e 0`;
 *   3. `drydock check --stack production --json` ≤ 1.6× merely loading `@pulumi/aws` (`node -e "require('@pulumi/aws')"`),
 *      also reported with Node's compile cache off (it speeds up loading @pulumi/aws itself).
 * And the policy pack over 10,000 synthetic task definitions: under 1 s; and the rollback model of each
 * deployment strategy (bench/rollback.bench.ts: modelled, not measured): progressive under 60 s.
 *
 * Options: `--runs N` (default 9) fresh processes per command; `--json` prints one JSON document;
 * `--no-write` leaves docs/benchmarks.md alone. Exit 1 when a goal is missed.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { performance } = require("node:perf_hooks");

const ROOT = path.join(__dirname, "..");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 9;
const asJson = args.includes("--json");
const write = !args.includes("--no-write");
const PROBE = path.join(__dirname, "cpuProbe.js");
const DRYDOCK = path.join("bin", "drydock.js");

const CASES = {
    empty: { label: "node -e 0", argv: ["-e", "0"] },
    version: { label: "drydock --version", argv: [DRYDOCK, "--version"] },
    window: { label: "drydock window --stack production", argv: [DRYDOCK, "window", "--stack", "production"] },
    pulumiAws: { label: "node -e \"require('@pulumi/aws')\"", argv: ["-e", "require('@pulumi/aws')"] },
    check: { label: "drydock check --stack production --json", argv: [DRYDOCK, "check", "--stack", "production", "--json"] },
    // The same without Node's compile cache, which also speeds up loading @pulumi/aws itself: what the
    // structural changes (lazy loading, the bundle) give on their own, against the same baseline.
    checkNoCache: {
        label: "drydock check … (NODE_DISABLE_COMPILE_CACHE=1)",
        argv: [DRYDOCK, "check", "--stack", "production", "--json"],
        env: { NODE_DISABLE_COMPILE_CACHE: "1" },
    },
};
const GOALS = [
    { name: "drydock --version", of: "version", against: "empty", max: 4 },
    { name: "drydock window", of: "window", against: "empty", max: 4 },
    { name: "drydock check", of: "check", against: "pulumiAws", max: 1.6 },
    { name: "check, no compile cache", of: "checkNoCache", against: "pulumiAws", max: 1.6 },
];

/** One fresh process: its CPU time (from the probe) and wall time, in ms. */
function measure(argv, env = {}) {
    const start = performance.now();
    const r = spawnSync(process.execPath, ["-r", PROBE, ...argv], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe", "pipe"],
        env: { ...process.env, CI: "true", ...env },
    });
    const wallMs = performance.now() - start;
    // window exits 0 whether a window is open or not; check exits 0 on the committed stack files.
    if (r.status !== 0) throw new Error(`node ${argv.join(" ")} exited ${r.status}:\n${r.stderr}`);
    const probe = JSON.parse(String(r.output[3]).trim().split("\n").pop());
    return { cpuMs: probe.cpuUs / 1000, wallMs, stdout: r.stdout };
}

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (x, digits = 0) => Number(x.toFixed(digits));

function startup() {
    const samples = Object.fromEntries(Object.keys(CASES).map((k) => [k, { cpu: [], wall: [] }]));
    for (const c of Object.values(CASES)) measure(c.argv, c.env); // warm-up: OS file cache, drydock's bundle and compile cache
    for (let i = 0; i < runs; i++) {
        for (const [k, c] of Object.entries(CASES)) {
            const m = measure(c.argv, c.env);
            samples[k].cpu.push(m.cpuMs);
            samples[k].wall.push(m.wallMs);
        }
    }
    const commands = Object.fromEntries(
        Object.entries(CASES).map(([k, c]) => [
            k,
            { command: c.label, cpuMedianMs: round(median(samples[k].cpu), 1), wallMedianMs: round(median(samples[k].wall)) },
        ]),
    );
    const goals = GOALS.map((g) => {
        const ratio = median(samples[g.of].cpu) / median(samples[g.against].cpu);
        return {
            name: g.name,
            of: CASES[g.of].label,
            against: CASES[g.against].label,
            ratio: round(ratio, 2),
            max: g.max,
            ok: ratio <= g.max,
        };
    });
    return { commands, goals };
}

function policyPack() {
    const r = spawnSync(process.execPath, ["--require", "./bin/register.js", path.join("bench", "policies.bench.ts"), "--json"], {
        cwd: ROOT,
        encoding: "utf8",
    });
    // It exits 1 when its goal is missed, with its figures still on stdout.
    const last = r.stdout.trim().split("\n").pop() ?? "";
    if (!last.startsWith("{")) throw new Error(`bench/policies.bench.ts exited ${r.status}:\n${r.stderr}`);
    const pack = JSON.parse(last);
    return {
        taskDefinitions: pack.taskDefinitions,
        firstMs: round(pack.firstMs),
        warmMedianMs: round(pack.warmMedianMs),
        goalMs: pack.goalMs,
        ok: pack.ok,
    };
}

/** bench/rollback.bench.ts: the rollback time of each deployment strategy — a model, not a measurement. */
function rollbackModel() {
    const r = spawnSync(process.execPath, ["--require", "./bin/register.js", path.join("bench", "rollback.bench.ts"), "--json"], {
        cwd: ROOT,
        encoding: "utf8",
    });
    const last = r.stdout.trim().split("\n").pop() ?? "";
    if (!last.startsWith("{")) throw new Error(`bench/rollback.bench.ts exited ${r.status}:\n${r.stderr}`);
    return JSON.parse(last);
}

function markdown(result) {
    const { startup: s, policies: p } = result;
    const lines = [
        "# Benchmarks",
        "",
        "This page is for whoever wants the measured speed of drydock: the figures of the last `npm run bench`, written by",
        "it (do not edit by hand). How they are measured: `bench/run.js`; the other docs quote no figures.",
        "",
        `Measured ${result.date} on ${result.cpus} cores (${result.cpuModel}, load average ${result.loadAverage.join(" / ")} when it started),`,
        `Node.js ${result.node}, medians of ${result.runs} fresh processes per command, run interleaved. CPU time is user + system`,
        "of the measured process (`process.cpuUsage()` at exit), so it depends less on how busy the machine is than wall",
        "time does; drydock starts no child process on these paths. `npm run bench` builds drydock's bundle first if a",
        "source changed (see [development.md](development.md#start-up)).",
        "",
        "| goal | ratio | limit | met |",
        "|---|---|---|---|",
        ...s.goals.map((g) => `| \`${g.of}\` against \`${g.against}\` | ${g.ratio}× | ≤ ${g.max}× | ${g.ok ? "yes" : "**no**"} |`),
        `| policy pack over ${p.taskDefinitions.toLocaleString("en")} synthetic task definitions | ${p.firstMs} ms first run, ${p.warmMedianMs} ms warm | < ${p.goalMs} ms | ${p.ok ? "yes" : "**no**"} |`,
        "",
        "## Rollback time by deployment strategy (modelled)",
        "",
        "Not a measurement: `bench/rollback.bench.ts` models the backend of the committed production stack, synthesized",
        "offline, once per strategy. Assumed (not AWS figures): ECS acts on an alarm or a stop within 20 s and a listener-rule",
        "change applies within 10 s; rolling = the circuit breaker (half the desired count, at least 3 failed tasks, each",
        "60 s start + grace period + 3 failed checks) + one rolling redeploy; the alarms' own detection comes before either.",
        "",
        `| strategy | rollout | rollback | when | alarm detection |`,
        "|---|---|---|---|---|",
        ...result.rollback.rows.map(
            (r) => `| ${r.strategy} | ${r.rolloutSeconds} s | ${r.rollbackSeconds} s | ${r.rollbackWhen} | ${r.alarmDetectionSeconds} s |`,
        ),
        "",
        `Goal: a rollback during the bake of a progressive strategy under ${result.rollback.goalSeconds} s, against the rolling rollback's minutes: ${result.rollback.ok ? "met" : "**missed**"}.`,
        "",
        "## Start-up, per command",
        "",
        "| command | CPU (median) | wall (median) |",
        "|---|---|---|",
        ...Object.values(s.commands).map((c) => `| \`${c.command}\` | ${c.cpuMedianMs} ms | ${c.wallMedianMs} ms |`),
        "",
    ];
    return lines.join("\n");
}

const result = {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: (os.cpus()[0]?.model ?? "unknown").replace(/\s+/g, " ").trim(),
    runs,
    loadAverage: os.loadavg().map((l) => round(l, 1)),
    startup: startup(),
    policies: policyPack(),
    rollback: rollbackModel(),
};

fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
fs.writeFileSync(path.join(__dirname, "results", "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
if (write) fs.writeFileSync(path.join(ROOT, "docs", "benchmarks.md"), markdown(result));

if (asJson) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
    console.log(`drydock benchmarks (node ${result.node}, ${result.cpus} cores, ${runs} runs each, medians)`);
    for (const c of Object.values(result.startup.commands))
        console.log(
            `  ${c.command.padEnd(44)} CPU ${String(c.cpuMedianMs).padStart(7)} ms   wall ${String(c.wallMedianMs).padStart(5)} ms`,
        );
    for (const g of result.startup.goals)
        console.log(`  ${g.name.padEnd(20)} ${String(g.ratio).padStart(5)}×  (goal ≤ ${g.max}×: ${g.ok ? "met" : "MISSED"})`);
    const p = result.policies;
    console.log(
        `  policy pack, ${p.taskDefinitions} task definitions: ${p.firstMs} ms first run, ${p.warmMedianMs} ms warm (goal < ${p.goalMs} ms: ${p.ok ? "met" : "MISSED"})`,
    );
    const rb = result.rollback;
    console.log(
        `  rollback (modelled): ${rb.rows.map((r) => `${r.strategy} ${r.rollbackSeconds} s`).join(", ")} (goal: progressive < ${rb.goalSeconds} s: ${rb.ok ? "met" : "MISSED"})`,
    );
    if (write) console.log(`  written to docs/benchmarks.md and bench/results/latest.json`);
}
if (!result.startup.goals.every((g) => g.ok) || !result.policies.ok || !result.rollback.ok) process.exitCode = 1;
