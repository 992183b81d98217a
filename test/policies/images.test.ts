/** policies/rules/images.ts: production-images-pinned and non-production-images-pinned, and production detection from the URN. */
import { expect } from "chai";
import { PolicyConfigEntry } from "../../policies/evaluate";
import { stackFromUrn } from "../../policies/config";
import { DIGEST, REPO, cluster, container, details, run, taskDefinition, withContainer } from "./support";

describe("policies: production-images-pinned", () => {
    const fix = "pulumi config set backendVersion vX.Y.Z -s production";

    it("rejects latest, naming the container, the image and the fix", () => {
        const [d, ...rest] = details(run([withContainer({ image: `${REPO}:latest` })]), "production-images-pinned");
        expect(rest).to.deep.equal([]);
        expect(d).to.contain(
            `container "backend" in task definition "drydock-production-backend" runs "${REPO}:latest", which is not pinned`,
        );
        expect(d).to.contain(`"latest" (image tag) is mutable (it moves with every push)`);
        expect(d).to.contain(fix);
        expect(d).to.contain("npx drydock versions backend --stack production");
    });

    it("rejects floating v1 and v1.2 tags", () => {
        expect(details(run([withContainer({ image: `${REPO}:v1` })]), "production-images-pinned")[0]).to.contain(
            `"v1" (image tag) is a floating version (it moves to every new 1.x.y release)`,
        );
        expect(details(run([withContainer({ image: `${REPO}:v1.2` })]), "production-images-pinned")[0]).to.contain(
            `"v1.2" (image tag) is a floating version (it moves to every new 1.2.x release)`,
        );
    });

    it("rejects an untagged image", () => {
        const [d] = details(run([withContainer({ image: REPO })]), "production-images-pinned");
        expect(d).to.contain(`runs "${REPO}" with no tag or digest, so every deployment pulls whatever "latest" is at that moment`);
        expect(d).to.contain(fix);
    });

    it("rejects other mutable tags such as main", () => {
        const [d] = details(run([withContainer({ image: `${REPO}:main` })]), "production-images-pinned");
        expect(d).to.contain(`"main" (image tag) is a mutable tag, not an exact version`);
    });

    it("rejects a digest resolved from latest (APP_VERSION)", () => {
        const [d] = details(
            run([withContainer({ image: `${REPO}@${DIGEST}`, version: "latest", label: "v1.2.3" })]),
            "production-images-pinned",
        );
        expect(d).to.contain(`runs "${REPO}@${DIGEST}", but that digest was resolved from a mutable version`);
        expect(d).to.contain(`"latest" (APP_VERSION) is mutable`);
        expect(d).to.contain(fix);
    });

    it("rejects a digest resolved from latest (task definition tag drydock:requested-version)", () => {
        const [d] = details(run([withContainer({ image: `${REPO}@${DIGEST}` }, "production", "latest")]), "production-images-pinned");
        expect(d).to.contain("but that digest was resolved from a mutable version");
        expect(d).to.contain(`"latest" (task definition tag drydock:requested-version) is mutable`);
    });

    it("rejects a digest resolved from a floating version (docker label)", () => {
        const [d] = details(run([withContainer({ image: `${REPO}@${DIGEST}`, label: "v1.2" })]), "production-images-pinned");
        expect(d).to.contain(`"v1.2" (label org.opencontainers.image.version) is a floating version`);
    });

    it("rejects a mutable tag in front of a digest (repo:latest@sha256:…)", () => {
        const [d] = details(run([withContainer({ image: `${REPO}:latest@${DIGEST}` })]), "production-images-pinned");
        expect(d).to.contain(`"latest" (image tag) is mutable`);
    });

    it("accepts a digest resolved from an exact version, and a digest configured directly", () => {
        expect(run([withContainer({ image: `${REPO}@${DIGEST}` })])).to.deep.equal([]);
        expect(run([withContainer({ image: `${REPO}@${DIGEST}`, version: DIGEST }, "production", DIGEST)])).to.deep.equal([]);
    });

    for (const version of ["v1.2.3", "1.3.0-rc.1", "20241213-152430", "v1.2.3-20241213-152430-a1b2c3d4"]) {
        it(`accepts the immutable version ${version}, run by digest (and by tag outside production)`, () => {
            expect(run([withContainer({ image: `${REPO}@${DIGEST}`, version, label: version }, "production", version)])).to.deep.equal([]);
            expect(run([withContainer({ image: `${REPO}:${version}`, version, label: version }, "staging", version)])).to.deep.equal([]);
        });
    }

    it("names frontendVersion for a frontend container", () => {
        const [d] = details(run([withContainer({ name: "frontend", image: `${REPO}:latest` })]), "production-images-pinned");
        expect(d).to.contain("pulumi config set frontendVersion vX.Y.Z -s production");
    });

    it("asks to pin a sidecar's image in its definition, and does not judge it by the app's requested version", () => {
        const sidecar = { name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:latest" };
        const td = taskDefinition({ containerDefinitions: JSON.stringify([container(), sidecar]) });
        const [d, ...rest] = details(run([td]), "production-images-pinned");
        expect(rest).to.deep.equal([]);
        expect(d).to.contain(`container "log-router"`);
        expect(d).to.contain(`Fix: pin the image of container "log-router" to an immutable version`);
        const pinnedSidecar = { ...sidecar, image: `public.ecr.aws/aws-observability/aws-for-fluent-bit@${DIGEST}` };
        expect(run([taskDefinition({ containerDefinitions: JSON.stringify([container(), pinnedSidecar]) })])).to.deep.equal([]);
    });

    it("reports a container without an image and container definitions that are not JSON", () => {
        const noImage = { ...container(), image: undefined };
        expect(
            details(run([taskDefinition({ containerDefinitions: JSON.stringify([noImage]) })]), "production-images-pinned")[0],
        ).to.contain(`container "backend" in task definition "drydock-production-backend" has no image`);
        expect(details(run([taskDefinition({ containerDefinitions: "[{" })]), "production-images-pinned")[0]).to.contain(
            "has containerDefinitions that are not valid JSON",
        );
    });

    it("is mandatory in production and only advisory (non-production-images-pinned) elsewhere", () => {
        const prod = run([withContainer({ image: `${REPO}:latest` })]);
        expect(prod.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([["production-images-pinned", "mandatory"]]);
        const staging = run([withContainer({ image: `${REPO}:latest` }, "staging")]);
        expect(staging.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([["non-production-images-pinned", "advisory"]]);
        expect(staging[0].message).to.contain("pulumi config set backendVersion vX.Y.Z -s staging");
    });
});

describe("policies: production detection from the URN", () => {
    const levelIn = (stack: string, config?: Record<string, PolicyConfigEntry>) =>
        run([withContainer({ image: `${REPO}:latest` }, stack)], config).map((v) => `${v.policy}:${v.enforcementLevel}`);

    it("reads the stack from urn:pulumi:<stack>::<project>::<type>::<name>", () => {
        expect(stackFromUrn("urn:pulumi:prod-eu::drydock::aws:ecs/service:Service::backend")).to.equal("prod-eu");
        expect(stackFromUrn("not-a-urn")).to.equal(undefined);
    });

    it("without an environment tag, treats every stack as production except names that clearly mean non-production", () => {
        for (const stack of ["production", "prod", "prod-eu", "production-copy", "prd", "live"]) {
            expect(levelIn(stack), stack).to.deep.equal(["production-images-pinned:mandatory"]);
        }
        for (const stack of ["staging", "dev", "qa-1", "preview_7"])
            expect(levelIn(stack), stack).to.deep.equal(["non-production-images-pinned:advisory"]);
    });

    it("follows the productionStacks policy config", () => {
        const config = {
            "production-images-pinned": { productionStacks: ["live", "eu-*"] },
            "non-production-images-pinned": { productionStacks: ["live", "eu-*"] },
        };
        expect(
            levelIn("dev-live", {
                ...config,
                "production-images-pinned": { productionStacks: ["dev-live"] },
                "non-production-images-pinned": { productionStacks: ["dev-live"] },
            }),
        ).to.deep.equal(["production-images-pinned:mandatory"]);
        expect(levelIn("eu-west", config)).to.deep.equal(["production-images-pinned:mandatory"]);
        // The list only adds production stacks: it never makes one non-production.
        expect(levelIn("production", config)).to.deep.equal(["production-images-pinned:mandatory"]);
    });

    it("applies production-only database rules by the same config", () => {
        const short = cluster({ backupRetentionPeriod: 3 }, "stage-live");
        expect(details(run([short]), "aurora-maintenance-and-backups")).to.deep.equal([]);
        const d = details(
            run([short], { "aurora-maintenance-and-backups": { productionStacks: ["stage-live"] } }),
            "aurora-maintenance-and-backups",
        );
        expect(d).to.deep.equal([
            `Aurora cluster "drydock-stage-live" has backupRetentionPeriod 3 in production stack "stage-live"; keep at least 7 days of backups (pulumi config set backupRetentionDays 7 -s stage-live).`,
        ]);
    });
});
