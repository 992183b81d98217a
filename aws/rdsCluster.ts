/**
 * The stack's Aurora cluster, if it exists: `drydock status` shows it, `drydock snapshots` tells a stack
 * that was never deployed from one without snapshots.
 */
import { DBCluster, DescribeDBClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { aws, requireAnswer } from "./errors";

/** The cluster, or undefined when RDS says there is none (DBClusterNotFoundFault). Other failures throw a CliError. */
export async function findCluster(rds: RDSClient, identifier: string): Promise<DBCluster | undefined> {
    return aws(`RDS DescribeDBClusters ${identifier}`, async () => {
        try {
            return requireAnswer(await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })), "DBClusters")[0];
        } catch (e) {
            if ((e as Error).name === "DBClusterNotFoundFault") return undefined;
            throw e;
        }
    });
}
