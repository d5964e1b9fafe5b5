package io.fairway.ui.yunikorn;

import io.fairway.core.objects.Pod;
import io.fairway.core.state.PodState;
import java.util.List;
import java.util.Map;

/**
 * A pending pod as YuniKorn shows a request ({@code dao.AllocationAskDAOInfo}). Each pod is one ask, so
 * {@code pendingCount} is 1.
 *
 * <p>Zero values: {@code requiredNodeId} (Fairway has no daemon-set style required node), {@code placeholder} and
 * {@code placeholderTimeout} (no placeholder pods). The {@code allocationLog} holds the last reason Fairway recorded
 * for the pod waiting; Fairway keeps neither how often it was seen nor when last, so {@code count} and
 * {@code lastOccurrence} are 0.
 *
 * @param triggeredPreemption the pod holds room freed by a preemption for it (YuniKorn dao field)
 * @param schedulingAttempted a cycle tried it and recorded why it did not fit (YuniKorn dao field)
 */
record AskInfo(
        String allocationKey,
        Map<String, String> allocationTags,
        long requestTime,
        Map<String, Long> resource,
        int pendingCount,
        String priority,
        String requiredNodeId,
        String applicationId,
        String partition,
        boolean placeholder,
        long placeholderTimeout,
        String taskGroupName,
        List<LogEntry> allocationLog,
        boolean triggeredPreemption,
        boolean schedulingAttempted) {

    record LogEntry(String message, long lastOccurrence, int count) {
    }

    static AskInfo of(PodState p, String partition) {
        Pod pod = p.pod();
        List<LogEntry> log = p.waitKey().isEmpty() ? List.of()
                : List.of(new LogEntry(p.waitMessage().isEmpty() ? p.waitKey() : p.waitMessage(), 0, 0));
        return new AskInfo(p.uid(), AllocationInfo.tags(pod.namespace(), pod.name()), Times.nanos(pod.creationTime()),
                YuniKornResources.of(pod.requests()), 1, Integer.toString(pod.priority()), "", pod.appId(), partition,
                false, 0, pod.hints().taskGroup(), log, p.holdsRoom(), !p.waitKey().isEmpty());
    }
}
