package io.fairway.ui.yunikorn;

import io.fairway.core.objects.Pod;
import io.fairway.core.state.AppState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.ReservedSlot;
import java.util.Map;
import java.util.TreeMap;

/**
 * One allocation as YuniKorn shows it ({@code dao.AllocationDAOInfo}): a pod Fairway placed, or a free slot of a gang
 * reservation, which stands where YuniKorn would have a placeholder pod ({@code placeholder: true}; its key is made
 * from the app, the task group and the slot, as no pod exists).
 *
 * A gang member that took a reserved slot has {@code placeholderUsed}, as a YuniKorn member that replaced a
 * placeholder.
 *
 * <p>Zero values: {@code allocationTime} and {@code allocationDelay} (Fairway does not keep when it allocated), and
 * {@code requestTime} of a slot. {@code uuid} is the pod uid and {@code allocationID} the uid with YuniKorn's
 * counter suffix {@code -0}: a pod has one allocation.
 *
 * @param preempted chosen as a preemption victim (from YuniKorn's dao, not in the documented example)
 */
record AllocationInfo(
        String allocationKey,
        Map<String, String> allocationTags,
        long requestTime,
        long allocationTime,
        long allocationDelay,
        String uuid,
        String allocationID,
        Map<String, Long> resource,
        String priority,
        String nodeId,
        String applicationId,
        String partition,
        boolean placeholder,
        boolean placeholderUsed,
        String taskGroupName,
        boolean preempted) {

    /** @param app the pod's app, for the gang slot it may have taken; null when gone */
    static AllocationInfo of(PodState p, AppState app, String partition) {
        Pod pod = p.pod();
        boolean tookSlot = app != null
                && app.gang().slots().stream().anyMatch(slot -> slot.podUid().equals(p.uid()));
        return new AllocationInfo(p.uid(), tags(pod.namespace(), pod.name()), Times.nanos(pod.creationTime()), 0, 0,
                p.uid(), p.uid() + "-0", YuniKornResources.of(pod.requests()), Integer.toString(pod.priority()),
                p.node(), pod.appId(), partition, false, tookSlot, pod.hints().taskGroup(), p.isPreempted());
    }

    static AllocationInfo placeholder(AppState app, ReservedSlot slot, String partition) {
        String key = "tg-" + app.appId() + "-" + slot.group() + "-" + slot.id();
        return new AllocationInfo(key, tags(app.submission().namespace(), key), 0, 0, 0, key, key + "-0",
                YuniKornResources.of(slot.resources()), "0", slot.node(), app.appId(), partition, true, false,
                slot.group(), false);
    }

    /** The tags the k8shim puts on every allocation, and that YuniKorn's web UI names a pod by. */
    static Map<String, String> tags(String namespace, String podName) {
        Map<String, String> tags = new TreeMap<>();
        tags.put("kubernetes.io/meta/namespace", namespace);
        tags.put("kubernetes.io/meta/podName", podName);
        return tags;
    }
}
