package io.fairway.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A scheduler the side-by-side benchmark runs as its own OS process against a real kube-apiserver: Fairway itself, or
 * a peer our users would pick instead, set up as its users would.
 */
public sealed interface PeerScheduler {
    /** The name in the table and on the command line. */
    String name();

    /** {@code spec.schedulerName} of the pods it schedules. */
    String schedulerName();

    /** One line on how it is configured, printed under the table. */
    String setup();

    /**
     * Fairway's {@code fairway run}: {@code mainClass} is the command line's main class (the caller's: this module
     * does not depend on the CLI), with deploy/base's service account and its default settings.
     */
    record Fairway(String mainClass) implements PeerScheduler {
        @Override
        public String name() {
            return "fairway";
        }

        @Override
        public String schedulerName() {
            return "fairway";
        }

        @Override
        public String setup() {
            return "fairway run, default settings, deploy/base's service account and RBAC; a Kafka broker (KRaft, "
                    + "replication 1) in the benchmark's process, its CPU counted apart";
        }

        List<String> command(String kafka, Path kubeconfig, Path dataDir) {
            return FairwayRun.command(mainClass, List.of(), "bench-0", kafka, kubeconfig, dataDir);
        }
    }

    /**
     * kube-scheduler of the same Kubernetes release as the API server, its default profile; {@code qps} 0 keeps its
     * client's default rate limit (50 requests/s, bursts of 100), which caps its bindings; a tuned cluster raises it.
     */
    record KubeScheduler(Path binary, int qps) implements PeerScheduler {
        @Override
        public String name() {
            return qps > 0 ? "kube-scheduler (qps " + qps + ")" : "kube-scheduler";
        }

        @Override
        public String schedulerName() {
            return "default-scheduler";
        }

        @Override
        public String setup() {
            return name() + ": default profile, no leader election, the admin's kubeconfig"
                    + (qps > 0 ? String.format(Locale.ROOT, ", --kube-api-qps %d --kube-api-burst %d", qps, qps)
                    : ", its client's default 50 requests/s (bursts of 100)");
        }

        List<String> command(Path kubeconfig) {
            List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString(),
                    "--leader-elect=false", "--secure-port=0", "-v=1"));
            if (qps > 0) {
                cmd.addAll(List.of("--kube-api-qps", Integer.toString(qps), "--kube-api-burst", Integer.toString(qps)));
            }
            return cmd;
        }
    }

    /**
     * Parses {@code --peer}: {@code kube-scheduler} (its defaults) or {@code kube-scheduler:qps=N}; {@code yunikorn} is
     * refused with the reason (its Go modules are not served here).
     */
    static PeerScheduler parse(String spec, Path kubeSchedulerBinary) {
        String s = spec.strip();
        if (s.equals("kube-scheduler")) {
            return new KubeScheduler(kubeSchedulerBinary, 0);
        }
        if (s.startsWith("kube-scheduler:qps=")) {
            try {
                int qps = Integer.parseInt(s.substring("kube-scheduler:qps=".length()));
                if (qps >= 1) {
                    return new KubeScheduler(kubeSchedulerBinary, qps);
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw new IllegalArgumentException("--peer " + spec + ": qps must be a whole number of at least 1");
        }
        if (s.equals("yunikorn")) {
            throw new IllegalArgumentException("--peer yunikorn: YuniKorn cannot be built here: the Go module proxy "
                    + "answers 403 for github.com/apache/yunikorn-k8shim and yunikorn-core (see docs/peers.md)");
        }
        throw new IllegalArgumentException("--peer " + spec + " is not known: use kube-scheduler or "
                + "kube-scheduler:qps=N");
    }
}
