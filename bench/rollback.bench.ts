/**
 * Benchmark (modelled, not measured): how long going back takes with each deployment strategy, for the
 * committed production stack. Goal: a rollback during the bake of a blue/green, canary or linear deployment
 * is modelled at under 60 s, against the rolling rollback's minutes.
 *
 * Run: `node -r ./bin/register.js bench/rollback.bench.ts [--json]`. It synthesizes Pulumi.production.yaml
 * offline (`drydock check`'s plan) once per strategy (`--set backendDeploymentStrategy=…`) and prints the
 * backend's rollout and rollback model from the planned ECS service and target group.
 *
 * Assumptions (release/strategyTiming.ts states them with the model): ECS acts on an alarm state change or a
 * stop request within 20 s and a listener-rule change takes effect within 10 s (neither is an AWS-published
 * figure); the rolling rollback counts the circuit breaker's default threshold (half the desired count, at
 * least 3 failed tasks), each failing after 60 s start + the grace period + 3 failed health checks, then one
 * rolling redeploy. The alarms' own detection (evaluation minutes) comes before either and is printed apart.
 */
import { applyOverrides, runCheck } from "../offline/check";
import { loadStack } from "../cli/stackFile";

const GOAL_SECONDS = 60;
const STRATEGIES = ["rolling", "blue-green", "canary", "linear"] as const;

interface Row {
    strategy: string;
    rolloutSeconds: number;
    rollbackSeconds: number;
    rollbackWhen: string;
    alarmDetectionSeconds: number;
}

async function model(strategy: string): Promise<Row> {
    const file = loadStack(`${__dirname}/..`, "production");
    const values = applyOverrides(file.values(), [["backendDeploymentStrategy", strategy]]);
    const report = await runCheck({ stack: file.stack, values });
    const backend = report.rollout.find((r) => r.service === "backend-service");
    if (!backend?.rollback) throw new Error(`drydock check reported no rollback model for backend-service (${strategy})`);
    return {
        strategy,
        rolloutSeconds: backend.seconds,
        rollbackSeconds: backend.rollback.seconds,
        rollbackWhen: backend.rollback.when,
        alarmDetectionSeconds: backend.alarmDetectionSeconds ?? 0,
    };
}

const minutes = (s: number): string => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s} s`);

async function main(): Promise<void> {
    const rows: Row[] = [];
    for (const s of STRATEGIES) rows.push(await model(s));
    const progressive = rows.filter((r) => r.strategy !== "rolling");
    const worst = Math.max(...progressive.map((r) => r.rollbackSeconds));
    const rolling = rows.find((r) => r.strategy === "rolling") as Row;
    const ok = worst < GOAL_SECONDS && rolling.rollbackSeconds >= 2 * worst;
    if (process.argv.includes("--json")) {
        process.stdout.write(`${JSON.stringify({ goalSeconds: GOAL_SECONDS, ok, rows })}\n`);
    } else {
        process.stdout.write(`Rollback model, backend of the committed production stack (goal: progressive < ${GOAL_SECONDS} s)\n`);
        for (const r of rows) {
            process.stdout.write(
                `  ${r.strategy.padEnd(10)} rollout ~${minutes(r.rolloutSeconds).padEnd(9)} rollback ~${minutes(r.rollbackSeconds).padEnd(8)} (${r.rollbackWhen}; alarms fire after ${r.alarmDetectionSeconds} s)\n`,
            );
        }
        process.stdout.write(
            `${ok ? "met" : "MISSED"}: rollback during the bake ~${worst} s vs rolling ~${minutes(rolling.rollbackSeconds)}\n`,
        );
    }
    if (!ok) process.exitCode = 1;
}

void main();
