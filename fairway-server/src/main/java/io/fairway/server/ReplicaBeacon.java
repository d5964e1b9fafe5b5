package io.fairway.server;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fairway.ha.Replica;
import io.fairway.ui.ReplicaDirectory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each replica's status where every other replica can read it: a Lease {@code fairway-replica-NAME} beside the
 * election's, renewed every few seconds with the replica's role, epoch and log offset. The console lists them to show
 * every replica's lag, not only its own; a replica whose Lease went unrenewed for {@link #STALE_AFTER} beats is shown
 * as stale (down, or cut off from the API server), and one silent for {@link #FORGET_AFTER} is left out.
 */
public final class ReplicaBeacon implements ReplicaDirectory, AutoCloseable {
    public static final String LABEL = "fairway.io/replica-status";
    public static final String OFFSET = "fairway.io/offset";
    public static final String ROLE = "fairway.io/role";
    public static final String EPOCH = "fairway.io/epoch";
    static final int STALE_AFTER = 3;
    static final Duration FORGET_AFTER = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaBeacon.class);

    private final KubernetesClient client;
    private final Replica replica;
    private final String namespace;
    private final Duration every;
    private final Clock clock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean failing;

    private ReplicaBeacon(KubernetesClient client, Replica replica, String namespace, Duration every,
                          Clock clock) {
        this.client = client;
        this.replica = replica;
        this.namespace = namespace;
        this.every = every;
        this.clock = clock;
        this.thread = Thread.ofVirtual().name("fairway-beacon-" + replica.name()).unstarted(this::run);
    }

    /** Starts renewing this replica's status Lease in {@code namespace} every {@code every}. */
    public static ReplicaBeacon start(KubernetesClient client, Replica replica, String namespace,
                                      Duration every, Clock clock) {
        ReplicaBeacon b = new ReplicaBeacon(client, replica, namespace, every, clock);
        b.thread.start();
        return b;
    }

    static String leaseName(String replica) {
        return "fairway-replica-" + replica.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    }

    private void run() {
        while (!closed.get()) {
            try {
                beat();
            } catch (RuntimeException e) {
                // the thread must outlive any one failure, or the replica would show as stale for good
                if (!failing) {
                    LOG.warn("replica status lease of {} not renewed: {}", replica.name(), e.toString(), e);
                    failing = true;
                }
            }
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void beat() {
        String name = leaseName(replica.name());
        Map<String, String> status = Map.of(OFFSET, String.valueOf(replica.follower().nextOffset()),
                ROLE, role(), EPOCH, String.valueOf(replica.role() == Replica.Role.LEADER ? replica.loop().epoch() : 0));
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        try {
            var leases = client.leases().inNamespace(namespace);
            Lease current = leases.withName(name).get();
            if (current == null) {
                leases.resource(new LeaseBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                        .addToLabels(LABEL, "true").addToLabels("app.kubernetes.io/name", "fairway")
                        .addToAnnotations(status).endMetadata()
                        .withNewSpec().withHolderIdentity(replica.name()).withRenewTime(now).withAcquireTime(now)
                        .withLeaseDurationSeconds((int) Math.max(1, every.toSeconds() * STALE_AFTER)).endSpec().build())
                        .create();
            } else {
                leases.resource(new LeaseBuilder(current).editMetadata().addToAnnotations(status).endMetadata()
                        .editSpec().withHolderIdentity(replica.name()).withRenewTime(now).endSpec().build()).update();
            }
            if (failing) {
                LOG.info("replica status lease {}/{} is renewed again", namespace, name);
                failing = false;
            }
        } catch (KubernetesClientException e) {
            // a conflict is another writer of the same name (a restarted replica): the next beat wins
            if (!failing && e.getCode() != 409) {
                LOG.warn("replica status lease {}/{} cannot be renewed ({}); the console shows this replica as stale "
                        + "until it can (may the service account update leases?)", namespace, name, e.getMessage());
                failing = true;
            }
        }
    }

    private String role() {
        return replica.role().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public Replicas replicas() {
        long end = logEnd();
        Instant now = clock.instant();
        List<ReplicaInfo> out = new ArrayList<>();
        boolean selfListed = false;
        for (Lease l : client.leases().inNamespace(namespace).withLabel(LABEL, "true").list().getItems()) {
            String holder = l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
            if (holder == null) {
                continue;
            }
            if (holder.equals(replica.name())) {
                out.add(self(end));
                selfListed = true;
                continue;
            }
            Instant seen = renewed(l);
            if (seen == null || Duration.between(seen, now).compareTo(FORGET_AFTER) > 0) {
                continue;
            }
            Map<String, String> a = l.getMetadata().getAnnotations() == null ? Map.of() : l.getMetadata().getAnnotations();
            long offset = parse(a.get(OFFSET));
            boolean stale = Duration.between(seen, now).compareTo(every.multipliedBy(STALE_AFTER)) > 0;
            out.add(new ReplicaInfo(holder, a.getOrDefault(ROLE, "unknown"), offset,
                    offset < 0 || end < 0 ? -1 : Math.max(0, end - offset), seen.toEpochMilli(), stale, false));
        }
        if (!selfListed) {
            out.add(self(end));
        }
        out.sort(Comparator.comparing(ReplicaInfo::name));
        var state = replica.follower().state();
        return new Replicas(replica.election().leader() != null ? replica.election().leader() : state.leader(),
                state.leaderEpoch(), end, out);
    }

    private ReplicaInfo self(long end) {
        long offset = replica.follower().nextOffset();
        return new ReplicaInfo(replica.name(), role(), offset, end < 0 ? -1 : Math.max(0, end - offset),
                clock.millis(), false, true);
    }

    /** The log end the replica's probe last read (every retry period): a console request never calls the brokers. */
    private long logEnd() {
        return replica.logEnd();
    }

    private static Instant renewed(Lease l) {
        if (l.getSpec() == null || l.getSpec().getRenewTime() == null) {
            return null;
        }
        try {
            return l.getSpec().getRenewTime().toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long parse(String v) {
        try {
            return v == null ? -1 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Stops renewing and deletes the Lease, so that a replica stopped on purpose is not listed as stale. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            thread.interrupt();
            try {
                // a beat in flight could create the Lease again after the delete
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                client.leases().inNamespace(namespace).withName(leaseName(replica.name())).delete();
            } catch (KubernetesClientException e) {
                LOG.debug("replica status lease of {} not deleted: {}", replica.name(), e.getMessage());
            }
        }
    }
}
