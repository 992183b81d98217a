/** Pure release logic (no Pulumi or AWS imports): versions, image references, release windows and state, Aurora windows, rollout, snapshots, stacks. */
export * from "./version";
export * from "./versionOrder";
export * from "./imageRef";
export * from "./windows";
export * from "./auroraWindows";
export * from "./state";
export * from "./rollout";
export * from "./snapshots";
export * from "./stacks";
