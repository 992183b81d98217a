/**
 * AWS limits that both the config funnel (config.ts) and the components check, kept in one place so a
 * value config.ts accepts is never refused later by a component. Pure: no Pulumi or AWS import.
 */

/** Fargate task sizes: CPU units → the memory sizes (MiB) each runs. */
export const FARGATE_MEMORY: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
};

/** The Fargate task CPU sizes, units. */
export const FARGATE_CPU: readonly number[] = Object.keys(FARGATE_MEMORY).map(Number);

/** Production stacks keep automated backups at least this many days. */
export const PRODUCTION_MIN_BACKUP_RETENTION_DAYS = 7; // days

function range(from: number, to: number, step: number): number[] {
    return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/** `512, 1024 or 2048 MiB` / `1024–4096 MiB in steps of 1024`: what `cpu` accepts, for messages. */
export function fargateMemoryText(cpu: number): string {
    const m = FARGATE_MEMORY[cpu] ?? [];
    if (m.length <= 3) return `${m.slice(0, -1).join(", ")}${m.length > 1 ? " or " : ""}${m[m.length - 1]} MiB`;
    return `${m[0]}–${m[m.length - 1]} MiB in steps of ${m[1] - m[0]}`;
}

/** The retention periods (days) CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Target-tracking CPU percent drydock accepts for autoscaling. */
export const AUTOSCALING_CPU_TARGET = { min: 10, max: 90 } as const; // percent

/** An ALB health-check timeout must be below the interval; drydock's default is 5 s where that fits. */
export function defaultHealthCheckTimeout(intervalSeconds: number): number {
    return Math.max(2, Math.min(5, intervalSeconds - 1)); // seconds
}
