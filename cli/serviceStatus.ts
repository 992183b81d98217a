/**
 * The services part of `drydock status`: per service what runs (by version tag), task counts, the
 * rollout, target health, drift against the stack file, and its problems (one line each).
 */
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { serviceNames } from "../services";
import { ecsClusterName, serviceLogGroupName, shortTaskDefinition } from "../release/names";
import { ClusterNotFound, describeServices, describeTaskDefinition, ServiceState, TaskDefinitionInfo } from "../aws/ecs";
import { rolledBack, serviceProblems } from "../aws/serviceHealth";
import { currentTaskDefinition } from "./deployed";
import { CliDeps } from "./deps";
import { Drift, driftOf } from "./drift";
import { aws } from "./errors";
import { requireAnswer } from "../aws/errors";
import { renderTable, shortDigest } from "./output";
import { serviceOf, StackContext } from "./stackContext";

export interface TargetCounts {
    healthy: number;
    /** unhealthy or unavailable */
    unhealthy: number;
    /** initial, draining, unused: shown in the table only. */
    other: number;
}

/** One service row of `status --json`. */
export interface ServiceStatus {
    name: string;
    /** What the task definition says it runs (drydock's requested version, else the image's tag or digest). */
    version: string | null;
    image: string | null;
    /** The digest the tasks run, when known. */
    digest: string | null;
    /** The immutable version tag that digest carries in ECR, or null when it has none. */
    runningVersion: string | null;
    /** The running digest differs from what the stack file's version resolves to in ECR; null when that cannot be told. */
    drift: boolean | null;
    /** Why drift is null, or what drifted; null when there is nothing to say. */
    driftNote: string | null;
    desired: number;
    running: number;
    pending: number;
    rolloutState: string | null;
    /** ECS rolled a deployment of this service back (a FAILED deployment is still listed, or a rollback event of the last hour). */
    rolledBack: boolean;
    targets: { healthy: number; unhealthy: number };
    /** One line per problem (fewer running than desired, pending or failed tasks, a rollback); empty when healthy. */
    problems: string[];
}

export interface ServiceDetail {
    json: ServiceStatus;
    state: ServiceState;
    td?: TaskDefinitionInfo;
    targets: TargetCounts;
    /** Why drift is unknown, or what drifted. */
    driftNote?: string;
}

const NO_TARGETS: TargetCounts = { healthy: 0, unhealthy: 0, other: 0 };

async function targetHealth(elbv2: ElasticLoadBalancingV2Client, arns: string[]): Promise<TargetCounts> {
    const counts: TargetCounts = { ...NO_TARGETS };
    for (const arn of arns) {
        // An empty or cut-off response is not "no targets": requireAnswer makes it an error (asked again first).
        const descriptions = await aws(`ELBv2 DescribeTargetHealth ${arn.split("/").slice(-2, -1)[0] ?? arn}`, async () =>
            requireAnswer(await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })), "TargetHealthDescriptions"),
        );
        for (const t of descriptions) {
            const state = t.TargetHealth?.State;
            if (state === "healthy") counts.healthy++;
            else if (state === "unhealthy" || state === "unavailable") counts.unhealthy++;
            else counts.other++;
        }
    }
    return counts;
}

function detail(state: ServiceState, now: Date, td?: TaskDefinitionInfo, targets = NO_TARGETS, drift?: Drift): ServiceDetail {
    return {
        state,
        ...(td ? { td } : {}),
        targets,
        ...(drift?.note ? { driftNote: drift.note } : {}),
        json: {
            name: state.name,
            version: td?.version ?? null,
            image: td?.image ?? null,
            digest: drift?.runningDigest ?? td?.ref.digest ?? null,
            runningVersion: drift?.runningVersion ?? null,
            drift: drift ? drift.drift : false,
            driftNote: drift?.note ?? null,
            desired: state.desired,
            running: state.running,
            pending: state.pending,
            rolloutState: state.primary?.rolloutState ?? null,
            rolledBack: rolledBack(state, now),
            targets: { healthy: targets.healthy, unhealthy: targets.unhealthy },
            problems: serviceProblems(state, now),
        },
    };
}

/** Every service of the stack; `deployed` is false when its ECS cluster does not exist. */
export async function serviceDetails(deps: CliDeps, sc: StackContext): Promise<{ services: ServiceDetail[]; deployed: boolean }> {
    const ecs = deps.ecs(sc.region);
    const now = deps.now();
    let states: Map<string, ServiceState>;
    try {
        states = await describeServices(ecs, sc.stack, serviceNames());
    } catch (e) {
        if (!(e instanceof ClusterNotFound)) throw e;
        const missing = (name: string): ServiceState => ({
            name,
            found: false,
            desired: 0,
            running: 0,
            pending: 0,
            failed: [],
            targetGroupArns: [],
        });
        return { services: serviceNames().map((name) => detail(missing(name), now)), deployed: false };
    }
    const services = await Promise.all(
        serviceNames().map(async (name) => {
            const state = states.get(name) as ServiceState;
            const tdArn = currentTaskDefinition(state);
            if (!state.found || !tdArn) return detail(state, now);
            const [td, targets] = await Promise.all([
                describeTaskDefinition(ecs, tdArn, name, serviceOf(sc, name).repository.uri),
                targetHealth(deps.elbv2(sc.region), state.targetGroupArns),
            ]);
            return detail(state, now, td, targets, await driftOf(deps, sc, name, td));
        }),
    );
    return { services, deployed: true };
}

/** `123….amazonaws.com/drydock/backend@sha256:…` → `drydock/backend@sha256:0123456789ab`. */
function shortImage(image: string | null): string {
    if (!image) return "-";
    const path = image.includes("/") ? image.slice(image.indexOf("/") + 1) : image;
    const at = path.indexOf("@");
    return at >= 0 ? `${path.slice(0, at)}@${shortDigest(path.slice(at + 1))}` : path;
}

/** What to call what runs in the table: the version tag, never a 71-character digest. */
function versionCell(s: ServiceDetail): string {
    const v = s.json.version;
    if (v && !v.startsWith("sha256:")) return v;
    return s.json.runningVersion ?? (v ? shortDigest(v) : "-");
}

/** The services table of `drydock status`. */
export function servicesTable(services: ServiceDetail[]): string {
    return renderTable(
        ["service", "version", "image", "running/desired", "pending", "rollout", "targets", "health"],
        services.map((s) => [
            s.json.name,
            versionCell(s),
            s.state.found ? shortImage(s.json.image) : "not deployed",
            `${s.json.running}/${s.json.desired}`,
            s.json.pending,
            s.json.rolloutState ?? "-",
            s.state.found
                ? `${s.targets.healthy} healthy, ${s.targets.unhealthy} unhealthy${s.targets.other ? `, ${s.targets.other} other` : ""}`
                : "-",
            !s.state.found
                ? "-"
                : s.json.problems.length
                  ? `${s.json.problems.length} problem${s.json.problems.length === 1 ? "" : "s"}`
                  : s.json.drift
                    ? "drift"
                    : "ok",
        ]),
    );
}

/** The lines under the table: problems, the rolled-back deployment and where to look, drift. */
export function serviceNotes(sc: StackContext, services: ServiceDetail[], deployed: boolean): string[] {
    const notes: string[] = [];
    if (!deployed) notes.push(`Stack ${sc.stack} is not deployed: no ECS cluster ${ecsClusterName(sc.stack)}.`);
    for (const s of services) {
        const name = s.json.name;
        for (const p of s.json.problems) notes.push(`${name}: ${p}`);
        if (s.state.primary?.rolloutStateReason && s.state.primary.rolloutState === "IN_PROGRESS") {
            notes.push(`${name}: rollout IN_PROGRESS: ${s.state.primary.rolloutStateReason}`);
        }
        if (s.state.failed.length > 0) {
            notes.push(
                `${name}: ROLLED BACK — ECS now runs ${s.td ? `${shortTaskDefinition(s.td.arn)} (${versionCell(s)})` : "the previous task definition"}. ` +
                    `Check: aws logs tail ${serviceLogGroupName(s.state.name, sc.stack)}`,
            );
        }
        if (s.driftNote)
            notes.push(`${name}: ${s.driftNote}${s.json.drift ? ` (run pulumi up -s ${sc.stack}, or see npx drydock rollback)` : ""}`);
    }
    return notes;
}
