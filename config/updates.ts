/**
 * Automatic-update keys: the update channel, the minimum release age, the soak stack, pre-releases and
 * whether the scheduled controller applies or only proposes (see docs/automatic-updates.md).
 *
 * Per-environment defaults (the environment is `drydock:environment`, else the stack name's):
 * `minimumReleaseAge` is 0 outside production and 24h in production, so a version has had a day to show
 * problems (in staging, or anywhere it was pushed) before production follows it on its own;
 * `autoApply` is true in staging and false elsewhere, so production's (and development's) updates come
 * as a pull request a person reviews unless the stack says otherwise.
 */
import { DURATION_FORMS, tryParseDuration } from "../release/duration";
import type { UpdateChannel } from "../release/channels";
import type { Environment } from "../release/stacks";
import type { Reader } from "./reader";
import type { UpdateSettings } from "./types";

/** `minimumReleaseAge` when the stack file leaves it empty. */
export const DEFAULT_MINIMUM_RELEASE_AGE = { production: "24h", other: "0" } as const;

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** `environment` is the stack's, as config.ts decided it (one decision for every key). */
export function readUpdates(r: Reader, stack: string, environment: Environment): UpdateSettings {
    const production = environment === "production";
    const channel = r.oneOf<UpdateChannel>("updateChannel");
    const ageText =
        r.optional("minimumReleaseAge") ?? (production ? DEFAULT_MINIMUM_RELEASE_AGE.production : DEFAULT_MINIMUM_RELEASE_AGE.other);
    const age = tryParseDuration(ageText);
    if (age.ok === false) r.problem("minimumReleaseAge", ageText, `${age.reason}; accepted: ${DURATION_FORMS}`);
    const soakIn = r.optional("soakIn");
    if (soakIn !== undefined && (!STACK_NAME.test(soakIn) || soakIn === stack.split("/").pop())) {
        r.problem("soakIn", soakIn, "not another stack of this project; accepted: a stack name such as staging, or empty");
    }
    const autoText = r.oneOf<"" | "true" | "false">("autoApply");
    return {
        channel,
        minimumReleaseAge: ageText,
        minimumReleaseAgeMs: age.ok ? age.ms : 0,
        ...(soakIn !== undefined ? { soakIn } : {}),
        allowPrereleases: r.boolean("allowPrereleases"),
        autoApply: autoText === "" ? environment === "staging" : autoText === "true",
    };
}
