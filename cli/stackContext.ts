/**
 * A stack as commands need it: its file, validated settings, region and AWS clients for it.
 *
 * The project is found as Pulumi finds it: the nearest directory at or above the working directory
 * that holds `Pulumi.yaml`. A command names the keys it acts on (`needs`): a bad value in one of those
 * refuses (exit 2), a bad value elsewhere is a warning on stderr and the command goes on.
 */
import type { ECRClient } from "@aws-sdk/client-ecr";
import { existsSync } from "fs";
import { dirname, join, resolve } from "path";
import { ConfigError, readSettings, ServiceName, ServiceSettings, Settings } from "../config";
import { serviceNames, serviceSpec } from "../services";
import { CONFIG_NAMESPACE } from "../configSchema";
import { CliDeps } from "./deps";
import { oneLine, usageError } from "./errors";
import { loadStack, StackFile } from "./stackFile";

export interface StackContext {
    /** Short stack name. */
    stack: string;
    file: StackFile;
    settings: Settings;
    /** `aws:region` of the stack ("" only when opened with `aws: false`). */
    region: string;
    /** Keys (`drydock:backendVersion`) whose value is invalid: their settings hold a default or placeholder. */
    invalid: ReadonlySet<string>;
}

/** The problem key of the stack name (it makes the Aurora identifiers). */
export const STACK_NAME_KEY = "stack name";

export interface OpenOptions {
    /** false for commands that make no AWS call (a missing aws:region is then fine). */
    aws?: boolean;
    /**
     * Keys the command acts on: a bad value there refuses (exit 2). Others only warn, on stderr.
     * `all` (the default): any bad key refuses, for commands that write or deploy the whole file.
     */
    needs?: readonly string[] | "all";
    /** Keys the command replaces (e.g. the versions `promote` writes): a bad value there is neither refused nor warned about. */
    overwrites?: readonly string[];
}

/**
 * The Pulumi project directory: the nearest directory at or above `start` holding `Pulumi.yaml`
 * (or `Pulumi.yml`), as the Pulumi CLI looks for it; `start` itself when there is none.
 */
export function projectDir(start: string): string {
    let dir = resolve(start);
    for (;;) {
        if (existsSync(join(dir, "Pulumi.yaml")) || existsSync(join(dir, "Pulumi.yml"))) return dir;
        const parent = dirname(dir);
        if (parent === dir) return resolve(start);
        dir = parent;
    }
}

/** Opens `Pulumi.<stack>.yaml` of the project the working directory is in (no validation). */
export function openStackFile(deps: CliDeps, stack: string): StackFile {
    return loadStack(projectDir(deps.cwd), stack);
}

/** `drydock:backendVersion` for a bare key; namespaced keys and `stack name` unchanged. */
export function fullKeyName(key: string): string {
    return key.includes(":") || key === STACK_NAME_KEY ? key : `${CONFIG_NAMESPACE}:${key}`;
}

/**
 * Loads and validates `Pulumi.<stack>.yaml`.
 * @throws CliError (exit 2) for an unknown stack or a missing region; ConfigError (exit 2) for bad keys the command needs.
 */
export function openStack(deps: CliDeps, stack: string, options: OpenOptions = {}): StackContext {
    const file = openStackFile(deps, stack);
    const read = readSettings(file.values(), file.stack);
    const { settings } = read;
    const overwritten = (options.overwrites ?? []).map(fullKeyName);
    const problems = read.problems.filter((p) => !overwritten.includes(p.key));
    const needs = options.needs ?? "all";
    const needed = needs === "all" ? problems : problems.filter((p) => needs.map(fullKeyName).includes(p.key));
    if (needed.length > 0) throw new ConfigError(file.stack, needed);
    for (const p of problems) {
        deps.stderr(
            `drydock: warning: ${file.fileName}: ${p.key}${p.value === undefined ? "" : `=${JSON.stringify(p.value)}`}: ${oneLine(p.message)} ` +
                `(ignored by this command; fix it before pulumi up -s ${file.stack})\n`,
        );
    }
    const region = settings.region?.trim() ?? "";
    if (!region && options.aws !== false) {
        throw usageError(`${file.fileName}: aws:region`, "missing", `set it: pulumi config set aws:region <region> -s ${file.stack}`);
    }
    return { stack: file.stack, file, settings, region, invalid: new Set(problems.map((p) => p.key)) };
}

/** The ECR client for a service's repository (its region comes from the repository URI when it names one). */
export function ecrFor(deps: CliDeps, sc: StackContext, service: ServiceSettings): ECRClient {
    return deps.ecr(service.repository.region ?? sc.region);
}

/** A service name (e.g. `backend`) | `all` → the services meant, in table order. */
export function servicesFor(choice: string): ServiceName[] {
    return choice === "all" ? serviceNames() : [choice];
}

/** The settings of one service of the stack. */
export function serviceOf(sc: StackContext, service: ServiceName): ServiceSettings {
    const settings = sc.settings.services[service];
    if (!settings)
        throw usageError(`service ${JSON.stringify(service)}`, "not in the service table", `accepted: ${serviceNames().join(", ")}`);
    return settings;
}

/** The config key holding a service's version, e.g. `backendVersion`. */
export const versionKey = (service: ServiceName): string => `${serviceSpec(service).configPrefix}Version`;

/** The config key holding a service's image repository, e.g. `backendImage`. */
export const imageKey = (service: ServiceName): string => `${serviceSpec(service).configPrefix}Image`;
