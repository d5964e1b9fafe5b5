package io.fairway.sandbox;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.sandbox.apiserver.ApiServerOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;

/** The local API server as this module's tests start it, and a fabric8 client for it. */
public final class TestApiServer {
    private TestApiServer() {
    }

    /**
     * A local API server on a free port with one event loop: enough for these tests on a 2-core machine (and, at the
     * time of writing, more than one event loop failed to bind the shared port here).
     */
    public static LocalApiServer start() {
        return LocalApiServer.start(ApiServerOptions.defaults().withEventLoops(1));
    }

    /** The fabric8 client, as any user of the sandbox makes it. */
    public static KubernetesClient client(LocalApiServer server) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
    }
}
