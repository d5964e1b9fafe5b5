package io.fairway.sandbox.apiserver;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One server and one fabric8 client per test class, plus raw HTTP for what the typed client hides. */
abstract class ApiServerTestSupport {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    static LocalApiServer server;
    static KubernetesClient client;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startServer() {
        server = LocalApiServer.start();
        client = client(server);
    }

    @AfterAll
    static void stopServer() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static KubernetesClient client(LocalApiServer s) {
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl(s.url()).withTrustCerts(true).withNamespace("default").build())
                .build();
    }

    /** A fresh namespace for one test. */
    static String namespace() {
        String ns = "t" + NAMESPACES.incrementAndGet() + "-" + Store.randomSuffix();
        Namespace n = new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build();
        client.namespaces().resource(n).create();
        return ns;
    }

    static Pod pod(String ns, String name, Map<String, String> labels) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("busybox:1.36")
                .withNewResources().addToRequests("cpu", new Quantity("100m")).endResources().endContainer()
                .endSpec()
                .build();
    }

    static Node node(String name) {
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("pool", "cpu").endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().addToCapacity("cpu", new Quantity("8")).addToAllocatable("cpu", new Quantity("8"))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build();
    }

    static HttpResponse<String> http(String method, String path, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(20));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static com.fasterxml.jackson.databind.JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
