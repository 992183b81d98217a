/**
 * CIDR arithmetic for the exposure rules: whether a set of CIDR blocks, taken together, covers the whole
 * IPv4 or IPv6 address space (`0.0.0.0/1` + `128.0.0.0/1` is the world as much as `0.0.0.0/0`).
 * Pure logic; no Pulumi import.
 */

interface Range {
    start: bigint;
    end: bigint;
}

const V4_BITS = 32n;
const V6_BITS = 128n;

function parseV4(address: string): bigint | undefined {
    const parts = address.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reduce((n, p) => (n << 8n) + BigInt(Number(p)), 0n);
}

function parseV6(address: string): bigint | undefined {
    if (!/^[0-9a-f:.]+$/i.test(address) || address.split("::").length > 2) return undefined;
    const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
    const groups = (s: string) => (s === "" ? [] : s.split(":"));
    const expand = (list: string[]): string[] | undefined => {
        const last = list[list.length - 1];
        if (last !== undefined && last.includes(".")) {
            const v4 = parseV4(last); // ::ffff:1.2.3.4
            if (v4 === undefined) return undefined;
            return [...list.slice(0, -1), ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16)];
        }
        return list;
    };
    const h = expand(groups(head));
    const t = tail === undefined ? [] : expand(groups(tail));
    if (h === undefined || t === undefined) return undefined;
    const missing = 8 - h.length - t.length;
    if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
    const all = [...h, ...Array<string>(Math.max(0, missing)).fill("0"), ...t];
    if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
    return all.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** The address range of a CIDR block and its family, or undefined when it is not one. */
export function cidrRange(cidr: unknown): (Range & { family: 4 | 6 }) | undefined {
    if (typeof cidr !== "string") return undefined;
    const m = /^([^/\s]+)\/(\d{1,3})$/.exec(cidr.trim());
    if (!m) return undefined;
    const family = m[1].includes(":") ? 6 : 4;
    const bits = family === 4 ? V4_BITS : V6_BITS;
    const prefix = BigInt(Number(m[2]));
    if (prefix > bits) return undefined;
    const address = family === 4 ? parseV4(m[1]) : parseV6(m[1]);
    if (address === undefined) return undefined;
    const size = 1n << (bits - prefix);
    const start = (address / size) * size;
    return { start, end: start + size - 1n, family };
}

/** true when the ranges, merged, cover 0..max. */
function covers(ranges: Range[], max: bigint): boolean {
    const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let next = 0n;
    for (const r of sorted) {
        if (r.start > next) return false;
        if (r.end + 1n > next) next = r.end + 1n;
        if (next > max) return true;
    }
    return next > max;
}

/**
 * The families (`IPv4`, `IPv6`) whose whole address space `cidrs` cover together, with the blocks that
 * do it: `[{ family: "IPv4", cidrs: ["0.0.0.0/1", "128.0.0.0/1"] }]`. Blocks that are not CIDRs are ignored.
 */
export function worldCoverage(cidrs: readonly unknown[]): { family: "IPv4" | "IPv6"; cidrs: string[] }[] {
    const out: { family: "IPv4" | "IPv6"; cidrs: string[] }[] = [];
    for (const family of [4, 6] as const) {
        const blocks = cidrs.filter((c): c is string => cidrRange(c)?.family === family);
        const ranges = blocks.map((c) => cidrRange(c) as Range);
        const max = (1n << (family === 4 ? V4_BITS : V6_BITS)) - 1n;
        if (ranges.length > 0 && covers(ranges, max))
            out.push({ family: family === 4 ? "IPv4" : "IPv6", cidrs: blocks.map((c) => c.trim()) });
    }
    return out;
}
