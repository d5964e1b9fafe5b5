package io.fairway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.state.ClusterState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's files come from the jar over real HTTP, with the uPlot WebJar the page's import map names; the API
 * keeps answering JSON next to them. (The pages themselves are tested in a browser: ConsoleBrowserTest in sandbox.)
 */
class ConsoleTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private AdminServer server;
    private String base;

    @BeforeEach
    void start() {
        ClusterState state = new ClusterState();
        server = new AdminServer(() -> state, () -> Leadership.follower("r0"));
        base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theRootIsThePageAndItsImportMapNamesTheUplotOfTheWebJar() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<script type=\"module\" src=\"js/main.js\"></script>").doesNotContain("${");
        Matcher m = Pattern.compile("\"uplot\": \"\\./(webjars/uplot/[0-9.]+/dist/uPlot\\.esm\\.js)\"").matcher(page.body());
        assertThat(m.find()).as("the import map in %s", page.body()).isTrue();

        HttpResponse<String> uplot = get("/" + m.group(1));
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(uplot.body()).contains("export { uPlot as default }");
        assertThat(get("/" + m.group(1).replace("uPlot.esm.js", "uPlot.min.css")).statusCode()).isEqualTo(200);
    }

    @Test
    void theScriptsAreModulesServedAsJavaScriptAndNotKeptStaleByBrowsers() throws Exception {
        for (String path : new String[] {"/js/main.js", "/js/api.js", "/js/pages/overview.js", "/style.css"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Cache-Control").orElse("")).as(path).doesNotContain("max-age=86400");
        }
        assertThat(get("/js/main.js").headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).contains("javascript"));
    }

    @Test
    void unknownPathsAre404AndTheApiStillAnswersJson() throws Exception {
        assertThat(get("/no-such-file.js").statusCode()).isEqualTo(404);
        HttpResponse<String> api = get("/api/v1/no-such-endpoint");
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(api.body()).contains("\"error\"");
        assertThat(get("/api/v1/summary").body()).contains("\"replica\"");
    }
}
