/**
 * How long one `pulumi up` of a stack may take in the worst case, and so how long the deploy job (and the
 * AWS session its hooks use) must last. A job killed before `pulumi up` ends leaves pending operations in
 * the state, and a session that expires first leaves the hooks without credentials in the middle of a
 * snapshot or a rollout: both must outlast every wait the stack's own timeouts allow. Pure: no Pulumi or AWS.
 */

/** GitHub-hosted runners stop a job after 6 hours, whatever `timeout-minutes` says. */
export const GITHUB_JOB_LIMIT_MINUTES = 360;

/** The longest session an IAM role can grant (its MaxSessionDuration may be at most 12 hours). */
export const MAX_ROLE_SESSION_SECONDS = 43_200;

/** Checkout, npm ci, `drydock check`, the preview step and infrastructure changes around the waits. */
export const JOB_MARGIN_MINUTES = 20; // minutes

/** The AWS session outlives the job by this much, so no hook ever runs with expired credentials. */
export const ROLE_MARGIN_MINUTES = 10; // minutes

export interface StackTimeouts {
    snapshotTimeoutMinutes: number;
    migrationTimeoutMinutes: number;
    rolloutTimeoutMinutes: number;
    /**
     * The longest extra wait of a service's blue/green, canary or linear deployment that verify-rollout follows
     * after rolloutTimeoutMinutes: its approval pause, canary or linear bakes and, with `<service>WaitForBake`,
     * the final bake (release/strategy.ts progressiveWaitMinutes). 0 when every service deploys rolling.
     */
    deploymentWaitMinutes?: number;
}

export interface DeployBudget {
    /** The hooks' worst-case waits, one after the other: snapshot, then migration, then rollout verification (with a progressive deployment's pause and bakes). */
    waitMinutes: number;
    /** `timeout-minutes` of the deploy job. */
    jobMinutes: number;
    /** `role-duration-seconds` of the AWS credentials step. */
    roleSeconds: number;
    /** Why the budget cannot be met, when it cannot. */
    problem?: string;
}

/** The deploy job's budget for a stack with these timeouts. */
export function deployBudget(t: StackTimeouts): DeployBudget {
    const deploymentWait = t.deploymentWaitMinutes ?? 0;
    const waitMinutes = t.snapshotTimeoutMinutes + t.migrationTimeoutMinutes + t.rolloutTimeoutMinutes + deploymentWait;
    const jobMinutes = waitMinutes + JOB_MARGIN_MINUTES;
    const roleSeconds = (jobMinutes + ROLE_MARGIN_MINUTES) * 60;
    const problems: string[] = [];
    if (jobMinutes > GITHUB_JOB_LIMIT_MINUTES) {
        problems.push(`the job would need ${jobMinutes} minutes, more than GitHub's ${GITHUB_JOB_LIMIT_MINUTES}-minute limit for a job`);
    }
    if (roleSeconds > MAX_ROLE_SESSION_SECONDS)
        problems.push(`the AWS session would need ${roleSeconds} s, more than IAM's ${MAX_ROLE_SESSION_SECONDS} s`);
    const problem = problems.length
        ? `${problems.join("; ")} (snapshotTimeoutMinutes ${t.snapshotTimeoutMinutes} + migrationTimeoutMinutes ${t.migrationTimeoutMinutes} + rolloutTimeoutMinutes ${t.rolloutTimeoutMinutes}` +
          `${deploymentWait ? ` + ${deploymentWait} of a progressive deployment's approval pause and bakes` : ""} + ${JOB_MARGIN_MINUTES} margin); ` +
          `lower those timeouts${deploymentWait ? ", or set <service>WaitForBake to false and shorten <service>ApprovalTimeoutMinutes" : ""}`
        : undefined;
    return { waitMinutes, jobMinutes, roleSeconds, ...(problem ? { problem } : {}) };
}
