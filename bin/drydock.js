#!/usr/bin/env node
// The `drydock` command. It runs a bundle of its TypeScript sources (./bundle.js: one file, rebuilt when a
// source changes), or the sources themselves through ./register.js (a persistent transpile cache).
"use strict";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
    process.stderr.write(
        `drydock: Node.js ${process.versions.node} is too old: drydock and @pulumi/pulumi need Node.js 22.12 or newer (install Node.js 22 or newer, e.g. nvm install 22)\n`,
    );
    process.exit(2);
}
const path = require("node:path");

// V8's compile cache for every module drydock loads (Node 22.1+); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
require("node:module").enableCompileCache?.(path.join(__dirname, "..", "node_modules", ".cache", "drydock", "v8"));
/** The module exporting `run`: the current bundle, a freshly built one, or the TypeScript sources. */
async function cli() {
    if (process.env.DRYDOCK_BUNDLE !== "0") {
        const bundle = require("./bundle.js");
        const built = bundle.current() ?? (await bundle.build().catch(() => undefined));
        if (built) return require(built);
    }
    require("./register.js"); // .ts files load through the transpile cache
    return require("../cli/main.ts");
}

cli()
    .then(({ run }) => run(process.argv))
    .then(
        (code) => {
            process.exitCode = code;
        },
        (err) => {
            process.stderr.write(`drydock: internal error: ${err && err.stack ? err.stack : err}\n`);
            process.exitCode = 1;
        },
    );
