package io.fairway.chaos.faults;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The faults a chaos run injects, each named as the report and {@code --faults} name it. {@code deposes} says whether
 * the fault may rightly cost the leader its lease: a leader change at any other time is needless.
 */
public enum FaultKind {
    LEADER_KILL("the leader's process SIGKILLed, restarted from its store 3 s later", true),
    FOLLOWER_KILL("a follower's process SIGKILLed, restarted from its store 3 s later", false),
    LEADER_PAUSE("the leader SIGSTOPped for longer than its lease, then SIGCONTed", true),
    LEADER_PAUSE_AFTER_COMMIT("the leader held at the failpoint between committing a cycle and sending its binds, "
            + "SIGSTOPped there for longer than its lease, then SIGCONTed", true),
    BROKER_KILL("one broker that does not lead the partition SIGKILLed, restarted 8 s later", false),
    PARTITION_LEADER_KILL("the broker leading the event topic's partition SIGKILLed, restarted 8 s later", true),
    ALL_BROKERS_DOWN("every broker SIGKILLed, all restarted 20 s later", true),
    API_ERRORS("a third of the replicas' API requests answered 500/503, for 8 s", true),
    API_THROTTLE("a third of the replicas' API requests answered 429 with Retry-After 1, for 8 s", true),
    API_LATENCY("300 ms added to every API answer to the replicas, for 8 s", true),
    API_WATCH_CUT("every watch stream cut at once", false),
    API_GONE_ON_REWATCH("watch streams cut and every re-watch answered 410 Gone (a relist) for 6 s", false),
    API_RESTART("the API server process SIGKILLed and restarted on its store after 3 s", true),
    LEADER_CUT_FROM_KAFKA("the leader's connections to every broker blackholed for three leases", true),
    LEADER_CUT_FROM_API("the leader's connection to the API server blackholed for three leases", true),
    FOLLOWER_CUT_FROM_BOTH("a follower cut from the brokers and the API server for 6 s", false),
    LEADER_KAFKA_SLOW("the leader's broker connections delayed 200 ms and capped at 256 KiB/s for 8 s", true),
    LEADER_ONE_WAY_DROP("the API server's answers to the leader stalled (one way) for three leases", true),
    LEADER_CONNECTIONS_RESET("every connection of the leader reset (RST)", true),
    STORE_DELETED("a stopped follower's RocksDB store deleted before it restarts", false),
    STORE_TRUNCATED("a stopped follower's largest store file truncated to half before it restarts", false),
    DISK_FULL("the disk under a replica's store filled, the replica restarted on it (it must refuse to run), then "
            + "room made and the replica restarted", true),
    CPU_BURSTS("the leader SIGSTOPped in bursts of 200-800 ms for 8 s, as a throttled container is", false),
    CPU_HOG("both cores saturated by a hog process for 10 s", false);

    private final String what;
    private final boolean deposes;

    FaultKind(String what, boolean deposes) {
        this.what = what;
        this.deposes = deposes;
    }

    public String what() {
        return what;
    }

    public boolean mayDepose() {
        return deposes;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static FaultKind parse(String label) {
        for (FaultKind k : values()) {
            if (k.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown fault kind '" + label + "'; `fairway chaos --list` names them: "
                + Arrays.stream(values()).map(FaultKind::label).toList());
    }

    public static List<FaultKind> parseList(String csv) {
        return Arrays.stream(csv.split(",")).filter(s -> !s.isBlank()).map(FaultKind::parse).toList();
    }
}
