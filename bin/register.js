"use strict";
/**
 * Runs drydock's TypeScript sources without a build step: `.ts` files are transpiled with esbuild
 * (types stripped, ES modules to CommonJS) as they are required. Only `.ts` files go through it;
 * JavaScript from node_modules loads untouched, which keeps start-up close to plain Node.
 * Type-checking is `npm run typecheck`'s job (tsc --noEmit), not this loader's.
 */
const fs = require("node:fs");
const Module = require("node:module");
const esbuild = require("esbuild");

if (!Module._extensions[".ts"]) {
    Module._extensions[".ts"] = function compileTypeScript(module, filename) {
        const source = fs.readFileSync(filename, "utf8");
        const { code } = esbuild.transformSync(source, {
            loader: "ts",
            format: "cjs",
            target: "node22",
            sourcefile: filename,
            sourcemap: "inline",
        });
        module._compile(code, filename);
    };
}
