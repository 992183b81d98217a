/**
 * What an ECR repository holds: every image (all pages), one image by tag or digest, and the
 * exact immutable version that names an image.
 */
import { DescribeImagesCommand, ECRClient, ImageDetail, paginateDescribeImages } from "@aws-sdk/client-ecr";
import { RepositoryRef } from "../release/imageRef";
import { ImageVersion, tryParseVersion } from "../release/version";
import { sortNewestFirst } from "../release/versionOrder";
import { aws, refused, requireAnswer } from "./errors";

/** One image in a repository. */
export interface RepoImage {
    /** `sha256:<64hex>` */
    digest: string;
    /** Its tags; empty for an untagged image. */
    tags: string[];
    pushedAt?: Date;
}

function toRepoImage(d: ImageDetail): RepoImage | undefined {
    if (!d.imageDigest) return undefined;
    return { digest: d.imageDigest, tags: d.imageTags ?? [], ...(d.imagePushedAt ? { pushedAt: d.imagePushedAt } : {}) };
}

function target(repo: RepositoryRef): { repositoryName: string; registryId?: string } {
    return { repositoryName: repo.repositoryName, ...(repo.registryId ? { registryId: repo.registryId } : {}) };
}

function notFound(repo: RepositoryRef, e: unknown): never {
    throw refused(
        `ECR repository ${repo.uri}`,
        `not found (${(e as Error).message})`,
        "check drydock:backendImage / drydock:frontendImage in the stack file and the AWS account and region you are using",
    );
}

/** Every image of the repository, reading all pages (DescribeImages paginator). */
export async function listImages(ecr: ECRClient, repo: RepositoryRef): Promise<RepoImage[]> {
    return aws(`ECR DescribeImages ${repo.repositoryName}`, async () => {
        const images: RepoImage[] = [];
        try {
            for await (const page of paginateDescribeImages({ client: ecr }, target(repo))) {
                for (const d of requireAnswer(page, "imageDetails")) {
                    // "no images" only from an answer that says so
                    const image = toRepoImage(d);
                    if (image) images.push(image);
                }
            }
        } catch (e) {
            if ((e as Error).name === "RepositoryNotFoundException") notFound(repo, e);
            throw e;
        }
        return images;
    });
}

/** The image with this tag or digest, or undefined when the repository does not have it. */
export async function findImage(
    ecr: ECRClient,
    repo: RepositoryRef,
    id: { tag: string } | { digest: string },
): Promise<RepoImage | undefined> {
    const imageId = "tag" in id ? { imageTag: id.tag } : { imageDigest: id.digest };
    return aws(`ECR DescribeImages ${repo.repositoryName} ${"tag" in id ? id.tag : id.digest}`, async () => {
        try {
            const out = await ecr.send(new DescribeImagesCommand({ ...target(repo), imageIds: [imageId] }));
            const detail = requireAnswer(out, "imageDetails")[0];
            return detail ? toRepoImage(detail) : undefined;
        } catch (e) {
            const name = (e as Error).name;
            if (name === "ImageNotFoundException") return undefined;
            if (name === "RepositoryNotFoundException") notFound(repo, e);
            throw e;
        }
    });
}

/** A version's parse, or a mutable `other` for tags the version grammar rejects. */
export function versionOf(tag: string): ImageVersion {
    const parsed = tryParseVersion(tag);
    return parsed.ok ? parsed.version : { raw: tag, kind: "other", immutable: false };
}

/** Kinds in the order a promotion prefers them: the exact release, then full traceability, then the build time. */
const PREFERRED_KINDS = ["semver", "full", "timestamp"] as const;

/**
 * The best exact immutable name of an image: its newest exact semver tag, else full tag, else
 * timestamp tag, else its digest. `latest`, floating and other tags are never chosen.
 */
export function exactVersionOf(image: RepoImage): ImageVersion {
    const versions = image.tags.map(versionOf);
    for (const kind of PREFERRED_KINDS) {
        const ofKind = versions.filter((v) => v.kind === kind && v.immutable); // never v1.2.3-latest
        if (ofKind.length > 0) return sortNewestFirst(ofKind, (v) => v)[0];
    }
    return { raw: image.digest, kind: "digest", immutable: true, digest: image.digest };
}
