/**
 * How drydock configures AWS SDK v3 clients, in the hooks and in the `drydock` command alike: only the
 * region (the stack's `aws:region`) and a retry budget for throttling are set, so the SDK's standard
 * settings apply (AWS_PROFILE, the credential chain, AWS_ENDPOINT_URL). No Pulumi import.
 */

/** SDK attempts per AWS call (throttling and transient errors are retried); AWS_MAX_ATTEMPTS wins when set. */
export const AWS_MAX_ATTEMPTS = 6;

/** The constructor options of every AWS client drydock makes. */
export function awsClientConfig(region?: string): { region?: string; maxAttempts?: number } {
    return {
        ...(region ? { region } : {}),
        ...(process.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: AWS_MAX_ATTEMPTS }),
    };
}
