package io.fairway.cli.bench.jmh;

import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The resource comparisons every node and queue check makes: they must stay allocation-free and a few ns. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ResourcesBenchmark {
    private Resources request;
    private Resources allocatable;
    private Resources max;
    private long[] used;
    private ResourceCounter counter;

    @Setup
    public void setUp() {
        request = Resources.parse(Map.of("cpu", "4", "memory", "32Gi", "nvidia.com/gpu", "1"));
        allocatable = Resources.parse(Map.of("cpu", "48", "memory", "384Gi", "nvidia.com/gpu", "8", "pods", "110"));
        max = Resources.parse(Map.of("cpu", "1000", "memory", "4Ti"));
        used = new long[ResourceNames.count()];
        used[ResourceNames.CPU] = 20_000;
        used[ResourceNames.MEMORY] = 100L << 30;
        counter = new ResourceCounter();
    }

    @Benchmark
    public boolean fitsWithinNode() {
        return request.fitsWithin(used, allocatable);
    }

    @Benchmark
    public boolean withinQueueMax() {
        return request.withinLimit(used, max);
    }

    @Benchmark
    public long addAndSubtract() {
        counter.add(request);
        counter.subtract(request);
        return counter.get(ResourceNames.CPU);
    }
}
