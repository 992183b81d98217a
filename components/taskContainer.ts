/**
 * The container of a service's task definition, and the checks on what goes into it. Pure: no Pulumi or AWS import.
 */
import { FARGATE_MEMORY, fargateMemoryText } from "../release/limits";
import { APP_VERSION_ENV, IMAGE_VERSION_LABEL } from "../release/names";

/** An ECS secret: the value is read from Secrets Manager by the ECS agent at task start, never stored in the task definition. */
export interface SecretReference {
    /** Secrets Manager secret ARN. */
    secretArn: string;
    /** Key inside a JSON secret, e.g. `"password"`; omitted = the whole secret string. */
    jsonKey?: string;
}

/** Names that say "this is a credential": such values belong in `secrets`, never in plain `environment`. */
export const SECRET_LIKE_NAME = /PASSW(OR)?D|SECRET|TOKEN|CREDENTIAL|PRIVATE_?KEY|API_?KEY/i;

/** Throws unless `cpu`/`memory` is a size Fargate runs, naming the accepted values. */
export function validateFargateSize(where: string, cpu: number, memory: number): void {
    const memories = FARGATE_MEMORY[cpu];
    if (!memories) {
        throw new Error(`${where}: cpu = ${cpu} is not accepted; Fargate takes ${Object.keys(FARGATE_MEMORY).join(", ")} CPU units`);
    }
    if (!memories.includes(memory)) {
        throw new Error(
            `${where}: memory = ${memory} MiB does not fit cpu = ${cpu}; Fargate takes ${fargateMemoryText(cpu)} with ${cpu} CPU units`,
        );
    }
}

/** Throws if a plain environment variable looks like a credential. */
export function checkEnvironmentNames(where: string, names: string[]): void {
    const bad = names.filter((n) => SECRET_LIKE_NAME.test(n));
    if (bad.length > 0) {
        throw new Error(
            `${where}: environment ${bad.map((n) => `"${n}"`).join(", ")} look${bad.length === 1 ? "s" : ""} like credentials; ` +
                "plain environment variables are visible in the task definition — pass them as `secrets` (Secrets Manager) instead",
        );
    }
}

/** `<arn>:<jsonKey>::` (ECS syntax for a JSON key of the current version) or the bare ARN. */
export function secretValueFrom(ref: SecretReference): string {
    return ref.jsonKey ? `${ref.secretArn}:${ref.jsonKey}::` : ref.secretArn;
}

export interface ContainerParams {
    name: string;
    image: string;
    requestedVersion: string;
    port: number;
    environment: Record<string, string>;
    secrets: Record<string, SecretReference>;
    logGroupName: string;
    region: string;
}

/** The container definition (one essential container), as ECS expects it in `containerDefinitions`. */
export function containerDefinition(p: ContainerParams): Record<string, unknown> {
    const environment: Record<string, string> = { ...p.environment, [APP_VERSION_ENV]: p.requestedVersion };
    return {
        name: p.name,
        image: p.image,
        essential: true,
        portMappings: [{ containerPort: p.port, hostPort: p.port, protocol: "tcp" }],
        environment: Object.keys(environment)
            .sort()
            .map((name) => ({ name, value: environment[name] })),
        secrets: Object.keys(p.secrets)
            .sort()
            .map((name) => ({ name, valueFrom: secretValueFrom(p.secrets[name]) })),
        dockerLabels: { [IMAGE_VERSION_LABEL]: p.requestedVersion },
        logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": p.logGroupName, "awslogs-region": p.region, "awslogs-stream-prefix": p.name },
        },
        // ECS Exec: an init process reaps the SSM agent's child processes.
        linuxParameters: { initProcessEnabled: true },
    };
}
