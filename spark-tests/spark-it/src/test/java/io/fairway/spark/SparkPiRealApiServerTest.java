package io.fairway.spark;

import io.fairway.sandbox.SandboxCluster;
import org.junit.jupiter.api.Tag;

/** {@link SparkPiTest}'s runs on a real etcd + kube-apiserver (RBAC on; Spark's clients with a token and the CA). */
@Tag("real-apiserver")
class SparkPiRealApiServerTest extends SparkPiTest {
    @Override
    SandboxCluster.ApiServerKind apiServer() {
        return SandboxCluster.ApiServerKind.REAL;
    }
}
