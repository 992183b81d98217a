#!/usr/bin/env node
/**
 * `npm run bench`: the speed goals named by the issues, measured (not timed tests).
 *
 * 1. `drydock check --stack production` against merely loading `@pulumi/aws` in a fresh Node
 *    process, as a ratio of median wall times. Goal: ≤ 2.5×.
 * 2. The policy pack over 10,000 synthetic task definitions. Goal: under 1 s.
 *
 * Options: `--runs N` (default 7) fresh processes per command, alternated so machine noise hits
 * both alike; `--json` prints one JSON document. Results are also written to bench/results/.
 * Exit 1 when a goal is missed.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { performance } = require("node:perf_hooks");

const ROOT = path.join(__dirname, "..");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 7;
const asJson = args.includes("--json");
const RATIO_GOAL = 2.5;

function wallMs(argv) {
    const start = performance.now();
    const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "true" } });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}:\n${r.stderr}`);
    return { ms, stdout: r.stdout };
}

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const baselineArgv = ["-e", "require('@pulumi/aws')"];
const checkArgv = [path.join("bin", "drydock.js"), "check", "--stack", "production", "--json"];

// One warm-up each: fills the OS file cache, as on a developer's machine.
wallMs(baselineArgv);
wallMs(checkArgv);
const baseline = [];
const check = [];
for (let i = 0; i < runs; i++) {
    baseline.push(wallMs(baselineArgv).ms);
    check.push(wallMs(checkArgv).ms);
}
const ratio = median(check) / median(baseline);

const pack = JSON.parse(wallMs(["--require", "./bin/register.js", path.join("bench", "policies.bench.ts"), "--json"]).stdout.trim().split("\n").pop());

const result = {
    node: process.version,
    cpus: require("node:os").cpus().length,
    runs,
    check: {
        baselineMedianMs: Math.round(median(baseline)),
        checkMedianMs: Math.round(median(check)),
        ratio: Number(ratio.toFixed(2)),
        goal: RATIO_GOAL,
        ok: ratio <= RATIO_GOAL,
    },
    policies: {
        taskDefinitions: pack.taskDefinitions,
        firstMs: Math.round(pack.firstMs),
        warmMedianMs: Math.round(pack.warmMedianMs),
        goalMs: pack.goalMs,
        ok: pack.ok,
    },
};

fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
fs.writeFileSync(path.join(__dirname, "results", "latest.json"), `${JSON.stringify(result, null, 2)}\n`);

if (asJson) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
    const c = result.check;
    const p = result.policies;
    console.log(`drydock benchmarks (node ${result.node}, ${result.cpus} cores, ${runs} runs each, medians)`);
    console.log(`  load @pulumi/aws in a fresh process     ${c.baselineMedianMs} ms`);
    console.log(`  drydock check --stack production        ${c.checkMedianMs} ms`);
    console.log(`  ratio                                   ${c.ratio}×  (goal ≤ ${c.goal}×: ${c.ok ? "met" : "MISSED"})`);
    console.log(`  policy pack, ${p.taskDefinitions} task definitions   ${p.firstMs} ms first run, ${p.warmMedianMs} ms warm  (goal < ${p.goalMs} ms: ${p.ok ? "met" : "MISSED"})`);
}
if (!result.check.ok || !result.policies.ok) process.exitCode = 1;
