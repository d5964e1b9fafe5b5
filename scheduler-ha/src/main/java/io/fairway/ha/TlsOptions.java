package io.fairway.ha;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The certificate of a replica's HTTP port ({@code console.tls.*}): the health endpoints and the console share the
 * port, so the health server applies it. A certificate and key as PEM files, or a PKCS#12 / JKS key store with its
 * password.
 */
public record TlsOptions(Path certificate, Path key, Path keyStore, String keyStorePassword) {
    public static TlsOptions pem(Path certificate, Path key) {
        return new TlsOptions(certificate, key, null, null);
    }

    public static TlsOptions keyStore(Path keyStore, String password) {
        return new TlsOptions(null, null, keyStore, password);
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
            String name = keyStore.getFileName().toString().toLowerCase(Locale.ROOT);
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
