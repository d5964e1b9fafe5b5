package io.fairway.core.simulation;

import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;

/**
 * A what-if run: a queue config, nodes, timed steps and expectations, driven through the real core on a virtual
 * clock. Times are milliseconds from the start. The file format is documented in {@code docs/scenarios.md}.
 *
 * @param queues           the YuniKorn queues.yaml, or null for Fairway's default (root.default)
 * @param terminationGrace how long a preempted pod takes to go after its deletion, in millis
 * @param priorityClasses  PriorityClass values by name, observed at the start
 */
public record Scenario(String name, String queues, List<NodeSpec> nodes, List<Step> steps, List<Expectation> expectations,
                       long terminationGrace, Map<String, Integer> priorityClasses) {
    public Scenario {
        nodes = List.copyOf(nodes);
        steps = List.copyOf(steps);
        expectations = List.copyOf(expectations);
        priorityClasses = Map.copyOf(priorityClasses);
    }

    public Scenario(String name, String queues, List<NodeSpec> nodes, List<Step> steps, List<Expectation> expectations) {
        this(name, queues, nodes, steps, expectations, 0, Map.of());
    }

    /** One or {@code count} nodes alike; {@code {i}} in the name becomes 0..count-1. */
    public record NodeSpec(String name, int count, Resources capacity, Resources allocatable, Map<String, String> labels,
                           List<Taint> taints, boolean unschedulable, boolean ready) {
        public String nameOf(int i) {
            return name.replace("{i}", Integer.toString(i));
        }
    }

    /** One timed step: its actions run in the order the file lists them. */
    public record Step(long at, int line, List<Action> actions) {
    }

    public sealed interface Action permits Submit, Complete, QueuesConfig, RemoveNode, AddNodes, Cordon {
    }

    /** {@code pods} pods of one shape for one app. {@code node} set: already bound there by another scheduler. */
    public record Submit(String app, String namespace, String queue, String user, List<String> groups, int pods,
                         Resources requests, int priority, long duration, Map<String, String> labels,
                         Map<String, String> annotations, Map<String, String> nodeSelector, NodeAffinity affinity,
                         List<Toleration> tolerations, String schedulerName, String node) implements Action {
    }

    /** The {@code pods} oldest running pods of an app finish. */
    public record Complete(String app, int pods) implements Action {
    }

    public record QueuesConfig(String yaml) implements Action {
    }

    public record RemoveNode(String name) implements Action {
    }

    public record AddNodes(List<NodeSpec> nodes) implements Action {
    }

    /** Marks a node unschedulable (or schedulable again). */
    public record Cordon(String name, boolean cordoned) implements Action {
    }

    /**
     * What should hold at a time: per kind, per name, the keys to compare and their expected text.
     *
     * @param lines the line of each named object, by {@code kind/name}, so that a failure points at it
     */
    public record Expectation(long at, int line, Map<String, Map<String, Map<String, Object>>> byKind,
                              Map<String, Integer> lines) {
        public int lineOf(String kind, String name) {
            return lines.getOrDefault(kind + "/" + name, line);
        }
    }
}
