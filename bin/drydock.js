#!/usr/bin/env node
// The `drydock` command. TypeScript sources are transpiled on load by ./register.js (no build step).
"use strict";
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
