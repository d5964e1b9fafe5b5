package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import io.fairway.k8s.ClusterWatcher;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReconciliationTest {
    private static Pod pod(String uid, String version) {
        return new Pod(uid, "ns", uid, "app", "root.default", "u", List.of(),
                Resources.parse(Map.of("cpu", "1", "memory", "1Gi")), 0, Map.of(), NodeAffinity.NONE, List.of(),
                ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, 0, version);
    }

    private static Node node(String name, String version) {
        Resources cap = Resources.parse(Map.of("cpu", "8", "memory", "64Gi"));
        return new Node(name, cap, cap, Map.of(), List.of(), false, true, version);
    }

    private static Set<String> uids(List<Observation> cluster) {
        Set<String> out = new HashSet<>();
        for (Observation o : cluster) {
            if (o instanceof PodObserved p) {
                out.add(p.pod().uid());
            }
        }
        return out;
    }

    private static ClusterState state() {
        ClusterState s = new ClusterState();
        s.apply(new NodeObserved(0, node("n1", "3")));
        s.apply(new NodeObserved(0, node("n2", "4")));
        s.apply(new PodObserved(0, pod("a", "5")));
        s.apply(new PodObserved(0, pod("b", "7")));
        return s;
    }

    @Test
    void newerObjectsAreObservedAgainAndWhatTheClusterLostIsGone() {
        List<Observation> cluster = List.of(
                new NodeObserved(1, node("n1", "3")),            // as held: nothing to append
                new PodObserved(1, pod("a", "6")),               // newer than held
                new PodObserved(1, pod("c", "8")));              // new
        List<Observation> missing = Reconciliation.missing(state(),
                new ClusterWatcher.Holdings(cluster, uids(cluster), "9", "9", "9"), 42);
        assertThat(missing).containsExactlyInAnyOrder(
                new PodObserved(1, pod("a", "6")),
                new PodObserved(1, pod("c", "8")),
                new PodGone(42, "b", "7"),
                new NodeGone(42, "n2", "4"));
    }

    @Test
    void anInformerThatHasNotSeenAsFarAsTheStateBuriesNothing() {
        // the pod informer has seen up to 6: pod b (held at 7) may be one it has not delivered yet
        List<Observation> cluster = List.of(new PodObserved(1, pod("a", "5")), new NodeObserved(1, node("n1", "3")),
                new NodeObserved(1, node("n2", "4")));
        List<Observation> missing = Reconciliation.missing(state(),
                new ClusterWatcher.Holdings(cluster, uids(cluster), "6", "", ""), 42);
        assertThat(missing).isEmpty();
    }

    @Test
    void podsHeldAtTheirVersionNeedNotBeObservedAgainToCountAsPresent() {
        // what observeAll gives when it skips pods the state holds: a (held at 5) and b (held at 7) only as uids
        List<Observation> cluster = List.of(new NodeObserved(1, node("n1", "3")), new NodeObserved(1, node("n2", "4")));
        ClusterState s = state();
        assertThat(Reconciliation.held(s, "a", "5")).isTrue();
        assertThat(Reconciliation.held(s, "a", "6")).isFalse();
        assertThat(Reconciliation.held(s, "zz", "1")).isFalse();
        assertThat(Reconciliation.missing(s, new ClusterWatcher.Holdings(cluster, Set.of("a", "b"), "9",
                "9", "9"), 42)).isEmpty();
    }

    @Test
    void nodesHeldAtTheirVersionNeedNotBeObservedAgainToCountAsPresent() {
        // what observeAll gives when it skips nodes the state holds too: n1 (held at 3) newer, n2 (held at 4) by name
        List<Observation> cluster = List.of(new NodeObserved(1, node("n1", "5")));
        ClusterState s = state();
        assertThat(Reconciliation.nodeHeld(s, "n2", "4")).isTrue();
        assertThat(Reconciliation.nodeHeld(s, "n1", "5")).isFalse();
        assertThat(Reconciliation.nodeHeld(s, "n9", "1")).isFalse();
        assertThat(Reconciliation.missing(s, new ClusterWatcher.Holdings(cluster, Set.of("a", "b"), "9", "9", "9",
                Set.of("n1", "n2")), 42)).containsExactly(new NodeObserved(1, node("n1", "5")));
        // a node the informer no longer holds is gone, whether or not the others were left out
        assertThat(Reconciliation.missing(s, new ClusterWatcher.Holdings(List.of(), Set.of("a", "b"), "9", "9", "9",
                Set.of("n1")), 42)).containsExactly(new NodeGone(42, "n2", "4"));
    }

    @Test
    void theResultAppliedMakesTheStateMatchTheCluster() {
        ClusterState s = state();
        List<Observation> cluster = List.of(new NodeObserved(1, node("n1", "3")), new PodObserved(1, pod("a", "6")),
                new PodObserved(1, pod("c", "8")));
        for (Observation o : Reconciliation.missing(s, new ClusterWatcher.Holdings(cluster, uids(cluster), "9", "9", "9"), 42)) {
            s.apply(o);
        }
        assertThat(s.pods()).extracting(p -> p.uid() + "@" + p.pod().resourceVersion())
                .containsExactlyInAnyOrder("a@6", "c@8");
        assertThat(s.nodes()).containsOnlyKeys("n1");
        assertThat(Reconciliation.missing(s, new ClusterWatcher.Holdings(cluster, uids(cluster), "9", "9", "9"), 43)).isEmpty();
    }
}
