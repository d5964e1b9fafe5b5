package io.fairway.core.scheduler;

import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;

/** What the node filters read of a pod: asks of one shape pass or fail alike, so a shape that found no node is not tried again. */
record AskShape(Resources requests, Map<String, String> nodeSelector, NodeAffinity affinity,
                List<Toleration> tolerations) {
    static AskShape of(Pod p) {
        return new AskShape(p.requests(), p.nodeSelector(), p.affinity(), p.tolerations());
    }
}
