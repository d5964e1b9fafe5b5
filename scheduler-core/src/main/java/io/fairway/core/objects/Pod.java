package io.fairway.core.objects;

import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pod as the scheduler sees it: the fields scheduling needs, already resolved from labels and annotations by
 * whoever observed it (the watcher, or the simulator).
 *
 * @param appId         the application the pod belongs to (YuniKorn's app-id label, Spark's selector…)
 * @param queue         the queue the pod asks for, or empty when placement decides
 * @param creationTime  epoch millis, the ask's age for ordering
 * @param nodeName      the node the pod is bound to, empty while pending
 * @param schedulerName pods for other schedulers are not scheduled but do use their node's room
 * @param hints         gang, topology and FPGA wishes from the annotations; {@link SchedulingHints#NONE} for most pods
 * @param labels        the pod's labels, for placement rules of type {@code tag}; the state keeps them on the app the
 *                      pod creates and stores its pods without them, so they cost once per app, not once per pod
 */
public record Pod(
        String uid,
        String namespace,
        String name,
        String appId,
        String queue,
        String user,
        List<String> groups,
        Resources requests,
        int priority,
        Map<String, String> nodeSelector,
        NodeAffinity affinity,
        List<Toleration> tolerations,
        String schedulerName,
        String nodeName,
        PodPhase phase,
        long creationTime,
        String resourceVersion,
        SchedulingHints hints,
        Map<String, String> labels) {
    private static final Map<String, String> NO_SELECTOR = Collections.unmodifiableSortedMap(new TreeMap<>());

    public Pod {
        queue = queue == null ? "" : queue;
        // Every pod takes one of its node's pod slots; counting it as a resource lets nodes and queues limit pods.
        if (!requests.isDefined(ResourceNames.PODS)) {
            requests = requests.toBuilder().set(ResourceNames.PODS, 1).build();
        }
        user = user == null ? "" : user;
        groups = List.copyOf(groups);
        // most pods select no node: one shared empty map instead of a tree per pod (a replay builds millions)
        nodeSelector = nodeSelector.isEmpty() ? NO_SELECTOR : Collections.unmodifiableSortedMap(new TreeMap<>(nodeSelector));
        affinity = affinity == null ? NodeAffinity.NONE : affinity;
        tolerations = List.copyOf(tolerations);
        nodeName = nodeName == null ? "" : nodeName;
        resourceVersion = resourceVersion == null ? "" : resourceVersion;
        hints = hints == null ? SchedulingHints.NONE : hints;
        // Null in events written before pods carried labels.
        labels = labels == null || labels.isEmpty() ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** A pod without labels. */
    public Pod(String uid, String namespace, String name, String appId, String queue, String user, List<String> groups,
               Resources requests, int priority, Map<String, String> nodeSelector, NodeAffinity affinity,
               List<Toleration> tolerations, String schedulerName, String nodeName, PodPhase phase, long creationTime,
               String resourceVersion, SchedulingHints hints) {
        this(uid, namespace, name, appId, queue, user, groups, requests, priority, nodeSelector, affinity, tolerations,
                schedulerName, nodeName, phase, creationTime, resourceVersion, hints, Map.of());
    }

    /** A pod without gang, topology or FPGA hints. */
    public Pod(String uid, String namespace, String name, String appId, String queue, String user, List<String> groups,
               Resources requests, int priority, Map<String, String> nodeSelector, NodeAffinity affinity,
               List<Toleration> tolerations, String schedulerName, String nodeName, PodPhase phase, long creationTime,
               String resourceVersion) {
        this(uid, namespace, name, appId, queue, user, groups, requests, priority, nodeSelector, affinity, tolerations,
                schedulerName, nodeName, phase, creationTime, resourceVersion, SchedulingHints.NONE, Map.of());
    }

    public boolean isBound() {
        return !nodeName.isEmpty();
    }

    public String key() {
        return namespace + "/" + name;
    }

    public Pod withNodeName(String node) {
        return new Pod(uid, namespace, name, appId, queue, user, groups, requests, priority, nodeSelector, affinity,
                tolerations, schedulerName, node, phase, creationTime, resourceVersion, hints, labels);
    }

    public Pod withPhase(PodPhase p, String version) {
        return new Pod(uid, namespace, name, appId, queue, user, groups, requests, priority, nodeSelector, affinity,
                tolerations, schedulerName, nodeName, p, creationTime, version, hints, labels);
    }

    /** The same pod with other labels (none: {@code Map.of()}). */
    public Pod withLabels(Map<String, String> l) {
        return new Pod(uid, namespace, name, appId, queue, user, groups, requests, priority, nodeSelector, affinity,
                tolerations, schedulerName, nodeName, phase, creationTime, resourceVersion, hints, l);
    }
}
