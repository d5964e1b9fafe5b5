package io.fairway.ui.yunikorn;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fairway.core.config.ChildTemplate;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.QueueState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A queue and its subtree as YuniKorn shows them ({@code dao.PartitionQueueDAOInfo}). Allocated and pending cover the
 * subtree, as in YuniKorn. The root's {@code maxResource} is the partition's capacity when the config sets none, as
 * YuniKorn sizes its root; {@code absUsedCapacity} is allocated as percents of max. {@code isManaged} is false for a
 * queue a placement rule created. {@code properties} are the ones the queue itself sets. {@code runningApps} counts
 * apps holding an allocation, the ones {@code maxapplications} ({@code maxRunningApps}, 0 for no limit) limits.
 *
 * <p>Zero values: {@code status} is always {@code Active} (Fairway has no draining or stopped queue) and
 * {@code allocatingAcceptedApps} is empty (Fairway does not hold accepted apps back at the queue's limit).
 */
record QueueInfo(
        String queuename,
        String status,
        Map<String, Long> maxResource,
        Map<String, Long> guaranteedResource,
        Map<String, Long> allocatedResource,
        Map<String, Long> pendingResource,
        @JsonProperty("isLeaf") boolean isLeaf,
        @JsonProperty("isManaged") boolean isManaged,
        Map<String, String> properties,
        String parent,
        TemplateInfo template,
        String partition,
        List<QueueInfo> children,
        Map<String, Long> absUsedCapacity,
        long maxRunningApps,
        long runningApps,
        List<String> allocatingAcceptedApps) {

    /** A parent's settings for the queues placement rules create under it; absent (null) when it sets none. */
    record TemplateInfo(long maxApplications, Map<String, Long> maxResource, Map<String, Long> guaranteedResource,
                        Map<String, String> properties) {
        static TemplateInfo of(ChildTemplate t) {
            return t == null || t.equals(ChildTemplate.NONE) ? null
                    : new TemplateInfo(t.maxApplications(), YuniKornResources.of(t.max()),
                    YuniKornResources.of(t.guaranteed()), new TreeMap<>(t.properties()));
        }
    }

    static QueueInfo of(ClusterState s, QueueState q, String partition) {
        List<QueueInfo> children = new ArrayList<>();
        for (QueueState c : q.children()) {
            children.add(of(s, c, partition));
        }
        Resources max = q.parent() == null && q.max().isEmpty() ? s.capacity().snapshot() : q.max();
        Resources allocated = q.allocated().snapshot();
        return new QueueInfo(q.fullName(), "Active", YuniKornResources.of(max), YuniKornResources.of(q.guaranteed()),
                YuniKornResources.of(allocated), YuniKornResources.of(q.pending()), q.isLeaf(), !q.isDynamic(),
                new TreeMap<>(q.config().properties()), q.parent() == null ? "" : q.parent().fullName(),
                TemplateInfo.of(q.config().childTemplate()), partition, List.copyOf(children),
                YuniKornResources.percent(max, allocated), q.config().maxApplications(), q.runningApps(), List.of());
    }
}
