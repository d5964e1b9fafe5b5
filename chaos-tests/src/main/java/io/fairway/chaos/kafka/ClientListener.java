package io.fairway.chaos.kafka;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client of the cluster (a replica) and the broker listener that is its own on every broker, so that the client's
 * traffic can be put behind a proxy of its own. The listener name is the client name upper-cased, '-' as '_'.
 */
record ClientListener(String client, String listener) {
    /** Listener names the cluster uses itself. */
    static final String CONTROLLER = "CONTROLLER";
    static final String BROKER = "BROKER";
    static final String HARNESS = "HARNESS";
    private static final Set<String> RESERVED = Set.of(CONTROLLER, BROKER, HARNESS);
    // a listener name is also a config key part (listener.name.<name>.…) and sits in comma/colon lists
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");

    static ClientListener of(String client) {
        if (client == null || client.isBlank()) {
            throw new IllegalArgumentException("a client name is empty; give every client a name such as r0");
        }
        if (!NAME.matcher(client).matches()) {
            throw new IllegalArgumentException("client name '" + client + "' cannot name a Kafka listener: use a "
                    + "letter, then up to 31 letters, digits, '_' or '-' (e.g. r0, replica-1)");
        }
        String listener = client.toUpperCase(Locale.ROOT).replace('-', '_');
        if (RESERVED.contains(listener)) {
            throw new IllegalArgumentException("client name '" + client + "' would be listener " + listener
                    + ", which the cluster uses itself (" + RESERVED + "); pick another name");
        }
        return new ClientListener(client, listener);
    }
}
