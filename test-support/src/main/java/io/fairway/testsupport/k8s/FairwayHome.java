package io.fairway.testsupport.k8s;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checkout Fairway runs from: {@code -Dfairway.home} (set by {@code ./fairway}), else the first directory upwards
 * from the working directory that has {@code scripts/k8s-control-plane.sh} (a module's directory under Maven).
 */
public final class FairwayHome {
    private FairwayHome() {
    }

    public static Path directory() {
        String property = System.getProperty("fairway.home");
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/k8s-control-plane.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("cannot find Fairway's checkout (scripts/k8s-control-plane.sh) above "
                + Path.of("").toAbsolutePath() + "; run through ./fairway or set -Dfairway.home=DIR");
    }

    /** {@code scripts/NAME} of the checkout. */
    public static Path script(String name) {
        Path s = directory().resolve("scripts").resolve(name);
        if (!Files.isRegularFile(s)) {
            throw new IllegalStateException(s + " does not exist; is " + directory() + " a Fairway checkout?");
        }
        return s;
    }

    /** A path of the checkout, e.g. {@code deploy/base/rbac.yaml}. */
    public static Path resolve(String relative) {
        return directory().resolve(relative);
    }
}
