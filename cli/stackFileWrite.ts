/**
 * How a stack file is written: under an exclusive lock, atomically, and without changing what the file
 * is. The lock (proper-lockfile: a `<file>.lock` directory, stale after 10 s without a refresh, released
 * on exit) makes a read-modify-write race-free between drydock processes. The new text goes to a
 * temporary file beside the real one and is renamed over it, so a kill leaves the old or the new file,
 * never half of one. Writes go through a symlink to its target; the mode (group-write included) and the
 * owner are kept; a read-only file is refused. Temporary files a killed run left behind
 * (`.Pulumi.<stack>.yaml.<pid>.<rand>.tmp`) are removed by the next write.
 * A hard link to the file is not kept (the rename gives the name a new inode).
 */
import type { randomBytes as RandomBytes } from "crypto";
import { chmodSync, chownSync, readdirSync, realpathSync, renameSync, statSync, Stats, unlinkSync, writeFileSync } from "fs";
import { basename, dirname, join } from "path";
import type * as Lockfile from "proper-lockfile";
import { refused } from "./errors";

/** How long a write waits for another drydock command's lock before it refuses. */
export const LOCK_WAIT_MS = 15_000; // milliseconds
/** A lock not refreshed for this long belongs to a process that died: it is taken over. */
export const LOCK_STALE_MS = 10_000; // milliseconds
/** A temporary file older than this is stale even if its process id is in use again. */
const TMP_STALE_MS = 10 * 60_000; // milliseconds

/** The file a path names, through symlinks; the path itself when it does not exist. */
export function writeTarget(path: string): string {
    try {
        return realpathSync(path);
    } catch {
        return path;
    }
}

/** Paths this process holds the lock of, so a save inside {@link withStackFileLock} does not wait for itself. */
const held = new Set<string>();

function sleepSync(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the lock of `path`'s target, waiting up to {@link LOCK_WAIT_MS}; returns the release function. */
function acquire(target: string, fileName: string): () => void {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
        try {
            // proper-lockfile (and graceful-fs) load with the first write, not with every command that reads a stack file.

            const lockfile = require("proper-lockfile") as typeof Lockfile;
            const release = lockfile.lockSync(target, { stale: LOCK_STALE_MS, realpath: false });
            return () => {
                try {
                    release();
                } catch {
                    // already released (e.g. taken over as stale); nothing left to undo
                }
            };
        } catch (e) {
            if ((e as { code?: string }).code !== "ELOCKED") {
                throw refused(
                    fileName,
                    `cannot lock it for writing: ${(e as Error).message}; nothing changed`,
                    "check the directory's permissions",
                );
            }
            if (Date.now() >= deadline) {
                throw refused(
                    fileName,
                    `another drydock command is changing it (lock ${basename(target)}.lock); nothing changed`,
                    "run the command again when it has finished",
                );
            }
            sleepSync(Math.min(200, 10 + attempt * 10 + Math.floor(Math.random() * 20)));
        }
    }
}

/** Runs `fn` holding the write lock of the stack file at `path` (re-entrant within this process). */
export function withStackFileLock<T>(path: string, fn: () => T): T {
    const target = writeTarget(path);
    if (held.has(target)) return fn();
    const release = acquire(target, basename(path));
    held.add(target);
    try {
        const result = fn();
        if (result instanceof Promise) {
            return result.finally(() => {
                held.delete(target);
                release();
            }) as T;
        }
        held.delete(target);
        release();
        return result;
    } catch (e) {
        held.delete(target);
        release();
        throw e;
    }
}

/** Whether process `pid` is alive. */
function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as { code?: string }).code === "EPERM";
    }
}

/** Removes `.<file>.<pid>.<rand>.tmp` files of dead processes (or older than 10 minutes) beside `target`. */
export function removeStaleTemporaries(target: string, now = Date.now()): string[] {
    const dir = dirname(target);
    const pattern = new RegExp(`^\\.${basename(target).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
    const removed: string[] = [];
    let names: string[];
    try {
        names = readdirSync(dir);
    } catch {
        return removed;
    }
    for (const name of names) {
        const m = pattern.exec(name);
        if (!m) continue;
        const path = join(dir, name);
        try {
            const pid = Number(m[1]);
            if ((pid !== process.pid && !alive(pid)) || now - statSync(path).mtimeMs > TMP_STALE_MS) {
                unlinkSync(path);
                removed.push(name);
            }
        } catch {
            // gone meanwhile, or not ours to remove
        }
    }
    return removed;
}

/** Refuses a file nobody may write: drydock never overwrites what its owner made read-only. */
function refuseReadOnly(stat: Stats, fileName: string): void {
    if ((stat.mode & 0o222) === 0) {
        throw refused(fileName, "is read-only; nothing written", `make it writable on purpose first (chmod u+w ${fileName})`);
    }
}

/**
 * Writes `text` to the stack file at `path` (its symlink target), atomically, keeping mode and owner.
 * The caller holds the lock ({@link withStackFileLock}).
 */
export function writeStackFile(path: string, text: string): void {
    const fileName = basename(path);
    const target = writeTarget(path);
    const stat = statSync(target);
    refuseReadOnly(stat, fileName);
    removeStaleTemporaries(target);
    // crypto loads with the first write (start-up of read-only commands stays light).

    const randomBytes = (require("crypto") as { randomBytes: typeof RandomBytes }).randomBytes;
    const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    try {
        writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
        chmodSync(tmp, stat.mode & 0o7777); // not through the umask: group-write stays
        keepOwner(tmp, stat);
        renameSync(tmp, target);
    } catch (e) {
        try {
            unlinkSync(tmp);
        } catch {
            // the temporary file was not created or is already gone
        }
        if ((e as { code?: string }).code === "EOWNER") {
            // Only the owner (or root) can give a new file that owner: rewrite it in place instead of replacing it.
            writeFileSync(target, text);
            return;
        }
        throw refused(fileName, `cannot write it: ${(e as Error).message}; nothing changed`, "check the file's permissions");
    }
}

/** Gives `tmp` the owner of the file it replaces; an EOWNER error when this process may not. */
function keepOwner(tmp: string, stat: Stats): void {
    if (typeof process.getuid !== "function") return;
    if (stat.uid === process.getuid() && stat.gid === process.getgid?.()) return;
    try {
        chownSync(tmp, stat.uid, stat.gid);
    } catch {
        throw Object.assign(new Error("cannot keep the file's owner"), { code: "EOWNER" });
    }
}
