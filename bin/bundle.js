"use strict";
/**
 * The `drydock` command as one JavaScript file, built from the TypeScript sources by esbuild and kept in
 * node_modules/.cache/drydock/cli/. One file starts much faster than ~100 TypeScript files and their small
 * dependencies (commander, yaml, luxon, semver) loaded one by one: no module resolution, no transpile, and
 * Node's compile cache covers it whole. Heavy packages (@pulumi/*, the AWS SDK, esbuild, typescript, ora)
 * stay outside and load from node_modules only when a command needs them; command modules inside the
 * bundle still run only when their command runs.
 *
 * The bundle is keyed by the content of every file it was built from (and package.json/package-lock.json):
 * `current()` returns it only while all of them are unchanged, so an edited source is never run stale;
 * the next start rebuilds it (`build()`, about a second, once). `npm run build` (run by `npm ci` through
 * `prepare`) builds it ahead. DRYDOCK_BUNDLE=0 runs the TypeScript sources instead (bin/register.js).
 */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const DIR = path.join(ROOT, "node_modules", ".cache", "drydock", "cli");
const MANIFEST = path.join(DIR, "manifest.json");
const ENTRY = path.join(ROOT, "cli", "main.ts");
/** Bump when the build options change: older bundles are then rebuilt. */
const FORMAT = "8";
/** Loaded from node_modules at run time, and only by the commands that need them. */
const EXTERNAL = ["@pulumi/*", "@aws-sdk/*", "@smithy/*", "esbuild", "typescript", "ora"];
/** Always part of the key: drydock's version and dependencies. */
const ALWAYS = ["package.json"];

/** sha1 over the files' names and contents; undefined when one is missing. */
function fingerprint(files) {
    const hash = require("node:crypto").createHash("sha1").update(`${FORMAT}\0${process.version}\0`);
    for (const file of files) {
        let content;
        try {
            content = fs.readFileSync(path.join(ROOT, file));
        } catch {
            return undefined;
        }
        hash.update(`${file}\0${content.length}\0`).update(content);
    }
    return hash.digest("hex");
}

/** Size and modification time of each file: a cheap first look before hashing contents. */
function statsOf(files) {
    return files.map((file) => {
        try {
            const s = fs.statSync(path.join(ROOT, file));
            return `${s.size}:${s.mtimeMs}`;
        } catch {
            return "missing";
        }
    });
}

/**
 * The bundle's path if it was built from exactly the files there are now; otherwise undefined. Files whose
 * size and time are as recorded are taken as unchanged (a stat each); otherwise the contents decide.
 */
function current() {
    let manifest;
    try {
        manifest = JSON.parse(fs.readFileSync(MANIFEST, "utf8"));
    } catch {
        return undefined;
    }
    if (manifest.format !== FORMAT || !Array.isArray(manifest.inputs) || !Array.isArray(manifest.stats)) return undefined;
    const stats = statsOf(manifest.inputs);
    if (stats.some((s, i) => s !== manifest.stats[i])) {
        if (fingerprint(manifest.inputs) !== manifest.hash) return undefined;
        try {
            writeAtomically(MANIFEST, `${JSON.stringify({ ...manifest, stats }, null, 1)}\n`); // touched, not changed
        } catch {
            // read-only cache: hash again next time
        }
    }
    const bundle = path.join(DIR, manifest.bundle);
    return fs.existsSync(bundle) ? bundle : undefined;
}

/**
 * Inside the bundle every module would see the bundle's own `__dirname`; give each source file that uses
 * `__dirname`/`__filename` its original ones (e.g. policies/evaluate.ts reads policies/package.json).
 */
const originalDirname = {
    name: "drydock-original-dirname",
    setup(build) {
        build.onLoad({ filter: /\.ts$/ }, (args) => {
            if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
            const source = fs.readFileSync(args.path, "utf8");
            if (!/\b__(dirname|filename)\b/.test(source)) return { contents: source, loader: "ts" };
            const prelude = `const __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
            return { contents: `${prelude}${source}`, loader: "ts" };
        });
    },
};

/**
 * AWS SDK clients (and the SDK's HTTP handler) load when first used, not when a module that names one loads: an import of
 * `@aws-sdk/client-*` becomes an object that requires the package on its first property access. drydock's
 * modules import the SDK by name (`import { DescribeServicesCommand } from "@aws-sdk/client-ecs"`), which
 * the bundle reads as a property of that object at the moment of use; so `drydock check`, which builds
 * the update hooks but never runs them, loads no SDK client at all. The same for `child_process`, which
 * commander requires at start-up for subcommands drydock does not have. The object lists the package's export
 * names (read when the bundle is built) so the bundle's import helper can copy them without loading it.
 */
const lazyAwsSdk = {
    name: "drydock-lazy-aws-sdk",
    setup(build) {
        build.onResolve({ filter: /^(@aws-sdk\/client-[a-z0-9-]+|@smithy\/node-http-handler|(node:)?child_process)$/ }, (args) =>
            args.namespace === "lazy-aws-sdk"
                ? { path: args.path, external: true }
                : { path: args.path, namespace: "lazy-aws-sdk", pluginData: args.resolveDir },
        );
        build.onLoad({ filter: /.*/, namespace: "lazy-aws-sdk" }, (args) => {
            const names = Object.keys(require(require.resolve(args.path, { paths: [ROOT] })));
            return {
                contents: [
                    "let real;",
                    `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
                    `const names = ${JSON.stringify(["__esModule", ...names.filter((n) => n !== "__esModule")])};`,
                    "module.exports = new Proxy({}, {",
                    '    get: (_, key) => (key === "__esModule" ? true : load()[key]),',
                    "    has: (_, key) => names.includes(key),",
                    "    ownKeys: () => names,",
                    '    getOwnPropertyDescriptor: (_, key) => (names.includes(key) ? { configurable: true, enumerable: key !== "__esModule", writable: false, value: undefined } : undefined),',
                    "});",
                ].join("\n"),
                loader: "js",
            };
        });
    },
};

function writeAtomically(file, content) {
    const tmp = `${file}.${process.pid}.${require("node:crypto").randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
}

/**
 * Builds the bundle and its manifest; resolves to the bundle's path, or undefined when it cannot be built
 * or used (a require esbuild cannot follow, a read-only node_modules): the caller then runs the sources.
 */
async function build() {
    const esbuild = require("esbuild");
    const result = await esbuild.build({
        entryPoints: [ENTRY],
        absWorkingDir: ROOT,
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        external: EXTERNAL,
        write: false,
        outdir: DIR,
        // Whitespace and syntax only (names stay readable in stack traces): less to read and compile at each start.
        minifyWhitespace: true,
        minifySyntax: true,
        sourcemap: "linked",
        metafile: true,
        logLevel: "silent",
        plugins: [originalDirname, lazyAwsSdk],
    });
    // A warning (e.g. a require with a computed path) means the bundle might not behave as the sources do.
    if (result.warnings.length > 0) return undefined;
    // Our sources by content; a bundled package (yaml, luxon, …) by its package.json, which names its version.
    const files = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("lazy-aws-sdk:"));
    const packages = files.map((f) => /^node_modules\/(?:@[^/]+\/)?[^/]+\//.exec(f)?.[0]).filter(Boolean);
    const inputs = [
        ...new Set([...files.filter((f) => !f.startsWith("node_modules/")), ...packages.map((p) => `${p}package.json`), ...ALWAYS]),
    ].sort();
    const hash = fingerprint(inputs);
    if (!hash) return undefined;
    const name = `drydock-${hash.slice(0, 16)}.js`;
    fs.mkdirSync(DIR, { recursive: true });
    for (const out of result.outputFiles) {
        const base = path.basename(out.path).replace(/^main\.js/, name);
        const text = out.text.replace(/\/\/# sourceMappingURL=main\.js\.map/, `//# sourceMappingURL=${name}.map`);
        writeAtomically(path.join(DIR, base), text);
    }
    writeAtomically(MANIFEST, `${JSON.stringify({ format: FORMAT, bundle: name, hash, inputs, stats: statsOf(inputs) }, null, 1)}\n`);
    for (const old of fs.readdirSync(DIR)) {
        if (old.startsWith("drydock-") && !old.startsWith(name)) fs.rmSync(path.join(DIR, old), { force: true });
    }
    return path.join(DIR, name);
}

module.exports = { build, current, DIR };

if (require.main === module) {
    // `npm run build`: build now, report where. `npm ci` runs it through `prepare` with --if-possible: a bundle
    // that cannot be built must not fail the install (drydock then runs its sources, and builds on first start).
    const ifPossible = process.argv.includes("--if-possible");
    const fail = (why) => {
        process.stderr.write(`drydock: ${why}; drydock runs from the TypeScript sources\n`);
        if (!ifPossible) process.exitCode = 1;
    };
    build().then(
        (bundle) =>
            bundle ? process.stdout.write(`built ${path.relative(ROOT, bundle)}\n`) : fail("the bundle was not built (esbuild warned)"),
        (e) => fail(`building the bundle failed: ${e && e.message ? e.message.split("\n")[0] : e}`),
    );
}
