package io.fairway.ui;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console: static files from the jar ({@code fairway-console/}, one page whose hash routes draw the views from
 * the API) and the WebJars they use ({@code /webjars/uplot/VERSION/…}). Nothing comes from a CDN, so it works offline.
 */
final class Console {
    /** A name of its own: a relative web root is looked up in the working directory before the classpath. */
    static final String WEB_ROOT = "fairway-console";

    private Console() {
    }

    static void routes(Router r) {
        // The console's files change with the jar but keep their names: no max-age, or a browser would run the old
        // scripts for a day after an upgrade. The WebJar's paths carry its version, so they may be cached.
        r.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
        r.get("/*").handler(StaticHandler.create(WEB_ROOT).setCachingEnabled(false).setDirectoryListing(false));
    }
}
