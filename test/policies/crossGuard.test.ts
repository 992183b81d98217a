/**
 * The differential test: drydock's evaluator (policies/evaluate.ts, used by `drydock check`) reports exactly
 * what @pulumi/policy's own analyzer reports for the same resources, levels and messages included.
 */
import { expect } from "chai";
import type { Policies } from "@pulumi/policy";
import { PolicyInputResource, Violation, evaluatePolicies, policyPackVersion } from "../../policies/evaluate";
import { policies } from "../../policies/policies";
import { REQUESTED_VERSION_TAG } from "../../policies/rules/images";
import {
    DIGEST,
    FORWARD,
    REPO,
    cluster,
    listener,
    loadBalancer,
    passingStack,
    securityGroup,
    service,
    targetGroup,
    taskDefinition,
    unknown,
    withContainer,
} from "./support";

// --- the evaluator against CrossGuard's own analyzer ------------------------------------------------

/** The gRPC handlers @pulumi/policy serves to the Pulumi engine (internal exports of server.js). */
type RpcHandler = (call: { request: unknown }, callback: (err: unknown, resp?: AnalyzeResponse) => void) => Promise<void>;
interface AnalyzeResponse {
    getDiagnosticsList(): { getPolicyname(): string; getEnforcementlevel(): number; getUrn(): string; getMessage(): string }[];
}
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun(pack: string, version: string, level: string, policies: Policies): RpcHandler;
    makeAnalyzeStackRpcFun(pack: string, version: string, level: string, policies: Policies): RpcHandler;
};
type ProtoMessage = Record<string, (...args: unknown[]) => unknown>;
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb") as Record<string, new () => ProtoMessage> & {
    EnforcementLevel: Record<string, number>;
};
const structProto = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: unknown): unknown } };

function protoResource<M extends ProtoMessage>(message: M, r: PolicyInputResource): M {
    message.setType(r.type);
    message.setUrn(r.urn);
    message.setName(r.name);
    // JSON round trip: the wire has no undefined values.
    message.setProperties(structProto.Struct.fromJavaScript(JSON.parse(JSON.stringify(r.props))));
    message.setOptions(new analyzerProto.AnalyzerResourceOptions());
    return message;
}

/** Runs `resources` through CrossGuard's analyzer (analyze per resource, then analyzeStack). */
async function crossGuard(resources: PolicyInputResource[]): Promise<Violation[]> {
    const levels = Object.fromEntries(Object.entries(analyzerProto.EnforcementLevel).map(([k, v]) => [v, k.toLowerCase()]));
    const version = policyPackVersion();
    const call = (rpc: RpcHandler, request: unknown) =>
        new Promise<AnalyzeResponse>(
            (resolve, reject) => void rpc({ request }, (err, resp) => (err ? reject(err) : resolve(resp as AnalyzeResponse))),
        );
    const collect = (resp: AnalyzeResponse, urn?: string): Violation[] =>
        resp.getDiagnosticsList().map((d) => {
            const target = d.getUrn() || urn;
            return {
                policy: d.getPolicyname(),
                enforcementLevel: levels[d.getEnforcementlevel()],
                ...(target ? { urn: target } : {}),
                message: d.getMessage(),
            } as Violation;
        });
    const out: Violation[] = [];
    const analyze = server.makeAnalyzeRpcFun("drydock", version, "advisory", policies);
    for (const r of resources) out.push(...collect(await call(analyze, protoResource(new analyzerProto.AnalyzeRequest(), r)), r.urn));
    const stackRequest = new analyzerProto.AnalyzeStackRequest();
    stackRequest.setResourcesList(resources.map((r) => protoResource(new analyzerProto.AnalyzerResource(), r)));
    out.push(...collect(await call(server.makeAnalyzeStackRpcFun("drydock", version, "advisory", policies), stackRequest)));
    return out;
}

describe("policies: evaluatePolicies matches CrossGuard's own analyzer", () => {
    const corpus = (stack: string): PolicyInputResource[] => [
        ...passingStack(stack),
        withContainer({ image: `${REPO}:latest` }, stack),
        withContainer({ image: REPO }, stack),
        withContainer({ image: `${REPO}@${DIGEST}`, version: "latest" }, stack, "latest"),
        taskDefinition({ containerDefinitions: unknown.unknownStringValue, tags: { [REQUESTED_VERSION_TAG]: "v1" } }, stack),
        service(
            {
                deploymentMinimumHealthyPercent: 50,
                deploymentCircuitBreaker: unknown.unknownObjectValue,
                networkConfiguration: { assignPublicIp: true, subnets: [] },
            },
            stack,
        ),
        service(
            {
                name: "worker-service",
                tags: {
                    "drydock:hooks-before-update": "release-gate run-migrations pre-update-snapshot",
                    "drydock:hooks-before-create": "run-migrations",
                },
            },
            stack,
        ),
        targetGroup({ healthCheck: { enabled: false } }),
        cluster(
            { preferredBackupWindow: "05:30-06:30", backupRetentionPeriod: 1, deletionProtection: false, skipFinalSnapshot: true },
            stack,
        ),
        securityGroup([{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]),
        loadBalancer({ dropInvalidHeaderFields: false }),
        listener("http-2", { port: 80, protocol: "HTTP", defaultActions: [FORWARD] }),
    ];

    for (const stack of ["production", "staging"]) {
        it(`reports the same violations, levels and messages on a ${stack} stack`, async () => {
            const expected = await crossGuard(corpus(stack));
            expect(expected.length).to.be.greaterThan(10);
            expect(evaluatePolicies(corpus(stack))).to.deep.equal(expected);
        });
    }
});
