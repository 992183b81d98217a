/**
 * Everything the `drydock` command touches outside itself, injected so tests can replace it:
 * the working directory, output, the clock, AWS SDK v3 clients, the spinner and the Pulumi
 * Automation API.
 *
 * AWS clients are made exactly as the hooks make them (components/hooks/clients.ts): the region and a
 * retry budget, so the SDK's standard settings apply (AWS_PROFILE, the credential chain, AWS_ENDPOINT_URL,
 * AWS_MAX_ATTEMPTS, ...).
 */
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { PulumiAutomation } from "./automation";

/** A progress indicator for a slow step. */
export interface Spinner {
    /** Replace the text shown. */
    update(text: string): void;
    /** Stop and remove the spinner. */
    stop(): void;
}

export interface CliDeps {
    /** Where `Pulumi.<stack>.yaml` files are read and written. Default: process.cwd(). */
    cwd: string;
    /** Writes to standard output (text includes its own newlines). */
    stdout: (text: string) => void;
    /** Writes to standard error (text includes its own newlines). */
    stderr: (text: string) => void;
    /** The current time. */
    now: () => Date;
    /** Waits `ms` milliseconds (tests pass an instant one). */
    sleep: (ms: number) => Promise<void>;
    ecr: (region: string) => ECRClient;
    ecs: (region: string) => ECSClient;
    rds: (region: string) => RDSClient;
    elbv2: (region: string) => ElasticLoadBalancingV2Client;
    /** CloudWatch Logs (`drydock migrate` reads the end of a failed task's log). */
    logs: (region: string) => CloudWatchLogsClient;
    /** Starts a spinner: ora on an interactive terminal, silent otherwise (and always in --json mode). */
    spinner: (text: string) => Spinner;
    /** Preview and update through the Pulumi Automation API (`--apply`). */
    automation: PulumiAutomation;
}

/** A spinner that shows nothing. */
export const silentSpinner: Spinner = { update: () => undefined, stop: () => undefined };

/** An ora spinner on stderr when it is a terminal; silent otherwise. */
export function terminalSpinner(text: string): Spinner {
    // A terminal without a known width (some pseudo-terminals) makes ora redraw endlessly: stay silent there.
    if (!process.stderr.isTTY || !(process.stderr.columns > 0) || process.env.CI) return silentSpinner;
    // ora is ESM; Node 22 loads it through require(esm). Loaded only on a terminal.

    const mod = require("ora") as { default: typeof import("ora").default };
    const s = mod.default({ text, stream: process.stderr }).start();
    return {
        update: (t) => {
            s.text = t;
        },
        stop: () => {
            s.stop();
        },
    };
}

/** The client settings of aws/clients.ts, loaded with the first client (it loads the SDK's HTTP handler). */
function clientConfig(region: string) {
    return (require("../aws/clients") as typeof import("../aws/clients")).awsClientConfig(region);
}

/** Clients are cached per region so one command reuses connections. */
function perRegion<C>(make: (region: string) => C): (region: string) => C {
    const made = new Map<string, C>();
    return (region) => {
        let c = made.get(region);
        if (!c) {
            c = make(region);
            made.set(region, c);
        }
        return c;
    };
}

/** The real dependencies; `overrides` replace single entries. */
export function defaultDeps(overrides: Partial<CliDeps> = {}): CliDeps {
    const stdout = overrides.stdout ?? ((text: string) => void process.stdout.write(text));
    return {
        cwd: process.cwd(),
        stdout,
        stderr: (text) => void process.stderr.write(text),
        now: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        // Each SDK client is loaded when a command first asks for it: commands that call no AWS never load the SDK.
        ecr: perRegion(
            (region) => new (require("@aws-sdk/client-ecr") as typeof import("@aws-sdk/client-ecr")).ECRClient(clientConfig(region)),
        ),
        ecs: perRegion(
            (region) => new (require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs")).ECSClient(clientConfig(region)),
        ),
        rds: perRegion(
            (region) => new (require("@aws-sdk/client-rds") as typeof import("@aws-sdk/client-rds")).RDSClient(clientConfig(region)),
        ),
        elbv2: perRegion(
            (region) =>
                new (
                    require("@aws-sdk/client-elastic-load-balancing-v2") as typeof import("@aws-sdk/client-elastic-load-balancing-v2")
                ).ElasticLoadBalancingV2Client(clientConfig(region)),
        ),
        logs: perRegion(
            (region) =>
                new (require("@aws-sdk/client-cloudwatch-logs") as typeof import("@aws-sdk/client-cloudwatch-logs")).CloudWatchLogsClient(
                    clientConfig(region),
                ),
        ),
        spinner: terminalSpinner,
        // Made when a command first uses it (--apply, history): loading it starts child_process and the Pulumi CLI check.
        get automation(): PulumiAutomation {
            const made = (require("./automation") as typeof import("./automation")).createPulumiAutomation({ onOutput: stdout });
            Object.defineProperty(this, "automation", { value: made, enumerable: true });
            return made;
        },
        ...overrides,
    };
}
