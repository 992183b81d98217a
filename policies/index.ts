/**
 * The drydock CrossGuard policy pack: `pulumi preview --policy-pack policies`.
 *
 * Constructing a PolicyPack starts the analyzer's gRPC server, so nothing imports this file: tests
 * and `drydock check` use `policies.ts` and `evaluate.ts`.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, { policies });
