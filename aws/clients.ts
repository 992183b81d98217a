/**
 * How drydock configures AWS SDK v3 clients, in the hooks and in the `drydock` command alike: the region
 * (the stack's `aws:region`), a retry budget for throttling, and timeouts on the request handler, so a
 * request to an endpoint that accepts the connection and never answers fails instead of hanging. The
 * SDK's standard settings apply otherwise (AWS_PROFILE, the credential chain, AWS_ENDPOINT_URL).
 * No Pulumi import.
 *
 * | environment variable              | default | what                                                          |
 * |-----------------------------------|---------|---------------------------------------------------------------|
 * | AWS_MAX_ATTEMPTS                  | 6       | attempts per AWS call (the SDK reads it)                      |
 * | DRYDOCK_AWS_CONNECT_TIMEOUT_MS    | 5000    | time to establish the TCP/TLS connection, per attempt         |
 * | DRYDOCK_AWS_REQUEST_TIMEOUT_MS    | 20000   | time to receive the response (and idle socket time), per attempt |
 *
 * A request that times out is retried like a 5xx (within AWS_MAX_ATTEMPTS); the overall deadline of the
 * command or hook (aws/deadline.ts) bounds the total.
 */
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import { envMs } from "./deadline";
import { currentAbortSignal } from "./inFlight";

/** SDK attempts per AWS call (throttling and transient errors are retried); AWS_MAX_ATTEMPTS wins when set. */
export const AWS_MAX_ATTEMPTS = 6;
/** Default time to establish a connection, per attempt; DRYDOCK_AWS_CONNECT_TIMEOUT_MS wins. */
export const AWS_CONNECT_TIMEOUT_MS = 5_000; // milliseconds
/** Default time to receive a response, per attempt; DRYDOCK_AWS_REQUEST_TIMEOUT_MS wins. */
export const AWS_REQUEST_TIMEOUT_MS = 20_000; // milliseconds

/** The timeouts every AWS request gets, from the environment or the defaults above. */
export function awsTimeouts(env: NodeJS.ProcessEnv = process.env): { connectionTimeout: number; requestTimeout: number } {
    return {
        connectionTimeout: envMs("DRYDOCK_AWS_CONNECT_TIMEOUT_MS", AWS_CONNECT_TIMEOUT_MS, env),
        requestTimeout: envMs("DRYDOCK_AWS_REQUEST_TIMEOUT_MS", AWS_REQUEST_TIMEOUT_MS, env),
    };
}

/**
 * The SDK's Node.js request handler with connection and response timeouts (a request that exceeds the
 * response timeout is an error, not the SDK's default warning), whose requests are aborted when the
 * enclosing drydock deadline passes.
 */
export function requestHandler(env: NodeJS.ProcessEnv = process.env): NodeHttpHandler {
    const { connectionTimeout, requestTimeout } = awsTimeouts(env);
    // Loaded when the first client is made, not by every module that imports this one (drydock check builds hooks, never runs them).
    const { NodeHttpHandler: Handler } = require("@smithy/node-http-handler") as typeof import("@smithy/node-http-handler");
    const handler = new Handler({ connectionTimeout, requestTimeout, socketTimeout: requestTimeout, throwOnRequestTimeout: true });
    const handle = handler.handle.bind(handler);
    // The deadline's signal is read when the request is sent: the call runs inside the deadline's async context.
    handler.handle = (request, options = {}) => handle(request, { ...options, abortSignal: options.abortSignal ?? currentAbortSignal() });
    return handler;
}

/** The constructor options of every AWS client drydock makes. */
export function awsClientConfig(region?: string): { region?: string; maxAttempts?: number; requestHandler: NodeHttpHandler } {
    return {
        ...(region ? { region } : {}),
        ...(process.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: AWS_MAX_ATTEMPTS }),
        requestHandler: requestHandler(),
    };
}
