/**
 * The config funnel: the only place stack configuration is read. The parsers per area live in config/
 * (reader.ts reads one key against its declaration in configSchema.ts; services.ts, release.ts,
 * loadBalancer.ts, database.ts, network.ts; types.ts holds Settings and ConfigError); this file
 * puts them together and stays the entry point every caller imports (`./config`).
 *
 * `parseSettings` turns raw values (as Pulumi stores them: strings, lists as JSON text) into typed,
 * grouped `Settings`, validating every key and reporting every problem at once. `loadSettings`
 * feeds it from `pulumi.Config`. The CLI feeds it from the stack file, so the program, the CLI
 * and `drydock check` agree on what a stack file means.
 */
import { CONFIG_NAMESPACE, configKeys, isConfigKey } from "./configSchema";
import { services } from "./services";
import { ENVIRONMENTS, Environment, isEnvironment, stackEnvironment } from "./release/stacks";
import { isRdsIdentifier } from "./release/snapshots";
import { dbClusterIdentifier } from "./release/names";
import { Reader } from "./config/reader";
import { checkKeys, OTHER_NAMESPACES } from "./config/keys";
import { readService } from "./config/services";
import { readRelease } from "./config/release";
import { readLoadBalancer } from "./config/loadBalancer";
import { readDatabase } from "./config/database";
import { readNetwork } from "./config/network";
import { readUpdates } from "./config/updates";
import { readMigrations } from "./config/migrations";
import { ConfigError, ConfigProblem, RawConfig, ServiceSettings, Settings } from "./config/types";

export * from "./config/types";

/** Every service of the table, by name, in table order. */
function readServices(r: Reader): Record<string, ServiceSettings> {
    return Object.fromEntries(services().map((spec) => [spec.name, readService(r, spec)]));
}

/** `drydock:environment`, else what the stack's name means (release/stacks.ts); a bad value counts as production. */
function readEnvironment(r: Reader, stack: string): Environment {
    const explicit = r.optional("environment");
    if (explicit !== undefined && !isEnvironment(explicit)) {
        r.problem("environment", explicit, `not accepted; accepted: ${ENVIRONMENTS.join(", ")}, or unset to decide from the stack name`);
    }
    return stackEnvironment(stack, explicit);
}

/** The stack name becomes part of the Aurora identifiers, which RDS restricts. */
function checkStackName(r: Reader, stack: string, instanceCount: number): void {
    const lastInstance = `${dbClusterIdentifier(stack)}-${instanceCount}`;
    if (!isRdsIdentifier(dbClusterIdentifier(stack)) || !isRdsIdentifier(lastInstance)) {
        r.problems.push({
            key: "stack name",
            value: stack,
            message:
                `makes the Aurora identifiers ${dbClusterIdentifier(stack)} … ${lastInstance}, which RDS does not accept; ` +
                `accepted: a stack name of lowercase letters, digits and single hyphens, at most ${63 - lastInstance.length + stack.length} characters`,
        });
    }
}

/**
 * Validates raw stack configuration into typed settings.
 *
 * @param values raw values without the `drydock:` prefix; `aws:region` may be passed as `aws:region`.
 * @param stack the stack name (decides production defaults and checks).
 * @throws ConfigError listing every invalid key.
 */
export function parseSettings(values: RawConfig, stack: string, project = "drydock"): Settings {
    const { settings, problems } = readSettings(values, stack, project);
    if (problems.length > 0) throw new ConfigError(stack, problems);
    return settings;
}

/**
 * Like {@link parseSettings}, but returns the problems instead of throwing: a bad key's setting holds its
 * default (or a placeholder). For read-only commands, which go on when a key they do not use is bad.
 */
export function readSettings(values: RawConfig, stack: string, project = "drydock"): { settings: Settings; problems: ConfigProblem[] } {
    const r = new Reader(values);
    const environment = readEnvironment(r, stack);
    const isProduction = environment === "production";
    checkKeys(r, values);
    const settings: Settings = {
        project,
        stack,
        environment,
        isProduction,
        region: values["aws:region"],
        services: readServices(r),
        pinDigests: r.boolean("pinDigests"),
        redeployToken: r.optional("redeployToken"),
        autoscalingCpuTarget: r.integer("autoscalingCpuTarget"),
        logRetentionDays: r.integer("logRetentionDays"),
        release: readRelease(r),
        loadBalancer: readLoadBalancer(r),
        database: readDatabase(r, isProduction),
        network: readNetwork(r),
        snapshots: { keep: r.integer("snapshotsToKeep"), timeoutMinutes: r.integer("snapshotTimeoutMinutes") },
        updates: readUpdates(r, stack, environment),
        rolloutTimeoutMinutes: r.integer("rolloutTimeoutMinutes"),
        migrations: readMigrations(r),
    };
    checkStackName(r, stack, settings.database.instanceCount);
    return { settings, problems: r.problems };
}

/**
 * Reads and validates the current stack's configuration through `pulumi.Config`.
 * Pulumi is loaded here, not at module load, so the CLI can use `parseSettings` without it.
 * @throws pulumi.RunError listing every bad key, so the preview fails before anything is planned.
 */
export function loadSettings(): Settings {
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const cfg = new pulumi.Config(CONFIG_NAMESPACE);
    const values: RawConfig = {};
    for (const { key } of configKeys()) values[key] = cfg.get(key);
    // Unknown keys in our namespace are typos worth failing on.
    const all = pulumi.runtime.allConfig();
    for (const full of Object.keys(all)) {
        const [ns, key] = full.split(":");
        if (ns === CONFIG_NAMESPACE && key !== undefined && !isConfigKey(key)) values[key] = all[full];
        // A key of a namespace nobody reads (drydok:backendVersion) is a typo that would be silently ignored.
        else if (ns !== CONFIG_NAMESPACE && !OTHER_NAMESPACES.includes(ns)) values[full] = all[full];
    }
    values["aws:region"] = new pulumi.Config("aws").get("region");
    try {
        return parseSettings(values, pulumi.getStack(), pulumi.getProject());
    } catch (err) {
        // A RunError fails `pulumi preview`/`up` with just the message: no program text, no stack trace.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}
