"use strict";
/**
 * Runs drydock's TypeScript sources without a build step: `.ts` files are transpiled with esbuild
 * (types stripped, ES modules to CommonJS) as they are required. Only `.ts` files go through it;
 * JavaScript from node_modules loads untouched.
 *
 * The result is kept in a persistent cache keyed by the file's content, its path and the esbuild
 * version (node_modules/.cache/drydock/ts/<sha1>.js), so a start after the first one reads the
 * transpiled file instead of transpiling again, and loads no esbuild at all. An edited file gets a
 * new key: the cache is never stale. When the cache cannot be written (a read-only checkout) the
 * source is transpiled in memory, as before. DRYDOCK_TRANSPILE_CACHE=0 turns the cache off.
 * Type-checking is `npm run typecheck`'s job (tsc --noEmit), not this loader's.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");

/** Bump when the transform options below change: old cache entries are then never read. */
const TRANSFORM_VERSION = "1";
const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "drydock", "ts");
const useCache = process.env.DRYDOCK_TRANSPILE_CACHE !== "0";

let esbuild;
let esbuildVersion;
function versionOfEsbuild() {
    if (esbuildVersion === undefined) {
        try {
            esbuildVersion = JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json"), "utf8")).version;
        } catch {
            esbuildVersion = "unknown";
        }
    }
    return esbuildVersion;
}

function transpile(source, filename) {
    esbuild ??= require("esbuild");
    return esbuild.transformSync(source, {
        loader: "ts",
        format: "cjs",
        target: "node22",
        sourcefile: filename,
        sourcemap: "inline",
    }).code;
}

let cacheWritable = true;
/** Writes atomically (temporary file, then rename) so a concurrent start never reads half a file. */
function store(file, code) {
    if (!cacheWritable) return;
    try {
        fs.mkdirSync(CACHE_DIR, { recursive: true });
        const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, file);
    } catch {
        cacheWritable = false; // read-only node_modules: transpile in memory from now on
    }
}

/** The CommonJS JavaScript for `filename`, from the cache when its content was seen before. */
function compiled(source, filename) {
    if (!useCache) return transpile(source, filename);
    const key = crypto.createHash("sha1").update(`${TRANSFORM_VERSION}\0${versionOfEsbuild()}\0${filename}\0`).update(source).digest("hex");
    const file = path.join(CACHE_DIR, `${key}.js`);
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        const code = transpile(source, filename);
        store(file, code);
        return code;
    }
}

if (!Module._extensions[".ts"]) {
    Module._extensions[".ts"] = function compileTypeScript(module, filename) {
        module._compile(compiled(fs.readFileSync(filename, "utf8"), filename), filename);
    };
}

module.exports = { CACHE_DIR, compiled };
