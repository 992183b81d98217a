/** The mock cloud's types and constants (mockCloud.ts re-exports them). */
/** The AWS account id every mocked ARN uses. */
export const MOCK_ACCOUNT_ID = "123456789012";
/** The region used when the stack config has no `aws:region`. */
export const MOCK_DEFAULT_REGION = "us-east-1";

export type HookKind = "beforeCreate" | "afterCreate" | "beforeUpdate" | "afterUpdate" | "beforeDelete" | "afterDelete";

export interface RecordedResource {
    /** Pulumi type token, e.g. `aws:ecs/service:Service`. */
    type: string;
    /** Logical name. */
    name: string;
    urn: string;
    /** The physical id the mock assigned, once registered (e.g. `sg-…` for a security group). */
    id?: string;
    /** Inputs as the engine received them (secrets unwrapped; unknowns during preview are `undefined`). */
    inputs: Record<string, unknown>;
    /** Names of the resource hooks bound to the resource, per kind. */
    hooks: Partial<Record<HookKind, string[]>>;
    protect: boolean;
    /** URN of the parent resource, if any. */
    parent?: string;
    /** The `ignoreChanges` resource option, when set. */
    ignoreChanges?: string[];
    /** URNs of the resources this one depends on (explicit `dependsOn` and input dependencies). */
    dependencies?: string[];
    /** The `aliases` resource option as full URNs (a spec alias is resolved against the resource's parent). */
    aliases?: string[];
}

export interface MockCloudOptions {
    /** Pulumi project name. @default "drydock" */
    project?: string;
    /** Pulumi stack name, e.g. "staging". */
    stack: string;
    /**
     * Stack configuration with full keys (`drydock:backendVersion`, `aws:region`) and values as Pulumi stores them
     * (strings; lists/objects as JSON text). `aws:region` defaults to {@link MOCK_DEFAULT_REGION}.
     */
    config?: Record<string, string>;
    /** Run as a preview (`pulumi.runtime.isDryRun()` is true). @default false */
    preview?: boolean;
    /**
     * The digest ECR reports for `repositoryName:tag`.
     * @default a deterministic `sha256:<hex>` derived from repository and tag
     */
    imageDigest?: (repositoryName: string, tag: string) => string;
}

export interface MockCloud {
    /** Every resource registered so far, in registration order. */
    resources: RecordedResource[];
    /** Every provider function call (invoke) so far. */
    calls: { token: string; args: Record<string, unknown> }[];
    /** Messages of `pulumi.log.warn` while this mock cloud is installed (recorded instead of printed). */
    warnings: string[];
    /** Messages of `pulumi.log.error` while this mock cloud is installed; `settle()` rejects when there are any. */
    logErrors: string[];
    /** The recorded resources of one type token. */
    byType(type: string): RecordedResource[];
    /**
     * Resolves once every registered resource (and every invoke, hook and output registration) has completed.
     * Rejects listing every failed engine call (registration or provider function) and every `pulumi.log.error`.
     */
    settle(): Promise<void>;
}
