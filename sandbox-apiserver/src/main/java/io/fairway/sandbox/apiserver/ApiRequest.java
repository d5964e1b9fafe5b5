package io.fairway.sandbox.apiserver;

/**
 * One request as authorization sees it: the verb (get, list, watch, create, update, patch, delete,
 * deletecollection), the API group ("" for the core group), the resource with its subresource, the namespace ("" for
 * cluster-scoped), the name ("" for a collection) and the client's User-Agent. For checking RBAC rules against what a
 * client really does.
 */
public record ApiRequest(String verb, String group, String resource, String subresource, String namespace,
                         String name, String userAgent) {
    /** The resource as an RBAC rule names it: {@code pods} or {@code pods/binding}. */
    public String rbacResource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }
}
