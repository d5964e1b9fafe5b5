package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of the request history ({@code --history FILE}): a mutating request (create, update, patch, delete,
 * deletecollection) on any resource but leases and events, as answered, including the errors and the injected
 * faults. It is read by an invariant checker that knows nothing of Fairway, so the format is plain and stable: one
 * JSON object per line, written (and flushed) before the answer leaves, so that no client ever saw an answer that its
 * history lacks, even after a SIGKILL. The change itself is journaled and offered to watches a moment earlier (tens of
 * microseconds, on the same thread): a SIGKILL in that moment leaves a change, possibly seen by a watch, without its
 * line, so a checker should take the objects served after a restart as the truth for the last writes before a kill.
 * A file reused across restarts is appended to (a torn last line is cut off first). Fields:
 * <ul>
 *   <li>{@code t}: wall-clock epoch milliseconds when the answer was decided (just before it was sent)</li>
 *   <li>{@code verb}: create, update, patch, delete or deletecollection</li>
 *   <li>{@code resource}: the plural as in the path ({@code pods}, {@code bindings}, {@code configmaps}, {@code nodes}, …)</li>
 *   <li>{@code sub}: the subresource ({@code binding}, {@code status}, …), "" if none</li>
 *   <li>{@code ns}: the namespace, "" for cluster-scoped resources</li>
 *   <li>{@code name}: the object's name: from the path, or for a create the created (or, when refused, the given) name,
 *       for a {@code bindings} create the pod's; "" for a deletecollection</li>
 *   <li>{@code agent}: the request's User-Agent header, "" if none</li>
 *   <li>{@code code}: the HTTP status answered</li>
 *   <li>{@code injected}: true when the answer was an injected fault (the request was not served); absent otherwise</li>
 *   <li>{@code uid}: for pod requests (bindings included), the pod's uid (after the change, else the current pod's; absent
 *       if no such pod); for a binding, the binding's {@code metadata.uid} when it set one</li>
 *   <li>{@code node}: for a binding, its {@code target.name}</li>
 *   <li>{@code rv}: the resourceVersion (a number) of the object after the change, when the request changed it; absent
 *       when nothing changed (an error, a dry run, a no-op); for a deletecollection, the last change's</li>
 *   <li>{@code removed}: true when the request removed the object from the store (a delete with grace period 0, a
 *       finalized or kubelet-less graceful delete); absent otherwise (a graceful delete that only marks the pod
 *       terminating has an {@code rv} and no {@code removed})</li>
 *   <li>{@code phase}: for pod writes that changed the pod, {@code status.phase} of the resulting (or removed) pod</li>
 *   <li>{@code object}: the whole resulting object, for creates of pods and nodes and for creates, updates and patches
 *       of config maps that changed one</li>
 * </ul>
 * Readers should ignore fields they do not know: new ones may be added; none will be renamed.
 */
record HistoryEntry(long t, String verb, String resource, String sub, String ns, String name, String agent, int code,
                    boolean injected, String uid, String node, Long rv, boolean removed, String phase, JsonNode object) {

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("t", t);
        o.put("verb", verb);
        o.put("resource", resource);
        o.put("sub", sub);
        o.put("ns", ns);
        o.put("name", name);
        o.put("agent", agent);
        o.put("code", code);
        if (injected) {
            o.put("injected", true);
        }
        if (uid != null) {
            o.put("uid", uid);
        }
        if (node != null) {
            o.put("node", node);
        }
        if (rv != null) {
            o.put("rv", rv);
        }
        if (removed) {
            o.put("removed", true);
        }
        if (phase != null) {
            o.put("phase", phase);
        }
        if (object != null) {
            o.set("object", object);
        }
        return o;
    }
}
