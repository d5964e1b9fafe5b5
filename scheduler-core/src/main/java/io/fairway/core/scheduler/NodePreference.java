package io.fairway.core.scheduler;


/**
 * A soft filter, as a kube-scheduler Score plugin that only ranks "preferred before the rest": it excludes no node,
 * but {@link NodeIndex} looks for a node among those the pod prefers before it looks among all.
 */
interface NodePreference {
    /** The name of the concern, for logs and tests. */
    String name();

    /** Whether the preference has anything to say about this pod; when not, no node is preferred over another. */
    boolean applies(NodeAsk ask);

    /** Whether the node is one the pod would rather have (asked only when {@link #applies} holds). */
    boolean prefers(NodeAsk ask, NodeIndex.Entry node);
}
