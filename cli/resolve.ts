/**
 * From "what runs" to "the exact immutable version to write": look an image up in ECR by digest
 * or tag and name it by its exact tag (semver, then full, then timestamp) or its digest.
 */
import { ImageRef, parseRepositoryUri, RepositoryRef } from "../release/imageRef";
import { ImageVersion } from "../release/version";
import { exactVersionOf, findImage, RepoImage } from "../aws/ecr";
import { CliDeps } from "./deps";

export interface ExactVersion {
    /** Immutable: semver, full, timestamp or digest. */
    version: ImageVersion;
    image: RepoImage;
    repository: RepositoryRef;
}

/** The repository an image reference points into when it is an ECR URI; else the configured one. */
export function repositoryOf(ref: ImageRef, configured: RepositoryRef): RepositoryRef {
    try {
        const parsed = parseRepositoryUri(ref.repository);
        return parsed.registryId ? parsed : configured;
    } catch {
        return configured;
    }
}

/** The image `version` names in `repo`, or undefined when the repository does not have it. */
export async function imageFor(deps: CliDeps, region: string, repo: RepositoryRef, version: ImageVersion): Promise<RepoImage | undefined> {
    const ecr = deps.ecr(repo.region ?? region);
    return findImage(ecr, repo, version.kind === "digest" ? { digest: version.digest ?? version.raw } : { tag: version.raw });
}

/**
 * Looks up the image a digest or tag names in `repo` and names it by its exact immutable version.
 * @returns undefined when the repository does not have it.
 */
export async function exactVersionIn(
    deps: CliDeps,
    region: string,
    repo: RepositoryRef,
    id: { digest: string } | { tag: string },
): Promise<ExactVersion | undefined> {
    const image = await findImage(deps.ecr(repo.region ?? region), repo, id);
    return image ? { version: exactVersionOf(image), image, repository: repo } : undefined;
}
