/**
 * What a stack runs now for one service: the ECS service's primary deployment → task definition →
 * the service container's image and version.
 */
import { ServiceName } from "../config";
import { ecsClusterName, ecsServiceName } from "../release/names";
import { ClusterNotFound, describeServices, describeTaskDefinition, ServiceState, TaskDefinitionInfo } from "../aws/ecs";
import { CliDeps } from "./deps";
import { serviceOf, StackContext } from "./stackContext";

export interface Deployed {
    state?: ServiceState;
    image?: TaskDefinitionInfo;
    /** Why nothing is deployed, when nothing is. */
    note?: string;
}

/** The task definition a service runs: its primary deployment's, else the service's. */
export function currentTaskDefinition(state: ServiceState): string | undefined {
    return state.primary?.taskDefinition || state.taskDefinition;
}

/**
 * What the stack runs for `service`. A missing cluster or service is not an error here
 * (`note` says so); other AWS failures are.
 */
export async function findDeployed(deps: CliDeps, sc: StackContext, service: ServiceName): Promise<Deployed> {
    const ecs = deps.ecs(sc.region);
    let state: ServiceState | undefined;
    try {
        state = (await describeServices(ecs, sc.stack, [service])).get(service);
    } catch (e) {
        if (e instanceof ClusterNotFound)
            return { note: `Stack ${sc.stack} is not deployed (no ECS cluster ${ecsClusterName(sc.stack)}).` };
        throw e;
    }
    const td = state && currentTaskDefinition(state);
    if (!state?.found || !td) {
        return { ...(state ? { state } : {}), note: `${ecsServiceName(service)} is not deployed in ${ecsClusterName(sc.stack)}.` };
    }
    const image = await describeTaskDefinition(ecs, td, service, serviceOf(sc, service).repository.uri);
    return { state, image };
}
