/**
 * Benchmark: the drydock policy pack over 10,000 synthetic ECS task definitions (goal: under 1 s).
 *
 * Run: `node -r ./bin/register.js bench/policies.bench.ts [count]` (prints the figures; `--json` prints one JSON line).
 * The task definitions mix production and staging stacks, one or two containers, and pinned,
 * digest-pinned, latest, floating and untagged images, so every branch of the image rules runs and
 * about half of them report a violation. Timing covers `evaluatePolicies` only; loading the pack
 * (@pulumi/policy, @pulumi/aws classes) is reported separately.
 */
import { performance } from "node:perf_hooks";

const GOAL_MS = 1000;
const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backend";
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const VERSIONS = ["v1.2.3", "latest", "v1.2", "20241213-152430", "v1.2.3-20241213-152430-a1b2c3d4", "main"];
const STACKS = ["production", "staging", "prod-eu"];

interface Synthetic {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
}

function syntheticTaskDefinitions(count: number): Synthetic[] {
    const out: Synthetic[] = [];
    for (let i = 0; i < count; i++) {
        const stack = STACKS[i % STACKS.length];
        const version = VERSIONS[i % VERSIONS.length];
        const image = i % 5 === 0 ? REPO : i % 2 === 0 ? `${REPO}@${DIGEST}` : `${REPO}:${version}`;
        const containers: Record<string, unknown>[] = [
            {
                name: "backend",
                image,
                essential: true,
                portMappings: [{ containerPort: 8000, protocol: "tcp" }],
                environment: [
                    { name: "APP_VERSION", value: version },
                    { name: "DATABASE_HOST", value: "db.internal" },
                ],
                dockerLabels: { "org.opencontainers.image.version": version },
                logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/aws/ecs/backend-logs-${stack}` } },
            },
        ];
        if (i % 4 === 0)
            containers.push({ name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4", essential: false });
        const name = `backend-task-${i}`;
        out.push({
            type: "aws:ecs/taskDefinition:TaskDefinition",
            name,
            urn: `urn:pulumi:${stack}::drydock::drydock:app:AppService$aws:ecs/taskDefinition:TaskDefinition::${name}`,
            props: {
                family: `drydock-${stack}-backend`,
                cpu: "512",
                memory: "1024",
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                containerDefinitions: JSON.stringify(containers),
                tags: { "drydock:requested-version": version },
            },
        });
    }
    return out;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

function main(): void {
    const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000);
    const json = process.argv.includes("--json");

    const loadStart = performance.now();

    const { evaluatePolicies } = require("../policies/evaluate") as typeof import("../policies/evaluate");
    const loadMs = performance.now() - loadStart;

    const resources = syntheticTaskDefinitions(count);
    const runs: number[] = [];
    let violations = 0;
    for (let i = 0; i < 5; i++) {
        const start = performance.now();
        violations = evaluatePolicies(resources).length;
        runs.push(performance.now() - start);
    }
    const first = runs[0];
    const warm = median(runs.slice(1));
    const ok = first < GOAL_MS;
    if (json) {
        console.log(
            JSON.stringify({
                bench: "policies",
                taskDefinitions: count,
                violations,
                loadMs,
                firstMs: first,
                warmMedianMs: warm,
                goalMs: GOAL_MS,
                ok,
            }),
        );
    } else {
        console.log(`policy pack over ${count} synthetic task definitions (${violations} violations):`);
        console.log(`  load pack:       ${loadMs.toFixed(0)} ms (once per process; not part of the goal)`);
        console.log(`  first run:       ${first.toFixed(0)} ms  (goal < ${GOAL_MS} ms: ${ok ? "met" : "MISSED"})`);
        console.log(`  warm runs (med): ${warm.toFixed(0)} ms  (${((warm * 1000) / count).toFixed(1)} µs per task definition)`);
    }
    if (!ok) process.exitCode = 1;
}

main();
