import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { clusterChange, serviceChange } from "../components/hooks/changes";
import { evaluateReleaseGate, ReleaseGateInput } from "../release/gate";
import { parseWeeklyWindow } from "../release/windows";

function gate(over: Partial<ReleaseGateInput> & { windows?: ReleaseGateInput["windows"] }) {
    return evaluateReleaseGate({
        paused: false,
        windows: [],
        timeZone: "UTC",
        now: new Date("2026-11-25T13:03:00Z"), // a Wednesday
        imageChanged: true,
        stack: "production",
        subject: "backend-service v1.2.3 → v1.3.0",
        ...over,
    });
}

const windows = (...raw: string[]) => raw.map(parseWeeklyWindow);

describe("hooks: release gate decision", () => {
    it("lets a change that does not touch the image through, even when paused and outside every window", () => {
        const d = gate({ imageChanged: false, paused: true, windows: windows("tue:09:00-tue:17:00") });
        expect(d).to.include({ allowed: true, overridden: false, reason: "the update does not change the image" });
    });

    it("is always open without release windows", () => {
        expect(gate({})).to.include({ allowed: true, reason: "no release windows are configured" });
    });

    it("allows an image change inside a window", () => {
        const d = gate({ windows: windows("tue:09:00-tue:17:00"), now: new Date("2026-11-24T10:00:00Z") });
        expect(d.allowed).to.equal(true);
        expect(d.reason).to.equal("inside release window tue:09:00-tue:17:00 (until Tue 2026-11-24 17:00 UTC)");
    });

    it("refuses an image change outside every window, saying when the next opens and how to override", () => {
        const d = gate({ windows: windows("tue:09:00-tue:17:00", "thu:09:00-thu:12:00"), now: new Date("2026-11-25T13:03:00Z") });
        expect(d.allowed).to.equal(false);
        expect(d.overridden).to.equal(false);
        expect(d.reason).to.equal("it is outside every release window");
        expect(d.nextWindow?.start.toISOString()).to.equal("2026-11-26T09:00:00.000Z");
        expect(d.message).to.equal(
            [
                `release-gate refused backend-service v1.2.3 → v1.3.0 on stack "production": it is outside every release window.`,
                `  now:         Wed 2026-11-25 13:03 UTC`,
                `  windows:     tue:09:00-tue:17:00, thu:09:00-thu:12:00 (UTC)`,
                `  next window: Thu 2026-11-26 09:00 UTC until Thu 2026-11-26 12:00 UTC`,
                `The service was not updated: it keeps running what it runs now.`,
                "Run `pulumi up` again inside a release window.",
                `Or override with a reason (it is logged and recorded in the pre-update snapshot's tags):`,
                `  pulumi config set releaseOverride "<reason>" -s production`,
                `and remove it afterwards: pulumi config rm releaseOverride -s production`,
            ].join("\n"),
        );
    });

    describe("windows that wrap", () => {
        const berlinNight = windows("sat:22:00-sun:02:00");
        it("midnight: open at 00:30 on Sunday, Berlin time", () => {
            const d = gate({ windows: berlinNight, timeZone: "Europe/Berlin", now: new Date("2026-11-28T23:30:00Z") });
            expect(d.allowed).to.equal(true);
            expect(d.reason).to.equal("inside release window sat:22:00-sun:02:00 (until Sun 2026-11-29 02:00 Europe/Berlin (01:00 UTC))");
        });
        it("midnight: closed at its end (end exclusive), next opening shown in the zone and in UTC", () => {
            const d = gate({ windows: berlinNight, timeZone: "Europe/Berlin", now: new Date("2026-11-29T01:00:00Z") });
            expect(d.allowed).to.equal(false);
            expect(d.message).to.include("  now:         Sun 2026-11-29 02:00 Europe/Berlin (01:00 UTC)");
            expect(d.message).to.include(
                "  next window: Sat 2026-12-05 22:00 Europe/Berlin (21:00 UTC) until Sun 2026-12-06 02:00 Europe/Berlin (01:00 UTC)",
            );
        });
        it("the end of the week: sun:23:00-mon:01:00 is open at 00:30 on Monday", () => {
            const d = gate({ windows: windows("sun:23:00-mon:01:00"), timeZone: "Europe/Berlin", now: new Date("2026-11-29T23:30:00Z") });
            expect(d.allowed).to.equal(true);
        });
    });

    describe("daylight saving time (mon:09:00-mon:10:00 in Europe/Berlin)", () => {
        const monday = windows("mon:09:00-mon:10:00");
        const at = (iso: string) => gate({ windows: monday, timeZone: "Europe/Berlin", now: new Date(iso) });
        it("in winter (CET, UTC+1) the window is 08:00-09:00 UTC", () => {
            expect(at("2026-01-05T08:30:00Z").allowed).to.equal(true);
            expect(at("2026-01-05T07:30:00Z").allowed).to.equal(false);
        });
        it("in summer (CEST, UTC+2) the window is 07:00-08:00 UTC", () => {
            expect(at("2026-07-06T07:30:00Z").allowed).to.equal(true);
            expect(at("2026-07-06T08:30:00Z").allowed).to.equal(false);
        });
        it("across the spring-forward weekend the next window is at 09:00 local = 07:00 UTC", () => {
            const d = at("2026-03-27T12:00:00Z"); // Friday, CET; clocks go forward on Sunday 2026-03-29
            expect(d.allowed).to.equal(false);
            expect(d.nextWindow?.start.toISOString()).to.equal("2026-03-30T07:00:00.000Z");
            expect(d.message).to.include("next window: Mon 2026-03-30 09:00 Europe/Berlin (07:00 UTC)");
        });
    });

    describe("pause", () => {
        it("refuses an image change inside a window while paused, with the reason and how to resume", () => {
            const d = gate({ paused: true, pauseReason: "incident INC-42", windows: windows("wed:09:00-wed:17:00") });
            expect(d.allowed).to.equal(false);
            expect(d.reason).to.equal(`updates are paused on stack "production" (reason: "incident INC-42")`);
            expect(d.message).to.include(
                "Resume updates with: npx drydock resume --stack production (or pulumi config set updatesPaused false -s production)",
            );
            expect(d.message).to.include(`pulumi config set releaseOverride "<reason>" -s production`);
            expect(d.message).to.include("(once updates are resumed)");
        });
        it("refuses while paused without windows too", () => {
            expect(gate({ paused: true }).allowed).to.equal(false);
        });
    });

    describe("override", () => {
        it("lets a refused change through, says so and why", () => {
            const d = gate({ windows: windows("tue:09:00-tue:17:00"), override: "hotfix for INC-42" });
            expect(d).to.include({ allowed: true, overridden: true });
            expect(d.reason).to.equal(`it is outside every release window, but releaseOverride is set: "hotfix for INC-42"`);
            expect(d.message).to.include("recorded in the tags of this update's pre-update snapshot");
            expect(d.message).to.include("pulumi config rm releaseOverride -s production");
        });
        it("lifts a pause too", () => {
            expect(gate({ paused: true, pauseReason: "freeze", override: "security fix" })).to.include({ allowed: true, overridden: true });
        });
        it("is not used (and says it is not needed) when the change is allowed anyway", () => {
            const d = gate({ override: "just in case" });
            expect(d).to.include({ allowed: true, overridden: false });
            expect(d.message).to.include("releaseOverride is set but not needed");
        });
        it("a blank override is no override", () => {
            expect(gate({ paused: true, override: "   " }).allowed).to.equal(false);
        });
    });
});

describe("hooks: what an update changes", () => {
    const td = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/drydock-production-backend:${rev}`;
    const svc = (version: string, rev: number, extra: Record<string, unknown> = {}) => ({
        name: "backend-service",
        taskDefinition: td(rev),
        desiredCount: 2,
        tags: { "drydock:requested-version": version, team: "web" },
        ...extra,
    });

    it("a version change changes the image and the task definition", () => {
        const c = serviceChange(svc("v1.2.3", 41), svc("v1.3.0", 42));
        expect(c).to.deep.include({ imageChanged: true, taskDefinitionChanged: true, fromVersion: "v1.2.3", toVersion: "v1.3.0" });
        expect(c.changedKeys).to.deep.equal(["tags", "taskDefinition"]);
    });

    it("a tag-only or desiredCount change changes neither", () => {
        const c = serviceChange(
            svc("v1.2.3", 41),
            svc("v1.2.3", 41, { desiredCount: 4, tags: { "drydock:requested-version": "v1.2.3", team: "api" } }),
        );
        expect(c).to.include({ imageChanged: false, taskDefinitionChanged: false });
        expect(c.changedKeys).to.deep.equal(["desiredCount", "tags"]);
    });

    const pinned = (version: string, rev: number, image = "repo@sha256:aaa", extra: Record<string, unknown> = {}) =>
        svc(version, rev, { tags: { "drydock:requested-version": version, "drydock:image": image }, ...extra });

    it("a new task definition for the same version and image (cpu, env) is not an image change", () => {
        expect(serviceChange(pinned("v1.2.3", 41), pinned("v1.2.3", 42))).to.include({ imageChanged: false, taskDefinitionChanged: true });
    });

    it("during a preview an unknown task definition counts as changed; the version and image tags still decide the image", () => {
        const c = serviceChange(pinned("v1.2.3", 41), pinned("v1.2.3", 41, undefined, { taskDefinition: pulumi.unknown }));
        expect(c).to.include({ taskDefinitionChanged: true, imageChanged: false });
    });

    it("with the image tag missing or unknown on one side, a task definition change counts as an image change (conservative)", () => {
        expect(serviceChange(svc("latest", 41), pinned("latest", 42, "repo@sha256:bbb")).imageChanged).to.equal(true);
        expect(serviceChange(pinned("latest", 41), svc("latest", 42, { tags: pulumi.unknown })).imageChanged).to.equal(true);
    });

    it("a secret value cannot be compared, so it counts as changed", () => {
        const secret = pulumi.secret(td(41));
        expect(
            serviceChange(
                pinned("v1.2.3", 41, undefined, { taskDefinition: secret }),
                pinned("v1.2.3", 41, undefined, { taskDefinition: secret }),
            ).taskDefinitionChanged,
        ).to.equal(true);
    });

    it("a new digest under the same tag is an image change when the service carries drydock:image", () => {
        const before = svc("latest", 41, { tags: { "drydock:requested-version": "latest", "drydock:image": "repo@sha256:aaa" } });
        const after = svc("latest", 42, { tags: { "drydock:requested-version": "latest", "drydock:image": "repo@sha256:bbb" } });
        expect(serviceChange(before, after).imageChanged).to.equal(true);
    });

    it("without version tags any task definition change counts as an image change (conservative)", () => {
        const bare = (rev: number) => ({ name: "backend-service", taskDefinition: td(rev) });
        expect(serviceChange(bare(41), bare(42)).imageChanged).to.equal(true);
        expect(serviceChange(bare(41), bare(41)).imageChanged).to.equal(false);
    });

    it("cluster: engine version, parameter groups and capacity matter; tags and backup settings do not", () => {
        const base = {
            engineVersion: "15.4",
            dbClusterParameterGroupName: "pg15",
            serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 4 },
            tags: { a: "1" },
            backupRetentionPeriod: 7,
        };
        expect(clusterChange(base, { ...base, tags: { a: "2" }, backupRetentionPeriod: 14 })).to.deep.include({
            runtimeChanged: false,
            fields: [],
        });
        expect(clusterChange(base, { ...base, engineVersion: "16.1" })).to.deep.include({
            runtimeChanged: true,
            fields: ["engineVersion"],
            fromEngineVersion: "15.4",
            toEngineVersion: "16.1",
        });
        expect(
            clusterChange(base, { ...base, serverlessv2ScalingConfiguration: { maxCapacity: 8, minCapacity: 0.5 } }).fields,
        ).to.deep.equal(["serverlessv2ScalingConfiguration"]);
        // key order alone is no change
        expect(
            clusterChange(base, { ...base, serverlessv2ScalingConfiguration: { maxCapacity: 4, minCapacity: 0.5 } }).runtimeChanged,
        ).to.equal(false);
    });
});
