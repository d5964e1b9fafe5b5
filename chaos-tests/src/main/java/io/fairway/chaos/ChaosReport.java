package io.fairway.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fairway.chaos.check.CheckResult;
import io.fairway.chaos.check.Violation;
import io.fairway.chaos.faults.FaultKind;
import io.fairway.chaos.faults.Injected;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a chaos run did and found: per fault kind, how often it was injected and recovered from, and how long recovery
 * took (fault end to a probe pod bound); the pods' fates; every violation with its evidence; fenced attempts; leader
 * changes, and those no fault on the leader explains (needless).
 */
public record ChaosReport(String suite, long seed, long seconds, Map<String, KindFigures> kinds,
                          CheckResult.Counts counts, List<Violation> violations, int leaderChanges,
                          int needlessLeaderChanges, List<Long> needlessAt, long deletions, long configReloads,
                          List<FaultRecord> faults) {

    /** One fault and how soon after it a probe pod was bound (-1: skipped, or not within the probe's timeout). */
    public record FaultRecord(Injected fault, long recoveryMillis) {
    }

    /** A kind's figures: injected, recovered, skipped (with why), recovery p50/p99 in ms. */
    public record KindFigures(int injected, int recovered, int skipped, String skippedWhy, long p50, long p99) {
    }

    static ChaosReport of(ChaosOptions o, List<FaultRecord> faults, CheckResult check, List<Violation> violations,
                          List<Long> elections, long started, long lastFaultEnd, long deletions, long reloads) {
        Map<String, KindFigures> kinds = new LinkedHashMap<>();
        for (FaultKind k : o.faults()) {
            List<Long> times = new ArrayList<>();
            int injected = 0;
            int skipped = 0;
            String why = "";
            for (FaultRecord f : faults) {
                if (f.fault().kind() != k) {
                    continue;
                }
                if (f.fault().wasSkipped()) {
                    skipped++;
                    why = f.fault().skipped();
                    continue;
                }
                injected++;
                if (f.recoveryMillis() >= 0) {
                    times.add(f.recoveryMillis());
                }
            }
            times.sort(null);
            kinds.put(k.label(), new KindFigures(injected, times.size(), skipped, why, pct(times, 50), pct(times, 99)));
        }
        // the first election starts the run; any later one must fall in or just after a fault that may depose
        List<Long> needless = new ArrayList<>();
        for (int i = 1; i < elections.size(); i++) {
            long at = elections.get(i);
            boolean explained = faults.stream().map(FaultRecord::fault).anyMatch(f -> !f.wasSkipped()
                    && f.kind().mayDepose() && f.start() <= at && at <= f.end() + 15_000);
            if (!explained) {
                needless.add(at);
            }
        }
        return new ChaosReport(o.suite(), o.seed(), (System.currentTimeMillis() - started) / 1000, kinds,
                check.counts(), violations, Math.max(0, elections.size() - 1), needless.size(), needless, deletions,
                reloads, faults);
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    @com.fasterxml.jackson.annotation.JsonProperty("injected")
    public int injected() {
        return kinds.values().stream().mapToInt(KindFigures::injected).sum();
    }

    /** What faults found wrong in the system's handling of them beyond the invariants (e.g. a store thrown away). */
    @com.fasterxml.jackson.annotation.JsonProperty("findings")
    public List<String> findings() {
        return faults.stream().filter(f -> f.fault().finding() != null)
                .map(f -> f.fault().kind().label() + ": " + f.fault().finding()).toList();
    }

    /** True when nothing was violated or found, nothing lost, and every injected fault was recovered from. */
    @com.fasterxml.jackson.annotation.JsonProperty("passed")
    public boolean passed() {
        return violations.isEmpty() && findings().isEmpty() && counts.podsLost == 0
                && kinds.values().stream().allMatch(k -> k.recovered() == k.injected());
    }

    public void print(PrintWriter out) {
        out.printf("chaos %s, seed %d, %d s: %d faults injected%n", suite, seed, seconds, injected());
        out.printf("%-28s %8s %9s %8s %8s  %s%n", "fault", "injected", "recovered", "p50 ms", "p99 ms", "");
        kinds.forEach((k, f) -> out.printf("%-28s %8d %9d %8s %8s  %s%n", k, f.injected(), f.recovered(),
                f.p50() < 0 ? "-" : Long.toString(f.p50()), f.p99() < 0 ? "-" : Long.toString(f.p99()),
                f.skipped() > 0 ? "skipped " + f.skipped() + ": " + f.skippedWhy() : ""));
        out.printf("pods: %d created, %d bound, %d waiting with a reason, %d deleted, %d lost%n", counts.podsCreated,
                counts.podsBound, counts.podsWaiting, counts.podsDeleted, counts.podsLost);
        out.printf("bindings: %d sent, %d accepted; %d fenced attempts from deposed leaders, %d late ones landed%n",
                counts.bindingsSent, counts.bindingsAccepted, counts.fencedAttempts, counts.lateBindingsLanded);
        out.printf("leader changes: %d (%d needless)%s%n", leaderChanges, needlessLeaderChanges,
                needlessAt.isEmpty() ? "" : " at " + needlessAt.stream().map(t -> Instant.ofEpochMilli(t)
                        .toString()).toList());
        out.printf("workload: %d pods deleted by users, %d queue config reloads%n", deletions, configReloads);
        findings().forEach(f -> out.println("finding: " + f));
        out.printf("violations: %d%n", violations.size());
        for (Violation v : violations) {
            out.println("  " + v);
        }
        out.println(passed() ? "PASSED: every invariant held" : "FAILED");
        out.flush();
    }

    public String json() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON: " + e.getMessage(), e);
        }
    }
}
