/**
 * The layers of docs/architecture.md, enforced: imports point down only, pure code stays pure, no
 * import cycles, and every non-test source file stays small enough to hold in one's head.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/** Non-test TypeScript sources, relative to the repository root. */
function sources(): string[] {
    const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], { cwd: ROOT, encoding: "utf8" });
    return listed
        .split("\n")
        .filter((f) => f && !f.startsWith("test/") && !f.startsWith("bench/") && !f.endsWith(".d.ts") && fs.existsSync(path.join(ROOT, f)));
}

interface Import {
    spec: string;
}

/** The modules a file imports (static imports, re-exports, require() and import()). */
function importsOf(file: string): Import[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const found: Import[] = [];
    const statement = /^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+["']([^"']+)["']/gms;
    for (const m of text.matchAll(statement)) found.push({ spec: m[3] });
    for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) found.push({ spec: m[1] });
    for (const m of text.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g)) found.push({ spec: m[1] });
    return found;
}

/** A relative import resolved to a repository path (`aws/ecr.ts`), or undefined for a package. */
function resolveLocal(from: string, spec: string): string | undefined {
    if (!spec.startsWith(".")) return undefined;
    const base = path.normalize(path.join(path.dirname(from), spec));
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) {
        if (fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) return candidate;
    }
    return undefined;
}

/** The layer of a file: a higher layer may import a lower one, never the reverse. */
function layerOf(file: string): number {
    if (file.startsWith("release/")) return 0;
    if (file === "services.ts" || file.startsWith("services/")) return 1;
    if (file === "configSchema.ts" || file === "config.ts" || file.startsWith("config/")) return 2;
    if (file.startsWith("aws/")) return 3;
    if (file.startsWith("policies/")) return 4;
    if (file.startsWith("components/")) return 5;
    if (file === "program.ts" || file === "index.ts") return 6;
    return 7; // cli/, offline/, scripts/, bin/
}

const PURE_LAYERS = new Set([0, 1]);

/** Every cycle met in a depth-first walk, as `a -> b -> a`. */
function findCycles(graph: Map<string, string[]>): string[] {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (node: string, trail: string[]): void => {
        if (state.get(node) === "done") return;
        if (state.get(node) === "visiting") {
            cycles.push([...trail.slice(trail.indexOf(node)), node].join(" -> "));
            return;
        }
        state.set(node, "visiting");
        for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
        state.set(node, "done");
    };
    for (const node of graph.keys()) visit(node, []);
    return cycles;
}

describe("layers: imports point down only", () => {
    const files = sources();

    it("finds the sources it judges", () => {
        expect(files).to.include.members(["program.ts", "config.ts", "configSchema.ts"]);
        expect(files.some((f) => f.startsWith("aws/"))).to.equal(true);
        expect(files.some((f) => f.startsWith("release/"))).to.equal(true);
    });

    it("no file imports a layer above its own", () => {
        const upward: string[] = [];
        for (const file of files) {
            for (const imp of importsOf(file)) {
                const target = resolveLocal(file, imp.spec);
                if (target && layerOf(target) > layerOf(file)) upward.push(`${file} -> ${target}`);
            }
        }
        expect(upward).to.deep.equal([]);
    });

    it("release/ and the service table import neither Pulumi nor the AWS SDK", () => {
        const impure = files
            .filter((f) => PURE_LAYERS.has(layerOf(f)))
            .flatMap((f) => importsOf(f).map((i) => `${f} -> ${i.spec}`))
            .filter((line) => /-> @(pulumi|aws-sdk)\//.test(line));
        expect(impure).to.deep.equal([]);
    });

    it("aws/ imports no Pulumi package", () => {
        const pulumi = files
            .filter((f) => f.startsWith("aws/"))
            .flatMap((f) => importsOf(f).map((i) => `${f} -> ${i.spec}`))
            .filter((line) => /-> @pulumi\//.test(line));
        expect(pulumi).to.deep.equal([]);
    });

    it("the cycle finder finds a cycle (so the next test can fail)", () => {
        const graph = new Map([
            ["a.ts", ["b.ts"]],
            ["b.ts", ["a.ts"]],
            ["c.ts", ["a.ts"]],
        ]);
        expect(findCycles(graph)).to.deep.equal(["a.ts -> b.ts -> a.ts"]);
    });

    it("there are no import cycles, type-only imports included", () => {
        const graph = new Map<string, string[]>();
        for (const file of files) {
            const targets = importsOf(file)
                .map((i) => resolveLocal(file, i.spec))
                .filter((t): t is string => t !== undefined);
            graph.set(file, targets);
        }
        expect(findCycles(graph)).to.deep.equal([]);
    });

    it("no source file is over 300 lines", () => {
        const long = files
            .map((f) => ({ f, lines: fs.readFileSync(path.join(ROOT, f), "utf8").replace(/\n$/, "").split("\n").length }))
            .filter(({ lines }) => lines > 300)
            .map(({ f, lines }) => `${f} (${lines})`);
        expect(long).to.deep.equal([]);
    });
});
