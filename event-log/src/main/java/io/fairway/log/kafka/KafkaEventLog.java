package io.fairway.log.kafka;

import io.fairway.core.events.Event;
import io.fairway.core.events.Observation;
import io.fairway.log.EventCodec;
import io.fairway.log.EventDecodeException;
import io.fairway.log.EventLog;
import io.fairway.log.FencedException;
import io.fairway.log.LoggedEvent;
import io.fairway.log.LogTruncatedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log of one scheduling partition on Kafka: one partition of the event topic (DESIGN.md §1, §2, §5).
 *
 * <ul>
 *   <li>Observations go through an idempotent producer ({@code acks=all}); {@link #append} returns once the broker
 *       has acknowledged every record.</li>
 *   <li>Decisions go through a transactional producer with the partition's fixed {@code transactional.id}:
 *       {@link #openDecisionWriter} calls {@code initTransactions()}, which fences every earlier writer of that id,
 *       and each {@link DecisionWriter#append} is one transaction. When append returns, the batch is committed
 *       (durable, and certain to become visible); readers and {@link #endOffset} see it once the transaction
 *       coordinator has written the commit marker, normally a few milliseconds later. A commit marker, like an abort
 *       marker, takes an offset of its own, so offsets of events have gaps after each transaction.</li>
 *   <li>Readers use {@code isolation.level=read_committed}, no consumer group and no offset commits (the state store
 *       owns the offset): they assign the partition and seek. A record that does not decode stops the reader.</li>
 * </ul>
 *
 * <p>The topic is created on {@link #open} when it does not exist. Thread safety: {@link #append} and
 * {@link #endOffset} may be called from any thread; each reader and each writer belongs to one thread at a time.
 */
public final class KafkaEventLog implements EventLog {
    private static final Logger log = LoggerFactory.getLogger(KafkaEventLog.class);
    /** Records a reader gets per poll at most: large enough for fast replay, small enough to apply between polls. */
    private static final int MAX_POLL_RECORDS = 5_000;
    private static final int MAX_PARTITION_FETCH_BYTES = 8 * 1024 * 1024;
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** The decision writer's first retry backoff (exponential from here, up to Kafka's default maximum). */
    static final int TRANSACTION_RETRY_BACKOFF_MS = 10;

    private final KafkaEventLogConfig config;
    private final TopicPartition tp;
    /** Null when the log was opened for reading only, as are {@link #observations}. */
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> observations;
    private final KafkaConsumer<byte[], byte[]> endOffsetConsumer;
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    /** A decision writer's producer built ahead by {@link #prepareDecisionWriter}, not initialised. */
    private final AtomicReference<KafkaProducer<byte[], byte[]>> prepared = new AtomicReference<>();
    /** Distinguishes the client ids of several logs and writers in one JVM (JMX names them by client id). */
    private final String instance;
    private final AtomicInteger clients = new AtomicInteger();
    private volatile boolean closed;

    private KafkaEventLog(KafkaEventLogConfig config, Admin admin, String instance) {
        this.config = config;
        this.instance = instance;
        this.tp = new TopicPartition(config.topic(), config.partition());
        this.admin = admin;
        this.observations = admin == null ? null : new KafkaProducer<>(producerProperties(null),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.endOffsetConsumer = new KafkaConsumer<>(consumerProperties("end-offset"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        // assigned (never polled) so that the client keeps the last stable offset it asks for
        this.endOffsetConsumer.assign(List.of(tp));
    }

    /** Connects, creates the topic if it is missing, and checks that the configured partition exists. */
    public static KafkaEventLog open(KafkaEventLogConfig config) {
        String instance = String.valueOf(INSTANCES.incrementAndGet());
        Admin admin = Admin.create(adminProperties(config, instance));
        try {
            ensureTopic(admin, config);
            return new KafkaEventLog(config, admin, instance);
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * Opens the log to read it only ({@code replay}, {@code explain}): one consumer, no admin client and no producer,
     * so it opens in a fraction of the time; the topic is not created (a missing one is an error), and appending or
     * opening a decision writer throws.
     */
    public static KafkaEventLog openForReading(KafkaEventLogConfig config) {
        KafkaEventLog log = new KafkaEventLog(config, null, String.valueOf(INSTANCES.incrementAndGet()));
        try {
            log.checkPartition();
            return log;
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    private void checkPartition() {
        List<org.apache.kafka.common.PartitionInfo> partitions;
        synchronized (endOffsetConsumer) {
            try {
                partitions = endOffsetConsumer.partitionsFor(config.topic(), config.timeout());
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw unreachable(config, "reading the partitions of topic " + config.topic(), e);
            } catch (org.apache.kafka.common.KafkaException e) {
                throw new KafkaEventLogException("cannot read the partitions of topic " + config.topic() + " on "
                        + config.bootstrapServers() + ": " + e, e);
            }
        }
        if (partitions == null || partitions.isEmpty()) {
            throw new KafkaEventLogException("topic " + config.topic() + " does not exist on "
                    + config.bootstrapServers() + ": is that the scheduler's Kafka, and its topic (--topic)?", null);
        }
        if (config.partition() >= partitions.size()) {
            throw new KafkaEventLogException("topic " + config.topic() + " has " + partitions.size()
                    + " partition(s), so it has no partition " + config.partition(), null);
        }
    }

    public KafkaEventLogConfig config() {
        return config;
    }

    private void ensureWritable() {
        ensureOpen();
        if (observations == null) {
            throw new IllegalStateException("the event log " + tp + " was opened for reading only");
        }
    }

    @Override
    public long append(List<? extends Observation> events) {
        ensureWritable();
        if (events.isEmpty()) {
            return endOffset() - 1;
        }
        List<byte[]> encoded = encodeAll(events); // before sending: an event that cannot be encoded sends nothing
        List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
        try {
            for (byte[] value : encoded) {
                sent.add(observations.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value)));
            }
            // linger.ms lets a large list fill big batches; the caller waits for its records, not for linger.
            observations.flush();
            long last = -1;
            for (Future<RecordMetadata> f : sent) {
                last = f.get().offset();
            }
            return last;
        } catch (ExecutionException e) {
            throw new KafkaEventLogException("appending " + events.size() + " observation(s) to " + tp
                    + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaEventLogException("interrupted while appending " + events.size() + " observation(s) to "
                    + tp + "; some of them may be in the log", e);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new KafkaEventLogException("appending " + events.size() + " observation(s) to " + tp
                    + " failed: " + e, e);
        }
    }

    @Override
    public DecisionWriter openDecisionWriter(long leaderEpoch) {
        ensureWritable();
        KafkaDecisionWriter writer = new KafkaDecisionWriter(leaderEpoch, prepared.getAndSet(null));
        open.add(writer);
        return writer;
    }

    /**
     * Builds the next decision writer's transactional producer and fetches the topic's metadata with it (connecting
     * to the brokers), without {@code initTransactions()}: a producer not initialised fences nobody. The next
     * {@link #openDecisionWriter} then only initialises it. The observations' producer fetches the metadata too: a
     * standby never appended, and a new leader's first append (what its informers saw while nobody led) would wait for
     * it. A failure here is left for those calls to meet.
     */
    @Override
    public void prepareDecisionWriter() {
        ensureWritable();
        try {
            observations.partitionsFor(tp.topic());
        } catch (RuntimeException e) {
            log.debug("preparing the observations' producer on {}: {}", tp, e.toString());
        }
        if (prepared.get() != null) {
            return;
        }
        KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProperties(config.transactionalId()),
                new ByteArraySerializer(), new ByteArraySerializer());
        try {
            p.partitionsFor(tp.topic());
        } catch (RuntimeException e) {
            log.debug("preparing the decision writer on {}: {}", tp, e.toString());
        }
        if (!prepared.compareAndSet(null, p) || closed) {
            p.close(Duration.ZERO);
        }
    }

    @Override
    public Reader reader(long offset) {
        ensureOpen();
        if (offset < 0) {
            throw new IllegalArgumentException("a reader starts at offset 0 or later, not " + offset);
        }
        KafkaReader reader = new KafkaReader(offset);
        open.add(reader);
        return reader;
    }

    /** The last stable offset: the end of what a read_committed reader can see now. */
    @Override
    public long endOffset() {
        ensureOpen();
        synchronized (endOffsetConsumer) {
            Long end = endOffsetConsumer.endOffsets(List.of(tp), config.timeout()).get(tp);
            if (end == null) {
                throw new KafkaEventLogException("no end offset for " + tp + " from " + config.bootstrapServers(), null);
            }
            return end;
        }
    }

    @Override
    public long startOffset() {
        ensureOpen();
        synchronized (endOffsetConsumer) {
            Long start = endOffsetConsumer.beginningOffsets(List.of(tp), config.timeout()).get(tp);
            if (start == null) {
                throw new KafkaEventLogException("no start offset for " + tp + " from " + config.bootstrapServers(), null);
            }
            return start;
        }
    }

    /** Closes the log's clients and every reader and writer it opened that is still open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable c : List.copyOf(open)) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} of the event log {} failed: {}", c, tp, e.toString());
            }
        }
        KafkaProducer<byte[], byte[]> ahead = prepared.getAndSet(null);
        if (ahead != null) {
            ahead.close(Duration.ZERO);
        }
        Duration grace = Duration.ofSeconds(5);
        if (observations != null) {
            observations.close(grace);
        }
        synchronized (endOffsetConsumer) {
            endOffsetConsumer.close(CloseOptions.timeout(Duration.ZERO));
        }
        if (admin != null) {
            admin.close(grace);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the event log " + tp + " is closed");
        }
    }

    // ---- topic ----

    private static void ensureTopic(Admin admin, KafkaEventLogConfig config) {
        String topic = config.topic();
        long timeoutMs = config.timeout().toMillis();
        TopicDescription description = describe(admin, config);
        if (description == null) {
            NewTopic newTopic = new NewTopic(topic, config.partitions(), config.replicationFactor())
                    .configs(Map.of(
                            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(config.minInsyncReplicas()),
                            TopicConfig.RETENTION_MS_CONFIG, String.valueOf(config.retention().toMillis()),
                            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
            try {
                admin.createTopics(List.of(newTopic)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                log.info("created topic {} on {}: {} partition(s), replication factor {}, min.insync.replicas {}, "
                                + "retention {} h", topic, config.bootstrapServers(), config.partitions(),
                        config.replicationFactor(), config.minInsyncReplicas(), config.retention().toHours());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new KafkaEventLogException("cannot create topic " + topic + " (" + config.partitions()
                            + " partitions, replication factor " + config.replicationFactor() + ") on "
                            + config.bootstrapServers() + ": " + e.getCause().getMessage()
                            + hint(e.getCause()), e.getCause());
                }
                log.info("topic {} was created by another replica at the same time", topic);
            } catch (TimeoutException e) {
                throw unreachable(config, "creating topic " + topic, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaEventLogException("interrupted while creating topic " + topic, e);
            }
            description = awaitDescription(admin, config);
        } else {
            int replicas = description.partitions().getFirst().replicas().size();
            log.info("using topic {} on {}: {} partition(s), replication factor {}", topic, config.bootstrapServers(),
                    description.partitions().size(), replicas);
            if (replicas < config.replicationFactor()) {
                log.warn("topic {} has replication factor {}, less than the configured {}; it is used as it is "
                        + "(the log does not change an existing topic)", topic, replicas, config.replicationFactor());
            }
        }
        int have = description.partitions().size();
        if (config.partition() >= have) {
            throw new KafkaEventLogException("topic " + topic + " has " + have + " partition(s) but this log is for "
                    + "partition " + config.partition() + "; add partitions to the topic or configure a partition "
                    + "below " + have, null);
        }
    }

    /** The topic's description, or null when it does not exist. */
    private static TopicDescription describe(Admin admin, KafkaEventLogConfig config) {
        try {
            return admin.describeTopics(List.of(config.topic())).allTopicNames()
                    .get(config.timeout().toMillis(), TimeUnit.MILLISECONDS).get(config.topic());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw new KafkaEventLogException("cannot describe topic " + config.topic() + " on "
                    + config.bootstrapServers() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw unreachable(config, "describing topic " + config.topic(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaEventLogException("interrupted while describing topic " + config.topic(), e);
        }
    }

    /** Metadata of a topic just created may take a moment to reach every broker. */
    private static TopicDescription awaitDescription(Admin admin, KafkaEventLogConfig config) {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        while (true) {
            TopicDescription d = describe(admin, config);
            if (d != null) {
                return d;
            }
            if (System.nanoTime() > deadline) {
                throw new KafkaEventLogException("topic " + config.topic() + " was created but is not visible after "
                        + config.timeout().toSeconds() + " s", null);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaEventLogException("interrupted while waiting for topic " + config.topic(), e);
            }
        }
    }

    private static String hint(Throwable cause) {
        if (cause instanceof org.apache.kafka.common.errors.InvalidReplicationFactorException) {
            return " (the cluster has fewer brokers than the replication factor: lower replicationFactor and "
                    + "minInsyncReplicas, e.g. to 1 for a one-broker cluster)";
        }
        if (cause instanceof org.apache.kafka.common.errors.TopicAuthorizationException
                || cause instanceof org.apache.kafka.common.errors.ClusterAuthorizationException) {
            return " (the principal may not create topics: create the topic beforehand or grant CREATE)";
        }
        return "";
    }

    private static KafkaEventLogException unreachable(KafkaEventLogConfig config, String what, Throwable e) {
        return new KafkaEventLogException(what + " timed out after " + config.timeout().toSeconds() + " s: is Kafka "
                + "reachable at " + config.bootstrapServers() + "?", e);
    }

    // ---- client properties ----

    private static Map<String, Object> adminProperties(KafkaEventLogConfig config, String instance) {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "fairway-admin-" + config.topic() + "-" + config.partition() + "-"
                + instance);
        int timeoutMs = (int) config.timeout().toMillis();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        p.putAll(config.clientProperties());
        return p;
    }

    private String clientId(String purpose) {
        return "fairway-" + purpose + "-" + config.topic() + "-" + config.partition() + "-" + instance + "."
                + clients.incrementAndGet();
    }

    private Map<String, Object> producerProperties(String transactionalId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId(transactionalId == null ? "observations" : "decisions"));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, config.lingerMs());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, config.batchSize());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
        int timeoutMs = (int) config.timeout().toMillis();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2 * timeoutMs + config.lingerMs());
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) config.transactionTimeout().toMillis());
            // initTransactions() right after a leader died meets the coordinator still aborting that leader's open
            // transaction (CONCURRENT_TRANSACTIONS) and retries: from 10 ms, not the default 100 ms, as that abort
            // takes a few milliseconds (a new leader's fence measured 110-250 ms with 100, 25-60 ms with 10)
            p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, TRANSACTION_RETRY_BACKOFF_MS);
        }
        p.putAll(config.clientProperties());
        return p;
    }

    private Map<String, Object> consumerProperties(String purpose) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(purpose));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a reader asking for a topic that is not there must not create it with the broker's defaults
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // Never jump silently: an offset outside the log (deleted by retention, or past the end) is an error.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_PARTITION_FETCH_BYTES);
        int timeoutMs = (int) config.timeout().toMillis();
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        if (admin == null) {
            // a short-lived reader (explain, replay): registering its metrics in JMX costs more than its whole read
            p.put(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        }
        p.putAll(config.clientProperties());
        return p;
    }

    // ---- decisions ----

    private final class KafkaDecisionWriter implements DecisionWriter {
        private final long epoch;
        private KafkaProducer<byte[], byte[]> producer;
        private boolean fenced;
        private String broken;

        KafkaDecisionWriter(long epoch, KafkaProducer<byte[], byte[]> ready) {
            this.epoch = epoch;
            String id = config.transactionalId();
            KafkaProducer<byte[], byte[]> p = ready != null ? ready : new KafkaProducer<>(producerProperties(id),
                    new ByteArraySerializer(), new ByteArraySerializer());
            try {
                // Bumps the producer epoch of this transactional.id: every older writer is fenced from here on, and a
                // transaction it left open is aborted.
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                throw new KafkaEventLogException("cannot open the decision writer of leader epoch " + epoch + " on "
                        + tp + " (transactional.id " + id + "): " + e, e);
            }
            this.producer = p;
            log.info("decision writer of leader epoch {} open on {} (transactional.id {}); earlier writers are fenced",
                    epoch, tp, id);
        }

        @Override
        public synchronized void append(List<? extends Event> events) {
            if (fenced) {
                throw new FencedException("the decision writer of leader epoch " + epoch + " on " + tp
                        + " was fenced by a newer writer; stop deciding", null);
            }
            if (producer == null) {
                throw new IllegalStateException("the decision writer of leader epoch " + epoch + " on " + tp
                        + " is closed" + (broken == null ? "" : " after an error: " + broken));
            }
            for (Event e : events) {
                checkLeaderEvent(e);
            }
            if (events.isEmpty()) {
                return;
            }
            List<byte[]> encoded = encodeAll(events);
            try {
                producer.beginTransaction();
                List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
                for (byte[] value : encoded) {
                    sent.add(producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value)));
                }
                producer.commitTransaction();
                for (Future<RecordMetadata> f : sent) {
                    f.get(); // commitTransaction has flushed every send; this surfaces a failed one
                }
            } catch (RuntimeException | ExecutionException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (isFencing(e)) {
                    fenced = true;
                    closeProducer();
                    log.warn("decision writer of leader epoch {} on {} was FENCED by a newer writer of transactional.id "
                                    + "{}; its {} decision(s) were not committed; this replica must stop deciding",
                            epoch, tp, config.transactionalId(), events.size());
                    throw new FencedException("the decision writer of leader epoch " + epoch + " on " + tp
                            + " was fenced by a newer writer (transactional.id " + config.transactionalId()
                            + "); nothing of this batch was committed: " + rootMessage(e), e);
                }
                String what = "appending " + events.size() + " decision(s) of leader epoch " + epoch + " to " + tp
                        + " failed: " + rootMessage(e);
                if (abort(what)) {
                    throw new KafkaEventLogException(what + "; the transaction was aborted, nothing of it is visible",
                            e);
                }
                if (fenced) {
                    throw new FencedException("the decision writer of leader epoch " + epoch + " on " + tp
                            + " was fenced by a newer writer while aborting a failed transaction (" + what
                            + "); nothing of this batch was committed", e);
                }
                throw new KafkaEventLogException(what + "; the abort failed too, so the outcome is unknown (a commit "
                        + "that timed out may still complete): the writer is closed; open a new one and read the log "
                        + "to learn what was committed", e);
            }
        }

        /** Aborts the open transaction; false when that failed too, and the writer is closed. */
        private boolean abort(String what) {
            try {
                producer.abortTransaction();
                log.warn("{}; transaction aborted", what);
                return true;
            } catch (RuntimeException abortFailed) {
                if (isFencing(abortFailed)) {
                    fenced = true;
                    log.warn("decision writer of leader epoch {} on {} was FENCED by a newer writer while aborting "
                            + "({}); this replica must stop deciding", epoch, tp, what);
                    closeProducer();
                    return false;
                }
                broken = what + "; abort failed too: " + rootMessage(abortFailed);
                log.error("{}; the abort failed too ({}), closing the writer. The coordinator completes or aborts the "
                                + "transaction after transaction.timeout.ms ({} ms) or when a new writer opens",
                        what, rootMessage(abortFailed), config.transactionTimeout().toMillis());
                closeProducer();
                return false;
            }
        }

        private void checkLeaderEvent(Event e) {
            EventLog.checkLeaderEvent(e, epoch);
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public synchronized void close() {
            closeProducer();
            open.remove(this);
        }

        private void closeProducer() {
            if (producer != null) {
                KafkaProducer<byte[], byte[]> p = producer;
                producer = null;
                // A fenced producer has nothing to flush; a healthy one has no open transaction between appends.
                p.close(fenced ? Duration.ZERO : Duration.ofSeconds(5));
            }
        }

        @Override
        public String toString() {
            return "decision writer of epoch " + epoch;
        }
    }

    private static List<byte[]> encodeAll(List<? extends Event> events) {
        List<byte[]> out = new ArrayList<>(events.size());
        for (Event e : events) {
            out.add(EventCodec.encode(e));
        }
        return out;
    }

    private static boolean isFencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e) : e + " (cause: " + t + ")";
    }

    // ---- reading ----

    private final class KafkaReader implements Reader {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private boolean readerClosed;
        private boolean answered;

        KafkaReader(long offset) {
            consumer = new KafkaConsumer<>(consumerProperties("reader"), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
        }

        @Override
        public List<LoggedEvent> poll(Duration timeout) {
            if (readerClosed) {
                throw new IllegalStateException("this reader of " + tp + " is closed");
            }
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(timeout);
            } catch (OffsetOutOfRangeException e) {
                Long offset = e.offsetOutOfRangePartitions().get(tp);
                long start = startOffset();
                if (offset != null && offset < start) {
                    throw new LogTruncatedException(tp.toString(), offset, start, e);
                }
                throw new KafkaEventLogException("offset " + offset + " is past the end of " + tp + " (it ends at "
                        + endOffset() + "): was the topic deleted and created again? Rebuild the state from this log",
                        e);
            }
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            // the consumer knows the partition's end once a fetch (or an offsets request) came back
            answered = answered || !list.isEmpty() || consumer.currentLag(tp).isPresent();
            List<LoggedEvent> out = new ArrayList<>(list.size());
            for (ConsumerRecord<byte[], byte[]> r : list) {
                Event event;
                try {
                    event = EventCodec.decode(r.value(), r.topic(), r.partition(), r.offset());
                } catch (EventDecodeException e) {
                    // Stop at this record: the next poll starts from it again (and fails again). What came before it
                    // is returned first, so that the caller has everything up to the bad record.
                    consumer.seek(tp, r.offset());
                    if (out.isEmpty()) {
                        log.error("the reader of {} stops at offset {}: {}", tp, r.offset(), e.getMessage());
                        throw e;
                    }
                    return out;
                }
                out.add(new LoggedEvent(r.offset(), event));
            }
            return out;
        }

        @Override
        public long position() {
            return consumer.position(tp, config.timeout());
        }

        @Override
        public boolean answered() {
            return answered;
        }

        @Override
        public void close() {
            if (!readerClosed) {
                readerClosed = true;
                // no group to leave and no offsets to commit: nothing to wait for (a graceful close waits for the
                // fetch in flight, up to fetch.max.wait.ms)
                consumer.close(CloseOptions.timeout(Duration.ZERO));
                open.remove(this);
            }
        }

        @Override
        public String toString() {
            return "reader of " + tp;
        }
    }
}
