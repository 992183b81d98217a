/**
 * `drydock versions <backend|frontend> --stack S [--limit N] [--json]`: every tag in the service's
 * ECR repository, newest first in the release ordering, and which one the stack runs now.
 */
import { Argument, Command, Option } from "commander";
import { ServiceName } from "../../config";
import { serviceNames } from "../../services";
import { ImageVersion, VersionKind } from "../../release/version";
import { sortNewestFirst } from "../../release/versionOrder";
import { findDeployed } from "../deployed";
import { listImages, RepoImage, versionOf } from "../../aws/ecr";
import { CliDeps } from "../deps";
import { describeError } from "../errors";
import { soakedIn, SoakedIn } from "../updates";
import { createCtx, isoUtc, renderTable, shortDigest, utcMinute, yesNo } from "../output";
import { commandAction, jsonOption, positiveInteger, stackOption } from "../program";
import { ecrFor, imageKey, openStack, serviceOf, STACK_NAME_KEY } from "../stackContext";

/** One row of `drydock versions --json`. */
export interface VersionRow {
    /** null for an untagged image (listed by digest). */
    tag: string | null;
    digest: string;
    /** ISO-8601 UTC. */
    pushedAt: string | null;
    kind: VersionKind;
    immutable: boolean;
    /** The stack runs this image now (matched by digest). */
    deployed: boolean;
}

/** With `soakIn`: the rows the soak stack runs healthy now get `ranIn` ("ran in staging since …"). */
export function withSoak(
    rows: VersionRow[],
    soak: Map<string, SoakedIn> | undefined,
): (VersionRow & { ranIn?: { stack: string; since: string | null } })[] {
    if (!soak) return rows;
    return rows.map((r) => {
        const s = soak.get(r.digest);
        return s ? { ...r, ranIn: { stack: s.stack, since: isoUtc(s.since) } } : r;
    });
}

/** One row per tag (an image with several tags gives several rows sharing a digest; untagged images by digest), newest first. */
export function versionRows(images: RepoImage[], deployedDigest: string | undefined): VersionRow[] {
    const rows: { row: VersionRow; version: ImageVersion }[] = [];
    // Push time first (newest first) so that versions the release ordering ranks equal keep that order.
    const byPush = [...images].sort((a, b) => (b.pushedAt?.getTime() ?? 0) - (a.pushedAt?.getTime() ?? 0));
    for (const image of byPush) {
        const common = { digest: image.digest, pushedAt: isoUtc(image.pushedAt), deployed: image.digest === deployedDigest };
        if (image.tags.length === 0) {
            rows.push({ row: { tag: null, ...common, kind: "digest", immutable: true }, version: versionOf(image.digest) });
            continue;
        }
        for (const tag of image.tags) {
            const version = versionOf(tag);
            rows.push({ row: { tag, ...common, kind: version.kind, immutable: version.immutable }, version });
        }
    }
    return sortNewestFirst(rows, (r) => r.version).map((r) => r.row);
}

export function registerVersions(program: Command, deps: CliDeps): void {
    program
        .command("versions")
        .description("list every version in a service's ECR repository, newest first, and mark the one the stack runs")
        .addArgument(new Argument("<service>", serviceNames().join(" or ")).choices(serviceNames()))
        .addOption(stackOption())
        .addOption(new Option("--limit <n>", "show only the newest N rows").argParser(positiveInteger))
        .addOption(jsonOption())
        .action(
            commandAction(async (service: ServiceName, opts: { stack: string; limit?: number; json?: boolean }) => {
                const ctx = createCtx(deps, !!opts.json);
                // Reads the service's repository; a bad key elsewhere (even its version) is only a warning here.
                const sc = openStack(deps, opts.stack, { needs: [STACK_NAME_KEY, imageKey(service)] });
                const svc = serviceOf(sc, service);
                const [images, deployed] = await ctx.step(`Reading ${svc.repository.uri}`, () =>
                    Promise.all([listImages(ecrFor(deps, sc, svc), svc.repository), findDeployed(deps, sc, service)]),
                );
                const deployedDigest =
                    deployed.image?.ref.digest ??
                    images.find((i) => deployed.image?.ref.tag && i.tags.includes(deployed.image.ref.tag))?.digest;
                // With soakIn: which version runs healthy in the soak stack, and since when (issue 14).
                const soak = await soakedIn(deps, sc, service, (e) =>
                    ctx.warn(`drydock: warning: ${describeError(e).line.replace(/^drydock: /, "")} (shown without soak times)`),
                );
                const all = withSoak(versionRows(images, deployedDigest), soak);
                const rows = opts.limit ? all.slice(0, opts.limit) : all;
                if (ctx.json) {
                    ctx.printJson({ service, repository: svc.repository.uri, versions: rows });
                    return 0;
                }
                if (all.length === 0) {
                    ctx.print(
                        `No images in ${svc.repository.uri}: nothing to deploy yet. Push an image (docker push ${svc.repository.uri}:<tag>) and run this again.`,
                    );
                    return 0;
                }
                ctx.print(
                    renderTable(
                        ["tag", "digest", "pushed", "kind", "immutable", "deployed", ...(soak ? [`in ${sc.settings.updates.soakIn}`] : [])],
                        rows.map((r) => [
                            ...[
                                r.tag ?? "<untagged>",
                                shortDigest(r.digest),
                                utcMinute(r.pushedAt ? new Date(r.pushedAt) : undefined),
                                r.kind,
                                yesNo(r.immutable),
                                r.deployed ? `* ${sc.stack}` : "",
                            ],
                            ...(soak ? [r.ranIn?.since ? `since ${utcMinute(new Date(r.ranIn.since))}` : ""] : []),
                        ]),
                    ),
                );
                const shown = rows.length < all.length ? `${rows.length} of ${all.length} rows` : `${all.length} rows`;
                ctx.print(`\n${svc.repository.uri}: ${shown}, ${images.length} images. ${deployed.note ?? ""}`.trimEnd());
                return 0;
            }),
        );
}
