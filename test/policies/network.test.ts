/** policies/rules/network.ts: network-exposure and http-redirects-to-https. */
import { expect } from "chai";
import { PolicyConfigEntry, PolicyInputResource } from "../../policies/evaluate";
import {
    DB_FROM_BACKEND,
    FORWARD,
    T,
    details,
    httpListener,
    httpsListener,
    loadBalancer,
    resource,
    run,
    securityGroup,
    service,
    unknown,
} from "./support";

describe("policies: network-exposure", () => {
    const of = (r: PolicyInputResource, config?: Record<string, PolicyConfigEntry>) => details(run([r], config), "network-exposure");

    it("rejects public IPs on ECS tasks", () => {
        expect(of(service({ networkConfiguration: { assignPublicIp: true, subnets: ["subnet-a"] } }))[0]).to.contain(
            `service "backend-service" gives its tasks public IPs (networkConfiguration.assignPublicIp: true)`,
        );
    });

    it("rejects the database port open to 0.0.0.0/0 or ::/0 in a security group's ingress", () => {
        expect(
            of(securityGroup([DB_FROM_BACKEND, { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }])),
        ).to.deep.equal([
            `security group "drydock-production-db" ingress rule #2 has database port 5432 open to 0.0.0.0/0. Allow the database port only from the backend service's security group (sourceSecurityGroupId / referencedSecurityGroupId).`,
        ]);
        expect(of(securityGroup([{ protocol: "tcp", fromPort: 5432, toPort: 5432, ipv6CidrBlocks: ["::/0"] }]))[0]).to.contain(
            "port 5432 open to ::/0",
        );
    });

    it("counts port ranges and all-protocol rules that cover the database port", () => {
        expect(of(securityGroup([{ protocol: "tcp", fromPort: 5000, toPort: 6000, cidrBlocks: ["0.0.0.0/0"] }]))).to.have.length(1);
        expect(of(securityGroup([{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]))).to.have.length(1);
        expect(of(securityGroup([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]))).to.deep.equal([]);
        // UDP 5432 is no database port, but nothing other than the load balancer's TCP 80/443 may face the internet.
        expect(of(securityGroup([{ protocol: "udp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }]))[0]).to.contain(
            "opens UDP port 5432 to the internet",
        );
    });

    it("checks standalone aws.ec2.SecurityGroupRule ingress (not egress)", () => {
        const rule = (type: string) =>
            resource(T.securityGroupRule, "db-open", {
                type,
                protocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                cidrBlocks: ["0.0.0.0/0"],
                securityGroupId: "sg-db",
            });
        expect(of(rule("ingress"))).to.deep.equal([
            `security group rule "db-open" has database port 5432 open to 0.0.0.0/0. Allow the database port only from the backend service's security group (sourceSecurityGroupId / referencedSecurityGroupId).`,
        ]);
        expect(of(rule("egress"))).to.deep.equal([]);
    });

    it("checks standalone aws.vpc.SecurityGroupIngressRule", () => {
        const rule = (props: Record<string, unknown>) =>
            resource(T.ingressRule, "db-in", { securityGroupId: "sg-db", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, ...props });
        expect(of(rule({ cidrIpv4: "0.0.0.0/0" }))[0]).to.contain(
            `security group ingress rule "db-in" has database port 5432 open to 0.0.0.0/0`,
        );
        expect(of(rule({ ipProtocol: "-1", fromPort: undefined, toPort: undefined, cidrIpv6: "::/0" }))[0]).to.contain("open to ::/0");
        expect(of(rule({ referencedSecurityGroupId: "sg-backend" }))).to.deep.equal([]);
    });

    it("follows the databasePorts policy config", () => {
        const mysql = securityGroup([{ protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["0.0.0.0/0"] }]);
        expect(of(mysql)[0]).to.contain("opens TCP port 3306 to the internet"); // not a database port here, still not 80/443
        expect(of(mysql, { "network-exposure": { databasePorts: [3306] } })[0]).to.contain("database port 3306 open to 0.0.0.0/0");
    });

    it("requires the application load balancer to drop invalid header fields", () => {
        expect(of(loadBalancer({ dropInvalidHeaderFields: false }))).to.deep.equal([
            `load balancer "drydock-production" forwards requests with invalid header fields. Set dropInvalidHeaderFields: true.`,
        ]);
        expect(of(loadBalancer({ dropInvalidHeaderFields: undefined }))).to.have.length(1);
        expect(of(loadBalancer({ loadBalancerType: "network", dropInvalidHeaderFields: undefined }))).to.deep.equal([]);
    });
});

describe("policies: http-redirects-to-https", () => {
    const of = (resources: PolicyInputResource[]) => run(resources).filter((v) => v.policy === "http-redirects-to-https");

    it("rejects a plain-HTTP listener when the stack has an HTTPS listener, naming that listener's URN", () => {
        const http = httpListener({ defaultActions: [FORWARD] });
        const [v, ...rest] = of([httpsListener(), http]);
        expect(rest).to.deep.equal([]);
        expect(v.enforcementLevel).to.equal("mandatory");
        expect(v.urn).to.equal(http.urn);
        expect(v.message).to.contain(`HTTP listener "http" serves plain HTTP although the stack has HTTPS listener "https"`);
    });

    it("rejects a redirect that keeps the protocol", () => {
        expect(
            of([
                httpsListener(),
                httpListener({ defaultActions: [{ type: "redirect", redirect: { protocol: "#{protocol}", statusCode: "HTTP_301" } }] }),
            ]),
        ).to.have.length(1);
    });

    it("counts a certificate resource as HTTPS being configured", () => {
        const cert = resource(T.certificate, "cert", { domainName: "app.example.com", validationMethod: "DNS" });
        expect(of([cert, httpListener({ defaultActions: [FORWARD] })])[0].message).to.contain(`although the stack has certificate "cert"`);
    });

    it("still rejects the plain-HTTP listener while its load balancer's ARN is unknown (the load balancer is being created)", () => {
        const vs = of([httpsListener(), httpListener({ defaultActions: [FORWARD], loadBalancerArn: unknown.unknownStringValue })]);
        expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory"]);
    });

    it("treats a listener with no protocol and no certificate as HTTP on any port", () => {
        const vs = of([httpsListener(), httpListener({ defaultActions: [FORWARD], port: 8080, protocol: undefined })]);
        expect(vs).to.have.length(1);
        expect(vs[0].message).to.contain("serves plain HTTP");
    });

    it("allows plain HTTP when the stack has no certificate, and listeners of another load balancer", () => {
        expect(of([httpListener({ defaultActions: [FORWARD] })])).to.deep.equal([]);
        expect(of([httpsListener(), httpListener({ defaultActions: [FORWARD], loadBalancerArn: "arn:alb/other" })])).to.deep.equal([]);
    });
});
