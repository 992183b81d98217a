/**
 * `npm run --silent deploy:budget -- <stack>`: the deploy workflow's job budget for a stack, from the stack's
 * own timeouts (release/deployBudget.ts), as GitHub step outputs:
 *
 *     job-minutes=110
 *     role-seconds=7200
 *
 * Exit 1 (one line on stderr) when the stack's timeouts cannot fit a GitHub job or an AWS session; exit 2
 * for a bad stack file.
 */
import { deployBudget } from "../release/deployBudget";
import { progressiveWaitMinutes, strategyKeySpecs } from "../release/strategy";
import { services } from "../services";
import { openStack, StackContext } from "../cli/stackContext";
import { defaultDeps } from "../cli/deps";
import { describeError } from "../cli/errors";

/** The longest wait verify-rollout adds for a service's blue/green, canary or linear deployment (services roll in parallel). */
function deploymentWaitMinutes(sc: StackContext): number {
    const waits = Object.values(sc.settings.services).map((s) =>
        s?.deployment ? progressiveWaitMinutes(s.deployment, { includeFinalBake: s.deployment.waitForBake }) : 0,
    );
    return Math.max(0, ...waits);
}

export function budgetOutputs(cwd: string, stack: string): string {
    const deps = defaultDeps({ cwd });
    const strategyKeys = services()
        .filter((s) => s.route)
        .flatMap((s) => strategyKeySpecs(s.configPrefix).map((k) => k.key));
    const sc = openStack(deps, stack, {
        aws: false,
        needs: ["snapshotTimeoutMinutes", "migrationTimeoutMinutes", "rolloutTimeoutMinutes", ...strategyKeys],
    });
    const budget = deployBudget({
        snapshotTimeoutMinutes: sc.settings.snapshots.timeoutMinutes,
        migrationTimeoutMinutes: sc.settings.migrations.timeoutMinutes,
        rolloutTimeoutMinutes: sc.settings.rolloutTimeoutMinutes,
        deploymentWaitMinutes: deploymentWaitMinutes(sc),
    });
    if (budget.problem) throw new Error(`drydock: deploy budget of ${sc.stack}: ${budget.problem}`);
    return `job-minutes=${budget.jobMinutes}\nrole-seconds=${budget.roleSeconds}\n`;
}

if (require.main === module) {
    const stack = process.argv[2];
    try {
        if (!stack) throw new Error("drydock: deploy budget: usage: npm run --silent deploy:budget -- <stack>");
        process.stdout.write(budgetOutputs(process.cwd(), stack));
    } catch (e) {
        const described = e instanceof Error && e.message.startsWith("drydock: ") ? { line: e.message, exitCode: 1 } : describeError(e);
        process.stderr.write(`${described.line}\n`);
        process.exitCode = described.exitCode;
    }
}
