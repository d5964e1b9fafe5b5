package io.fairway.core.state;

import static io.fairway.core.state.Fixtures.node;
import static io.fairway.core.state.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.ResourceNames;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterStateEdgeCasesTest {
    private final ClusterState state = new ClusterState();

    /** A late, older observation of a deleted node brings it back: nodes have no tombstone. */
    @Test
    void aDeletedNodeIsNotResurrectedByAnOlderObservation() {
        Node v5 = new Node("node-0", Fixtures.res("4", "8Gi"), Fixtures.res("4", "8Gi"), Map.of(), List.of(), false, true, "5");
        state.apply(new NodeObserved(0, v5));
        state.apply(new NodeGone(1, "node-0", "6"));
        Node v4 = new Node("node-0", Fixtures.res("4", "8Gi"), Fixtures.res("4", "8Gi"), Map.of(), List.of(), false, true, "4");
        state.apply(new NodeObserved(2, v4));  // e.g. the deposed leader's watcher, late
        assertThat(state.node("node-0")).as("node deleted at version 6 came back at version 4").isNull();
        assertThat(state.capacity().isZero()).isTrue();
    }

    /** Same for a node deleted while the watch was down: it stays forever and keeps taking allocations. */
    @Test
    void aNodeDeletionAtTheHeldVersionRemovesTheNode() {
        state.apply(new NodeObserved(0, node("node-0", "4", "8Gi")));   // version "1"
        ApplyResult r = state.apply(new NodeGone(1, "node-0", "1"));
        assertThat(r.applied()).as(r.reason()).isTrue();
        assertThat(state.node("node-0")).isNull();
    }

    /** A QueueConfigObserved whose YAML has a non-scalar key makes apply throw instead of ignoring the config. */
    @Test
    void aConfigWithAComplexKeyIsRejectedNotThrown() {
        ApplyResult r = state.apply(new QueueConfigObserved(0, "[a]: 1\n", "2"));
        assertThat(r.applied()).isFalse();
        assertThat(state.queues().get("root.default")).isNotNull();
    }

    /** A reload that drops a leaf drops its running pods from every ancestor's usage, though they still run. */
    @Test
    void runningPodsOfARemovedQueueStillCountInItsAncestors() {
        state.apply(new QueueConfigObserved(0, """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: p
                            resources: {max: {vcore: 2}}
                            queues:
                              - name: a
                              - name: b
                """, "1"));
        state.apply(new NodeObserved(0, node("node-0", "8", "8Gi")));
        state.apply(new PodObserved(0, pod("a0", "app-a", "root.p.a", "2", "1Gi")));
        assertThat(state.apply(new Allocated(1, 0, "a0", "node-0", "root.p.a")).applied()).isTrue();
        state.apply(new PodObserved(2, pod("a0", "app-a", "root.p.a", "2", "1Gi").withNodeName("node-0")
                .withPhase(PodPhase.Running, "2")));
        state.apply(new QueueConfigObserved(3, """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: p
                            resources: {max: {vcore: 2}}
                            queues:
                              - name: b
                """, "3"));
        assertThat(state.queues().get("root.p").allocated().get(ResourceNames.CPU))
                .as("a0 still runs with 2 cpu under root.p").isEqualTo(2000);
        // ... so root.p (max 2 cpu) takes another 2 cpu:
        state.apply(new PodObserved(4, pod("b0", "app-b", "root.p.b", "2", "1Gi")));
        assertThat(state.apply(new Allocated(5, 0, "b0", "node-0", "root.p.b")).applied()).isFalse();
    }

    /** A deletion carrying the last known version (informer relist: DeletedFinalStateUnknown) is dropped. */
    @Test
    void aDeletionAtTheHeldVersionRemovesThePod() {
        state.apply(new NodeObserved(0, node("node-0", "4", "8Gi")));
        Pod p = pod("p1", "app", "", "1", "1Gi").withNodeName("node-0").withPhase(PodPhase.Running, "7");
        state.apply(new PodObserved(0, p));
        ApplyResult r = state.apply(new PodGone(1, "p1", "7"));
        assertThat(r.applied()).as(r.reason()).isTrue();
        assertThat(state.node("node-0").allocated().get(ResourceNames.CPU)).isZero();
    }
}
