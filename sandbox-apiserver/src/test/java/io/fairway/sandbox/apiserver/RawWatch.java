package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A watch read line by line over plain HTTP, as kubectl and client-go read it. */
final class RawWatch implements AutoCloseable {
    private static final JsonNode END = Json.object().put("type", "END");
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final InputStream body;
    final int status;

    RawWatch(String url) {
        this(url, null);
    }

    /** A watch sent with this User-Agent (null: the JDK client's own). */
    RawWatch(String url, String userAgent) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
            if (userAgent != null) {
                request.header("User-Agent", userAgent);
            }
            HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = r.statusCode();
            body = r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.isBlank()) {
                        events.add(Json.MAPPER.readTree(line));
                    }
                }
            } catch (IOException e) {
                // closed
            } finally {
                events.add(END);
            }
        }, "raw-watch");
        reader.setDaemon(true);
        reader.start();
    }

    /** The next event; fails the test if none comes within 20 s or the stream ended. */
    JsonNode next() {
        JsonNode e = nextOrEnd();
        assertThat(e).as("the watch ended").isNotSameAs(END);
        return e;
    }

    /** The next event, or null when the server ended the stream. */
    JsonNode nextOrEnd() {
        try {
            JsonNode e = events.poll(20, TimeUnit.SECONDS);
            assertThat(e).as("no watch event within 20 s").isNotNull();
            return e == END ? null : e;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** The next event that is not a BOOKMARK. */
    JsonNode nextChange() {
        while (true) {
            JsonNode e = next();
            if (!e.path("type").asText().equals("BOOKMARK")) {
                return e;
            }
        }
    }

    static String type(JsonNode e) {
        return e.path("type").asText();
    }

    static String name(JsonNode e) {
        return e.path("object").path("metadata").path("name").asText();
    }

    static long rv(JsonNode e) {
        return Long.parseLong(e.path("object").path("metadata").path("resourceVersion").asText());
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // ignore
        }
    }
}
