package io.fairway.chaos;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fairway.chaos.check.CheckInput;
import io.fairway.chaos.check.CheckResult;
import io.fairway.chaos.check.HistoryEntry;
import io.fairway.chaos.check.InvariantChecker;
import io.fairway.chaos.check.Violation;
import io.fairway.chaos.harness.ChaosCluster;
import io.fairway.chaos.harness.ChaosQueues;
import io.fairway.chaos.harness.ReplicaProcess;
import io.fairway.chaos.replica.Sabotage;
import io.fairway.sandbox.kubelet.PodLifecycle;
import io.fairway.store.Snapshots;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Shows the checker can fail: on one system under test, the replicas are restarted with each planted bug in turn, the
 * bug is given work that exposes it, and the checker must report it, within that bug's time window, under the
 * invariant it breaks. A first window with no bug planted is the control: nothing may be reported in it.
 */
public final class SabotageRun {
    /** What one planted bug led to: the violations reported in its window (empty: not caught). */
    public record Outcome(Sabotage sabotage, long from, long to, List<Violation> caught) {
        public boolean wasCaught() {
            return caught.stream().anyMatch(v -> v.invariant().equals(sabotage.caughtBy()));
        }
    }

    /** The control window and each planted bug's. */
    public record Result(List<Violation> control, List<Outcome> outcomes) {
        public boolean passed() {
            return control.isEmpty() && outcomes.stream().allMatch(Outcome::wasCaught);
        }

        public void print(PrintWriter out) {
            out.printf("control (no bug planted): %d violations%n", control.size());
            control.forEach(v -> out.println("  " + v));
            for (Outcome o : outcomes) {
                out.printf("sabotage %-20s %s (%s)%n", o.sabotage().label(), o.wasCaught() ? "CAUGHT by "
                        + o.sabotage().caughtBy() : "NOT caught", o.sabotage().what());
                o.caught().stream().limit(3).forEach(v -> out.println("  " + v));
            }
            out.println(passed() ? "PASSED: every planted bug was reported" : "FAILED");
            out.flush();
        }
    }

    private static final Pattern HOLDING = Pattern.compile("chaos: failpoint after-commit holding");
    private final Path dir;
    private final List<Sabotage> sabotages;
    private final PrintWriter progress;
    private final boolean keep;
    private int seq;

    public SabotageRun(Path dir, List<Sabotage> sabotages, boolean keep, PrintWriter progress) {
        this.dir = dir;
        this.sabotages = List.copyOf(sabotages);
        this.progress = progress;
        this.keep = keep;
    }

    public Result run() throws IOException {
        Files.createDirectories(dir);
        try (ChaosCluster cluster = ChaosCluster.start(dir, ChaosCluster.Options.defaults(7).withReplicas(2))) {
            leader(cluster);
            long controlFrom = System.currentTimeMillis();
            say("control: no bug planted");
            burst(cluster, "team-b", 6, "1");
            ChaosRun.sleep(8_000);
            long controlTo = System.currentTimeMillis();
            Map<Sabotage, long[]> windows = new LinkedHashMap<>();
            for (Sabotage s : sabotages) {
                say("planting %s: %s", s.label(), s.what());
                cluster.restartReplicas(s);
                long from = System.currentTimeMillis();
                ReplicaProcess leader = leader(cluster);
                // a config the replicas observe anew: the queue-max bug is planted where a config is read
                cluster.writeQueues(ChaosQueues.yaml(20 + seq % 2));
                ChaosRun.sleep(3_000);
                expose(cluster, leader, s);
                ChaosRun.sleep(5_000);
                windows.put(s, new long[] {from, System.currentTimeMillis()});
            }
            cluster.restartReplicas(null);
            CheckResult check = InvariantChecker.check(new CheckInput(HistoryEntry.read(cluster.api().history()),
                    ChaosRun.readLog(cluster.kafka().bootstrap()), List.of(), List.of(), List.of(), 2_000,
                    ChaosCluster.CONFIG_NAMESPACE, ChaosCluster.CONFIG_NAME));
            List<Violation> control = within(check.violations(), controlFrom, controlTo);
            List<Outcome> outcomes = new ArrayList<>();
            windows.forEach((s, w) -> outcomes.add(new Outcome(s, w[0], w[1], within(check.violations(), w[0], w[1]))));
            return new Result(control, outcomes);
        } finally {
            if (!keep) {
                Snapshots.deleteTree(dir);
            }
        }
    }

    private static List<Violation> within(List<Violation> all, long from, long to) {
        return all.stream().filter(v -> v.evidence().get("t") instanceof Long t && t >= from && t <= to).toList();
    }

    private static ReplicaProcess leader(ChaosCluster cluster) {
        ReplicaProcess l = cluster.awaitLeader(Duration.ofSeconds(120));
        if (l == null) {
            throw new IllegalStateException("no replica took the lead within 120 s; see " + cluster.directory());
        }
        return l;
    }

    /** Gives the planted bug the work that exposes it. */
    private void expose(ChaosCluster cluster, ReplicaProcess leader, Sabotage s) throws IOException {
        switch (s) {
            case IGNORE_QUEUE_MAX -> burst(cluster, "team-c", 30, "1");
            case BIND_TWICE -> burst(cluster, "team-b", 6, "500m");
            case HALF_GANG -> gang(cluster, 4);
            case SECOND_WRITER -> {
                burst(cluster, "team-b", 1, "1000");
                ChaosRun.sleep(8_000);
            }
            case BIND_WITHOUT_LEASE -> {
                // held after a commit with allocations; cut from the API server meanwhile, it loses the lease and
                // another replica leads; the hold ends well after the cut heals, and then it binds
                Path arm = cluster.directory().resolve("chaos").resolve("failpoint-" + leader.name());
                long hold = 30_000;
                Files.writeString(arm, Long.toString(hold));
                int before = leader.process().linesMatching(HOLDING);
                burst(cluster, "team-b", 4, "500m");
                long deadline = System.currentTimeMillis() + 30_000;
                while (leader.process().linesMatching(HOLDING) == before && System.currentTimeMillis() < deadline) {
                    ChaosRun.sleep(5);
                }
                long heldAt = System.currentTimeMillis();
                cluster.apiProxy(leader.name()).partition();
                ReplicaProcess next = null;
                while (next == null && System.currentTimeMillis() < heldAt + hold - 10_000) {
                    next = cluster.replicas().stream().filter(r -> r != leader && r.leads()).findFirst().orElse(null);
                    ChaosRun.sleep(200);
                }
                say("%s held at the failpoint and cut off; %s leads", leader.name(),
                        next == null ? "no other replica" : next.name());
                cluster.apiProxy(leader.name()).clear();
                ChaosRun.sleep(Math.max(0, heldAt + hold + 3_000 - System.currentTimeMillis()));
            }
        }
    }

    private void burst(ChaosCluster cluster, String team, int pods, String cpu) {
        String app = "sabotage-" + (++seq);
        for (int i = 0; i < pods; i++) {
            cluster.client().pods().inNamespace(team).resource(pod(app + "-" + i, team, app, cpu, Map.of())).create();
        }
    }

    private void gang(ChaosCluster cluster, int members) {
        String app = "gang-" + (++seq);
        Map<String, String> ann = Map.of("yunikorn.apache.org/task-group-name", "workers",
                "yunikorn.apache.org/task-groups", "[{\"name\":\"workers\",\"minMember\":" + members
                        + ",\"minResource\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}]");
        for (int i = 0; i < members; i++) {
            cluster.client().pods().inNamespace("team-b").resource(pod(app + "-" + i, "team-b", app, "1", ann))
                    .create();
        }
    }

    private static Pod pod(String name, String team, String app, String cpu, Map<String, String> annotations) {
        Map<String, String> ann = new LinkedHashMap<>(annotations);
        ann.put(PodLifecycle.RUN_SECONDS, "600");
        ann.put("yunikorn.apache.org/user.info", "{\"user\":\"saboteur\"}");
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(team)
                .withLabels(Map.of("queue", "root.tenants." + team, "yunikorn.apache.org/app-id", app))
                .withAnnotations(ann).endMetadata()
                .withNewSpec().withSchedulerName("fairway").withRestartPolicy("Never").addNewContainer()
                .withName("main").withImage("busybox").withNewResources()
                .withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("1Gi"))).endResources()
                .endContainer().endSpec().build();
    }

    private void say(String format, Object... args) {
        progress.printf("chaos sabotage: " + format + "%n", args);
        progress.flush();
    }
}
