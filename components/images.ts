import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceSettings } from "../config";
import { formatImageReference } from "../release/imageRef";

/** The image a service runs, and the version that was asked for. */
export interface ResolvedImage {
    /** What the task definition runs: `repo@sha256:…` when pinned, else `repo:tag`. */
    image: pulumi.Output<string>;
    /** The version as configured (`latest`, `v1.2.3`, …); travels with the task definition. */
    requestedVersion: string;
    /** The digest the version resolved to, when pinned. */
    digest?: pulumi.Output<string>;
}

/**
 * Resolves a service's configured version to the image reference its task definition runs.
 *
 * With `pinDigests`, a tag is looked up in ECR at every preview/update (an invoke, so the digest is
 * known before anything changes) and the task definition runs `repo@sha256:…`: a moving tag such
 * as `latest` rolls out when it moves, without a forced deployment, and a promoted version is
 * byte-for-byte the image staging ran. A configured digest is used as it is.
 */
export function resolveServiceImage(service: ServiceSettings, pinDigests: boolean, opts?: pulumi.InvokeOutputOptions): ResolvedImage {
    const { version, repository } = service;
    if (version.kind === "digest" || !pinDigests) {
        return { image: pulumi.output(formatImageReference(repository.uri, version)), requestedVersion: version.raw };
    }
    const found = aws.ecr.getImageOutput(
        {
            repositoryName: repository.repositoryName,
            registryId: repository.registryId,
            region: repository.region,
            imageTag: version.raw,
        },
        opts,
    );
    const digest = found.imageDigest;
    return {
        image: pulumi.interpolate`${repository.uri}@${digest}`,
        requestedVersion: version.raw,
        digest,
    };
}
