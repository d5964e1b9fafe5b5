package io.fairway.ui;

import io.fairway.core.state.PodState;
import java.util.Map;

/**
 * A pod of an app and what the scheduler made of it.
 *
 * @param role        PENDING, PLACED, TERMINAL or IGNORED (another scheduler's pod off any node)
 * @param node        the node it is charged to, empty when none
 * @param waitReason  key of the last reason it could not be placed, with {@code waitMessage} the numbers
 * @param preemptedBy empty unless chosen as a preemption victim: the preemptor's uid, or {@code quota}
 * @param holdNode    for a pending preemptor, the node whose freed room is held for it
 */
public record PodView(
        String uid,
        String name,
        String namespace,
        String phase,
        String role,
        String node,
        boolean bound,
        String taskGroup,
        Map<String, Long> requests,
        String waitReason,
        String waitMessage,
        long waitingSince,
        String preemptedBy,
        String holdNode) {

    static PodView of(PodState p) {
        return new PodView(p.uid(), p.pod().name(), p.pod().namespace(), p.pod().phase().name(), p.role().name(),
                p.node(), p.isBound(), p.pod().hints().taskGroup(), Amounts.of(p.pod().requests()), p.waitKey(),
                p.waitMessage(), p.waitingSince(), p.preemptedBy(), p.holdNode());
    }
}
