package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fairway.testsupport.k8s.Kubectl;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kubectl 1.32 as a second, independent client. */
class KubectlTest extends ApiServerTestSupport {
    private static final Path KUBECTL = Kubectl.path();

    @TempDir
    static Path dir;
    static Path kubeconfig;

    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void kubeconfig() {
        kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"));
        client.resource(node("kc-node")).create();
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", dir.resolve("cache").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Result kubectl(String... args) {
        try {
            Process p = new ProcessBuilder(command(args)).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(dir.resolve("stderr.txt").toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new Result(p.exitValue(), out, Files.readString(dir.resolve("stderr.txt")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Result ok(String... args) {
        Result r = kubectl(args);
        assertThat(r.exit()).as("kubectl %s failed: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    private static Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void theProtobufBodiesKubectlSendsAreRead() {
        // kubectl sends protobuf for `create namespace|configmap|secret`; they failed here before
        String ns = "proto-" + System.nanoTime();
        ok("create", "namespace", ns);
        assertThat(client.namespaces().withName(ns).get()).isNotNull();
        ok("create", "configmap", "settings", "-n", ns, "--from-literal=mode=fast", "--from-literal=size=3");
        assertThat(client.configMaps().inNamespace(ns).withName("settings").get().getData())
                .containsExactlyInAnyOrderEntriesOf(Map.of("mode", "fast", "size", "3"));
        ok("create", "secret", "generic", "token", "-n", ns, "--from-literal=key=s3cr3t");
        assertThat(client.secrets().inNamespace(ns).withName("token").get().getData())
                .containsEntry("key", Base64.getEncoder().encodeToString("s3cr3t".getBytes(StandardCharsets.UTF_8)));
        ok("label", "namespace", ns, "team=a");
        assertThat(client.namespaces().withName(ns).get().getMetadata().getLabels()).containsEntry("team", "a");
    }

    @Test
    void aServerSideDryRunDeleteDeletesNothing() {
        String ns = namespace();
        client.resource(pod(ns, "kept", Map.of("app", "dry"))).create();
        client.resource(pod(ns, "kept-too", Map.of("app", "dry"))).create();
        assertThat(ok("delete", "pod", "kept", "-n", ns, "--dry-run=server").out()).contains("kept").contains("server dry run");
        assertThat(ok("delete", "pods", "-l", "app=dry", "-n", ns, "--dry-run=server").out()).contains("kept-too");
        assertThat(client.pods().inNamespace(ns).list().getItems()).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("kept", "kept-too")
                .allSatisfy(n -> assertThat(client.pods().inNamespace(ns).withName(n).get().getMetadata()
                        .getDeletionTimestamp()).isNull());
        // and the query form other clients use
        http("DELETE", "/api/v1/namespaces/" + ns + "/pods/kept?dryRun=All", "application/json", "");
        http("DELETE", "/api/v1/namespaces/" + ns + "/pods?dryRun=All", "application/json", "");
        assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(2);
        ok("delete", "pod", "kept", "-n", ns, "--wait=false");
        assertThat(client.pods().inNamespace(ns).withName("kept").get()).satisfiesAnyOf(
                p -> assertThat(p).isNull(), p -> assertThat(p.getMetadata().getDeletionTimestamp()).isNotNull());
    }

    @Test
    void getNodesAndPodsWideShowsTheNode() {
        String ns = namespace();
        client.resource(pod(ns, "wide", Map.of())).create();
        http("POST", "/api/v1/namespaces/" + ns + "/pods/wide/binding", "application/json",
                "{\"metadata\":{\"name\":\"wide\"},\"target\":{\"kind\":\"Node\",\"name\":\"kc-node\"}}");

        String nodes = ok("get", "nodes").out();
        assertThat(nodes).contains("NAME", "STATUS").containsPattern("kc-node\\s+Ready");
        String wide = ok("get", "pods", "-n", ns, "-o", "wide").out();
        assertThat(wide.lines().findFirst().orElseThrow()).contains("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE");
        assertThat(wide).containsPattern("wide\\s+0/1\\s+Pending\\s+0\\s+\\S+\\s+<none>\\s+kc-node");
        assertThat(ok("get", "po", "-A").out()).contains(ns);
        assertThat(ok("get", "pod", "wide", "-n", ns, "-o", "jsonpath={.spec.nodeName}").out()).isEqualTo("kc-node");
    }

    @Test
    void applyCreatesThenChanges() throws IOException {
        String ns = namespace();
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: applied
                  namespace: %s
                  labels:
                    version: "1"
                spec:
                  containers:
                  - name: main
                    image: busybox:1.36
                """.formatted(ns);
        assertThat(ok("apply", "-f", file("pod.yaml", manifest).toString()).out()).contains("pod/applied created");
        assertThat(ok("apply", "-f", file("pod2.yaml", manifest.replace("version: \"1\"", "version: \"2\"")).toString()).out())
                .contains("pod/applied configured");
        Pod p = client.pods().inNamespace(ns).withName("applied").get();
        assertThat(p.getMetadata().getLabels()).containsEntry("version", "2");
        assertThat(p.getMetadata().getAnnotations()).containsKey("kubectl.kubernetes.io/last-applied-configuration");
        assertThat(ok("apply", "-f", file("pod3.yaml", manifest.replace("version: \"1\"", "version: \"2\"")).toString()).out())
                .contains("pod/applied unchanged");

        String cm = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: ssa
                  namespace: %s
                data:
                  a: "1"
                """.formatted(ns);
        assertThat(ok("apply", "--server-side", "-f", file("cm.yaml", cm).toString()).out()).contains("configmap/ssa serverside-applied");
        ok("apply", "--server-side", "-f", file("cm2.yaml", cm.replace("a: \"1\"", "a: \"2\"")).toString());
        assertThat(client.configMaps().inNamespace(ns).withName("ssa").get().getData()).containsEntry("a", "2");
    }

    @Test
    void describeShowsEvents() {
        String ns = namespace();
        Pod p = client.resource(pod(ns, "described", Map.of("app", "x"))).create();
        client.resource(new EventBuilder().withNewMetadata().withName("described.1").withNamespace(ns).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withApiVersion("v1").withName("described").withNamespace(ns)
                .withUid(p.getMetadata().getUid()).endInvolvedObject()
                .withReason("FailedScheduling").withMessage("0/3 nodes are available: insufficient gpu").withType("Warning")
                .withNewSource().withComponent("fairway-scheduler").endSource()
                .withFirstTimestamp("2026-01-01T00:00:00Z").withLastTimestamp("2026-01-01T00:00:00Z").withCount(1).build()).create();
        client.resource(new EventBuilder().withNewMetadata().withName("other.1").withNamespace(ns).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName("other").withNamespace(ns).endInvolvedObject()
                .withReason("Unrelated").withMessage("not this pod").withType("Normal").build()).create();

        String out = ok("describe", "pod", "described", "-n", ns).out();
        assertThat(out).contains("Name:", "described", "Status:", "Pending", "QoS Class:", "Burstable", "Events:");
        assertThat(out).containsPattern("Warning\\s+FailedScheduling\\s+.*fairway-scheduler\\s+0/3 nodes are available: insufficient gpu");
        assertThat(out).doesNotContain("Unrelated");
        assertThat(ok("get", "events", "-n", ns).out()).contains("FailedScheduling", "pod/described");
    }

    @Test
    void getWatchPrintsChanges() throws Exception {
        String ns = namespace();
        client.resource(pod(ns, "watched", Map.of())).create();
        Process p = new ProcessBuilder(command("get", "pods", "-n", ns, "-w")).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            assertThat(lines.poll(30, TimeUnit.SECONDS)).contains("NAME", "STATUS");
            assertThat(lines.poll(30, TimeUnit.SECONDS)).containsPattern("watched\\s+0/1\\s+Pending");
            // the watch is established once the list is printed; a change arrives as a new line
            client.pods().inNamespace(ns).withName("watched").editStatus(x -> new PodBuilder(x).editStatus().withPhase("Running")
                    .endStatus().build());
            String changed;
            do {
                changed = lines.poll(30, TimeUnit.SECONDS);
                assertThat(changed).as("kubectl get -w printed no change").isNotNull();
            } while (!changed.contains("Running"));
            assertThat(changed).containsPattern("watched\\s+0/1\\s+Running");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void deleteRemovesThePod() {
        String ns = namespace();
        client.resource(pod(ns, "doomed", Map.of())).create();
        assertThat(ok("delete", "pod", "doomed", "-n", ns).out()).contains("pod \"doomed\" deleted");
        assertThat(client.pods().inNamespace(ns).withName("doomed").get()).isNull();
        Result missing = kubectl("get", "pod", "doomed", "-n", ns);
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("pods \"doomed\" not found");
    }

    @Test
    void otherKindsPrint() {
        assertThat(ok("get", "ns").out()).containsPattern("kube-system\\s+Active");
        assertThat(ok("get", "pc").out()).containsPattern("system-node-critical\\s+2000001000\\s+false");
        assertThat(ok("get", "leases", "-A").exit()).isZero();
        assertThat(ok("get", "cm", "-A").exit()).isZero();
        assertThat(ok("version", "-o", "json").out()).contains("\"gitVersion\": \"v1.32.0\"");
        assertThat(ok("api-resources").out()).contains("pods", "po", "priorityclasses", "pc", "leases", "coordination.k8s.io/v1");
    }

    @Test
    void servicesAccountsAndClaimsThroughKubectl() throws IOException {
        String ns = "kinds-" + System.nanoTime();
        ok("create", "namespace", ns);
        assertThat(ok("api-resources").out()).containsPattern("services\\s+svc\\s+v1\\s+true\\s+Service")
                .containsPattern("serviceaccounts\\s+sa\\s+v1\\s+true\\s+ServiceAccount")
                .containsPattern("persistentvolumeclaims\\s+pvc\\s+v1\\s+true\\s+PersistentVolumeClaim");
        ok("create", "serviceaccount", "spark", "-n", ns);
        ok("create", "service", "clusterip", "web", "--tcp=80:8080", "-n", ns);
        String pvc = """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: data
                spec:
                  accessModes: [ReadWriteOnce]
                  resources:
                    requests:
                      storage: 1Gi
                """;
        ok("apply", "-n", ns, "-f", file("pvc.yaml", pvc).toString());
        assertThat(ok("get", "sa", "-n", ns).out()).containsPattern("spark\\s+0");
        assertThat(ok("get", "svc", "-n", ns).out()).containsPattern("web\\s+ClusterIP\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+<none>\\s+80/TCP");
        assertThat(ok("get", "pvc", "-n", ns).out()).containsPattern("data\\s+Pending");
        assertThat(ok("delete", "svc,pvc,sa", "--all", "-n", ns).out()).contains("service \"web\" deleted");
        assertThat(client.services().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void kubectlsServerSideFieldValidation() throws IOException {
        String ns = "strict-" + System.nanoTime();
        ok("create", "namespace", ns);
        String cm = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: typo
                data:
                  a: "1"
                datta:
                  b: "2"
                """;
        Path f = file("typo.yaml", cm);
        // kubectl validates strictly by default and leaves it to the server (its OpenAPI lists fieldValidation)
        Result strict = kubectl("create", "-n", ns, "-f", f.toString());
        assertThat(strict.exit()).isNotZero();
        assertThat(strict.err()).contains("strict decoding error: unknown field \"datta\"");
        Result warn = ok("create", "-n", ns, "-f", f.toString(), "--validate=warn");
        assertThat(warn.err()).contains("unknown field \"datta\"");
        assertThat(client.configMaps().inNamespace(ns).withName("typo").get().getData()).containsOnlyKeys("a");
    }
}
