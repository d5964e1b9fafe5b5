package io.fairway.chaos.check;

/**
 * A time a replica was kept from acting by the harness ({@code from}–{@code to}, epoch millis): stopped, held at the
 * failpoint, or cut from the API server. A deposed leader's request that was already on its way (sent before, or
 * delivered once the cut healed) is then a fenced attempt, not a bug.
 */
public record Window(String sender, long from, long to, String why) {
}
