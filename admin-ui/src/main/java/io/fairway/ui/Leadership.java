package io.fairway.ui;

/**
 * What this replica is right now, as the replica reports it: the state's own {@code leader()} says who won the last
 * election in the log, this says whether the replica serving the request is the one deciding.
 *
 * @param role  e.g. {@code LEADER} or {@code FOLLOWER}; a string so that admin-ui need not know scheduler-ha
 * @param epoch the epoch this replica leads with, 0 when it does not lead
 */
public record Leadership(String replica, String role, long epoch) {
    public static Leadership follower(String replica) {
        return new Leadership(replica, "FOLLOWER", 0);
    }
}
