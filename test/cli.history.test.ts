import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { DescribeDBClusterSnapshotsCommand } from "@aws-sdk/client-rds";
import { expect } from "chai";
import { createPulumiAutomation, SelectStack, StackUpdate } from "../cli/automation";
import { historyRows, triggeredBy } from "../cli/commands/history";
import {
    awsError,
    BACKEND_REPO,
    cleanup,
    digest,
    drydock,
    FakeAutomation,
    mocks,
    resetMocks,
    stackDir,
    taskDefinition,
    tdArn,
} from "./fixtures/cli/harness";

const A = digest("a");
const B = digest("b");

function update(
    version: number,
    start: string,
    minutes: number,
    config: Record<string, string>,
    extra: Partial<StackUpdate> = {},
): StackUpdate {
    const startTime = new Date(start);
    return {
        version,
        kind: "update",
        result: "succeeded",
        startTime,
        endTime: new Date(startTime.getTime() + minutes * 60_000),
        message: "",
        environment: {},
        config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`drydock:${k}`, v])),
        resourceChanges: { update: 1 },
        ...extra,
    };
}

/** Two updates of production: v1.2.3 by a person, then v1.3.0 by the controller (with a snapshot). */
const UPDATES = [
    update(
        8,
        "2026-11-23T08:00:00Z",
        20,
        { backendVersion: "v1.3.0", frontendVersion: "v1.3.0" },
        {
            message: "drydock sync production: backend v1.2.3 -> v1.3.0 (channel minor)",
            environment: { "ci.system": "GitHub", "ci.build.type": "schedule", "exec.kind": "auto.local" },
        },
    ),
    update(
        7,
        "2026-11-20T08:00:00Z",
        20,
        { backendVersion: "v1.2.3", frontendVersion: "v1.3.0" },
        { environment: { "git.author": "jane", "exec.kind": "cli" } },
    ),
    update(6, "2026-11-19T08:00:00Z", 1, { backendVersion: "v1.2.3", frontendVersion: "v1.3.0" }, { kind: "refresh" }),
];

function mockAws(): void {
    mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({
        DBClusterSnapshots: [
            {
                DBClusterSnapshotIdentifier: "drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080100",
                DBClusterIdentifier: "drydock-production",
                Status: "available",
                SnapshotCreateTime: new Date("2026-11-23T08:01:00Z"),
                TagList: [
                    { Key: "drydock:managed-by", Value: "drydock" },
                    { Key: "drydock:stack", Value: "production" },
                    { Key: "drydock:from-version", Value: "v1.2.3" },
                    { Key: "drydock:to-version", Value: "v1.3.0" },
                ],
            },
        ],
    });
    mocks.ecs
        .on(ListTaskDefinitionsCommand, { familyPrefix: "drydock-production-backend", status: "ACTIVE" })
        .resolves({ taskDefinitionArns: [tdArn("production", "backend", 23)] });
    mocks.ecs
        .on(ListTaskDefinitionsCommand, { familyPrefix: "drydock-production-backend", status: "INACTIVE" })
        .resolves({ taskDefinitionArns: [tdArn("production", "backend", 20)] });
    mocks.ecs.on(ListTaskDefinitionsCommand, { familyPrefix: "drydock-production-frontend" }).resolves({ taskDefinitionArns: [] });
    // The harness registers revision N on 2026-11-N 00:00 UTC; these two fall inside updates 8 and 7.
    const td = (revision: number, d: string, registeredAt: string) => {
        const out = taskDefinition("production", "backend", revision, `${BACKEND_REPO}@${d}`, "v");
        out.taskDefinition!.registeredAt = new Date(registeredAt);
        return out;
    };
    mocks.ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "backend", 23) })
        .resolves(td(23, B, "2026-11-23T08:05:00Z"));
    mocks.ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn("production", "backend", 20) })
        .resolves(td(20, A, "2026-11-20T08:05:00Z"));
}

describe("drydock history", () => {
    let dir: string;
    beforeEach(() => {
        resetMocks();
        dir = stackDir();
    });
    afterEach(() => cleanup(dir));

    it("joins Pulumi's updates with the snapshot taken and the images deployed, newest first", async () => {
        mockAws();
        const automation = new FakeAutomation();
        automation.historyResult = UPDATES;
        const r = await drydock(dir, ["history", "--stack", "production", "--json"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        const doc = JSON.parse(r.stdout);
        expect(automation.calls).to.deep.equal([`history production ${dir} 20`]);
        expect(doc.updates.map((u: { version: number }) => u.version)).to.deep.equal([8, 7]); // the refresh is left out
        const [newest, older] = doc.updates;
        expect(newest).to.deep.include({
            result: "succeeded",
            triggeredBy: "GitHub schedule (drydock --apply)",
            message: "drydock sync production: backend v1.2.3 -> v1.3.0 (channel minor)",
            verification: "passed",
            startTime: "2026-11-23T08:00:00Z",
        });
        expect(newest.changes).to.deep.equal([{ key: "backendVersion", from: "v1.2.3", to: "v1.3.0" }]);
        expect(newest.images).to.deep.equal([
            { service: "backend", digest: B, image: `${BACKEND_REPO}@${B}`, registeredAt: "2026-11-23T08:05:00Z" },
        ]);
        expect(newest.snapshot).to.deep.include({
            identifier: "drydock-production-backend-v1-2-3-to-v1-3-0-20261123-080100",
            fromVersion: "v1.2.3",
            toVersion: "v1.3.0",
        });
        expect(older).to.deep.include({ triggeredBy: "local by jane (pulumi up)", snapshot: null });
        expect(older.images[0].digest).to.equal(A);
    });

    it("prints a table for people", async () => {
        mockAws();
        const automation = new FakeAutomation();
        automation.historyResult = UPDATES;
        const r = await drydock(dir, ["history", "--stack", "production"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/^#\s+STARTED\s+RESULT\s+CHANGED\s+TRIGGERED BY\s+SNAPSHOT\s+VERIFICATION/);
        expect(r.stdout).to.include("backend v1.2.3 -> v1.3.0; images backend=sha256:bbbbbbbbbbbb");
    });

    it("goes on without snapshots when RDS refuses, warning once", async () => {
        mockAws();
        mocks.rds.on(DescribeDBClusterSnapshotsCommand).rejects(awsError("AccessDenied", "not allowed"));
        const automation = new FakeAutomation();
        automation.historyResult = UPDATES;
        const r = await drydock(dir, ["history", "--stack", "production", "--json"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.match(/^drydock: warning: .*\(history shown without snapshots\)\n$/);
        expect(JSON.parse(r.stdout).updates[0].snapshot).to.equal(null);
    });

    it("fails in one line when Pulumi cannot read the history", async () => {
        const automation = new FakeAutomation();
        automation.history = async () => {
            throw new Error("code: 255\n stderr: error: no stack named 'production' found\n");
        };
        const r = await drydock(dir, ["history", "--stack", "production"], { automation });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            "drydock: pulumi stack history -s production: failed: no stack named 'production' found (log in to the stack's Pulumi backend (pulumi login) and check that the stack exists)\n",
        );
    });

    it("reads the history of the project's directory when run from a subdirectory", async () => {
        mockAws();
        writeFileSync(join(dir, "Pulumi.yaml"), "name: drydock\nruntime: nodejs\n"); // the project's root
        mkdirSync(join(dir, "src", "deep"), { recursive: true });
        const automation = new FakeAutomation();
        automation.historyResult = UPDATES;
        const r = await drydock(join(dir, "src", "deep"), ["history", "--stack", "production", "--json"], { automation });
        expect(r.code, r.stderr).to.equal(0);
        expect(automation.calls).to.deep.equal([`history production ${dir} 20`]);
        expect(JSON.parse(r.stdout).updates).to.have.lengthOf(2);
    });

    it("shows the first non-empty line of a Pulumi failure without an error: line (as --apply does)", async () => {
        const automation = new FakeAutomation();
        automation.history = async () => {
            throw new Error("\n  the Pulumi backend s3://state is unreachable\n");
        };
        const r = await drydock(dir, ["history", "--stack", "production"], { automation });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
            /^drydock: pulumi stack history -s production: failed: the Pulumi backend s3:\/\/state is unreachable \(log in/,
        );
    });

    it("says so when the Pulumi CLI is missing, instead of the Automation API's exit code", async () => {
        const automation = new FakeAutomation();
        automation.history = async () => {
            throw new Error("CommandError: code: -2\n stdout: \n stderr: \n err?: Error: spawn pulumi ENOENT\n");
        };
        automation.pulumiVersion = { found: false, why: "the Pulumi CLI (pulumi) is not on PATH" };
        const r = await drydock(dir, ["history", "--stack", "production"], { automation });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(
            "drydock: history: the Pulumi CLI (pulumi) is not on PATH: drydock history reads Pulumi's update history through it (install it: https://www.pulumi.com/docs/install/)\n",
        );
    });

    it("a failed update is update-failed; an update that changed nothing needs no verification", () => {
        const rows = historyRows(
            [
                update(3, "2026-11-23T08:00:00Z", 5, { backendVersion: "v2" }, { result: "failed" }),
                update(2, "2026-11-22T08:00:00Z", 5, { backendVersion: "v1" }),
                update(1, "2026-11-21T08:00:00Z", 5, { backendVersion: "v1" }),
            ],
            [],
            [],
        );
        expect(rows.map((r) => r.verification)).to.deep.equal(["update-failed", "not-run", "passed"]);
        expect(rows[2].changes).to.deep.equal([{ key: "backendVersion", from: null, to: "v1" }]);
    });

    it("names who and what ran an update from what Pulumi recorded", () => {
        expect(triggeredBy({})).to.equal("local");
        expect(triggeredBy({ "ci.system": "GitHub", "ci.build.type": "push", "git.author": "jane", "exec.kind": "cli" })).to.equal(
            "GitHub push by jane (pulumi up)",
        );
    });
});

describe("Pulumi Automation seam: history", () => {
    it("reads the stack's history through selectStack and hides secret values", async () => {
        const asked: unknown[] = [];
        const selectStack: SelectStack = async () =>
            ({
                history: async (...args: unknown[]) => {
                    asked.push(args);
                    return [
                        {
                            version: 4,
                            kind: "update",
                            result: "succeeded",
                            startTime: new Date("2026-11-23T08:00:00Z"),
                            endTime: new Date("2026-11-23T08:20:00Z"),
                            message: "m",
                            environment: { "exec.kind": "cli" },
                            config: {
                                "drydock:backendVersion": { value: "v1.3.0", secret: false },
                                "drydock:token": { value: "[secret]", secret: true },
                            },
                            resourceChanges: { update: 2, same: 30 },
                        },
                    ];
                },
            }) as unknown as Awaited<ReturnType<SelectStack>>;
        const history = await createPulumiAutomation({ selectStack }).history("production", "/proj", 5);
        expect(asked).to.deep.equal([[5, 1, false]]);
        expect(history[0]).to.deep.include({ version: 4, kind: "update", result: "succeeded", message: "m" });
        expect(history[0].config).to.deep.equal({ "drydock:backendVersion": "v1.3.0", "drydock:token": "[secret]" });
        expect(history[0].resourceChanges).to.deep.equal({ update: 2, same: 30 });
    });
});
