package io.fairway.ui.yunikorn;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.ui.AdminServer;
import io.fairway.ui.ConsoleSources;
import io.fairway.ui.Leadership;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.Principal;
import io.fairway.ui.access.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * YuniKorn's web UI, served from elsewhere, reads {@code /ws/v1} from the origins the operator allows; other origins
 * get no CORS answer, and without the setting nobody does. A preflight needs no token; the read itself still does.
 */
class YunikornCorsTest {
    private static final String UI = "https://yunikorn-ui.example.com";
    private static final String TOKEN = "0123456789abcdef0123";
    private final HttpClient http = HttpClient.newHttpClient();

    private static AdminServer server(SampleCluster c, List<String> origins) {
        AccessControl access = AccessControl.tokens(Map.of(TOKEN, new Principal("ui", Role.VIEWER)), true);
        return new AdminServer(ConsoleSources.of(() -> c.state, () -> new Leadership("r0", "LEADER", 1))
                .withAccess(() -> access)
                .withYuniKornCorsOrigins(origins));
    }

    private HttpResponse<String> send(int port, String method, String origin, boolean token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ws/v1/partitions"))
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Origin", origin);
        if (method.equals("OPTIONS")) {
            b.header("Access-Control-Request-Method", "GET").header("Access-Control-Request-Headers", "authorization");
        }
        if (token) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAllowedOriginReadsAfterItsPreflightAndOthersGetNoCorsAnswer() throws Exception {
        try (SampleCluster c = new SampleCluster(); AdminServer s = server(c, List.of(UI))) {
            int port = s.start("127.0.0.1", 0);
            HttpResponse<String> preflight = send(port, "OPTIONS", UI, false);
            assertThat(preflight.statusCode()).isBetween(200, 204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(UI);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("GET");

            HttpResponse<String> read = send(port, "GET", UI, true);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).contains(UI);
            assertThat(read.body()).contains("\"name\":\"default\"");
            // the origin is allowed, the request still needs a token
            assertThat(send(port, "GET", UI, false).statusCode()).isEqualTo(401);

            HttpResponse<String> other = send(port, "GET", "https://elsewhere.example.com", true);
            assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void withoutTheSettingNoOriginGetsACorsAnswer() throws Exception {
        try (SampleCluster c = new SampleCluster(); AdminServer s = server(c, List.of())) {
            int port = s.start("127.0.0.1", 0);
            HttpResponse<String> read = send(port, "GET", UI, true);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }
}
