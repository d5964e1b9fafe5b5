package io.fairway.cli.bench;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.PodState;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Measures the core alone: scheduling cycles over a loaded state, each cycle's decisions applied back as the log
 * would, until nothing more can be placed. Loading the pods (the watcher's job) is not timed.
 */
public final class CoreBenchmark {
    /**
     * The figures of one run.
     *
     * @param decisions            every decision the cycles made, of every kind (refused ones too)
     * @param gangReservations     GangReserved decisions applied
     * @param partialReservations  of those, the ones that left the gang short of a slot per member (should be none)
     * @param gangAppsComplete     gang apps whose every member runs in a slot of its gang's
     * @param cpuSeconds           CPU time of the thread that ran the cycles and applied them, over the same span as
     *                             {@code seconds}; 0 where the JVM cannot tell
     */
    public record Result(int nodes, int pods, int queues, int apps, long placed, long unschedulableDecisions,
                         long gangReservations, long gangReleases, long decisions, long pendingAtEnd,
                         long pendingThatFit, long refused, int cycles, double seconds, double podsPerSecond,
                         double decisionsPerSecond, double cycleP50Ms, double cycleP99Ms, double cycleMaxMs,
                         int gangApps, long partialReservations, int gangAppsComplete, long gpuPodsPlaced,
                         double cpuSeconds) {
        /**
         * Decisions per second of the scheduling thread's own CPU time: on a machine shared with other work the wall
         * clock swings with their load, this far less, so it is the figure to compare two runs by.
         */
        public double decisionsPerCpuSecond() {
            return cpuSeconds > 0 ? decisions / cpuSeconds : 0;
        }
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
        long reservations = 0;
        long partial = 0;
        long releases = 0;
        long decisions = 0;
        long refused = 0;
        long[] cycleNanos = new long[1024];
        int cycles = 0;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpuTimed = threads.isCurrentThreadCpuTimeSupported();
        long cpuStart = cpuTimed ? threads.getCurrentThreadCpuTime() : 0;
        long start = System.nanoTime();
        while (true) {
            // a cycle's latency is deciding and applying what it decided, as a leader's turn does both
            long c0 = System.nanoTime();
            CycleResult r = scheduler.cycle(cycles);
            long decidedNanos = System.nanoTime() - c0;
            long applyNanos = 0;
            // A cycle that only reserves gangs places nothing itself, but their members bind in the next one.
            boolean progress = false;
            for (Decision d : r.decisions()) {
                decisions++;
                long a0 = System.nanoTime();
                ApplyResult applied = state.apply(d);
                applyNanos += System.nanoTime() - a0;
                if (!applied.applied()) {
                    refused++;
                    continue;
                }
                switch (d) {
                    case Allocated a -> placed++;
                    case Unschedulable u -> unschedulable++;
                    case GangReserved g -> {
                        reservations++;
                        progress = true;
                        if (!wholeGang(state.app(g.appId()))) {
                            partial++;
                        }
                    }
                    case GangReleased g -> {
                        releases++;
                        progress = true;
                    }
                    default -> {
                    }
                }
            }
            long a1 = System.nanoTime();
            scheduler.acknowledge(r.decisions());
            applyNanos += System.nanoTime() - a1;
            if (cycles == cycleNanos.length) {
                cycleNanos = Arrays.copyOf(cycleNanos, cycles * 2);
            }
            // the benchmark's own accounting in between (wholeGang) is left out: the cycle, its applies and ack
            cycleNanos[cycles++] = decidedNanos + applyNanos;
            if (r.allocations() == 0 && !r.capped() && !progress) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = cpuTimed ? (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9 : 0;
        long pending = 0;
        long pendingThatFit = 0;
        long gpuPodsPlaced = 0;
        int gpu = ResourceNames.id("nvidia.com/gpu");
        int pods = 0;
        for (PodState p : state.pods()) {
            pods++;
            if (p.role() == PodState.Role.PENDING) {
                pending++;
                if (scheduler.fitsSomewhere(p)) {
                    pendingThatFit++;
                }
            } else if (p.role() == PodState.Role.PLACED && p.pod().requests().get(gpu) > 0) {
                gpuPodsPlaced++;
            }
        }
        int gangApps = 0;
        int complete = 0;
        for (AppState a : state.apps().values()) {
            if (a.gang().status() != Gang.Status.NONE) {
                gangApps++;
                if (a.pendingPods() == 0 && wholeGang(a) && a.gang().slots().stream().noneMatch(s -> s.isFree())) {
                    complete++;
                }
            }
        }
        long[] sorted = Arrays.copyOf(cycleNanos, cycles);
        Arrays.sort(sorted);
        return new Result(state.nodes().size(), pods, queues, apps, placed, unschedulable, reservations, releases,
                decisions, pending, pendingThatFit, refused, cycles, seconds, placed / seconds, decisions / seconds,
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[sorted.length - 1] / 1e6, gangApps, partial,
                complete, gpuPodsPlaced, cpuSeconds);
    }

    /** The gang holds a slot, free or used, for every member its task groups declare. */
    private static boolean wholeGang(AppState a) {
        if (a == null) {
            return false;
        }
        int members = 0;
        for (TaskGroup g : a.gang().spec().groups()) {
            members += g.minMember();
        }
        return a.gang().status() == Gang.Status.RESERVED && a.gang().slots().size() == members;
    }

    private static double percentile(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
