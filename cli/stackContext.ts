/**
 * A stack as commands need it: its file, validated settings, region and AWS clients for it.
 */
import { ECRClient } from "@aws-sdk/client-ecr";
import { ServiceName, SERVICE_NAMES, ServiceSettings, Settings } from "../config";
import { CliDeps } from "./deps";
import { usageError } from "./errors";
import { loadStack, StackFile } from "./stackFile";

export interface StackContext {
    /** Short stack name. */
    stack: string;
    file: StackFile;
    settings: Settings;
    /** `aws:region` of the stack ("" only when opened with `aws: false`). */
    region: string;
}

/**
 * Loads and validates `Pulumi.<stack>.yaml`.
 * @param options.aws false for commands that make no AWS call (a missing aws:region is then fine).
 * @throws CliError (exit 2) for an unknown stack or a missing region; ConfigError (exit 2) for bad keys.
 */
export function openStack(deps: CliDeps, stack: string, options: { aws?: boolean } = {}): StackContext {
    const file = loadStack(deps.cwd, stack);
    const settings = file.settings();
    const region = settings.region?.trim() ?? "";
    if (!region && options.aws !== false) {
        throw usageError(`${file.fileName}: aws:region`, "missing", `set it: pulumi config set aws:region <region> -s ${file.stack}`);
    }
    return { stack: file.stack, file, settings, region };
}

/** The ECR client for a service's repository (its region comes from the repository URI when it names one). */
export function ecrFor(deps: CliDeps, sc: StackContext, service: ServiceSettings): ECRClient {
    return deps.ecr(service.repository.region ?? sc.region);
}

/** `backend` | `frontend` | `all` → the services meant. */
export function servicesFor(choice: string): ServiceName[] {
    return choice === "all" ? [...SERVICE_NAMES] : [choice as ServiceName];
}

/** The config key holding a service's version. */
export const versionKey = (service: ServiceName): string => `${service}Version`;
