/** drydock's infrastructure components, one per tier. */
export * from "../release/names";
export { Network } from "./network";
export type { NetworkArgs, ExistingNetworkArgs, NatGatewayStrategy } from "./network";
export { LoadBalancer } from "./loadBalancer";
export type { LoadBalancerArgs, LoadBalancerAttachment } from "./loadBalancer";
export { ServiceCluster } from "./cluster";
export type { ServiceClusterArgs } from "./cluster";
export { AppService } from "./appService";
export type {
    AppServiceArgs,
    HealthCheckArgs,
    SecretInput,
    DatabaseVariableNames,
    ServiceRouteArgs,
    TaskRoleStatementArgs,
} from "./appServiceArgs";
export { ServiceRoute } from "./serviceRoute";
export type { DeploymentAlarmArgs } from "./serviceOps";
export { ECS_EXEC_ACTIONS } from "./serviceIam";
export { SECRET_LIKE_NAME } from "./taskContainer";
export { Database } from "./database";
export type { DatabaseArgs, DatabaseAttachment, ServerlessCapacity } from "./database";
