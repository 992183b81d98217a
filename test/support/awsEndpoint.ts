/**
 * A loopback stand-in for AWS JSON-protocol services (127.0.0.1 only, for AWS_ENDPOINT_URL): every request is
 * recorded in `seen` (its x-amz-target, host, authorization and JSON body) and answered by `answer(target, body)`.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenCall {
    target: string;
    host: string;
    authorization: string;
    /** The parsed JSON body; {} when empty or not JSON. */
    body: Record<string, unknown>;
}

/** [HTTP status, JSON payload] for one call. */
export type AwsAnswer = (target: string, body: Record<string, unknown>) => [number, unknown];

export interface AwsEndpoint {
    /** http://127.0.0.1:<port> */
    endpoint: string;
    /** Every call received, in order; clear with `seen.length = 0`. */
    seen: SeenCall[];
    close(): Promise<void>;
}

export async function startAwsEndpoint(answer: AwsAnswer): Promise<AwsEndpoint> {
    const seen: SeenCall[] = [];
    const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", (d) => (raw += d));
        req.on("end", () => {
            const target = String(req.headers["x-amz-target"] ?? "");
            let body: Record<string, unknown> = {};
            try {
                body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
            } catch {
                // not a JSON-protocol call; the answer function decides
            }
            seen.push({ target, host: String(req.headers.host), authorization: String(req.headers.authorization ?? ""), body });
            const [status, payload] = answer(target, body);
            res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
            res.end(JSON.stringify(payload));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => {
            server.closeAllConnections();
            return new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

/**
 * The whole environment for a `drydock` child process against `endpoint`: credentials from the environment only
 * (HOME has no ~/.aws), then `extra`.
 */
export function awsProcessEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        PATH: process.env.PATH ?? "",
        HOME: "/nonexistent-home", // no ~/.aws: credentials come from the environment only
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "example-secret",
        ...extra,
    };
}
