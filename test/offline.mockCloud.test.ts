/** The mock cloud itself (offline/mockCloud.ts): what the program tests and `drydock check` stand on. */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { defaultImageDigest, startMockCloud } from "../offline/mockCloud";
import { promiseOf } from "./support/records";

/** A resource type of no provider, for testing the mock cloud itself. */
class Thing extends pulumi.CustomResource {
    readonly from!: pulumi.Output<string | undefined>;
    constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super("test:index:Thing", name, props, opts);
    }
}

describe("mock cloud", () => {
    it("settles only after resources registered from apply callbacks have registered", async () => {
        const cloud = startMockCloud({ stack: "staging" });
        const first = new Thing("first", { value: 1 });
        first.id.apply((id: string) => pulumi.output(id).apply((inner) => new Thing("late", { from: inner })));
        await cloud.settle();
        expect(cloud.resources.map((r) => r.name)).to.deep.equal(["first", "late"]);
        expect(cloud.resources[1].inputs.from).to.match(/^first-/);
    });

    it("resolves resources that have hooks, and records hook names, protect and parent", async () => {
        const cloud = startMockCloud({ stack: "staging" });
        const hook = new pulumi.ResourceHook("release-gate", async () => undefined);
        const parent = new pulumi.ComponentResource("test:index:Parent", "p");
        const child = new Thing("c", {}, { parent, protect: true, hooks: { beforeUpdate: [hook] } });
        await cloud.settle();
        expect(await promiseOf(child.urn)).to.equal("urn:pulumi:staging::drydock::test:index:Parent$test:index:Thing::c");
        const rec = cloud.byType("test:index:Thing")[0];
        expect(rec).to.deep.include({
            hooks: { beforeUpdate: ["release-gate"] },
            protect: true,
            parent: "urn:pulumi:staging::drydock::test:index:Parent::p",
        });
    });

    it("keeps two mock clouds in one process apart, with their own stack and config", async () => {
        const a = startMockCloud({ stack: "staging", config: { "drydock:backendVersion": "latest" } });
        new Thing("a", {});
        await a.settle();
        const b = startMockCloud({ stack: "production", project: "other", config: { "drydock:backendVersion": "v1.2.3" } });
        expect(new pulumi.Config("drydock").get("backendVersion")).to.equal("v1.2.3");
        expect(new pulumi.Config("aws").get("region")).to.equal("us-east-1");
        new Thing("b", {});
        await b.settle();
        expect(a.resources.map((r) => r.urn)).to.deep.equal(["urn:pulumi:staging::drydock::test:index:Thing::a"]);
        expect(b.resources.map((r) => r.urn)).to.deep.equal(["urn:pulumi:production::other::test:index:Thing::b"]);
    });

    it("answers ECR image lookups with a deterministic digest, or the one the test supplies", async () => {
        const aws = await import("@pulumi/aws");
        startMockCloud({ stack: "staging" });
        const found = await aws.ecr.getImage({ repositoryName: "drydock/backend", imageTag: "v1.2.3" });
        expect(found.imageDigest)
            .to.equal(defaultImageDigest("drydock/backend", "v1.2.3"))
            .and.to.match(/^sha256:[0-9a-f]{64}$/);
        const custom = startMockCloud({ stack: "staging", imageDigest: (repo, tag) => `sha256:${repo.length}${tag}` });
        const other = await aws.ecr.getImage({ repositoryName: "drydock/backend", imageTag: "latest" });
        expect(other.imageDigest).to.equal("sha256:15latest");
        expect(custom.calls).to.deep.equal([
            { token: "aws:ecr/getImage:getImage", args: { repositoryName: "drydock/backend", imageTag: "latest" } },
        ]);
    });

    it("fails loudly on a provider function it has no answer for", async () => {
        const aws = await import("@pulumi/aws");
        startMockCloud({ stack: "staging" });
        const err = await aws.s3.getBucket({ bucket: "x" }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(String(err)).to.match(/mock cloud has no answer for the provider function "aws:s3\/getBucket:getBucket"/);
    });

    it("records pulumi.log warnings, and rejects settle() when the program logged an error", async () => {
        const cloud = startMockCloud({ stack: "staging" });
        void pulumi.log.warn("careful");
        void pulumi.log.error("broken");
        expect(cloud.warnings).to.deep.equal(["careful"]);
        const err = await cloud.settle().then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(String(err)).to.match(/the program logged 1 error\(s\):\n {2}broken/);
    });

    it("rejects settle() when a provider call failed", async () => {
        const aws = await import("@pulumi/aws");
        const cloud = startMockCloud({ stack: "staging" });
        aws.s3.getBucketOutput({ bucket: "x" }).apply(() => undefined);
        const err = await cloud.settle().then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(String(err)).to.match(/1 engine call\(s\) failed:\n {2}invoke: .*getBucket/);
    });
});
