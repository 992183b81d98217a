/**
 * Image repository URIs and image references. Pure logic, no Pulumi or AWS import.
 */
import { dockerTagProblem, type ImageVersion } from "./version";

export interface RepositoryRef {
    /** The URI as given (trimmed), e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-production`. */
    uri: string;
    /** Registry host (with port if any); `docker.io` when the URI names no host. */
    registry: string;
    /** Repository path inside the registry, e.g. `backend-production` or `team/backend`. */
    repositoryName: string;
    /** 12-digit AWS account id, for ECR. */
    registryId?: string;
    /** AWS region, for ECR. */
    region?: string;
}

export interface ImageRef {
    /** Everything before the tag / digest, e.g. `host:5000/team/app`. */
    repository: string;
    tag?: string;
    /** `sha256:<64hex>` */
    digest?: string;
}

/** Thrown for a malformed repository URI or image reference. */
export class ImageRefError extends Error {
    constructor(
        public readonly input: string,
        public readonly reason: string,
    ) {
        super(`invalid image repository ${JSON.stringify(input)}: ${reason}`);
        this.name = "ImageRefError";
    }
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
/** One path component of a repository name (Docker distribution grammar). */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST =
    /^(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|[A-Za-z0-9-]+:\d+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+:\d+|\[[0-9a-fA-F:]+\](?::\d+)?)$/;
const EXPECTED = "expected a repository without tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/backend-production";

/** Parse an image repository URI (no tag, no digest); throws {@link ImageRefError}. */
export function parseRepositoryUri(uri: string): RepositoryRef {
    const text = typeof uri === "string" ? uri.trim() : "";
    if (text.length === 0) throw new ImageRefError(String(uri), `it is empty; ${EXPECTED}`);
    if (/\s/.test(text)) throw new ImageRefError(text, `it contains whitespace; ${EXPECTED}`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new ImageRefError(text, `remove the URL scheme; ${EXPECTED}`);
    if (text.includes("@")) throw new ImageRefError(text, `it contains a digest (@…); ${EXPECTED}`);
    const slash = text.indexOf("/");
    const first = slash < 0 ? text : text.slice(0, slash);
    const hasHost = slash >= 0 && HOST.test(first);
    if (text.slice(text.lastIndexOf("/") + 1).includes(":")) {
        throw new ImageRefError(text, `it contains a tag (:…); set the version separately; ${EXPECTED}`);
    }
    const registry = hasHost ? first : "docker.io";
    const repositoryName = hasHost ? text.slice(slash + 1) : text;
    if (repositoryName.length === 0) throw new ImageRefError(text, `the repository name is missing; ${EXPECTED}`);
    const bad = repositoryName.split("/").find((c) => !PATH_COMPONENT.test(c));
    if (bad !== undefined) {
        throw new ImageRefError(
            text,
            `repository path component ${JSON.stringify(bad)} is invalid (lowercase letters, digits and single . _ __ or - between them); ${EXPECTED}`,
        );
    }
    if (repositoryName.length > 256) throw new ImageRefError(text, `the repository name is longer than 256 characters`);
    const ecr = ECR_HOST.exec(registry);
    return { uri: text, registry, repositoryName, ...(ecr ? { registryId: ecr[1], region: ecr[2] } : {}) };
}

/**
 * Split `repo:tag`, `repo@sha256:…`, `repo:tag@sha256:…` or `repo` (untagged).
 * A registry port (`host:5000/repo`) is not a tag.
 */
export function parseImageReference(image: string): ImageRef {
    const text = typeof image === "string" ? image.trim() : "";
    if (text.length === 0) throw new ImageRefError(String(image), "the image reference is empty");
    let rest = text;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
            throw new ImageRefError(text, `the digest ${JSON.stringify(digest)} is not sha256:<64 lowercase hex>`);
        }
    }
    let tag: string | undefined;
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        const problem = dockerTagProblem(tag);
        if (problem !== undefined) throw new ImageRefError(text, `the tag ${JSON.stringify(tag)} is not a valid Docker tag: ${problem}`);
    }
    if (rest.length === 0) throw new ImageRefError(text, "the repository is missing");
    return { repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `repo@sha256:…` for a digest version, else `repo:<tag as written>`. */
export function formatImageReference(repository: string, version: ImageVersion): string {
    const repo = repository.replace(/\/+$/, "");
    return version.kind === "digest" ? `${repo}@${version.digest ?? version.raw}` : `${repo}:${version.raw}`;
}
