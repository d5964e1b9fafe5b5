package io.fairway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.config.QueueConfigParser;
import io.fairway.ha.RunSettings;
import io.fairway.k8s.BinderOptions;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.ApiRequest;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.Kubectl;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests in {@code deploy/}, rendered offline by {@code kubectl kustomize} and read into fabric8's model; and
 * the RBAC they grant checked against every request a real replica makes while it elects, watches, binds, reports a
 * waiting pod, preempts one and hands over: each request allowed, each permission used.
 */
class DeployManifestsTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final String AGENT = "fairway-rbac-probe";

    @TempDir
    Path tmp;

    static List<HasMetadata> render(String dir) throws Exception {
        Process p = new ProcessBuilder(Kubectl.path().toString(), "kustomize", DEPLOY.resolve(dir).toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] yaml = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize " + dir).isZero();
        try (KubernetesClient offline = new KubernetesClientBuilder().build()) {
            return offline.load(new ByteArrayInputStream(yaml)).items();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T one(List<HasMetadata> items, Class<T> type) {
        List<HasMetadata> of = items.stream().filter(type::isInstance).toList();
        assertThat(of).as(type.getSimpleName()).hasSize(1);
        return (T) of.get(0);
    }

    @Test
    void theBaseRendersIntoWhatATwoReplicaSchedulerNeeds() throws Exception {
        List<HasMetadata> items = render("base");
        Deployment d = one(items, Deployment.class);
        assertThat(d.getMetadata().getNamespace()).isEqualTo("fairway");
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("fairway");
        assertThat(d.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()).singleElement()
                .satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getArgs()).startsWith("run", "--config");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("POD_NAME"));
        assertThat(one(items, PodDisruptionBudget.class).getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(one(items, Service.class).getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
        assertThat(one(items, NetworkPolicy.class).getSpec().getPolicyTypes()).contains("Ingress", "Egress");
        one(items, ServiceAccount.class);
        one(items, ClusterRoleBinding.class);
        one(items, RoleBinding.class);

        // the queue config is YuniKorn's and valid; the settings are what fairway run accepts
        Map<String, ConfigMap> maps = new HashMap<>();
        items.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .forEach(m -> maps.put(m.getMetadata().getName(), m));
        QueueConfigParser.parse(maps.get("fairway-queues").getData().get("queues.yaml"));
        Path settings = tmp.resolve("fairway.yaml");
        Files.writeString(settings, maps.get("fairway-settings").getData().get("fairway.yaml"));
        RunSettings s = RunSettings.load(settings, Map.of("POD_NAME", "fairway-abc"), Map.of());
        assertThat(s.replicationFactor()).isEqualTo(3);
        assertThat(s.minInsyncReplicas()).isEqualTo(2);
        assertThat(s.queueConfigNamespace() + "/" + s.queueConfigName()).isEqualTo("fairway/fairway-queues");
    }

    @Test
    void theExampleKafkaReplicatesTheEventTopicThreeTimes() throws Exception {
        List<HasMetadata> items = render("all");
        GenericKubernetesResource topic = items.stream().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).filter(r -> r.getKind().equals("KafkaTopic"))
                .findFirst().orElseThrow();
        assertThat(topic.getMetadata().getName()).isEqualTo("fairway.events");
        assertThat(topic.<Integer>get("spec", "replicas")).isEqualTo(3);
        assertThat(String.valueOf(topic.<Object>get("spec", "config", "min.insync.replicas"))).isEqualTo("2");
        assertThat(items).anySatisfy(i -> assertThat(i.getKind()).isEqualTo("Kafka"))
                .anySatisfy(i -> assertThat(i).isInstanceOf(Deployment.class));
    }

    @Test
    void theRbacCoversEveryRequestOfAReplicaAndNothingMore() throws Exception {
        List<HasMetadata> items = render("base");
        List<PolicyRule> cluster = one(items, ClusterRole.class).getRules();
        Role role = one(items, Role.class);
        List<PolicyRule> namespaced = role.getRules();
        String ns = role.getMetadata().getNamespace();

        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient admin = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
             KubernetesClient asFairway = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).withUserAgent(AGENT).build()).build();
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
            server.recordRequests();
            Supplier<List<RbacScenario.Request>> made = () -> server.requests().stream()
                    .filter(q -> q.sender().equals(AGENT))
                    .map(q -> new RbacScenario.Request(q.group(), q.rbacResource(), q.verb(), q.namespace(), q.name()))
                    .toList();
            RbacScenario.run(admin, asFairway, log, tmp, ns, made);
            RbacScenario.assertCoveredExactly(made.get(), cluster, namespaced, ns);
        }
    }
}
