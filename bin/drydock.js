#!/usr/bin/env node
// The `drydock` command. TypeScript sources are transpiled on load by ./register.js (no build step).
"use strict";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
    process.stderr.write(`drydock: Node.js ${process.versions.node} is too old: drydock and @pulumi/pulumi need Node.js 22.12 or newer (install Node.js 22 or newer, e.g. nvm install 22)\n`);
    process.exit(2);
}
require("./register.js");
const { run } = require("../cli/main.ts");

run(process.argv).then(
    (code) => {
        process.exitCode = code;
    },
    (err) => {
        process.stderr.write(`drydock: internal error: ${err && err.stack ? err.stack : err}\n`);
        process.exitCode = 1;
    },
);
