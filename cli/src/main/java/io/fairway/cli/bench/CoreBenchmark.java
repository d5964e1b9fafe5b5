package io.fairway.cli.bench;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import java.util.Arrays;

/**
 * Measures the core alone: scheduling cycles over a loaded state, each cycle's decisions applied back as the log
 * would, until nothing more can be placed. Loading the pods (the watcher's job) is not timed.
 */
public final class CoreBenchmark {
    /** The figures of one run. */
    public record Result(int nodes, int pods, int queues, int apps, long placed, long unschedulableDecisions,
                         long pendingAtEnd, long pendingThatFit, long refused, int cycles, double seconds,
                         double podsPerSecond, double decisionsPerSecond, double cycleP50Ms, double cycleP99Ms,
                         double cycleMaxMs) {
    }

    private CoreBenchmark() {
    }

    /** Runs the scheduler over a loaded state until it settles. */
    public static Result run(ClusterState state, int queues, int apps, int maxPerCycle) {
        Scheduler scheduler = new Scheduler(state, state.leaderEpoch(), maxPerCycle);
        // Garbage of the loading (and of warm-up runs) is collected now, not inside the timed run; JMH does the same.
        System.gc();
        long placed = 0;
        long unschedulable = 0;
        long refused = 0;
        long[] cycleNanos = new long[1024];
        int cycles = 0;
        long start = System.nanoTime();
        while (true) {
            long c0 = System.nanoTime();
            CycleResult r = scheduler.cycle(cycles);
            long c1 = System.nanoTime();
            if (cycles == cycleNanos.length) {
                cycleNanos = Arrays.copyOf(cycleNanos, cycles * 2);
            }
            cycleNanos[cycles++] = c1 - c0;
            for (Decision d : r.decisions()) {
                ApplyResult applied = state.apply(d);
                if (!applied.applied()) {
                    refused++;
                } else if (d instanceof Allocated) {
                    placed++;
                } else {
                    unschedulable++;
                }
            }
            scheduler.acknowledge(r.decisions());
            if (r.allocations() == 0 && !r.capped()) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long pending = 0;
        long pendingThatFit = 0;
        int pods = 0;
        for (PodState p : state.pods()) {
            pods++;
            if (p.role() == PodState.Role.PENDING) {
                pending++;
                if (scheduler.fitsSomewhere(p)) {
                    pendingThatFit++;
                }
            }
        }
        long[] sorted = Arrays.copyOf(cycleNanos, cycles);
        Arrays.sort(sorted);
        return new Result(state.nodes().size(), pods, queues, apps, placed, unschedulable, pending, pendingThatFit,
                refused, cycles, seconds, placed / seconds, (placed + unschedulable) / seconds,
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
    }

    private static double percentile(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
