package io.fairway.chaos.replica;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.ha.ChaosHooks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chaos harness's hooks in a replica: the failpoint after a commit (armed by a file the harness writes, held for
 * the milliseconds it names, said on stdout so the harness can stop the process right there) and the planted bug,
 * if any.
 */
final class ReplicaHooks implements ChaosHooks {
    /** What the replica prints when the failpoint holds it; the harness waits for this line. */
    static final String HOLDING = "chaos: failpoint after-commit holding";

    private final String replica;
    private final Path armFile;
    private final Sabotage sabotage;
    private final String apiServer;
    private final HttpClient http = HttpClient.newHttpClient();

    ReplicaHooks(String replica, Path chaosDir, Sabotage sabotage, String apiServer) {
        this.replica = replica;
        this.armFile = chaosDir.resolve("failpoint-" + replica);
        this.sabotage = sabotage;
        this.apiServer = apiServer;
    }

    @Override
    public List<Decision> beforeCommit(ClusterState state, List<Decision> decisions) {
        if (sabotage != Sabotage.HALF_GANG) {
            return decisions;
        }
        List<Decision> out = new ArrayList<>();
        for (Decision d : decisions) {
            if (d instanceof GangReserved g && g.slots().size() > 1) {
                out.add(new GangReserved(g.time(), g.epoch(), g.appId(), g.slots().subList(0, g.slots().size() / 2)));
            } else {
                out.add(d);
            }
        }
        return out;
    }

    @Override
    public void afterCommit(long epoch, List<Decision> committed, ClusterState state) {
        // held only after a commit that has binds to send: that is the moment the failpoint is about
        if (Files.exists(armFile) && committed.stream().anyMatch(d -> d instanceof Allocated)) {
            hold(epoch);
        }
        if (sabotage == Sabotage.BIND_TWICE) {
            for (Decision d : committed) {
                if (d instanceof Allocated a) {
                    bindElsewhere(epoch, state, a);
                }
            }
        }
    }

    private void hold(long epoch) {
        long millis;
        try {
            millis = Long.parseLong(Files.readString(armFile).trim());
            Files.deleteIfExists(armFile);
        } catch (IOException | NumberFormatException e) {
            System.out.println("chaos: failpoint file " + armFile + " unreadable, not holding: " + e);
            return;
        }
        System.out.println(HOLDING + " " + millis + " ms at epoch " + epoch);
        System.out.flush();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void bindElsewhere(long epoch, ClusterState state, Allocated a) {
        PodState p = state.pod(a.podUid());
        String other = state.nodes().keySet().stream().filter(n -> !n.equals(a.nodeName())).findFirst().orElse(null);
        if (p == null || other == null) {
            return;
        }
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + p.pod().name()
                + "\",\"uid\":\"" + a.podUid() + "\"},\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\""
                + other + "\"}}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(apiServer + "/api/v1/namespaces/" + p.pod().namespace()
                        + "/pods/" + p.pod().name() + "/binding"))
                .header("Content-Type", "application/json").header("User-Agent", "fairway/" + replica + " epoch/" + epoch)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding());
    }

    @Override
    public boolean bindWithoutLease() {
        return sabotage == Sabotage.BIND_WITHOUT_LEASE;
    }

    @Override
    public Observation observed(Observation o) {
        if (sabotage == Sabotage.IGNORE_QUEUE_MAX && o instanceof QueueConfigObserved q) {
            return new QueueConfigObserved(q.time(), withoutMax(q.yaml()), q.resourceVersion());
        }
        return o;
    }

    /** The config with every {@code max:} line (flow style, as the chaos configs write them) taken out. */
    static String withoutMax(String yaml) {
        StringBuilder b = new StringBuilder();
        for (String line : yaml.split("\n", -1)) {
            if (!line.trim().startsWith("max:")) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }
}
