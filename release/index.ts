/** Pure release logic (no Pulumi or AWS imports): versions, image references, windows, rollout, snapshots, stacks. */
export * from "./version";
export * from "./imageRef";
export * from "./windows";
export * from "./rollout";
export * from "./snapshots";
export * from "./stacks";
