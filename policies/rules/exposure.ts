/**
 * Which ports a security group's ingress opens to the whole internet, judged on the union of its rules'
 * CIDR blocks per port (IPv4 and IPv6): `0.0.0.0/1` + `128.0.0.0/1`, in one rule or two, is the world.
 *
 * Only the load balancer's HTTP and HTTPS (TCP 80 and 443) may face the internet; a database port
 * (5432, configurable) gets its own, more specific message. ICMP and other protocols without ports are
 * not judged. Pure logic over plain values; no Pulumi import.
 */
import { worldCoverage } from "./cidrs";

/** One ingress rule, as read from the resource. */
export interface IngressView {
    /** `ingress rule #2`, `security group rule "db-open"`. */
    label: string;
    protocol: unknown;
    fromPort: unknown;
    toPort: unknown;
    cidrs: unknown[];
}

/** Ports open to the world through a set of rules. */
export interface Exposure {
    /** The rules whose CIDRs together cover the world, by label. */
    rules: string[];
    /** Exposed port ranges per protocol. */
    ports: { protocol: "TCP" | "UDP"; from: number; to: number }[];
    /** The CIDR blocks that make it the world, e.g. `0.0.0.0/0` or `0.0.0.0/1, 128.0.0.0/1`. */
    cidrs: string[];
}

/** Ports TCP ingress from the internet may use: the load balancer's HTTP and HTTPS. */
export const PUBLIC_TCP_PORTS: readonly number[] = [80, 443];

/** The TCP/UDP port range a rule opens, or undefined for a protocol without ports (ICMP, ...). */
function rangeOf(v: IngressView, proto: "TCP" | "UDP"): { from: number; to: number } | undefined {
    const p = String(v.protocol ?? "").toLowerCase();
    const all = p === "-1" || p === "all";
    const matches = all || (proto === "TCP" ? p === "tcp" || p === "6" : p === "udp" || p === "17");
    if (!matches) return undefined;
    if (all) return { from: 0, to: 65535 };
    const from = typeof v.fromPort === "number" ? v.fromPort : 0;
    const to = typeof v.toPort === "number" ? v.toPort : 65535;
    return from <= to ? { from, to } : undefined;
}

/** World-exposed intervals of one protocol: split at every rule boundary, union the covering rules' CIDRs. */
function exposedIntervals(views: IngressView[], proto: "TCP" | "UDP"): { from: number; to: number; rules: string[]; cidrs: string[] }[] {
    const ranged = views.map((v) => ({ v, r: rangeOf(v, proto) })).filter((x) => x.r !== undefined) as {
        v: IngressView;
        r: { from: number; to: number };
    }[];
    const bounds = [...new Set(ranged.flatMap((x) => [x.r.from, x.r.to + 1]))].sort((a, b) => a - b);
    const out: { from: number; to: number; rules: string[]; cidrs: string[] }[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
        const [from, to] = [bounds[i], bounds[i + 1] - 1];
        const covering = ranged.filter((x) => x.r.from <= from && x.r.to >= to);
        const world = worldCoverage(covering.flatMap((x) => x.v.cidrs));
        if (world.length === 0) continue;
        // Name only the rules and blocks that matter: a single /0 block says it all.
        const whole = world.flatMap((w) => w.cidrs).filter((c) => /\/0$/.test(c));
        const cidrs = whole.length > 0 ? whole : world.flatMap((w) => w.cidrs);
        const rules = covering
            .filter((x) => x.v.cidrs.some((c) => typeof c === "string" && cidrs.includes(c.trim())))
            .map((x) => x.v.label);
        const last = out[out.length - 1];
        if (last && last.to + 1 === from && last.rules.join() === rules.join() && last.cidrs.join() === cidrs.join()) last.to = to;
        else out.push({ from, to, rules, cidrs });
    }
    return out;
}

/** Every set of rules that opens ports to the world, with the ports per protocol. */
export function worldExposures(views: IngressView[]): Exposure[] {
    const byRules = new Map<string, Exposure>();
    for (const proto of ["TCP", "UDP"] as const) {
        for (const e of exposedIntervals(views, proto)) {
            const key = `${e.rules.join("\n")}|${e.cidrs.join()}`;
            const entry = byRules.get(key) ?? { rules: e.rules, ports: [], cidrs: e.cidrs };
            entry.ports.push({ protocol: proto, from: e.from, to: e.to });
            byRules.set(key, entry);
        }
    }
    return [...byRules.values()];
}

/** The database ports among an exposure's TCP ranges. */
export function exposedDatabasePorts(e: Exposure, databasePorts: readonly number[]): number[] {
    return databasePorts.filter((port) => e.ports.some((p) => p.protocol === "TCP" && p.from <= port && port <= p.to));
}

/** true when the exposure opens anything beyond TCP 80 and 443. */
export function beyondPublicPorts(e: Exposure): boolean {
    return e.ports.some((p) => p.protocol === "UDP" || p.to - p.from + 1 > PUBLIC_TCP_PORTS.filter((x) => x >= p.from && x <= p.to).length);
}

/** `TCP ports 0-65535, UDP port 53`. */
export function describePorts(e: Exposure): string {
    return e.ports
        .filter((p) => p.protocol === "UDP" || !(p.from === p.to && PUBLIC_TCP_PORTS.includes(p.from)))
        .map((p) => `${p.protocol} port${p.from === p.to ? ` ${p.from}` : `s ${p.from}-${p.to}`}`)
        .join(", ");
}

/** `ingress rule #2`, `ingress rules #1 and #2 together`. */
export function describeRules(rules: string[]): string {
    if (rules.length <= 1) return rules[0] ?? "ingress";
    return `${rules.slice(0, -1).join(", ")} and ${rules[rules.length - 1]} together`;
}
