package io.fairway.sandbox;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where the CPU of a run in one process went, by part of the sandbox: the thread CPU times of the JVM grouped by what
 * each thread serves, and the rest of the process's CPU (JIT compilers, garbage collection, other VM work), which
 * threads do not show. This is how {@code bench e2e} names its bottleneck.
 */
final class CpuAccount {
    /** A part and how it recognises its threads. */
    record Part(String name, Predicate<ThreadInfo> owns) {
    }

    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> startCpu = new HashMap<>();
    private final long startProcess;
    private final long startNanos = System.nanoTime();

    private CpuAccount() {
        for (long id : mx.getAllThreadIds()) {
            long cpu = mx.getThreadCpuTime(id);
            if (cpu > 0) {
                startCpu.put(id, cpu);
            }
        }
        startProcess = processCpuNanos();
    }

    /** Starts counting now; null when the JVM cannot measure thread CPU time. */
    static CpuAccount start() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported() || processCpuNanos() < 0) {
            return null;
        }
        if (!mx.isThreadCpuTimeEnabled()) {
            mx.setThreadCpuTimeEnabled(true);
        }
        return new CpuAccount();
    }

    /**
     * CPU seconds since {@link #start} by part, in the order given, then "other threads", then
     * "JVM (JIT compilers, GC)", "total" and "wall clock" (seconds elapsed, for how many cores were busy). A thread counts for the first part that owns it; threads that ended
     * during the run are lost to their part and show in the JVM's share.
     */
    Map<String, Double> seconds(Iterable<Part> parts) {
        Map<String, Long> nanos = new LinkedHashMap<>();
        for (Part p : parts) {
            nanos.put(p.name(), 0L);
        }
        nanos.put("other threads", 0L);
        long threads = 0;
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = mx.getThreadCpuTime(info.getThreadId()) - startCpu.getOrDefault(info.getThreadId(), 0L);
            if (cpu <= 0) {
                continue;
            }
            threads += cpu;
            String part = "other threads";
            for (Part p : parts) {
                if (p.owns().test(info)) {
                    part = p.name();
                    break;
                }
            }
            nanos.merge(part, cpu, Long::sum);
        }
        long total = processCpuNanos() - startProcess;
        nanos.put("JVM (JIT compilers, GC)", Math.max(0, total - threads));
        nanos.put("total", total);
        nanos.put("wall clock", System.nanoTime() - startNanos);
        Map<String, Double> out = new LinkedHashMap<>();
        nanos.forEach((k, v) -> out.put(k, Math.round(v / 1e7) / 100.0));
        return out;
    }

    static Part named(String name, Set<Thread> threads) {
        Set<Long> ids = new HashSet<>();
        threads.forEach(t -> ids.add(t.threadId()));
        return new Part(name, info -> ids.contains(info.getThreadId()));
    }

    static Part matching(String name, Predicate<String> threadName) {
        return new Part(name, t -> threadName.test(t.getThreadName()));
    }

    static Part prefixed(String name, String... prefixes) {
        return new Part(name, t -> {
            for (String p : prefixes) {
                if (t.getThreadName().startsWith(p)) {
                    return true;
                }
            }
            return false;
        });
    }

    /** The threads of a Kafka broker running in this JVM ({@code EmbeddedKafka}). */
    static Part kafkaBroker() {
        return prefixed("Kafka broker (embedded)", "data-plane-kafka", "kafka-", "quorum-controller", "broker-",
                "controller-", "group-coordinator", "share-", "executor-", "ExpirationReaper", "TxnMarkerSenderThread",
                "AddPartitionsToTxnSenderThread", "transaction-log-manager", "raft-", "persister", "network-partition",
                "client-metrics", "log-");
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
