package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.QueueState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The queue and app gauges against a state built by applying events, as a replica's apply thread does. */
class StateMetricsTest {
    private static final String GPU = "nvidia.com/gpu";
    private static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: a, resources: {guaranteed: {vcore: 2}, max: {vcore: 6, memory: 64Gi}}}
                      - {name: b}
            """;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StateMetrics metrics = new StateMetrics(registry);
    private ClusterState state;

    private static Resources res(String cpu, String memory, String gpu) {
        return gpu == null ? Resources.parse(Map.of("cpu", cpu, "memory", memory))
                : Resources.parse(Map.of("cpu", cpu, "memory", memory, GPU, gpu));
    }

    private static Pod pod(String uid, String app, String queue, Resources req) {
        return new Pod(uid, "team", uid, app, queue, "alice", List.of(), req, 0, Map.of(), NodeAffinity.NONE,
                List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, 0, "1");
    }

    @BeforeEach
    void buildState() {
        state = new ClusterState();
        state.apply(new QueueConfigObserved(0, CONFIG, "1"));
        state.apply(new NodeObserved(0, new Node("n1", res("4", "16Gi", null), res("4", "16Gi", null), Map.of(),
                List.of(), false, true, "1")));
        state.apply(new NodeObserved(0, new Node("g1", res("8", "32Gi", "2"), res("8", "32Gi", "2"), Map.of(),
                List.of(), false, true, "1")));
        // spark-a in root.a: one pod allocated, one waiting; etl-b in root.b: two waiting, one GPU pod among them
        state.apply(new PodObserved(1, pod("a1", "spark-a", "root.a", res("1", "1Gi", null))));
        state.apply(new PodObserved(1, pod("a2", "spark-a", "root.a", res("1", "1Gi", null))));
        state.apply(new Allocated(2, 1, "a1", "n1", "root.a"));
        state.apply(new PodObserved(3, pod("b1", "etl-b", "root.b", res("2", "4Gi", null))));
        state.apply(new PodObserved(3, pod("b2", "etl-b", "root.b", res("1", "4Gi", "1"))));
    }

    private double gauge(String name, String... tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        assertThat(g).as("gauge %s %s", name, List.of(tags)).isNotNull();
        return g.value();
    }

    private boolean hasGauge(String name, String... tags) {
        return registry.find(name).tags(tags).gauge() != null;
    }

    private double resource(String queue, String resource, String kind) {
        return gauge(StateMetrics.QUEUE_RESOURCE, "queue", queue, "resource", resource, "kind", kind);
    }

    @Test
    void gaugesShowEachQueuesPendingPodsAndResourcesAndTheAppsByState() {
        metrics.refresh(state);

        assertThat(gauge(StateMetrics.PENDING_PODS, "queue", "root.a")).isEqualTo(1);
        assertThat(gauge(StateMetrics.PENDING_PODS, "queue", "root.b")).isEqualTo(2);
        // a parent counts its subtree
        assertThat(gauge(StateMetrics.PENDING_PODS, "queue", "root")).isEqualTo(3);

        // the state's units: cpu in millicores, memory in bytes, extended resources in units
        assertThat(resource("root.a", "cpu", StateMetrics.GUARANTEED)).isEqualTo(2_000);
        assertThat(resource("root.a", "cpu", StateMetrics.MAX)).isEqualTo(6_000);
        assertThat(resource("root.a", "memory", StateMetrics.MAX)).isEqualTo(64L << 30);
        assertThat(resource("root.a", "cpu", StateMetrics.ALLOCATED)).isEqualTo(1_000);
        assertThat(resource("root.a", "cpu", StateMetrics.PENDING)).isEqualTo(1_000);
        assertThat(resource("root.b", "cpu", StateMetrics.PENDING)).isEqualTo(3_000);
        assertThat(resource("root.b", GPU, StateMetrics.PENDING)).isEqualTo(1);
        assertThat(resource("root", "cpu", StateMetrics.PENDING)).isEqualTo(4_000);
        // a resource the cluster has is reported as allocated and pending in every queue, 0 too
        assertThat(resource("root.a", GPU, StateMetrics.ALLOCATED)).isZero();
        assertThat(resource("root.b", "memory", StateMetrics.ALLOCATED)).isZero();
        // guaranteed and max only where the config sets them: none is not a limit of 0
        assertThat(hasGauge(StateMetrics.QUEUE_RESOURCE, "queue", "root.b", "kind", StateMetrics.GUARANTEED)).isFalse();
        assertThat(hasGauge(StateMetrics.QUEUE_RESOURCE, "queue", "root.b", "kind", StateMetrics.MAX)).isFalse();
        assertThat(hasGauge(StateMetrics.QUEUE_RESOURCE, "queue", "root.a", "resource", GPU, "kind",
                StateMetrics.MAX)).isFalse();

        // every queue's numbers are the state's own
        for (QueueState q : state.queues().all().values()) {
            for (String r : List.of("cpu", "memory", GPU)) {
                int id = ResourceNames.id(r);
                assertThat(resource(q.fullName(), r, StateMetrics.ALLOCATED)).as("%s %s allocated", q.fullName(), r)
                        .isEqualTo(q.allocated().get(id));
                assertThat(resource(q.fullName(), r, StateMetrics.PENDING)).as("%s %s pending", q.fullName(), r)
                        .isEqualTo(q.pending().get(id));
            }
        }

        assertThat(gauge(StateMetrics.APPS, "state", "RUNNING")).isEqualTo(1);
        assertThat(gauge(StateMetrics.APPS, "state", "ACCEPTED")).isEqualTo(1);
        for (AppState.Status st : AppState.Status.values()) {
            long n = state.apps().values().stream().filter(a -> a.status() == st).count();
            assertThat(gauge(StateMetrics.APPS, "state", st.name())).as("apps %s", st).isEqualTo(n);
        }
    }

    @Test
    void aRefreshComesAtMostOnceASecondAndTheGaugesKeepTheLastCopyMeanwhile() {
        long t0 = 5_000_000_000L;
        assertThat(metrics.refreshIfDue(state, t0)).isTrue();
        assertThat(gauge(StateMetrics.PENDING_PODS, "queue", "root.b")).isEqualTo(2);

        state.apply(new PodObserved(4, pod("b3", "etl-b", "root.b", res("1", "1Gi", null))));
        // the state moved, the gauges did not: they read the copy, never the live state
        assertThat(metrics.refreshIfDue(state, t0 + StateMetrics.EVERY.toNanos() - 1)).isFalse();
        assertThat(gauge(StateMetrics.PENDING_PODS, "queue", "root.b")).isEqualTo(2);
        assertThat(resource("root.b", "cpu", StateMetrics.PENDING)).isEqualTo(3_000);

        assertThat(metrics.refreshIfDue(state, t0 + StateMetrics.EVERY.toNanos())).isTrue();
        assertThat(gauge(StateMetrics.PENDING_PODS, "queue", "root.b")).isEqualTo(3);
        assertThat(resource("root.b", "cpu", StateMetrics.PENDING)).isEqualTo(4_000);
    }

    @Test
    void rowsFollowTheQueuesOfTheConfig() {
        metrics.refresh(state);
        assertThat(hasGauge(StateMetrics.PENDING_PODS, "queue", "root.c")).isFalse();

        String withC = CONFIG + "          - {name: c, resources: {guaranteed: {vcore: 1}}}\n";
        state.apply(new QueueConfigObserved(5, withC, "2"));
        assertThat(state.queues().get("root.c")).isNotNull();
        metrics.refresh(state);
        assertThat(gauge(StateMetrics.PENDING_PODS, "queue", "root.c")).isZero();
        assertThat(resource("root.c", "cpu", StateMetrics.GUARANTEED)).isEqualTo(1_000);
        assertThat(resource("root.c", "cpu", StateMetrics.ALLOCATED)).isZero();

        state.apply(new QueueConfigObserved(6, CONFIG, "3"));
        assertThat(state.queues().get("root.c")).isNull();
        metrics.refresh(state);
        assertThat(hasGauge(StateMetrics.PENDING_PODS, "queue", "root.c")).isFalse();
        assertThat(hasGauge(StateMetrics.QUEUE_RESOURCE, "queue", "root.c")).isFalse();
        // the others are still there, with their numbers
        assertThat(gauge(StateMetrics.PENDING_PODS, "queue", "root.b")).isEqualTo(2);
        assertThat(resource("root.a", "cpu", StateMetrics.ALLOCATED)).isEqualTo(1_000);
    }
}
