package io.fairway.testsupport.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Fairway's identity on a cluster as {@code deploy/base} defines it: the namespace, the service account and its RBAC
 * (read from the checkout's YAML, so a permission missing there is missing here), and a token of that account.
 */
public final class DeployBaseIdentity {
    public static final String NAMESPACE = "fairway";
    public static final String ACCOUNT = "fairway";
    public static final String USER = "system:serviceaccount:" + NAMESPACE + ":" + ACCOUNT;
    private static final List<String> FILES = List.of("namespace.yaml", "serviceaccount.yaml", "rbac.yaml");

    private DeployBaseIdentity() {
    }

    /** Creates the namespace, account and roles of {@code deploy/base}; returns a token of the account. */
    public static String apply(KubeControlPlane cp, KubernetesClient admin, Duration validity) {
        Path base = FairwayHome.resolve("deploy/base");
        for (String f : FILES) {
            try (InputStream in = Files.newInputStream(base.resolve(f))) {
                for (HasMetadata item : admin.load(in).items()) {
                    // what kustomization.yaml's namespace: does for the namespaced kinds
                    boolean clusterScoped = switch (item.getKind()) {
                        case "Namespace", "ClusterRole", "ClusterRoleBinding" -> true;
                        default -> false;
                    };
                    if (!clusterScoped && item.getMetadata().getNamespace() == null) {
                        item.getMetadata().setNamespace(NAMESPACE);
                    }
                    admin.resource(item).create();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + base.resolve(f) + ": " + e.getMessage(), e);
            }
        }
        return cp.serviceAccountToken(admin, NAMESPACE, ACCOUNT, validity);
    }
}
