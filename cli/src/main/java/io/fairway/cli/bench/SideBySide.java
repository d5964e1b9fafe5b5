package io.fairway.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.cli.Fairway;
import io.fairway.sandbox.PeerScheduler;
import io.fairway.sandbox.SideBySideBenchmark;
import io.fairway.store.Snapshots;
import io.fairway.testsupport.k8s.KubeControlPlane;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fairway bench e2e --apiserver real [--peer …]}: runs {@link SideBySideBenchmark} and prints its table. */
public final class SideBySide {
    private SideBySide() {
    }

    public static int run(CommandSpec spec, PrintWriter out, int nodes, int pods, int timeoutSeconds,
                          List<String> peerSpecs, boolean json) throws Exception {
        List<PeerScheduler> schedulers = new ArrayList<>();
        schedulers.add(new PeerScheduler.Fairway(Fairway.class.getName()));
        Path bin = KubeControlPlane.binDirectory();
        for (String p : peerSpecs) {
            try {
                schedulers.add(PeerScheduler.parse(p, bin.resolve("kube-scheduler")));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        Path work = Files.createTempDirectory("fairway-side-by-side");
        out.printf(Locale.ROOT, "fairway bench e2e --apiserver real: %s, one after the other, each on a fresh etcd + "
                + "kube-apiserver (%s)%n", String.join(", ", schedulers.stream().map(PeerScheduler::name).toList()), bin);
        out.flush();
        List<SideBySideBenchmark.Row> rows = SideBySideBenchmark.run(schedulers, nodes, pods,
                Duration.ofSeconds(timeoutSeconds), work);
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (SideBySideBenchmark.Row r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("scheduler", r.scheduler());
                m.put("setup", r.setup());
                m.put("nodes", nodes);
                m.put("pods", r.pods());
                m.put("bound", r.bound());
                m.put("seconds", Math.round(r.seconds() * 100) / 100.0);
                m.put("podsPerSecond", Math.round(r.podsPerSecond()));
                m.put("bindP50Ms", r.bindP50Ms());
                m.put("bindP99Ms", r.bindP99Ms());
                m.put("schedulerCpuSeconds", Math.round(r.schedulerCpuSeconds() * 100) / 100.0);
                m.put("kafkaCpuSeconds", Math.round(r.kafkaCpuSeconds() * 100) / 100.0);
                m.put("cpuMsPerPod", Math.round(r.cpuMsPerPod() * 100) / 100.0);
                m.put("apiServerCpuSeconds", Math.round(r.apiServerCpuSeconds() * 100) / 100.0);
                m.put("createPerSecond", Math.round(r.createPerSecond()));
                m.put("complete", r.complete());
                list.add(m);
            }
            out.println(new ObjectMapper().writeValueAsString(list));
        } else {
            print(out, nodes, rows);
        }
        out.flush();
        Snapshots.deleteTree(work);
        return rows.stream().allMatch(SideBySideBenchmark.Row::complete) ? 0 : 1;
    }

    static void print(PrintWriter out, int nodes, List<SideBySideBenchmark.Row> rows) {
        SideBySideBenchmark.Row fw = rows.get(0);
        out.printf(Locale.ROOT, "%n%d nodes, %d pods each (created at %s/s)%n", nodes, fw.pods(),
                String.join(", ", rows.stream().map(r -> String.format(Locale.ROOT, "%.0f", r.createPerSecond()))
                        .toList()));
        out.printf(Locale.ROOT, "  %-28s %9s %8s %8s %9s %11s %9s %8s%n", "scheduler", "pods/s", "p50 ms", "p99 ms",
                "CPU s", "CPU ms/pod", "vs fairway", "apiserver CPU s");
        for (SideBySideBenchmark.Row r : rows) {
            String ratio = r == fw ? "1.00" : String.format(Locale.ROOT, "%.2f", r.podsPerSecond() / fw.podsPerSecond());
            out.printf(Locale.ROOT, "  %-28s %9.0f %8d %8d %9.2f %11.2f %9s %8.1f%s%n", r.scheduler(),
                    r.podsPerSecond(), r.bindP50Ms(), r.bindP99Ms(), r.schedulerCpuSeconds() + r.kafkaCpuSeconds(),
                    r.cpuMsPerPod(), ratio, r.apiServerCpuSeconds(),
                    r.complete() ? "" : String.format(Locale.ROOT, "  (INCOMPLETE: %d of %d bound)", r.bound(),
                            r.pods()));
        }
        out.printf(Locale.ROOT, "  (pods/s: first create request to last binding seen; latency: create request to a "
                + "watch seeing the pod bound; CPU: the scheduler's process over the run%s; vs fairway: pods/s "
                + "ratio)%n", fw.kafkaCpuSeconds() > 0 ? String.format(Locale.ROOT,
                ", Fairway's including its Kafka broker's %.2f s", fw.kafkaCpuSeconds()) : "");
        for (SideBySideBenchmark.Row r : rows) {
            out.printf(Locale.ROOT, "  %s%n", r.setup());
        }
    }
}
