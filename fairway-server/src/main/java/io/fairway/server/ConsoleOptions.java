package io.fairway.server;

import io.fairway.ha.TlsOptions;
import io.fairway.ui.QueueConfigWriter;
import io.fairway.ui.ReplicaDirectory;
import io.fairway.ui.access.AccessControl;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a replica's console (on its health port) may do and how it is reached.
 *
 * @param access       who may read and write, asked per request (the tokens may be reloaded)
 * @param configWriter where an applied queue config goes; null: the console cannot apply one
 * @param replicas     every replica's status; null: the console knows only its own
 * @param tls          the server's certificate; null: plain HTTP
 * @param yunikornCorsOrigins origins whose pages may read {@code /ws/v1}; empty: no CORS
 */
public record ConsoleOptions(Supplier<AccessControl> access, QueueConfigWriter configWriter,
                             ReplicaDirectory replicas, TlsOptions tls, List<String> yunikornCorsOrigins) {
    public ConsoleOptions(Supplier<AccessControl> access, QueueConfigWriter configWriter,
                          ReplicaDirectory replicas, TlsOptions tls) {
        this(access, configWriter, replicas, tls, List.of());
    }

    /** Reads open, no writes, plain HTTP. */
    public static ConsoleOptions open() {
        AccessControl open = AccessControl.open();
        return new ConsoleOptions(() -> open, null, null, null);
    }
}
