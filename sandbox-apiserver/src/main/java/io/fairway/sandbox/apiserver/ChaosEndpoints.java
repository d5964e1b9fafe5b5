package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault controls, served only when {@link ApiServerOptions#faultEndpoints()} is on:
 * <ul>
 *   <li>{@code GET /chaos/faults}: the {@link FaultSettings} as JSON, plus {@code "injected"}: counts per kind
 *       (error500, error503, throttled, gone, delayed, watchesCut) since the start</li>
 *   <li>{@code PUT /chaos/faults}: replaces the settings with the body's (absent fields take their defaults; an
 *       {@code "injected"} field is ignored, so what GET answered can be sent back); answers as GET does, or 400 with
 *       a Status naming the bad field and value, the settings then unchanged</li>
 *   <li>{@code POST /chaos/cut-watches}: ends every open watch at once, as a proxy or a restart would; answers
 *       {@code {"closed": N}}</li>
 * </ul>
 */
final class ChaosEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosEndpoints.class);

    private final FaultInjector faults;
    private final Store store;

    ChaosEndpoints(FaultInjector faults, Store store) {
        this.faults = faults;
        this.store = store;
    }

    /** Serves {@code /chaos/...}; {@code seg} is the path split at slashes ({@code seg[0]} is "chaos"). */
    void handle(HttpServerRequest req, String[] seg) {
        String what = seg.length == 2 ? seg[1] : "";
        HttpMethod m = req.method();
        switch (what) {
            case "faults" -> {
                if (m == HttpMethod.GET) {
                    reply(req, 200, state());
                } else if (m == HttpMethod.PUT) {
                    req.body().onComplete(ar -> {
                        if (ar.failed()) {
                            reply(req, 400, ApiException.badRequest("could not read the fault settings: " + ar.cause()).status());
                            return;
                        }
                        replace(req, ar.result() == null ? new byte[0] : ar.result().getBytes());
                    });
                } else {
                    reply(req, 405, ApiException.methodNotAllowed("/chaos/faults takes GET or PUT, not " + m).status());
                }
            }
            case "cut-watches" -> {
                if (m == HttpMethod.POST) {
                    int closed = store.closeWatchers();
                    faults.watchesCut(closed);
                    LOG.info("chaos: cut {} open watches", closed);
                    reply(req, 200, Json.object().put("closed", closed));
                } else {
                    reply(req, 405, ApiException.methodNotAllowed("/chaos/cut-watches takes POST, not " + m).status());
                }
            }
            default -> reply(req, 404, ApiException.notFound("no such chaos endpoint: " + req.path()
                    + " (there are GET/PUT /chaos/faults and POST /chaos/cut-watches)").status());
        }
    }

    private void replace(HttpServerRequest req, byte[] body) {
        FaultSettings s;
        try {
            JsonNode json = Json.MAPPER.readTree(body);
            s = FaultSettings.fromJson(json);
        } catch (IOException e) {
            reply(req, 400, ApiException.badRequest("the fault settings are not valid JSON: " + e.getMessage()).status());
            return;
        } catch (IllegalArgumentException e) {
            reply(req, 400, ApiException.badRequest("invalid fault settings: " + e.getMessage()).status());
            return;
        }
        faults.replace(s);
        LOG.info("chaos: faults set to {}", s.toJson());
        reply(req, 200, state());
    }

    private ObjectNode state() {
        ObjectNode o = faults.settings().toJson();
        o.set(FaultSettings.COUNTS_FIELD, faults.counts());
        return o;
    }

    private static void reply(HttpServerRequest req, int code, ObjectNode body) {
        req.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(io.vertx.core.buffer.Buffer.buffer(Json.bytes(body)));
    }
}
