"use strict";
/**
 * Preloaded (`node -r ./bench/cpuProbe.js …`) into every process `npm run bench` measures: at exit it
 * writes the process's CPU time (user + system, all its threads, in microseconds) to file descriptor 3,
 * which the benchmark opens as a pipe. Costs nothing measurable itself.
 */
process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    require("node:fs").writeSync(3, `${JSON.stringify({ cpuUs: user + system })}\n`);
});
