/**
 * Per-service deployment strategy keys (`<prefix>DeploymentStrategy`, `<prefix>BakeMinutes`, …; declared by
 * release/strategy.ts `strategyKeySpecs`, bounds from AWS) into {@link DeploymentSettings}.
 */
import { DeploymentSettings, DEPLOYMENT_STRATEGIES, ROLLING, strategyKey, TEST_TRAFFIC_HEADER } from "../release/strategy";
import { services, ServiceSpec } from "../services";
import type { Reader } from "./reader";

/** An ALB rule holds at most 5 condition values; the test rule adds its header value to the path patterns. */
const ALB_RULE_VALUES = 5;

/** The strategy settings of a service with a route; a service without one (a worker) deploys rolling. */
export function readDeployment(r: Reader, spec: ServiceSpec, pathPatterns: string[] | undefined): DeploymentSettings {
    if (!spec.route) return ROLLING;
    const key = (s: Parameters<typeof strategyKey>[1]) => strategyKey(spec.configPrefix, s);
    const d: DeploymentSettings = {
        strategy: r.oneOf<DeploymentSettings["strategy"]>(key("DeploymentStrategy")),
        bakeMinutes: r.integer(key("BakeMinutes")),
        canaryPercent: r.number(key("CanaryPercent")),
        canaryBakeMinutes: r.integer(key("CanaryBakeMinutes")),
        linearStepPercent: r.number(key("LinearStepPercent")),
        linearStepBakeMinutes: r.integer(key("LinearStepBakeMinutes")),
        waitForBake: r.boolean(key("WaitForBake")),
        approvalRequired: r.boolean(key("ApprovalRequired")),
        approvalTimeoutMinutes: r.integer(key("ApprovalTimeoutMinutes")),
    };
    if (!(DEPLOYMENT_STRATEGIES as readonly string[]).includes(d.strategy)) return ROLLING;
    if (d.strategy !== "rolling" && pathPatterns && pathPatterns.length + 1 > ALB_RULE_VALUES) {
        r.problem(
            key("DeploymentStrategy"),
            d.strategy,
            `the test listener rule matches the ${pathPatterns.length} path patterns plus the ${TEST_TRAFFIC_HEADER} header, more than an ALB rule's ${ALB_RULE_VALUES} values; ` +
                `use at most ${ALB_RULE_VALUES - 1} path patterns with a ${d.strategy} strategy`,
        );
    }
    const testPriority = spec.route.priority - 1;
    const taken = services().find((o) => o !== spec && o.route?.priority === testPriority);
    if (d.strategy !== "rolling" && (testPriority < 1 || taken)) {
        r.problem(
            key("DeploymentStrategy"),
            d.strategy,
            `the test listener rule needs priority ${testPriority} (one before ${spec.name}'s ${spec.route.priority}), ${taken ? `which ${taken.name}'s route has` : "below ALB's 1-50000"}; give ${spec.name}'s route another priority in the service table`,
        );
    }
    if (d.approvalRequired && d.strategy === "rolling") {
        r.problem(
            key("ApprovalRequired"),
            "true",
            `an approval pauses a blue-green, canary or linear deployment; set ${key("DeploymentStrategy")} to one of them, or ${key("ApprovalRequired")} to false`,
        );
    }
    return d;
}
