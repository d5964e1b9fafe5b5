package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API server as its own process, killed with SIGKILL and started again on the same --data and port. */
class ApiServerMainRestartTest {
    private static final String AGENT = "harness/restart-test";

    @TempDir
    Path dir;

    private static long rv(HasMetadata o) {
        return Long.parseLong(o.getMetadata().getResourceVersion());
    }

    private static ConfigMap configMap(String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .addToData("k", value).build();
    }

    @Test
    void objectsBindingsAndResourceVersionsSurviveAKillAndAWatchFromBeforeItGetsGoneThenRelists() throws Exception {
        Path data = dir.resolve("data");
        Pod boundA;
        ConfigMap settings;
        long rvBeforeBinding;
        long rvAtKill;
        int port;
        KubernetesClient watching = null;
        SharedIndexInformer<Pod> informer = null;
        try (ApiServerProcess first = ApiServerProcess.start(dir, "--data", data.toString());
             KubernetesClient c = first.client(AGENT)) {
            port = first.port;
            c.nodes().resource(ApiServerTestSupport.node("n1")).create();
            Pod a = c.resource(ApiServerTestSupport.pod("default", "a", Map.of("app", "x"))).create();
            c.resource(ApiServerTestSupport.pod("default", "b", Map.of())).create();
            rvBeforeBinding = rv(a);
            c.bindings().inNamespace("default").resource(new BindingBuilder().withNewMetadata().withName("a").endMetadata()
                    .withNewTarget().withKind("Node").withName("n1").endTarget().build()).create();
            c.resource(configMap("settings", "v1")).create();
            settings = c.configMaps().withName("settings").edit(cm -> new ConfigMapBuilder(cm).addToData("k", "v2").build());
            c.pods().withName("b").withGracePeriod(0).delete();
            boundA = c.pods().withName("a").get();
            rvAtKill = Long.parseLong(c.configMaps().list().getMetadata().getResourceVersion());
            assertThat(boundA.getSpec().getNodeName()).isEqualTo("n1");

            // a client that keeps running across the kill, as Fairway's informers do
            watching = first.client(AGENT);
            informer = watching.pods().inNamespace("default").inform();
            SharedIndexInformer<Pod> inf = informer;
            await().atMost(Duration.ofSeconds(20)).until(() -> inf.getStore().list().size() == 1);

            first.kill();
        }
        // a kill in the middle of a write leaves a torn last line
        Files.writeString(data.resolve(StoreJournal.FILE_NAME), "{\"rv\":999999,\"op\":\"put\",\"resource\":\"pods\",\"ns\":\"default\",\"na",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        try (ApiServerProcess second = ApiServerProcess.start(dir, "--data", data.toString(), "--port", Integer.toString(port));
             KubernetesClient c = second.client(AGENT)) {
            assertThat(second.port).isEqualTo(port);
            assertThat(second.stderr()).contains("torn last line");

            Pod a = c.pods().withName("a").get();
            assertThat(a.getSpec().getNodeName()).isEqualTo("n1");
            assertThat(a.getMetadata().getUid()).isEqualTo(boundA.getMetadata().getUid());
            assertThat(rv(a)).isEqualTo(rv(boundA));
            assertThat(c.pods().withName("b").get()).isNull();
            assertThat(c.nodes().withName("n1").get()).isNotNull();
            ConfigMap cm = c.configMaps().withName("settings").get();
            assertThat(cm.getData()).containsEntry("k", "v2");
            assertThat(rv(cm)).isEqualTo(rv(settings));
            assertThat(c.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName())
                    .containsOnlyOnce("default", "kube-system");

            // the counter carries on from the last resourceVersion written, not from the torn line's
            ConfigMap after = c.resource(configMap("after", "v")).create();
            assertThat(rv(after)).isGreaterThan(rvAtKill).isLessThan(rvAtKill + 10);
            Pod relabelled = c.pods().withName("a").edit(p -> {
                p.getMetadata().getLabels().put("app", "y");
                return p;
            });
            assertThat(rv(relabelled)).isGreaterThan(rv(after));

            // the journal was compacted: the deleted pod's lines are gone
            assertThat(Files.readString(data.resolve(StoreJournal.FILE_NAME))).doesNotContain("\"name\":\"b\"");

            // a watch from before the restart cannot be resumed: 410, as after an etcd compaction
            String pods = second.url + "/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=30";
            try (RawWatch old = new RawWatch(pods + "&resourceVersion=" + rvBeforeBinding)) {
                JsonNode e = old.next();
                assertThat(RawWatch.type(e)).isEqualTo("ERROR");
                assertThat(e.path("object").path("code").asInt()).isEqualTo(410);
                assertThat(old.nextOrEnd()).isNull();
            }
            // a relist gives a resourceVersion to watch from, and the watch sees what follows
            long listed = Long.parseLong(c.pods().list().getMetadata().getResourceVersion());
            try (RawWatch fresh = new RawWatch(pods + "&resourceVersion=" + listed)) {
                assertThat(fresh.status).isEqualTo(200);
                Pod d = c.resource(ApiServerTestSupport.pod("default", "d", Map.of())).create();
                JsonNode e = fresh.nextChange();
                assertThat(RawWatch.type(e) + " " + RawWatch.name(e)).isEqualTo("ADDED d");
                assertThat(RawWatch.rv(e)).isEqualTo(rv(d)).isGreaterThan(listed);
            }

            // the informer that lived through the kill caught up (relisting when its watch was refused)
            SharedIndexInformer<Pod> inf = informer;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(inf.getStore().list())
                    .extracting(p -> p.getMetadata().getName() + "=" + (p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get("app")))
                    .containsExactlyInAnyOrder("a=y", "d=null"));
        } finally {
            if (informer != null) {
                informer.close();
            }
            if (watching != null) {
                watching.close();
            }
        }
    }

    @Test
    void aStartOnAnEmptyDirectoryBeginsWithTheBootstrapObjectsAndAGivenPortThatIsTakenFailsLoudly() throws Exception {
        Path data = dir.resolve("fresh");
        try (ApiServerProcess s = ApiServerProcess.start(dir, "--data", data.toString());
             KubernetesClient c = s.client(AGENT)) {
            assertThat(c.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName())
                    .contains("default", "kube-system", "kube-public", "kube-node-lease");
            assertThat(Files.readAllLines(data.resolve(StoreJournal.FILE_NAME)).get(0)).contains("\"journal\"");

            List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                    ApiServerMain.class.getName(), "--port", Integer.toString(s.port));
            Path log = dir.resolve("taken.log");
            Process taken = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                assertThat(taken.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
            } finally {
                taken.destroyForcibly();
            }
            assertThat(taken.exitValue()).isEqualTo(1);
            assertThat(Files.readString(log)).contains("cannot start", "cannot listen on 127.0.0.1:" + s.port)
                    .doesNotContain(ApiServerMain.READY);
        }
    }
}
