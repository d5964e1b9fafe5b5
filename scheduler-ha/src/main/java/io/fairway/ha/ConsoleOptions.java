package io.fairway.ha;

import io.fairway.ui.QueueConfigWriter;
import io.fairway.ui.ReplicaDirectory;
import io.fairway.ui.access.AccessControl;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a replica's console (on its health port) may do and how it is reached.
 *
 * @param access       who may read and write, asked per request (the tokens may be reloaded)
 * @param configWriter where an applied queue config goes; null: the console cannot apply one
 * @param replicas     every replica's status; null: the console knows only its own
 * @param tls          the server's certificate; null: plain HTTP
 * @param yunikornCorsOrigins origins whose pages may read {@code /ws/v1}; empty: no CORS
 */
public record ConsoleOptions(java.util.function.Supplier<AccessControl> access, QueueConfigWriter configWriter,
                             ReplicaDirectory replicas, Tls tls, java.util.List<String> yunikornCorsOrigins) {
    public ConsoleOptions(java.util.function.Supplier<AccessControl> access, QueueConfigWriter configWriter,
                          ReplicaDirectory replicas, Tls tls) {
        this(access, configWriter, replicas, tls, java.util.List.of());
    }

    /** Reads open, no writes, plain HTTP. */
    public static ConsoleOptions open() {
        AccessControl open = AccessControl.open();
        return new ConsoleOptions(() -> open, null, null, null);
    }

    /**
     * A certificate and key as PEM files, or a PKCS#12 / JKS key store with its password.
     */
    public record Tls(Path certificate, Path key, Path keyStore, String keyStorePassword) {
        public static Tls pem(Path certificate, Path key) {
            return new Tls(certificate, key, null, null);
        }

        public static Tls keyStore(Path keyStore, String password) {
            return new Tls(null, null, keyStore, password);
        }

        /** The files must exist and be readable now: a typo should stop the replica at start, not at the first probe. */
        void check() {
            for (Path p : new Path[] {certificate, key, keyStore}) {
                if (p != null && !Files.isReadable(p)) {
                    throw new IllegalArgumentException("console TLS file " + p + " does not exist or cannot be read");
                }
            }
            if (keyStore == null && (certificate == null || key == null)) {
                throw new IllegalArgumentException("console TLS needs console.tls.certificate and console.tls.key "
                        + "(PEM), or console.tls.keyStore (PKCS#12 or JKS)");
            }
        }

        HttpServerOptions apply(HttpServerOptions o) {
            check();
            o.setSsl(true);
            if (keyStore != null) {
                String name = keyStore.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                String password = keyStorePassword == null ? "" : keyStorePassword;
                if (name.endsWith(".jks")) {
                    o.setKeyCertOptions(new JksOptions().setPath(keyStore.toString()).setPassword(password));
                } else {
                    o.setKeyCertOptions(new PfxOptions().setPath(keyStore.toString()).setPassword(password));
                }
            } else {
                o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate.toString())
                        .setKeyPath(key.toString()));
            }
            return o;
        }
    }
}
