/**
 * Reading and editing `Pulumi.<stack>.yaml`: the GitOps path. Edits go through the `yaml`
 * package's Document API so comments and layout survive, produce a reviewable diff, and are
 * written atomically under a lock (cli/stackFileWrite.ts); a failed edit changes nothing.
 */
import { readdirSync, readFileSync, statSync } from "fs";
import { basename, join } from "path";
import { Document, isMap, isScalar, isSeq, Pair, parseDocument, Scalar, YAMLMap } from "yaml";
import { parseSettings, RawConfig, Settings } from "../config";
import { CONFIG_NAMESPACE } from "../configSchema";
import { refused, usageError } from "./errors";
import { unifiedDiff } from "./diff";
import { typedBySchema, typedLike } from "./stackFileTypes";
import { withStackFileLock, writeStackFile } from "./stackFileWrite";

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;
const STRINGIFY = { lineWidth: 0 } as const;

/** Stack names that have a `Pulumi.<stack>.yaml` in `cwd`, sorted. */
export function listStacks(cwd: string): string[] {
    let names: string[];
    try {
        names = readdirSync(cwd);
    } catch {
        return [];
    }
    return names
        .map((n) => /^Pulumi\.(.+)\.ya?ml$/.exec(n)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** `org/project/stack` → `stack`; the stack files and AWS names use the short name. */
export function shortStackName(stack: string): string {
    return stack.split("/").pop() ?? stack;
}

/**
 * Opens the stack file of `stack` in `cwd`.
 * @throws CliError (exit 2) naming the stacks that exist when there is no such file, or when it is not valid YAML.
 */
export function loadStack(cwd: string, stack: string): StackFile {
    const name = shortStackName(stack);
    if (!STACK_NAME.test(name)) {
        throw usageError(`--stack ${JSON.stringify(stack)}`, "not a stack name", "use letters, digits, -, _ or .");
    }
    const candidates = [`Pulumi.${name}.yaml`, `Pulumi.${name}.yml`].map((f) => join(cwd, f));
    const path = candidates.find((p) => {
        try {
            return statSync(p).isFile();
        } catch {
            return false;
        }
    });
    if (!path) {
        const found = listStacks(cwd);
        throw usageError(
            `stack "${name}"`,
            `no Pulumi.${name}.yaml in ${cwd}`,
            found.length ? `stacks here: ${found.join(", ")}` : "run drydock in the Pulumi project directory",
        );
    }
    return new StackFile(name, path, readFileSync(path, "utf8"));
}

/** One key's change, for reports. */
export interface ConfigChange {
    key: string;
    from?: string;
    to?: string;
}

/** A parsed stack file with pending edits. */
export class StackFile {
    private readonly doc: Document;
    private readonly crlf: boolean;
    private readonly changes: ConfigChange[] = [];

    constructor(
        /** Short stack name, e.g. `production`. */
        readonly stack: string,
        /** Absolute path of the file. */
        readonly path: string,
        /** The text as read. */
        private readonly original: string,
    ) {
        this.crlf = original.includes("\r\n");
        this.doc = parseDocument(this.crlf ? original.replace(/\r\n/g, "\n") : original);
        if (this.doc.errors.length > 0) {
            throw usageError(this.fileName, `not valid YAML: ${this.doc.errors[0].message.split("\n")[0]}`, "fix the file by hand");
        }
        const config = this.doc.get("config", true);
        if (config !== undefined && config !== null && !isMap(config) && !(isScalar(config) && config.value === null)) {
            throw usageError(`${this.fileName}: config`, "is not a mapping", "it must map keys such as drydock:backendVersion to values");
        }
    }

    /** e.g. `Pulumi.production.yaml`. */
    get fileName(): string {
        return basename(this.path);
    }

    /** The `config:` mapping, created on demand when `create` is set. */
    private configMap(create: boolean): YAMLMap | undefined {
        const node = this.doc.get("config", true);
        if (isMap(node)) return node;
        if (!create) return undefined;
        const map = new YAMLMap();
        this.doc.set("config", map);
        return map;
    }

    /** The pair of a key, accepting `drydock:key`, bare `key` and other namespaces (`aws:region`). */
    private find(key: string): { map: YAMLMap; index: number; pair: Pair } | undefined {
        const map = this.configMap(false);
        if (!map) return undefined;
        const names = keyNames(key);
        for (const name of names) {
            const index = map.items.findIndex((p) => keyText(p) === name);
            if (index >= 0) return { map, index, pair: map.items[index] as Pair };
        }
        return undefined;
    }

    /** A value as Pulumi stores it: strings; booleans and numbers as text; lists and objects as JSON. */
    get(key: string): string | undefined {
        const found = this.find(key);
        return found ? valueText(found.pair.value) : undefined;
    }

    /** All values keyed for `parseSettings`: drydock keys without the namespace, others (`aws:region`) in full. */
    values(): RawConfig {
        const out: RawConfig = {};
        const prefix = `${CONFIG_NAMESPACE}:`;
        for (const pair of this.configMap(false)?.items ?? []) {
            const key = keyText(pair as Pair);
            if (key === undefined) continue;
            const rest = key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
            // drydock:x and a bare x are one key; other namespaces and the legacy drydock:config:x stay in full.
            const short = rest !== undefined && !rest.includes(":") ? rest : key;
            // The same key spelled twice (x and drydock:x): keep the second in full, so config.ts refuses the ambiguity.
            if (!short.includes(":") && short in out) out[`${prefix}${short}`] = valueText((pair as Pair).value);
            else out[short] = valueText((pair as Pair).value);
        }
        return out;
    }

    /** The validated settings of this stack (with pending edits applied). @throws ConfigError */
    settings(): Settings {
        return parseSettings(this.values(), this.stack);
    }

    /**
     * Sets a key (`drydock:` is added when no namespace is given). An existing entry keeps its
     * place, comments and YAML type (a boolean stays a boolean); a new one goes after `after`
     * when that key exists, else at the end.
     * @returns whether anything changed.
     */
    set(key: string, value: string, options: { after?: string } = {}): boolean {
        const full = fullKey(key);
        const old = this.get(full);
        if (old === value) return false;
        const found = this.find(full);
        if (found && isScalar(found.pair.value)) {
            found.pair.value.value = typedLike(found.pair.value.value, value);
        } else if (found) {
            found.pair.value = this.doc.createNode(value);
        } else {
            const map = this.configMap(true) as YAMLMap;
            const pair = this.doc.createPair(full, typedBySchema(full, value));
            const anchor = options.after ? this.find(options.after) : undefined;
            if (anchor) map.items.splice(anchor.index + 1, 0, pair);
            else map.items.push(pair);
        }
        this.changes.push({ key: full, from: old, to: value });
        return true;
    }

    /**
     * Removes a key. Comments written above it move to the next entry so they are not lost.
     * @returns whether anything changed.
     */
    delete(key: string): boolean {
        const found = this.find(fullKey(key));
        if (!found) return false;
        const old = valueText(found.pair.value);
        const { map, index, pair } = found;
        const keyNode = pair.key as Scalar | undefined;
        const comment = keyNode?.commentBefore;
        const space = keyNode?.spaceBefore;
        map.items.splice(index, 1);
        if (comment) {
            const next = map.items[index] as Pair | undefined;
            if (next && isScalar(next.key)) {
                next.key.commentBefore = next.key.commentBefore ? `${comment}\n${next.key.commentBefore}` : comment;
                next.key.spaceBefore = next.key.spaceBefore || space;
            } else {
                map.comment = map.comment ? `${comment}\n${map.comment}` : comment;
            }
        }
        this.changes.push({ key: keyText(pair) ?? key, from: old, to: undefined });
        return true;
    }

    /** The edits made so far. */
    get changed(): ConfigChange[] {
        return [...this.changes];
    }

    /** The file's text with the pending edits. */
    text(): string {
        const text = this.doc.toString(STRINGIFY);
        return this.crlf ? text.replace(/\n/g, "\r\n") : text;
    }

    /** A unified diff of the pending edits (empty when nothing changed). */
    diff(): string {
        const next = this.text();
        if (next === this.original) return "";
        return unifiedDiff(this.fileName, this.original.replace(/\r\n/g, "\n"), next.replace(/\r\n/g, "\n"));
    }

    /**
     * Writes the pending edits atomically, under the stack file's lock (cli/stackFileWrite.ts). Refuses when
     * the file changed on disk since it was read, or is read-only. Nothing is written when there are no edits.
     */
    save(): void {
        const next = this.text();
        if (next === this.original) return;
        withStackFileLock(this.path, () => {
            let current: string;
            try {
                current = readFileSync(this.path, "utf8");
            } catch (e) {
                throw refused(this.fileName, `cannot read it back: ${(e as Error).message}`);
            }
            if (current !== this.original) {
                throw refused(this.fileName, "changed on disk while drydock was working; nothing written", "run the command again");
            }
            writeStackFile(this.path, next);
        });
    }
}

/**
 * A read-modify-write of a stack file that cannot lose another command's write: takes the file's lock,
 * reads it, lets `edit` decide (it may refuse by throwing: nothing is written then) and change it, and
 * saves the edits before releasing the lock. Use it for every command that decides from what the file
 * says (pause refusing an already-paused stack) — the decision and the write are then one step.
 * @returns what `edit` returns.
 */
export async function editStackFile<T>(cwd: string, stack: string, edit: (file: StackFile) => T | Promise<T>): Promise<T> {
    const first = loadStack(cwd, stack); // names the stack file (and refuses a missing one) before locking
    return withStackFileLock(first.path, async () => {
        const file = loadStack(cwd, stack);
        const result = await edit(file);
        file.save();
        return result;
    });
}

/** `backendVersion` → `drydock:backendVersion`; namespaced keys unchanged. */
function fullKey(key: string): string {
    return key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`;
}

/** The spellings a key may have in the file: `drydock:x` and bare `x`. */
function keyNames(key: string): string[] {
    const full = fullKey(key);
    const prefix = `${CONFIG_NAMESPACE}:`;
    return full.startsWith(prefix) ? [full, full.slice(prefix.length)] : [full];
}

function keyText(pair: Pair): string | undefined {
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    return typeof k === "string" ? k : k === null || k === undefined ? undefined : String(k);
}

function valueText(node: unknown): string | undefined {
    if (node === null || node === undefined) return undefined;
    if (isScalar(node)) {
        const v = node.value;
        if (v === null || v === undefined) return undefined;
        return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
    }
    if (isSeq(node) || isMap(node)) return JSON.stringify(node.toJSON());
    return String(node);
}
