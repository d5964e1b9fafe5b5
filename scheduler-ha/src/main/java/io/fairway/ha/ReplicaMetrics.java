package io.fairway.ha;

import io.fairway.core.events.Decision;
import io.fairway.core.state.ClusterState;
import io.fairway.log.StatePublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's metrics in a Prometheus registry of its own, tagged {@code replica}: what the leader loop and the binder
 * time and count as they go, gauges over the replica (leadership, epoch, log lag) and over its state
 * ({@link StateMetrics}), and the JVM's. {@code docs/metrics.md} lists them.
 *
 * <p>Nothing here may fail or block the replica: the loop and the binder only increment meters, the state gauges read a
 * copy taken on the apply thread, and the log end comes from the replica's log probe, never from a scrape.
 */
public final class ReplicaMetrics implements LeaderLoop.Listener, StatePublisher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaMetrics.class);

    /** The Prometheus text exposition format that {@link #scrape} writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Duration[] CYCLE_BUCKETS = {ms(1), ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250),
        ms(500), ms(1000), ms(2500), ms(5000), ms(10_000)};
    private static final Duration[] BIND_BUCKETS = {ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
        ms(1000), ms(2500), ms(5000), ms(10_000)};

    private final String replica;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final StateMetrics state;
    private final Map<String, Counter> decisions = new TreeMap<>();
    private final Timer cycleCommitted;
    private final Timer cycleEmpty;
    private final Timer cycleDropped;
    private final Timer bindOk;
    private final Timer bindConflict;
    private final Timer bindRefused;
    private final Timer bindError;
    private final Counter refreshFailures;

    public ReplicaMetrics(String replica) {
        this.replica = replica;
        registry.config().commonTags("replica", replica);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        state = new StateMetrics(registry);
        // every type from the start, 0 too: a rate over a series that appears late misses its first increase
        for (Class<?> type : Decision.class.getPermittedSubclasses()) {
            decisions.put(type.getSimpleName(), Counter.builder("fairway.decisions")
                    .description("Decisions this replica wrote to the log as leader, by type")
                    .tag("type", type.getSimpleName()).register(registry));
        }
        cycleCommitted = cycleTimer("committed");
        cycleEmpty = cycleTimer("empty");
        cycleDropped = cycleTimer("dropped");
        bindOk = bindTimer("ok");
        bindConflict = bindTimer("conflict");
        bindRefused = bindTimer("refused");
        bindError = bindTimer("error");
        refreshFailures = Counter.builder("fairway.metrics.refresh.failures")
                .description("Copies of the state for the queue and app gauges that failed (the gauges kept the last)")
                .register(registry);
    }

    private Timer cycleTimer(String outcome) {
        return Timer.builder("fairway.cycle.latency")
                .description("A scheduling cycle, from taking the state to its decisions written to the log; outcome "
                        + "committed (decisions written), empty (nothing to decide) or dropped (lease not known valid)")
                .tag("outcome", outcome).serviceLevelObjectives(CYCLE_BUCKETS).register(registry);
    }

    private Timer bindTimer(String outcome) {
        return Timer.builder("fairway.bind.latency")
                .description("A binding request, from sent to the API server's answer; outcome ok (2xx), conflict "
                        + "(409), refused (other 4xx) or error (429, 5xx, no answer)")
                .tag("outcome", outcome).serviceLevelObjectives(BIND_BUCKETS).register(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /** The gauges and counters that read the replica itself; called once it is built. */
    void observe(Replica r) {
        Gauge.builder("fairway.leader", r, safe(x -> x.role() == Replica.Role.LEADER ? 1 : 0))
                .description("1 while this replica leads (holds the lease and decides), else 0").register(registry);
        Gauge.builder("fairway.leader.epoch", r, safe(x -> x.follower().state().leaderEpoch()))
                .description("The newest leader epoch in the log as this replica applied it (the leader's own epoch "
                        + "once it leads)").register(registry);
        Gauge.builder("fairway.log.lag", r, safe(x -> {
            long end = x.logEnd();
            return end < 0 ? Double.NaN : Math.max(0, end - x.follower().nextOffset());
        })).description("Events in the log this replica has not applied yet (log end, as last probed, minus the "
                + "applied offset)").register(registry);
        Gauge.builder("fairway.log.end.offset", r, safe(x -> x.logEnd() < 0 ? Double.NaN : x.logEnd()))
                .description("The log's end offset as this replica's log probe last read it").register(registry);
        Gauge.builder("fairway.log.applied.offset", r, safe(x -> x.follower().nextOffset()))
                .description("The offset of the next event this replica will apply").register(registry);
        FunctionCounter.builder("fairway.leaderships", r, safe(Replica::leaderships))
                .description("Times this replica took the lead (fail-overs to it included)").register(registry);
        FunctionCounter.builder("fairway.step.downs", r, safe(Replica::stepDowns))
                .description("Times this replica stopped leading (lease lost, fenced, log failure, stop)")
                .register(registry);
        FunctionCounter.builder("fairway.log.give.ups", r, safe(Replica::logGiveUps))
                .description("Times this replica gave the lease up because the log did not answer within it")
                .register(registry);
        FunctionCounter.builder("fairway.fpga.reprograms", r, safe(x -> x.follower().state().fpgaReprograms()))
                .description("Allocations that reprogram an FPGA region, as the state counts them").register(registry);
        FunctionCounter.builder("fairway.preemptions", r, safe(x -> x.follower().state().preemptions()))
                .description("Preemptions applied, as the state counts them").register(registry);
        FunctionCounter.builder("fairway.evictions", r, safe(x -> x.evictor().deletedCount()))
                .description("Victim deletions this replica sent, by outcome").tag("outcome", "deleted")
                .register(registry);
        FunctionCounter.builder("fairway.evictions", r, safe(x -> x.evictor().failedCount()))
                .description("Victim deletions this replica sent, by outcome").tag("outcome", "failed")
                .register(registry);
        binds(r, "bound", x -> x.binder().boundCount());
        binds(r, "failed", x -> x.binder().failedCount());
        binds(r, "withdrawn", x -> x.binder().withdrawnCount());
    }

    private void binds(Replica r, String outcome, ToDoubleFunction<Replica> count) {
        FunctionCounter.builder("fairway.binds", r, safe(count))
                .description("Binds this replica's binder finished, by outcome").tag("outcome", outcome)
                .register(registry);
    }

    /** A meter function that answers NaN rather than throw into a scrape. */
    private static <T> ToDoubleFunction<T> safe(ToDoubleFunction<T> f) {
        return x -> {
            try {
                return f.applyAsDouble(x);
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        };
    }

    @Override
    public void cycled(long nanos, int decisions, boolean committed) {
        Timer t = decisions == 0 ? cycleEmpty : committed ? cycleCommitted : cycleDropped;
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void committed(List<? extends Decision> written) {
        for (Decision d : written) {
            Counter c = decisions.get(d.getClass().getSimpleName());
            if (c != null) {
                c.increment();
            }
        }
    }

    /** For {@link io.fairway.k8s.Binder.RequestTimer}: one binding request answered (code 0: no answer). */
    void bindAnswered(int code, long nanos) {
        Timer t = code >= 200 && code < 300 ? bindOk
                : code == 409 ? bindConflict
                : code == 429 || code >= 500 || code == 0 ? bindError
                : bindRefused;
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Copies the state's numbers for the queue and app gauges when the last copy is a second old. Call it on the
     * thread that applies to {@code s}, between two changes; a failure is counted and logged, never thrown.
     */
    @Override
    public void settled(ClusterState s, long nextOffset) {
        refreshIfDue(s);
    }

    void refreshIfDue(ClusterState s) {
        try {
            state.refreshIfDue(s, System.nanoTime());
        } catch (RuntimeException e) {
            refreshFailures.increment();
            if (refreshFailures.count() == 1) {
                LOG.warn("replica {}: the queue and app gauges could not be refreshed; they keep their last values",
                        replica, e);
            } else {
                LOG.debug("replica {}: refreshing the state gauges: {}", replica, e.toString());
            }
        }
    }

    /** Every metric in the Prometheus text format ({@link #CONTENT_TYPE}). Safe from any thread. */
    public String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    StateMetrics state() {
        return state;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
