package io.fairway.core.events;

/**
 * The leader gave up a gang app's free reservations (those no member pod uses yet) and said what the app does next.
 *
 * @param next   {@link Next#WAIT}: wait for a whole reservation again (a node under it was lost and the rest could not
 *               be re-reserved); {@link Next#NORMAL}: schedule the app as a normal app (Soft timeout, or task groups
 *               that could not be read); {@link Next#FAILED}: the app fails and nothing more of it is placed (Hard
 *               timeout, or a gang larger than its queue's max)
 * @param reason for people, with the numbers
 */
public record GangReleased(long time, long epoch, String appId, Next next, String reason) implements Decision {
    public enum Next { WAIT, NORMAL, FAILED }
}
