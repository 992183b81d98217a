/**
 * A recording, offline stand-in for the Pulumi engine and AWS.
 *
 * Used by the tests and by `drydock check`: it installs `pulumi.runtime.setMocks` with realistic computed
 * outputs per resource type, answers the provider functions drydock calls (ECR image digests, region, account,
 * availability zones), sets the stack configuration, and records every resource registration — its inputs,
 * the resource hooks bound to it, `protect` and its parent.
 *
 * Two repairs to the SDK's mock monitor are applied here:
 * - it has no `registerResourceHook` / `registerErrorHook`, so any resource with `hooks` would never resolve;
 *   both are answered with success;
 * - `settle()` waits on the SDK's own RPC keep-alive chain (the one `pulumi up` waits on before exiting), so it
 *   resolves only after every registration — including ones started from `apply` callbacks — has finished.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { patchMonitor, plain, routeLogs, settle } from "./mockMonitor";
import { answerCall, newResourceState } from "./mockResources";
import { MOCK_DEFAULT_REGION, MockCloud, MockCloudOptions, RecordedResource } from "./mockTypes";

export * from "./mockTypes";

/** A deterministic `sha256:<hex>` digest for `repositoryName:tag`. */
export function defaultImageDigest(repositoryName: string, tag: string): string {
    return `sha256:${crypto.createHash("sha256").update(`${repositoryName}:${tag}`).digest("hex")}`;
}

/** Installs the mocks (replacing any previous mock cloud in this process) and returns the recorder. */
export function startMockCloud(opts: MockCloudOptions): MockCloud {
    const project = opts.project ?? "drydock";
    const config: Record<string, string> = { "aws:region": MOCK_DEFAULT_REGION, ...(opts.config ?? {}) };
    const region = config["aws:region"];
    const imageDigest = opts.imageDigest ?? defaultImageDigest;

    const resources: RecordedResource[] = [];
    const calls: MockCloud["calls"] = [];
    const errors: Error[] = [];
    const log = { warnings: [] as string[], errors: [] as string[] };
    const tracker = { inFlight: 0, activity: 0 };

    // A previous mock cloud may have started the SDK's callback server (for hooks); shut it down first.
    pulumi.runtime.disconnectSync();
    pulumi.runtime.setAllConfig(config);
    void pulumi.runtime.setMocks(
        {
            newResource: (args) => newResourceState(args, region),
            call: (args) => {
                const inputs = plain(args.inputs) as Record<string, unknown>;
                calls.push({ token: args.token, args: inputs });
                return answerCall(args.token, inputs, region, imageDigest);
            },
        },
        project,
        opts.stack,
        opts.preview ?? false,
    );
    const monitor = patchMonitor(resources, errors, tracker);
    routeLogs(monitor, log);

    return {
        resources,
        calls,
        warnings: log.warnings,
        logErrors: log.errors,
        byType: (type) => resources.filter((r) => r.type === type),
        settle: async () => {
            await settle(errors, tracker);
            if (log.errors.length > 0) {
                throw new Error(
                    `mock cloud: the program logged ${log.errors.length} error(s):\n${log.errors.map((e) => `  ${e}`).join("\n")}`,
                );
            }
        },
    };
}
