/**
 * Images: every container of every ECS task definition runs an immutable image.
 *
 * Immutable means an exact version (`v1.2.3`), a timestamp (`20241213-152430`), a full tag
 * (`v1.2.3-20241213-152430-a1b2c3d4`) or a digest (`repo@sha256:…`). `latest`, floating `v1`/`v1.2`,
 * untagged images and other tags (`main`) move, so two deployments of the same config can run
 * different code.
 *
 * A digest alone does not prove a pin: drydock resolves the configured version to a digest at
 * every deployment, so `latest` becomes `repo@sha256:…` — a different one after the next push. The
 * version that was asked for travels with the task definition (task definition tag
 * `drydock:requested-version`, container env `APP_VERSION`, docker label
 * `org.opencontainers.image.version`) and is judged as well.
 *
 * Enforcement: CrossGuard's enforcement level belongs to a policy, not to a violation, so the rule
 * is two policies sharing one check: `production-images-pinned` (mandatory, reports only in
 * production stacks) and `non-production-images-pinned` (advisory, reports only elsewhere). Each is
 * "not applicable" on the other's stacks, and each can be re-levelled or disabled on its own.
 */
import { services, ServiceSpec } from "../../services";
import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { ImageRef, ImageRefError, parseImageReference } from "../../release/imageRef";
import { tryParseVersion } from "../../release/version";
import { ProductionConfig, imagesPinnedConfigSchema, productionStacksOf, stackInfo } from "../config";
import { SubChecks, asRecord, displayName, nonEmpty, q } from "./common";
import { envValue, labelValue, parseContainers } from "./containers";

// Where the version as configured travels with a task definition: the same names the program writes.
import { APP_VERSION_ENV as VERSION_ENV, IMAGE_VERSION_LABEL as VERSION_LABEL, REQUESTED_VERSION_TAG } from "../../release/names";
export { REQUESTED_VERSION_TAG, VERSION_ENV, VERSION_LABEL };

/** The immutable forms, for fix messages. */
export const IMMUTABLE_FORMS =
    "exact version v1.2.3, timestamp 20241213-152430, full tag v1.2.3-20241213-152430-a1b2c3d4 or sha256:<digest>";

/** Task definition inputs; any of them may be missing in a partial resource. */
type TaskDefinitionInputs = Partial<Unwrap<aws.ecs.TaskDefinitionArgs>>;

/** A version found on the task definition and where it was found. */
interface Evidence {
    value: string;
    sources: string[];
}

/**
 * Why `value` is not an immutable version (a sentence starting with `label`, by default the quoted
 * value), or undefined when it is immutable.
 */
export function mutabilityOf(value: string, label: string = q(value)): string | undefined {
    const parsed = parseCached(value);
    // `"reason" in` narrows under any compiler settings (Pulumi type-checks the pack non-strictly).
    if ("reason" in parsed) return `${label} is not a valid version (${parsed.reason})`;
    const v = parsed.version;
    if (v.immutable) return undefined;
    switch (v.kind) {
        case "latest":
            return `${label} is mutable (it moves with every push)`;
        case "semver":
            if (v.moving !== undefined) return `${label} is a floating version (its pre-release "${v.moving}" names a moving target)`;
            return `${label} is a mutable tag, not an exact version`;
        case "floating": {
            const release = v.release ?? value;
            const series = release.includes(".") ? `${release}.x` : `${release}.x.y`;
            return `${label} is a floating version (it moves to every new ${series} release)`;
        }
        default:
            return `${label} is a mutable tag, not an exact version`;
    }
}

/** tryParseVersion, memoized: a stack repeats the same few versions on every task definition. */
function parseCached(value: string): ReturnType<typeof tryParseVersion> {
    let parsed = parsedVersions.get(value);
    if (parsed === undefined) {
        if (parsedVersions.size >= 1000) parsedVersions.clear();
        parsed = tryParseVersion(value);
        parsedVersions.set(value, parsed);
    }
    return parsed;
}
const parsedVersions = new Map<string, ReturnType<typeof tryParseVersion>>();

/**
 * The entry of the service table one of `names` belongs to (container name first, then family): an exact name
 * first, else the first service whose name the text contains.
 */
export function serviceFor(...names: (string | undefined)[]): ServiceSpec | undefined {
    for (const name of names) {
        if (name === undefined) continue;
        const text = name.toLowerCase();
        const found = services().find((s) => s.name === text) ?? services().find((s) => text.includes(s.name));
        if (found) return found;
    }
    return undefined;
}

/** The fix: the config command for drydock's own services, else a pin in the container definition. */
function fixFor(service: ServiceSpec | undefined, stack: string, container?: string): string {
    if (service === undefined) {
        const where = container === undefined ? "the image references" : `the image of container ${q(container)}`;
        return `Fix: pin ${where} to an immutable version (${IMMUTABLE_FORMS}).`;
    }
    return (
        `Fix: pin an immutable version (${IMMUTABLE_FORMS}): ` +
        `pulumi config set ${service.configPrefix}Version vX.Y.Z -s ${stack} ` +
        `(list versions with: npx drydock versions ${service.name} --stack ${stack}).`
    );
}

function addEvidence(list: Evidence[], value: string | undefined, source: string): void {
    if (value === undefined) return;
    const existing = list.find((e) => e.value === value);
    if (existing) existing.sources.push(source);
    else list.push({ value, sources: [source] });
}

/** Mutable evidence as `"latest" (APP_VERSION, image tag) is mutable (…)`, joined by "; ". */
function describeMutable(evidence: Evidence[]): string[] {
    const out: string[] = [];
    for (const e of evidence) {
        const why = mutabilityOf(e.value, `${q(e.value)} (${e.sources.join(", ")})`);
        if (why !== undefined) out.push(why);
    }
    return out;
}

/**
 * Judges one container. An application container (`app`) is also judged by the task definition's
 * requested version and may take its service from the family; a sidecar only by its own name.
 * Returns true once the requested version has been judged here.
 */
function checkContainer(
    container: Record<string, unknown>,
    index: number,
    family: string,
    app: boolean,
    requested: string | undefined,
    stack: string,
    report: ReportViolation,
    requireDigest = false,
): boolean {
    const name = nonEmpty(container["name"]) ?? `#${index + 1}`;
    const subject = `container ${q(name)} in task definition ${q(family)}`;
    const fix = fixFor(app ? serviceFor(name, family) : serviceFor(name), stack, name);
    const image = nonEmpty(container["image"]);
    if (image === undefined) {
        report(`${subject} has no image. ${fix}`);
        return false;
    }
    let ref: ImageRef;
    try {
        ref = parseImageReference(image);
    } catch (e) {
        if (!(e instanceof ImageRefError)) throw e;
        report(`${subject} runs ${q(image)}, which is not a valid image reference (${e.reason}). ${fix}`);
        return false;
    }
    const evidence: Evidence[] = [];
    addEvidence(evidence, ref.tag, "image tag");
    addEvidence(evidence, envValue(container, VERSION_ENV), VERSION_ENV);
    addEvidence(evidence, labelValue(container, VERSION_LABEL), `label ${VERSION_LABEL}`);
    if (app) addEvidence(evidence, requested, `task definition tag ${REQUESTED_VERSION_TAG}`);
    const mutable = describeMutable(evidence);

    if (ref.tag === undefined && ref.digest === undefined) {
        const more = mutable.length > 0 ? `; also ${mutable.join("; ")}` : "";
        report(
            `${subject} runs ${q(image)} with no tag or digest, so every deployment pulls whatever "latest" is at that moment${more}. ${fix}`,
        );
    } else if (mutable.length > 0 && ref.digest !== undefined) {
        report(
            `${subject} runs ${q(image)}, but that digest was resolved from a mutable version, so the next deployment ` +
                `can resolve to different bytes: ${mutable.join("; ")}. ${fix}`,
        );
    } else if (mutable.length > 0) {
        report(`${subject} runs ${q(image)}, which is not pinned: ${mutable.join("; ")}. ${fix}`);
    } else if (requireDigest && ref.digest === undefined) {
        report(
            `${subject} runs ${q(image)} by tag, not by digest: in production a tag that is pushed again changes what runs. ` +
                `Run images by digest: pulumi config set pinDigests true -s ${stack} (sidecars: pin repo@sha256:<digest>).`,
        );
    }
    return app;
}

/**
 * The check both image policies share: reports every container whose image, or the version it was
 * requested as, is mutable.
 */
export function checkImagesPinned(
    td: TaskDefinitionInputs,
    args: ResourceValidationArgs,
    report: ReportViolation,
    stack: string,
    requireDigest = false,
): void {
    const checks = new SubChecks();
    const family = displayName(() => td.family, args.name);
    const requested = checks.read(() => nonEmpty(asRecord(td.tags)?.[REQUESTED_VERSION_TAG]), undefined);
    const containers = checks.read(() => parseContainers(td.containerDefinitions, family, report), undefined);

    let requestedJudged = false;
    if (containers !== undefined) {
        // The requested version belongs to the application container(s): those carrying the version
        // themselves, or the only container. Sidecars keep their own tags.
        const carriesVersion = containers.map((c) =>
            checks.read(() => envValue(c, VERSION_ENV) !== undefined || labelValue(c, VERSION_LABEL) !== undefined, true),
        );
        const appContainers = carriesVersion.some(Boolean) ? carriesVersion : containers.map(() => containers.length === 1);
        for (let i = 0; i < containers.length; i++) {
            checks.run(() => {
                if (checkContainer(containers[i], i, family, appContainers[i], requested, stack, report, requireDigest))
                    requestedJudged = true;
            });
        }
    }
    if (!requestedJudged && requested !== undefined) {
        const why = mutabilityOf(requested, `${q(requested)} (tag ${REQUESTED_VERSION_TAG})`);
        if (why !== undefined) {
            report(
                `task definition ${q(family)} is not pinned: ${why}, ` +
                    `so the image it resolves to can change between deployments. ${fixFor(serviceFor(family), stack)}`,
            );
        }
    }
    checks.done();
}

const remediationSteps = [
    "1. Choose an immutable version: `npx drydock versions <service> --stack <stack>` lists them, newest first.",
    "2. Pin it: `pulumi config set <service>Version v1.2.3 -s <stack>` (e.g. backendVersion), or `npx drydock promote --from staging --to <stack>` to run exactly what staging runs.",
    "3. Accepted immutable forms: exact version v1.2.3, timestamp 20241213-152430, full tag v1.2.3-20241213-152430-a1b2c3d4, or sha256:<digest>.",
    "4. Containers not managed by drydock config (sidecars): pin their image reference in the container definition.",
].join("\n");

function imagesPolicy(production: boolean): ResourceValidationPolicy {
    return {
        name: production ? "production-images-pinned" : "non-production-images-pinned",
        description: production
            ? "Production ECS task definitions run immutable versions (exact version, timestamp, full tag or digest), by digest (pinDigests: true)."
            : "Non-production ECS task definitions should run immutable images (exact version, timestamp, full tag or digest).",
        enforcementLevel: production ? "mandatory" : "advisory",
        severity: production ? "high" : "low",
        configSchema: imagesPinnedConfigSchema,
        remediationSteps,
        validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (td: TaskDefinitionInputs, args, report) => {
            const where = stackInfo(args.urn, productionStacksOf(args.getConfig<Partial<ProductionConfig>>()), args.props);
            if (where.production !== production) {
                args.notApplicable(
                    production
                        ? `stack ${q(where.stack)} is not a production stack (non-production-images-pinned checks it)`
                        : `stack ${q(where.stack)} is a production stack (production-images-pinned checks it)`,
                );
            }
            // Production also runs images by digest (pinDigests: true): an immutable-looking tag can still be pushed again.
            checkImagesPinned(td, args, report, where.stack, production);
        }),
    };
}

/** Mandatory: production stacks run only immutable images. */
export const productionImagesPinned: ResourceValidationPolicy = imagesPolicy(true);

/** Advisory: the same check on every other stack (staging may track `latest` on purpose). */
export const nonProductionImagesPinned: ResourceValidationPolicy = imagesPolicy(false);
