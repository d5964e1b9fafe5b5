package io.fairway.sandbox.apiserver;

/**
 * One request as authorization sees it: the verb (get, list, watch, create, update, patch, delete,
 * deletecollection), the API group ("" for the core group), the resource with its subresource, the namespace ("" for
 * cluster-scoped), the name ("" for a collection), the client's User-Agent and when it was served
 * ({@link System#nanoTime()}). For checking RBAC rules against what a client really does, and who did what when.
 */
public record ApiRequest(String verb, String group, String resource, String subresource, String namespace,
                         String name, String userAgent, long atNanos) {
    /**
     * Who sent it, without the leader epoch a Fairway leader's bindings add to their User-Agent: {@code fairway/r0}
     * for {@code fairway/r0 epoch/3}.
     */
    public String sender() {
        if (userAgent == null) {
            return "";
        }
        int at = userAgent.indexOf(" epoch/");
        return at < 0 ? userAgent : userAgent.substring(0, at);
    }

    /** The resource as an RBAC rule names it: {@code pods} or {@code pods/binding}. */
    public String rbacResource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }
}
