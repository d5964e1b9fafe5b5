package io.fairway.testsupport.k8s;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kubectl the tests run, found one way for all of them: {@code FAIRWAY_KUBECTL} (which {@code ./test} sets from
 * {@code scripts/k8s-binaries.sh}, which builds kubectl where the machine has none), else {@code /usr/bin/kubectl},
 * else the first on {@code PATH}. Without one a test fails, saying how to get it; none is skipped.
 */
public final class Kubectl {
    private Kubectl() {
    }

    public static Path path() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getenv("FAIRWAY_KUBECTL");
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        }
        candidates.add(Path.of("/usr/bin/kubectl"));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, "kubectl"));
            }
        }
        for (Path c : candidates) {
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        throw new IllegalStateException("no kubectl: not at $FAIRWAY_KUBECTL (" + configured + "), /usr/bin/kubectl "
                + "nor on PATH. ./test gets one: scripts/k8s-binaries.sh builds kubectl from its Go module where the "
                + "machine has none (or run it with FAIRWAY_K8S_BUILD_KUBECTL=1 and set FAIRWAY_KUBECTL to the path it "
                + "prints); or install kubectl 1.32 or newer, not Debian's kubernetes-client package (kubectl 1.20)");
    }
}
