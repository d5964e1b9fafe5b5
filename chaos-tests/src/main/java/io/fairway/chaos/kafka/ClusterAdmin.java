package io.fairway.chaos.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The harness's view of a cluster through an Admin client on its direct listeners: topics, leaders, ISRs. */
final class ClusterAdmin implements AutoCloseable {
    static final short REPLICATION = 3;
    static final int MIN_IN_SYNC = 2;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final String bootstrap;
    private final String where;
    private Admin admin;
    private boolean closed;

    /** @param where names the cluster in error messages, e.g. its directory */
    ClusterAdmin(String bootstrap, String where) {
        this.bootstrap = bootstrap;
        this.where = where;
    }

    /** Waits until the cluster metadata lists {@code expected} brokers. */
    void awaitBrokers(int expected, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            int seen;
            try {
                seen = admin().describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
            } catch (ExecutionException | TimeoutException e) {
                seen = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the brokers of " + where, e);
            }
            if (seen == expected) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the harness sees " + seen + " of " + expected + " brokers through "
                        + bootstrap + " after " + timeout.toSeconds() + " s; see the broker logs of " + where);
            }
            pause(100);
        }
    }

    int partitionLeader(String topic, int partition) {
        Node leader = partitionInfo(topic, partition).leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
    }

    Set<Integer> inSyncReplicas(String topic, int partition) {
        Set<Integer> ids = new TreeSet<>();
        partitionInfo(topic, partition).isr().forEach(n -> ids.add(n.id()));
        return ids;
    }

    void createTopic(String name, int partitions, int brokers) {
        if (brokers < REPLICATION) {
            throw new IllegalStateException("topic " + name + " needs replication factor " + REPLICATION + " but "
                    + where + " has " + brokers + " brokers");
        }
        NewTopic topic = new NewTopic(name, partitions, REPLICATION)
                .configs(Map.of("min.insync.replicas", String.valueOf(MIN_IN_SYNC)));
        call("create topic " + name, () -> admin().createTopics(List.of(topic)).all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        Instant deadline = Instant.now().plus(TIMEOUT);
        for (int p = 0; p < partitions; p++) {
            while (leaderOrMissing(name, p) < 0) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("topic " + name + " partition " + p + " has no leader "
                            + TIMEOUT.toSeconds() + " s after it was created; see the broker logs of " + where);
                }
                pause(50);
            }
        }
    }

    /** Closes the client for now (with no broker up it would only log failed reconnects); the next call reopens it. */
    synchronized void disconnect() {
        if (admin != null) {
            admin.close(Duration.ZERO);
            admin = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }

    private TopicPartitionInfo partitionInfo(String topic, int partition) {
        TopicDescription d = call("describe topic " + topic, () -> admin().describeTopics(List.of(topic))
                .allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic));
        if (partition < 0 || partition >= d.partitions().size()) {
            throw new IllegalArgumentException("topic " + topic + " has partitions 0.." + (d.partitions().size() - 1)
                    + ", not " + partition);
        }
        return d.partitions().get(partition);
    }

    /** -1 for no leader and for a topic the answering broker does not know yet. */
    private int leaderOrMissing(String topic, int partition) {
        try {
            return partitionLeader(topic, partition);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof ExecutionException ee
                    && ee.getCause() instanceof UnknownTopicOrPartitionException) {
                return -1;
            }
            throw e;
        }
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException(where + " is closed");
        }
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
            p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
            admin = Admin.create(p);
        }
        return admin;
    }

    private interface AdminCall<T> {
        T run() throws InterruptedException, ExecutionException, TimeoutException;
    }

    private <T> T call(String what, AdminCall<T> call) {
        try {
            return call.run();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot " + what + " through " + bootstrap + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting on the Kafka cluster", e);
        }
    }
}
