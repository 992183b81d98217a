/**
 * A small unified line diff for showing stack-file edits (files of a few hundred lines).
 */

type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

/** Line operations turning `a` into `b` (longest common subsequence). */
function diffLines(a: string[], b: string[]): Op[] {
    const n = a.length;
    const m = b.length;
    // lcs[i][j] = length of the LCS of a[i..] and b[j..]
    const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
            lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    const ops: Op[] = [];
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] === b[j]) {
            ops.push({ kind: " ", line: a[i], a: i++, b: j++ });
        } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
            ops.push({ kind: "-", line: a[i], a: i++, b: j });
        } else {
            ops.push({ kind: "+", line: b[j], a: i, b: j++ });
        }
    }
    return ops;
}

/**
 * `--- a/<name>` / `+++ b/<name>` and `@@` hunks with `context` unchanged lines around each change.
 * Returns "" when the texts are equal.
 */
export function unifiedDiff(name: string, before: string, after: string, context = 2): string {
    if (before === after) return "";
    const split = (s: string) => (s.endsWith("\n") ? s.slice(0, -1) : s).split("\n");
    const ops = diffLines(split(before), split(after));
    const changed = ops.map((o, k) => (o.kind !== " " ? k : -1)).filter((k) => k >= 0);
    const out = [`--- a/${name}`, `+++ b/${name}`];
    let k = 0;
    while (k < changed.length) {
        const start = Math.max(0, changed[k] - context);
        let end = Math.min(ops.length - 1, changed[k] + context);
        while (k + 1 < changed.length && changed[k + 1] - context <= end + 1) {
            k++;
            end = Math.min(ops.length - 1, changed[k] + context);
        }
        const hunk = ops.slice(start, end + 1);
        const aLines = hunk.filter((o) => o.kind !== "+").length;
        const bLines = hunk.filter((o) => o.kind !== "-").length;
        out.push(`@@ -${hunk[0].a + 1},${aLines} +${hunk[0].b + 1},${bLines} @@`);
        for (const o of hunk) out.push(`${o.kind}${o.line}`);
        k++;
    }
    return out.join("\n") + "\n";
}
