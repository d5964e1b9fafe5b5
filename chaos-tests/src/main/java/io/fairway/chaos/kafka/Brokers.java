package io.fairway.chaos.kafka;

import java.util.Set;

/**
 * A Kafka cluster a chaos test can hurt: brokers (numbered 1..N by node id) killed, stopped and restarted, every
 * named client reaching the brokers through an address of its own. {@link KafkaCluster} runs the brokers as local
 * processes; {@link TestcontainersKafka} runs them in Docker where there is an engine.
 */
public interface Brokers extends AutoCloseable {

    /** Bootstrap servers for the test itself, reaching every broker with no fault in the way. */
    String bootstrap();

    /** Bootstrap servers for {@code client}: the addresses its faults apply to. */
    String bootstrapFor(String client);

    /** Kills the broker at once (SIGKILL): no controlled shutdown. */
    void kill(int broker);

    /** Stops the broker with SIGTERM and waits for its controlled shutdown. */
    void stop(int broker);

    /** Starts these stopped or killed brokers again, with their data, together, and waits until they serve. */
    void restart(int... brokers);

    boolean running(int broker);

    /** The broker's OS process id on this machine (for SIGSTOP/SIGCONT); -1 when it is not a local process. */
    long pid(int broker);

    /** The node id leading the partition; -1 when it has none. */
    int partitionLeader(String topic, int partition);

    /** The node ids in the partition's in-sync replica set. */
    Set<Integer> inSyncReplicas(String topic, int partition);

    /** Creates a topic with replication factor 3 and min.insync.replicas 2, and waits until it has leaders. */
    void createTopic(String name, int partitions);

    /** Stops every broker. */
    @Override
    void close();
}
