import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildProgram } from "../cli/main";
import { defaultDeps } from "../cli/deps";
import { HOOK_NAMES } from "../components/hooks";
import { policyNames } from "../policies/policies";
import { renderCommandReference } from "../scripts/commandReference";
import { renderConfigReference } from "../scripts/configReference";

const ROOT = path.join(__dirname, "..");
const DOCS = path.join(ROOT, "docs");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const README = read("README.md");
const pages = () => fs.readdirSync(DOCS).filter((f) => f.endsWith(".md"));
const allDocs = () => [README, ...pages().map((p) => read(path.join("docs", p)))].join("\n");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    const body = markdown.replace(/^```[\s\S]*?^```/gm, "");
    for (const [, title] of body.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
        const slug = title
            .toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, "")
            .replace(/ /g, "-");
        const n = seen.get(slug) ?? 0;
        seen.set(slug, n + 1);
        anchors.add(n ? `${slug}-${n}` : slug);
    }
    return anchors;
}

/** Every relative Markdown link of `file` (relative to `root`) that does not resolve: a missing file or heading. */
export function brokenLinks(file: string, root = ROOT): string[] {
    const text = fs.readFileSync(path.join(root, file), "utf8").replace(/^```[\s\S]*?^```/gm, "");
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue;
        const [rel, anchor] = target.split("#");
        const resolved = rel ? path.join(path.dirname(file), rel) : file;
        if (!fs.existsSync(path.join(root, resolved))) broken.push(`${target} (no ${resolved})`);
        else if (anchor && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(path.join(root, resolved), "utf8")).has(anchor))
            broken.push(`${target} (no heading #${anchor} in ${resolved})`);
    }
    return broken;
}

describe("docs", () => {
    it("the README shows the two set-up commands a newcomer runs", () => {
        expect(README).to.include("npm ci && npx drydock check --stack production");
        expect(README).to.include("\nnpm test ");
    });

    it("the README is at most 15,000 bytes", () => {
        expect(Buffer.byteLength(README)).to.be.at.most(15_000);
    });

    it("every link in the README and in docs/ resolves, headings included", () => {
        const files = ["README.md", ...pages().map((p) => path.join("docs", p))];
        const broken = files.flatMap((f) => brokenLinks(f).map((b) => `${f}: ${b}`));
        expect(broken).to.deep.equal([]);
    });

    it("the link check does catch a missing page and a missing heading", () => {
        expect(anchorsOf("# A\n## `release-gate`: versions change\n## A\n")).to.have.keys(["a", "release-gate-versions-change", "a-1"]);
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "drydock-docs-"));
        fs.writeFileSync(path.join(root, "a.md"), "# A\n\n[x](nowhere.md) [y](b.md#no-such-heading) [z](b.md#b) [w](#a)\n");
        fs.writeFileSync(path.join(root, "b.md"), "# B\n");
        expect(brokenLinks("a.md", root)).to.deep.equal([
            "nowhere.md (no nowhere.md)",
            "b.md#no-such-heading (no heading #no-such-heading in b.md)",
        ]);
    });

    it("every page says what it is for in its first paragraph", () => {
        for (const p of pages()) expect(read(path.join("docs", p)), p).to.match(/^# .+\n\n(This page|[^\n#]+ for )/);
    });

    it("docs/configuration.md has the config reference generated from configSchema.ts (run `npm run docs:config` after changing a key)", () => {
        expect(read("docs/configuration.md")).to.include(renderConfigReference());
    });

    it("docs/commands.md has the command reference generated from the commands' definitions (run `npm run docs:commands`)", () => {
        const page = read("docs/commands.md");
        expect(page).to.include(renderCommandReference());
        const names = buildProgram(defaultDeps()).commands.map((c) => c.name());
        expect(names).to.include.members([
            "versions",
            "status",
            "promote",
            "rollback",
            "pause",
            "resume",
            "window",
            "snapshot",
            "snapshots",
            "check",
        ]);
        for (const name of names) expect(renderCommandReference(), name).to.include(`### ${name}\n`);
    });

    it("docs/commands.md shows the JSON document of every command that has --json", () => {
        const page = read("docs/commands.md");
        const json = page.slice(page.indexOf("## JSON output"));
        for (const c of buildProgram(defaultDeps()).commands.filter((c) => c.options.some((o) => o.long === "--json"))) {
            expect(json, c.name()).to.match(new RegExp(`^// ${c.name()}$`, "m"));
        }
    });

    it("explains every policy and every hook by name", () => {
        const docs = allDocs();
        for (const name of policyNames) expect(docs, name).to.include(`\`${name}\``);
        for (const name of Object.values(HOOK_NAMES)) expect(docs, name).to.include(`\`${name}\``);
    });

    it("describes every GitHub workflow by its file name", () => {
        const docs = allDocs();
        for (const wf of fs.readdirSync(path.join(ROOT, ".github", "workflows"))) expect(docs, wf).to.include(`.github/workflows/${wf}`);
    });

    it("refers to nothing the reader does not have", () => {
        expect(allDocs()).not.to.match(/seed document|the seed|update guide|source documents?/i);
    });
});
