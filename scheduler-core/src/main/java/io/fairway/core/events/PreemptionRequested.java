package io.fairway.core.events;

import java.util.List;

/**
 * The leader decided to preempt running pods. After the commit the victims are deleted through the API server
 * (graceful deletion); until they are gone the state holds the room they free on {@link #nodeName()} for the
 * preemptor, so nobody else takes it, and a preemptor does not trigger again while it holds room.
 *
 * @param kind         why: {@link Kind#GUARANTEED} (the preemptor's queue is below its guarantee), {@link Kind#PRIORITY}
 *                     (the preemptor has a higher priority), {@link Kind#QUOTA} (a lowered max: no preemptor)
 * @param preemptorUid the pending pod the room is for; empty for {@link Kind#QUOTA}
 * @param nodeName     the node whose room is held for the preemptor; empty for {@link Kind#QUOTA}
 * @param victims      the uids of the pods to delete; a gang's members all together or none of them
 * @param reason       for people, with the numbers
 */
public record PreemptionRequested(long time, long epoch, Kind kind, String preemptorUid, String nodeName,
                                  List<String> victims, String reason) implements Decision {
    public enum Kind { GUARANTEED, PRIORITY, QUOTA }

    public PreemptionRequested {
        preemptorUid = preemptorUid == null ? "" : preemptorUid;
        nodeName = nodeName == null ? "" : nodeName;
        victims = List.copyOf(victims);
        reason = reason == null ? "" : reason;
    }
}
