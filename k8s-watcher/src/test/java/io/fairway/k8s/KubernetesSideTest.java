package io.fairway.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.sandbox.apiserver.LocalApiServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The watcher, the binder and the waiting reporter against the sandbox's API server, through fabric8 over HTTP. */
class KubernetesSideTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static LocalApiServer server;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        server = LocalApiServer.start();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static Pod pod(String ns, String name, String cpu, String priorityClass) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .withLabels(Map.of("yunikorn.apache.org/app-id", "app-" + name)).endMetadata()
                .withNewSpec().withSchedulerName("fairway").withPriorityClassName(priorityClass)
                .addNewContainer().withName("main").withImage("busybox").withNewResources()
                .withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("1Gi"))).endResources()
                .endContainer().endSpec().build();
    }

    private static void namespace(String ns) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .createOr(r -> r.update());
    }

    private static void node(String name, String cpu) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(Map.of("zone", "z1"))
                .endMetadata().withNewStatus().withCapacity(Map.of("cpu", new Quantity(cpu), "memory",
                        new Quantity("16Gi"), "pods", new Quantity("110")))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }

    @Test
    void everyChangeBecomesAnObservationWithItsVersion() {
        namespace("w");
        namespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE);
        client.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder().withNewMetadata()
                .withName("high").endMetadata().withValue(1000).build()).create();
        node("w-node-1", "8");
        client.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                .withData(Map.of("queues.yaml", "partitions:\n  - name: default\n    queues:\n      - name: root\n"
                        + "        queues:\n          - name: a\n"))
                .build()).create();
        Pod created = client.pods().inNamespace("w").resource(pod("w", "p1", "1", "high")).create();

        List<Observation> seen = Collections.synchronizedList(new ArrayList<>());
        try (ClusterWatcher watcher = new ClusterWatcher(client, seen::add, WatcherOptions.defaults(),
                Clock.systemUTC()).start()) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(List.copyOf(seen))
                    .anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(PriorityClassObserved.class,
                            pc -> assertThat(pc.value()).isEqualTo(1000)))
                    .anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(NodeObserved.class,
                            n -> assertThat(n.node().allocatable().get("cpu")).isEqualTo(8000)))
                    .anySatisfy(o -> assertThat(o).isInstanceOf(QueueConfigObserved.class))
                    .anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(PodObserved.class, p -> {
                        assertThat(p.pod().uid()).isEqualTo(created.getMetadata().getUid());
                        assertThat(p.pod().priority()).isEqualTo(1000);
                        assertThat(p.pod().resourceVersion()).isEqualTo(created.getMetadata().getResourceVersion());
                    })));

            Pod labelled = client.pods().inNamespace("w").withName("p1")
                    .edit(p -> new PodBuilder(p).editMetadata().addToLabels("x", "y").endMetadata().build());
            await().atMost(WAIT).untilAsserted(() -> assertThat(List.copyOf(seen)).anySatisfy(o -> assertThat(o)
                    .isInstanceOfSatisfying(PodObserved.class, p -> assertThat(p.pod().resourceVersion())
                            .isEqualTo(labelled.getMetadata().getResourceVersion()))));

            client.pods().inNamespace("w").withName("p1").delete();
            await().atMost(WAIT).untilAsserted(() -> assertThat(List.copyOf(seen)).anySatisfy(o -> assertThat(o)
                    .isInstanceOfSatisfying(PodGone.class, g -> assertThat(g.uid())
                            .isEqualTo(created.getMetadata().getUid()))));

            // An invalid config is still observed (the state keeps the previous one) and the operator is told.
            client.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE)
                    .withName(WatcherOptions.DEFAULT_CONFIG_NAME)
                    .edit(cm -> new ConfigMapBuilder(cm).withData(Map.of("queues.yaml", "partitions: [")).build());
            await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events()
                    .inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).list().getItems())
                    .anySatisfy(e -> {
                        assertThat(e.getReason()).isEqualTo("InvalidQueueConfig");
                        assertThat(e.getInvolvedObject().getName()).isEqualTo(WatcherOptions.DEFAULT_CONFIG_NAME);
                    }));
            // The Event and the observation come from the same change but reach their ends apart: wait for both.
            await().atMost(WAIT).untilAsserted(() -> assertThat(List.copyOf(seen))
                    .filteredOn(QueueConfigObserved.class::isInstance).hasSizeGreaterThanOrEqualTo(2));
        }
    }

    private static Pod plainPod(String ns, String name, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withAnnotations(annotations)
                .endMetadata().withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main")
                .withImage("busybox").endContainer().endSpec().build();
    }

    private static PodObserved lastObservation(List<Observation> seen, String uid) {
        return List.copyOf(seen).stream().filter(PodObserved.class::isInstance).map(PodObserved.class::cast)
                .filter(o -> o.pod().uid().equals(uid)).reduce((a, b) -> b).orElse(null);
    }

    @Test
    void aPodWithoutUserInfoRunsAsItsNamespacesDefaultUserAndGroups() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-ns")
                .withAnnotations(Map.of(NamespaceDefaults.USER_ANNOTATION, "team-bot",
                        NamespaceDefaults.GROUPS_ANNOTATION, " ml, dev "))
                .endMetadata().build()).create();
        namespace("plain-ns");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger watcherLog = (Logger) LoggerFactory.getLogger(ClusterWatcher.class);
        watcherLog.addAppender(logs);
        List<Observation> seen = Collections.synchronizedList(new ArrayList<>());
        try (ClusterWatcher watcher = new ClusterWatcher(client, seen::add, WatcherOptions.defaults(),
                Clock.systemUTC()).start()) {
            String plain = client.pods().inNamespace("team-ns").resource(plainPod("team-ns", "plain", Map.of()))
                    .create().getMetadata().getUid();
            String own = client.pods().inNamespace("team-ns").resource(plainPod("team-ns", "own",
                    Map.of("yunikorn.apache.org/user.info", "{\"user\": \"alice\", \"groups\": [\"a\"]}")))
                    .create().getMetadata().getUid();
            String bad = client.pods().inNamespace("team-ns").resource(plainPod("team-ns", "bad",
                    Map.of("yunikorn.apache.org/user.info", "{unclosed"))).create().getMetadata().getUid();
            String elsewhere = client.pods().inNamespace("plain-ns").resource(plainPod("plain-ns", "p", Map.of()))
                    .create().getMetadata().getUid();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(lastObservation(seen, plain)).isNotNull().satisfies(o -> {
                    assertThat(o.pod().user()).isEqualTo("team-bot");
                    assertThat(o.pod().groups()).containsExactly("ml", "dev");
                });
                assertThat(lastObservation(seen, own)).isNotNull().satisfies(o -> {
                    assertThat(o.pod().user()).isEqualTo("alice");
                    assertThat(o.pod().groups()).containsExactly("a");
                });
                assertThat(lastObservation(seen, bad)).isNotNull().satisfies(o -> {
                    assertThat(o.pod().user()).isEqualTo("team-bot");
                    assertThat(o.pod().groups()).containsExactly("ml", "dev");
                });
                assertThat(lastObservation(seen, elsewhere)).isNotNull().satisfies(o -> {
                    assertThat(o.pod().user()).isEqualTo(KubeObjects.DEFAULT_USER);
                    assertThat(o.pod().groups()).isEmpty();
                });
            });

            // the unreadable annotation is reported once, not at each change of the pod
            String labelled = client.pods().inNamespace("team-ns").withName("bad")
                    .edit(p -> new PodBuilder(p).editMetadata().addToLabels("x", "y").endMetadata().build())
                    .getMetadata().getResourceVersion();
            await().atMost(WAIT).untilAsserted(() -> assertThat(lastObservation(seen, bad).pod().resourceVersion())
                    .isEqualTo(labelled));
            assertThat(List.copyOf(logs.list)).filteredOn(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains("team-ns/bad")).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("'{unclosed'", "team-bot"));

            // a namespace that starts giving a default: pods created after run as it
            client.namespaces().withName("plain-ns").edit(n -> new NamespaceBuilder(n).editMetadata()
                    .addToAnnotations(NamespaceDefaults.USER_ANNOTATION, "late-bot").endMetadata().build());
            await().atMost(WAIT).untilAsserted(() -> {
                String uid = client.pods().inNamespace("plain-ns").resource(plainPod("plain-ns",
                        "p" + System.nanoTime(), Map.of())).create().getMetadata().getUid();
                await().atMost(WAIT).untilAsserted(() -> assertThat(lastObservation(seen, uid)).isNotNull());
                assertThat(lastObservation(seen, uid).pod().user()).isEqualTo("late-bot");
            });
        } finally {
            watcherLog.detachAppender(logs);
        }
    }

    @Test
    void aLeadersBindingNamesItsEpochInTheUserAgent() throws Exception {
        namespace("ua");
        node("ua-node-1", "4");
        String a = client.pods().inNamespace("ua").resource(pod("ua", "a", "1", null)).create().getMetadata().getUid();
        String b = client.pods().inNamespace("ua").resource(pod("ua", "b", "1", null)).create().getMetadata().getUid();
        try (KubernetesClient named = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl(server.url()).withUserAgent("fairway/replica-7").build()).build();
             Binder binder = new Binder(named, BinderOptions.defaults())) {
            server.recordRequests();
            assertThat(binder.bind("ua", "a", a, "ua-node-1", 12).get()).isInstanceOf(Binder.Bound.class);
            assertThat(binder.bind("ua", "b", b, "ua-node-1").get()).isInstanceOf(Binder.Bound.class);
        }
        assertThat(server.requests()).filteredOn(r -> r.subresource().equals("binding"))
                .extracting(r -> r.name() + " " + r.userAgent())
                .containsExactly("a fairway/replica-7 epoch/12", "b fairway/replica-7");
    }

    @Test
    void theBinderBindsOnceAndTellsConflictsApart() throws Exception {
        namespace("b");
        node("b-node-1", "4");
        node("b-node-2", "4");
        Pod p = client.pods().inNamespace("b").resource(pod("b", "p", "1", null)).create();
        String uid = p.getMetadata().getUid();
        try (Binder binder = new Binder(client, BinderOptions.defaults())) {
            Binder.Outcome first = binder.bind("b", "p", uid, "b-node-1").get();
            assertThat(first).isEqualTo(new Binder.Bound(uid, "b-node-1", false, 1));
            assertThat(client.pods().inNamespace("b").withName("p").get().getSpec().getNodeName()).isEqualTo("b-node-1");

            // a new leader re-issuing the same bind: 409, and the pod is on that node, so it counts as bound
            assertThat(binder.bind("b", "p", uid, "b-node-1").get())
                    .isInstanceOfSatisfying(Binder.Bound.class, b -> assertThat(b.already()).isTrue());
            assertThat(binder.bind("b", "p", uid, "b-node-2").get())
                    .isInstanceOfSatisfying(Binder.Failed.class, f -> assertThat(f.reason())
                            .contains("already bound to b-node-1"));
            assertThat(binder.bind("b", "nope", "u-x", "b-node-1").get())
                    .isInstanceOfSatisfying(Binder.Failed.class, f -> assertThat(f.reason()).contains("is gone"));

            client.pods().inNamespace("b").resource(pod("b", "q", "1", null)).create();
            assertThat(binder.bind("b", "q", "not-its-uid", "b-node-1").get())
                    .isInstanceOfSatisfying(Binder.Failed.class, f -> assertThat(f.reason()).contains("was replaced"));
            assertThat(client.pods().inNamespace("b").withName("q").get().getSpec().getNodeName()).isNullOrEmpty();
            assertThat(binder.boundCount()).isEqualTo(2);
            assertThat(binder.failedCount()).isEqualTo(3);
        }
    }

    @Test
    void aBinderThatMayNotBindOrWasWithdrawnSendsNothing() throws Exception {
        namespace("w");
        node("w-node", "4");
        String a = client.pods().inNamespace("w").resource(pod("w", "a", "1", null)).create().getMetadata().getUid();
        String b = client.pods().inNamespace("w").resource(pod("w", "b", "1", null)).create().getMetadata().getUid();
        AtomicBoolean leaseValid = new AtomicBoolean(false);
        // one bind at once, the next after 5 s: the second is still waiting when the binds are withdrawn
        try (Binder binder = new Binder(client, BinderOptions.defaults().withRate(0.2, 1), leaseValid::get)) {
            assertThat(binder.bind("w", "a", a, "w-node").get())
                    .isInstanceOfSatisfying(Binder.Withdrawn.class, w -> assertThat(w.reason()).contains("lease"));
            leaseValid.set(true);
            var second = binder.bind("w", "b", b, "w-node");
            binder.withdrawPending();
            assertThat(second.get()).isInstanceOf(Binder.Withdrawn.class);
            assertThat(binder.withdrawnCount()).isEqualTo(2);
            assertThat(binder.boundCount()).isZero();
        }
        assertThat(client.pods().inNamespace("w").list().getItems())
                .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNullOrEmpty());
    }

    @Test
    void aWaitingPodIsToldWhyOncePerReason() {
        namespace("r");
        Pod p = client.pods().inNamespace("r").resource(pod("r", "big", "64", null)).create();
        String uid = p.getMetadata().getUid();
        try (WaitingReporter reporter = new WaitingReporter(client, Clock.systemUTC(), 4)) {
            String why = "0/2 nodes are available: 2 Insufficient cpu.";
            reporter.waiting("r", "big", uid, why);
            reporter.waiting("r", "big", uid, why);
            await().atMost(WAIT).untilAsserted(() -> {
                List<PodCondition> cs = client.pods().inNamespace("r").withName("big").get().getStatus().getConditions();
                assertThat(cs).singleElement().satisfies(c -> {
                    assertThat(c.getType()).isEqualTo("PodScheduled");
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("Unschedulable");
                    assertThat(c.getMessage()).isEqualTo(why);
                });
                assertThat(events("r", "big")).extracting(Event::getMessage).containsExactly(why);
            });
            String other = "0/3 nodes are available: 3 Insufficient memory.";
            reporter.waiting("r", "big", uid, other);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(client.pods().inNamespace("r").withName("big").get().getStatus().getConditions())
                        .singleElement().satisfies(c -> assertThat(c.getMessage()).isEqualTo(other));
                assertThat(events("r", "big")).extracting(Event::getMessage).containsExactlyInAnyOrder(why, other);
            });
        }
    }

    @Test
    void aPodOfARejectedAppIsToldWhyWithItsOwnReason() {
        namespace("rj");
        Pod p = client.pods().inNamespace("rj").resource(pod("rj", "nope", "1", null)).create();
        String why = "application spark-1 is rejected: no placement rule matched: rule 1 (user): user eli (no groups) "
                + "is filtered out (filter allow groups [dev]); fallback: root.default does not exist";
        try (WaitingReporter reporter = new WaitingReporter(client, Clock.systemUTC(), 4)) {
            reporter.rejected("rj", "nope", p.getMetadata().getUid(), why);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(client.pods().inNamespace("rj").withName("nope").get().getStatus().getConditions())
                        .singleElement().satisfies(c -> {
                            assertThat(c.getReason()).isEqualTo("ApplicationRejected");
                            assertThat(c.getMessage()).isEqualTo(why);
                        });
                assertThat(events("rj", "nope", "ApplicationRejected")).extracting(Event::getMessage).containsExactly(why);
                assertThat(events("rj", "nope")).isEmpty();
            });
        }
    }

    private static List<Event> events(String ns, String pod) {
        return events(ns, pod, WaitingReporter.EVENT_REASON);
    }

    private static List<Event> events(String ns, String pod, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()))
                .filter(e -> reason.equals(e.getReason()))
                .toList();
    }
}
