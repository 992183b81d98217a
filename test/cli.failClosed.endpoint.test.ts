/**
 * Issue 11: an AWS endpoint that accepts connections and never answers must not hang drydock. Real
 * processes, real SDK clients, a loopback server that reads each request and never responds; the
 * timeouts come from the environment (small here) and end the command with one line, exit 1.
 */
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { AWS_CONNECT_TIMEOUT_MS, AWS_REQUEST_TIMEOUT_MS, awsClientConfig, awsTimeouts } from "../aws/clients";
import { commandDeadlineMs, DEFAULT_COMMAND_DEADLINE_MS } from "../aws/deadline";
import { awsProcessEnv } from "./support/awsEndpoint";
import { spawnDrydock } from "./support/spawnDrydock";

const run = (args: string[], env: Record<string, string>) => spawnDrydock(args, env);

describe("drydock against an AWS endpoint that never answers (issue 11)", function () {
    this.timeout(60_000);
    let server: http.Server;
    let endpoint: string;
    let requests = 0;

    before(async () => {
        // Accepts every connection, reads the request, never writes a byte back.
        server = http.createServer((req) => {
            requests++;
            req.resume();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const env = (extra: Record<string, string>): Record<string, string> => awsProcessEnv(endpoint, extra);

    it("status: the request timeout ends each attempt, the SDK retries, then one line and exit 1", async () => {
        const before = requests;
        const r = await run(["status", "--stack", "production"], env({ AWS_MAX_ATTEMPTS: "2", DRYDOCK_AWS_REQUEST_TIMEOUT_MS: "400" }));
        expect(r.code).to.equal(1);
        expect(r.stdout).to.equal("");
        const lines = r.stderr
            .trim()
            .split("\n")
            .filter((l) => !/warning/i.test(l));
        expect(lines, r.stderr).to.have.length(1);
        expect(lines[0]).to.match(
            /^drydock: .*(ECS|RDS|ELBv2) \S+.*: AWS did not answer in time \(no response within 400 ms\), also after the SDK's retries/,
        );
        expect(r.stderr).to.not.match(/node-http-handler|at \S+ \(/); // no SDK wording, no stack trace
        expect(requests - before, "the SDK retried").to.be.at.least(2);
        expect(r.ms).to.be.below(30_000);
    });

    it("status: the command's overall deadline names the call that did not answer, and the process ends", async () => {
        const r = await run(
            ["status", "--stack", "production"],
            env({ AWS_MAX_ATTEMPTS: "6", DRYDOCK_AWS_REQUEST_TIMEOUT_MS: "600000", DRYDOCK_COMMAND_TIMEOUT_MS: "1500" }),
        );
        expect(r.code).to.equal(1);
        const lines = r.stderr
            .trim()
            .split("\n")
            .filter((l) => !/warning/i.test(l));
        expect(lines, r.stderr).to.have.length(1);
        expect(lines[0]).to.match(/^drydock: status: no answer from (ECS|RDS|ELBv2) \w+ \S+.* within 1.5s \(check the network/);
        // The deadline aborts the pending requests: the process does not wait for the 10-minute request timeout.
        expect(r.ms).to.be.below(20_000);
    });

    it("defaults bound a hung endpoint well within two minutes, and each can be changed by environment", () => {
        expect(awsTimeouts({})).to.deep.equal({ connectionTimeout: AWS_CONNECT_TIMEOUT_MS, requestTimeout: AWS_REQUEST_TIMEOUT_MS });
        expect(AWS_CONNECT_TIMEOUT_MS).to.be.at.most(10_000);
        expect(AWS_REQUEST_TIMEOUT_MS).to.be.at.most(30_000);
        expect(commandDeadlineMs({})).to.equal(DEFAULT_COMMAND_DEADLINE_MS);
        expect(DEFAULT_COMMAND_DEADLINE_MS).to.be.below(120_000);
        expect(awsTimeouts({ DRYDOCK_AWS_CONNECT_TIMEOUT_MS: "250", DRYDOCK_AWS_REQUEST_TIMEOUT_MS: "900" })).to.deep.equal({
            connectionTimeout: 250,
            requestTimeout: 900,
        });
        expect(commandDeadlineMs({ DRYDOCK_COMMAND_TIMEOUT_MS: "5000" })).to.equal(5000);
        // Nonsense falls back to the default rather than to "no timeout".
        expect(awsTimeouts({ DRYDOCK_AWS_REQUEST_TIMEOUT_MS: "0" }).requestTimeout).to.equal(AWS_REQUEST_TIMEOUT_MS);
        expect(commandDeadlineMs({ DRYDOCK_COMMAND_TIMEOUT_MS: "soon" })).to.equal(DEFAULT_COMMAND_DEADLINE_MS);
        expect(awsClientConfig("us-east-1").requestHandler).to.have.property("handle");
    });
});
