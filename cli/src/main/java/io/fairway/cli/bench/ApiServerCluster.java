package io.fairway.cli.bench;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.YuniKornLabels;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import io.fairway.sandbox.load.BulkPodCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A state's nodes and pods written to an API server as the objects they were observed from, so that a replica started
 * against it lists as many objects, of about the size, as the cluster its store was built from.
 */
final class ApiServerCluster {
    private ApiServerCluster() {
    }

    /** Creates the pods' namespaces, the nodes and the pods of {@code state}; returns how many pods were created. */
    static int write(KubernetesClient admin, String url, ClusterState state) {
        TreeSet<String> namespaces = new TreeSet<>();
        List<Pod> pods = new ArrayList<>(state.pods().size());
        for (PodState p : state.pods()) {
            namespaces.add(p.pod().namespace());
            pods.add(pod(p.pod()));
        }
        for (String ns : namespaces) {
            if (admin.namespaces().withName(ns).get() == null) {
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                        .build()).create();
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (NodeState n : state.nodes().values()) {
                Node node = node(n.node());
                done.add(pool.submit(() -> admin.nodes().resource(node).create()));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the bench's nodes in the API server at " + url + ": " + e, e);
        } finally {
            pool.shutdownNow();
        }
        try (BulkPodCreator creator = new BulkPodCreator(url, 2, 8)) {
            BulkPodCreator.Result r = creator.create(BulkPodCreator.prepare(pods, admin.getKubernetesSerialization()),
                    64, Duration.ofMinutes(10), (k, t) -> { });
            if (r.failed() > 0) {
                throw new IllegalStateException(r.failed() + " of the bench's " + pods.size() + " pods were not created "
                        + "in the API server at " + url + " (the log above says why)");
            }
            return r.created();
        }
    }

    private static Node node(io.fairway.core.objects.Node n) {
        List<io.fabric8.kubernetes.api.model.Taint> taints = new ArrayList<>();
        for (Taint t : n.taints()) {
            taints.add(new TaintBuilder().withKey(t.key()).withValue(t.value()).withEffect(t.effect()).build());
        }
        return new NodeBuilder().withNewMetadata().withName(n.name()).withLabels(n.labels()).endMetadata()
                .withNewSpec().withTaints(taints).withUnschedulable(n.unschedulable()).endSpec()
                .withNewStatus().withCapacity(quantities(n.capacity())).withAllocatable(quantities(n.allocatable()))
                .addNewCondition().withType("Ready").withStatus(n.ready() ? "True" : "False").endCondition()
                .endStatus().build();
    }

    private static Pod pod(io.fairway.core.objects.Pod p) {
        Map<String, String> labels = new TreeMap<>(p.labels());
        labels.put(YuniKornLabels.APP_ID, p.appId());
        if (!p.queue().isEmpty()) {
            labels.put(YuniKornLabels.QUEUE, p.queue());
        }
        Map<String, Quantity> requests = quantities(p.requests());
        // (no priority: the API server computes it from the class, and these pods name none)
        // every pod takes a pod slot: the scheduler counts it, a container does not ask for it
        requests.remove(ResourceNames.name(ResourceNames.PODS));
        return new PodBuilder().withNewMetadata().withNamespace(p.namespace()).withName(p.name()).withLabels(labels)
                .endMetadata()
                .withNewSpec().withSchedulerName(p.schedulerName()).withNodeName(p.nodeName().isEmpty() ? null
                        : p.nodeName()).withNodeSelector(p.nodeSelector())
                .withContainers(new ContainerBuilder().withName("main").withImage("busybox").withNewResources()
                        .withRequests(requests).endResources().build())
                .endSpec()
                .withNewStatus().withPhase(p.phase().name()).endStatus().build();
    }

    private static Map<String, Quantity> quantities(Resources r) {
        Map<String, Quantity> m = new TreeMap<>();
        r.toQuantities().forEach((k, v) -> m.put(k, new Quantity(v)));
        return m;
    }
}
