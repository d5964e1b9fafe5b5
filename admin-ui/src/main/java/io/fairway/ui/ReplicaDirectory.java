package io.fairway.ui;

import java.util.List;

/** Where the console learns about every replica, not only the one serving it. Calls may block (API server, brokers). */
public interface ReplicaDirectory {
    /**
     * @param role    {@code leader} or {@code follower}, as the replica last reported
     * @param offset  the next offset it will apply, as last reported
     * @param lag     events behind the log end
     * @param lastSeen epoch millis of its last report; {@code stale} when that is too long ago (it may be down)
     */
    record ReplicaInfo(String name, String role, long offset, long lag, long lastSeen, boolean stale, boolean self) {
    }

    /** The log end and every replica known, this one included. */
    record Replicas(String leader, long epoch, long logEnd, List<ReplicaInfo> replicas) {
    }

    Replicas replicas();
}
