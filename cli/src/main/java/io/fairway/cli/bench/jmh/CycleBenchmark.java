package io.fairway.cli.bench.jmh;

import io.fairway.cli.bench.SyntheticClusterLoader;
import io.fairway.core.events.Decision;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.ClusterState;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One scheduling cycle of up to 1000 allocations, with its decisions applied, on a 5000-node cluster that already
 * runs the first 20,000 of 50,000 pods: the steady-state unit of work of a leader. Single shot: each iteration
 * builds a fresh cluster and times exactly one cycle.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 15)
@Fork(1)
public class CycleBenchmark {
    @Param({"fair", "binpacking"})
    public String policy;

    private ClusterState state;
    private Scheduler scheduler;

    @Setup(Level.Iteration)
    public void setUp() {
        state = new ClusterState();
        SyntheticClusterLoader.load(state, 5000, 50_000, 100, 1000, 1, policy);
        scheduler = new Scheduler(state, state.leaderEpoch(), 1000);
        for (int i = 0; i < 20; i++) {
            cycle();
        }
    }

    @Benchmark
    public int cycle() {
        CycleResult r = scheduler.cycle(0);
        for (Decision d : r.decisions()) {
            state.apply(d);
        }
        scheduler.acknowledge(r.decisions());
        return r.allocations();
    }
}
