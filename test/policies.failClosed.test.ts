/**
 * Issue 11's policy gaps, each with crafted resources: the world as a union of CIDR blocks (IPv4 and
 * IPv6), ports other than the load balancer's 80/443, assignPublicIp and publiclyAccessible as strings,
 * publicly accessible Aurora instances, versions naming a moving target, images run by tag in production,
 * and production decided by the `drydock:environment` tag.
 */
import { expect } from "chai";
import { PolicyInputResource } from "../policies/evaluate";
import { cidrRange, worldCoverage } from "../policies/rules/cidrs";
import { policyConfigProblems } from "../policies/config";
import { policies } from "../policies/policies";
import { DIGEST, REPO, T, details, resource, run, securityGroup, service, withContainer } from "./policies/support";

const exposure = (r: PolicyInputResource) => details(run([r]), "network-exposure");

describe("policies: the internet is judged on the union of CIDR blocks", () => {
    it("covers the address space with any set of blocks, IPv4 and IPv6", () => {
        expect(worldCoverage(["0.0.0.0/1", "128.0.0.0/1"]).map((w) => w.family)).to.deep.equal(["IPv4"]);
        expect(worldCoverage(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"]).map((w) => w.family)).to.deep.equal(["IPv4"]);
        expect(worldCoverage(["::/1", "8000::/1"]).map((w) => w.family)).to.deep.equal(["IPv6"]);
        expect(worldCoverage(["0.0.0.0/0", "::/0"]).map((w) => w.family)).to.deep.equal(["IPv4", "IPv6"]);
        expect(worldCoverage(["0.0.0.0/1", "128.0.0.0/2"])).to.deep.equal([]);
        expect(worldCoverage(["10.0.0.0/8", "not-a-cidr"])).to.deep.equal([]);
        expect(cidrRange("128.0.0.1/1")).to.include({ family: 4 }); // host bits are ignored, as AWS normalises them
        expect(cidrRange("2001:db8::/32")?.family).to.equal(6);
        expect(cidrRange("::ffff:10.0.0.0/104")?.family).to.equal(6);
    });

    it("0.0.0.0/1 + 128.0.0.0/1 on the database port is the world, in one rule or split over two", () => {
        const oneRule = securityGroup([{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }]);
        expect(exposure(oneRule)).to.deep.equal([
            `security group "drydock-production-db" ingress rule #1 has database port 5432 open to 0.0.0.0/1, 128.0.0.0/1. Allow the database port only from the backend service's security group (sourceSecurityGroupId / referencedSecurityGroupId).`,
        ]);
        const twoRules = securityGroup([
            { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/1"] },
            { protocol: "tcp", fromPort: 5000, toPort: 6000, cidrBlocks: ["128.0.0.0/1"] },
        ]);
        expect(exposure(twoRules)[0]).to.contain(
            "ingress rule #1 and ingress rule #2 together have database port 5432 open to 0.0.0.0/1, 128.0.0.0/1",
        );
        const ipv6 = securityGroup([{ protocol: "tcp", fromPort: 5432, toPort: 5432, ipv6CidrBlocks: ["::/1", "8000::/1"] }]);
        expect(exposure(ipv6)[0]).to.contain("database port 5432 open to ::/1, 8000::/1");
        const half = securityGroup([{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/1", "10.0.0.0/8"] }]);
        expect(exposure(half)).to.deep.equal([]);
    });

    it("judges standalone rules on their own blocks too", () => {
        const rule = resource(T.securityGroupRule, "halves", {
            type: "ingress",
            protocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"],
            securityGroupId: "sg-db",
        });
        expect(exposure(rule)[0]).to.contain(`security group rule "halves" has database port 5432 open to 0.0.0.0/1, 128.0.0.0/1`);
    });
});

describe("policies: only the load balancer's 80 and 443 face the internet", () => {
    it("any other port open to the world is a violation", () => {
        expect(exposure(securityGroup([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }]))).to.deep.equal([
            `security group "drydock-production-db" ingress rule #1 opens TCP port 22 to the internet (0.0.0.0/0). Only the load balancer's TCP 80 and 443 may face the internet; allow other ports from a security group or a narrower CIDR.`,
        ]);
        expect(exposure(securityGroup([{ protocol: "tcp", fromPort: 8000, toPort: 8080, ipv6CidrBlocks: ["::/0"] }]))[0]).to.contain(
            "opens TCP ports 8000-8080 to the internet (::/0)",
        );
        expect(exposure(securityGroup([{ protocol: "tcp", fromPort: 80, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]))[0]).to.contain(
            "TCP ports 80-443",
        );
        const ingress = resource(T.ingressRule, "ssh", {
            securityGroupId: "sg-x",
            ipProtocol: "tcp",
            fromPort: 22,
            toPort: 22,
            cidrIpv4: "0.0.0.0/0",
        });
        expect(exposure(ingress)[0]).to.contain(`security group ingress rule "ssh" opens TCP port 22 to the internet`);
    });

    it("80 and 443 from the world, and anything from a narrower block, pass", () => {
        const web = securityGroup([
            { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
            { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] },
            { protocol: "icmp", fromPort: -1, toPort: -1, cidrBlocks: ["0.0.0.0/0"] },
        ]);
        expect(exposure(web)).to.deep.equal([]);
    });
});

describe("policies: values as the provider coerces them", () => {
    it('assignPublicIp: "true" is true', () => {
        expect(
            details(run([service({ networkConfiguration: { assignPublicIp: "true", subnets: ["subnet-a"] } })]), "network-exposure")[0],
        ).to.contain(`service "backend-service" gives its tasks public IPs (networkConfiguration.assignPublicIp: "true")`);
        expect(
            details(run([service({ networkConfiguration: { assignPublicIp: "false", subnets: ["subnet-a"] } })]), "network-exposure"),
        ).to.deep.equal([]);
    });

    it('an Aurora instance with publiclyAccessible true (or "true") is a violation', () => {
        const instance = (publiclyAccessible: unknown) =>
            resource("aws:rds/clusterInstance:ClusterInstance", "database-instance-1", {
                identifier: "drydock-production-1",
                clusterIdentifier: "drydock-production",
                instanceClass: "db.serverless",
                engine: "aurora-postgresql",
                publiclyAccessible,
            });
        for (const value of [true, "true"]) {
            expect(exposure(instance(value))[0], String(value)).to.contain(
                `database instance "drydock-production-1" is publicly accessible`,
            );
        }
        expect(exposure(instance(false))).to.deep.equal([]);
        expect(exposure(instance(undefined))).to.deep.equal([]);
    });
});

describe("policies: production images are immutable and run by digest", () => {
    const pinned = (r: PolicyInputResource) => details(run([r]), "production-images-pinned");

    for (const version of ["v1.2.3-latest", "1.0.0-SNAPSHOT", "v0.0.0-main"]) {
        it(`${version} is floating, by tag and as the version a digest was resolved from`, () => {
            expect(pinned(withContainer({ image: `${REPO}:${version}`, version, label: version }, "production", version))[0]).to.contain(
                `names a moving target`,
            );
            expect(pinned(withContainer({ image: `${REPO}@${DIGEST}`, version, label: version }, "production", version))[0]).to.contain(
                "but that digest was resolved from a mutable version",
            );
        });
    }

    it("an image run by an immutable tag instead of a digest is a violation in production only (pinDigests=false)", () => {
        const byTag = (stack: string) => withContainer({ image: `${REPO}:v1.2.3` }, stack);
        expect(pinned(byTag("production"))).to.deep.equal([
            `container "backend" in task definition "drydock-production-backend" runs "${REPO}:v1.2.3" by tag, not by digest: in production a tag that is pushed again changes what runs. Run images by digest: pulumi config set pinDigests true -s production (sidecars: pin repo@sha256:<digest>).`,
        ]);
        expect(run([byTag("staging")])).to.deep.equal([]);
    });
});

describe("policies: production is decided by the drydock:environment tag", () => {
    const tagged = (stack: string, environment: string) => {
        const td = withContainer({ image: `${REPO}:latest` }, stack);
        return { ...td, props: { ...td.props, tags: { ...(td.props.tags as object), "drydock:environment": environment } } };
    };
    const levels = (r: PolicyInputResource) => run([r]).map((v) => `${v.policy}:${v.enforcementLevel}`);

    it("the tag wins over the stack name, both ways", () => {
        expect(levels(tagged("staging", "production"))).to.deep.equal(["production-images-pinned:mandatory"]);
        expect(levels(tagged("production", "staging"))).to.deep.equal(["non-production-images-pinned:advisory"]);
        expect(levels(tagged("prd", "development"))).to.deep.equal(["non-production-images-pinned:advisory"]);
    });

    it("an unknown tag value is production (fail closed); without a tag, only clearly non-production names are not", () => {
        expect(levels(tagged("staging", "prod"))).to.deep.equal(["production-images-pinned:mandatory"]);
        for (const stack of ["production-eu", "prd", "prod_eu"]) {
            expect(levels(withContainer({ image: `${REPO}:latest` }, stack)), stack).to.deep.equal(["production-images-pinned:mandatory"]);
        }
    });
});

describe("policies: security-group-rules-exposure (standalone rules of one group, together)", () => {
    const rule = (name: string, group: string, cidrIpv4: string, port = 5432) =>
        resource(T.ingressRule, name, { securityGroupId: group, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4 });
    const union = (rs: PolicyInputResource[]) => details(run(rs), "security-group-rules-exposure");

    it("two halves of the address space on the same group are the world", () => {
        expect(union([rule("low", "sg-db", "0.0.0.0/1"), rule("high", "sg-db", "128.0.0.0/1")])).to.deep.equal([
            `security group "sg-db": standalone rules "low", "high" together open database port 5432 to the internet (0.0.0.0/1, 128.0.0.0/1). Allow it from a security group or from the CIDR blocks that need it.`,
        ]);
        const sgRule = resource(T.securityGroupRule, "ssh-high", {
            type: "ingress",
            securityGroupId: "sg-x",
            protocol: "tcp",
            fromPort: 22,
            toPort: 22,
            cidrBlocks: ["128.0.0.0/1"],
        });
        expect(union([rule("ssh-low", "sg-x", "0.0.0.0/1", 22), sgRule])[0]).to.contain("together open TCP port 22 to the internet");
    });

    it("halves on different groups, the web ports, and a rule that is the world alone (network-exposure's) are not reported here", () => {
        expect(union([rule("low", "sg-a", "0.0.0.0/1"), rule("high", "sg-b", "128.0.0.0/1")])).to.deep.equal([]);
        expect(union([rule("low", "sg-lb", "0.0.0.0/1", 443), rule("high", "sg-lb", "128.0.0.0/1", 443)])).to.deep.equal([]);
        expect(union([rule("all", "sg-db", "0.0.0.0/0"), rule("office", "sg-db", "10.0.0.0/8")])).to.deep.equal([]);
    });
});

describe("policies: drydock's checks of a policy pack config", () => {
    it("refuses an entry for a policy the pack does not have (CrossGuard ignores it, keeping the defaults)", () => {
        const problems = policyConfigProblems({ "aurora-maintenance-and-backup": { minimumBackupRetentionDays: 14 } }, policies);
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^unknown policy "aurora-maintenance-and-backup"; accepted: all, .*aurora-maintenance-and-backups/);
        expect(policyConfigProblems({ all: "mandatory", "network-exposure": { databasePorts: [5432] } }, policies)).to.deep.equal([]);
    });
});
