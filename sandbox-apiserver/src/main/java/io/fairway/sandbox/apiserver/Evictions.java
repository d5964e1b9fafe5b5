package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The eviction subresource ({@code POST pods/NAME/eviction} with a policy/v1 Eviction): a graceful delete of the pod
 * with the Eviction's delete options, answered 201 with a Success Status as kube-apiserver does (404 for a missing
 * pod). kube-apiserver first checks the PodDisruptionBudgets that select the pod; this server stores none (the
 * policy group is not served), so there is never a budget to refuse an eviction (429) here.
 */
final class Evictions {
    private Evictions() {}

    /** Parses and checks the Eviction body; returns its {@code deleteOptions} (possibly empty) as DeleteOptions JSON. */
    static ObjectNode deleteOptions(String podName, ObjectNode eviction) {
        String kind = Json.text(eviction, "kind");
        if (!Json.isBlank(kind) && !kind.equals("Eviction")) {
            throw ApiException.badRequest("the body of pods/eviction must be an Eviction (policy/v1), not a " + kind);
        }
        String apiVersion = Json.text(eviction, "apiVersion");
        if (!Json.isBlank(apiVersion) && !apiVersion.equals("policy/v1") && !apiVersion.equals("policy/v1beta1")) {
            throw ApiException.badRequest("the API version of the Eviction (" + apiVersion
                    + ") is not one pods/eviction reads: use policy/v1");
        }
        String named = Json.text(eviction, "metadata", "name");
        if (!Json.isBlank(named) && !named.equals(podName)) {
            throw ApiException.badRequest("name in URL does not match name in Eviction object (URL: " + podName
                    + ", Eviction: " + named + ")");
        }
        JsonNode options = eviction.get("deleteOptions");
        return options instanceof ObjectNode o ? o : Json.object();
    }
}
