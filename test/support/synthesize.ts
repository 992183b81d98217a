/** Runs the real program under the mock cloud with a committed stack file plus overrides, and settles. */
import * as path from "node:path";
import { loadStack } from "../../cli/stackFile";
import { parseSettings, RawConfig, Settings } from "../../config";
import { engineConfig } from "../../offline/check";
import { MockCloud, startMockCloud } from "../../offline/mockCloud";
import { createDrydock, DrydockOutputs } from "../../program";

const ROOT = path.join(__dirname, "..", "..");

/** The raw values of `Pulumi.<stack>.yaml` in the repository, as Pulumi stores them. */
export function stackValues(stack: string): RawConfig {
    return loadStack(ROOT, stack).values();
}

export async function synthesize(
    stack: string,
    overrides: RawConfig = {},
): Promise<{ cloud: MockCloud; outputs: DrydockOutputs; settings: Settings }> {
    const values = { ...stackValues(stack), ...overrides };
    const settings = parseSettings(values, stack);
    const cloud = startMockCloud({ stack, config: engineConfig(values) });
    const outputs = createDrydock(settings);
    await cloud.settle();
    return { cloud, outputs, settings };
}
