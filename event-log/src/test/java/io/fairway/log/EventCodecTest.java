package io.fairway.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.events.PodObserved;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordsWrittenBySchemaVersionOneStillDecode() throws IOException {
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/golden/v1-events.jsonl")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<Event> expected = GoldenEvents.v1();
        assertThat(lines).hasSameSizeAs(expected);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(EventCodec.decode(utf8(lines.get(i)), "fairway.events", 0, i)).isEqualTo(expected.get(i));
        }
        assertThat(expected).extracting(Event::type).containsOnly(EventCodec.typeNames().toArray(String[]::new));
    }

    @Test
    void theEnvelopeCarriesVersionTypeTimeSourceAndEpoch() {
        String json = new String(EventCodec.encode(new Allocated(5, 3, "uid-1", "node-0", "root.a")), StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"v\":1,\"type\":\"Allocated\",\"time\":5,\"source\":\"LEADER\",\"epoch\":3,\"data\":{");
        String observation = new String(EventCodec.encode(new PodGone(7, "uid-1", "9")), StandardCharsets.UTF_8);
        assertThat(observation).contains("\"source\":\"WATCHER\"").doesNotContain("epoch");
    }

    @Test
    void helperMethodsOfRecordsAreNotWritten() {
        String json = new String(EventCodec.encode(new PodObserved(1, GoldenEvents.v1().stream()
                .filter(PodObserved.class::isInstance).map(e -> ((PodObserved) e).pod()).findFirst().orElseThrow()
                .withPhase(PodPhase.Running, "2"))), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("\"bound\"").doesNotContain("team-a/train-0");
    }

    @Test
    void aFieldAddedByANewerWriterIsIgnoredAndAMissingOneTakesItsDefault() {
        Event e = EventCodec.decode(utf8("""
                {"v":1,"type":"Allocated","time":5,"source":"LEADER","epoch":3,
                 "data":{"time":5,"epoch":3,"podUid":"u","nodeName":"n","queue":"root.a","gangId":"g-1"}}"""), "t", 0, 1);
        assertThat(e).isEqualTo(new Allocated(5, 3, "u", "n", "root.a"));
        Event missing = EventCodec.decode(utf8("""
                {"v":1,"type":"PodGone","time":5,"source":"WATCHER","data":{"time":5,"uid":"u"}}"""), "t", 0, 2);
        assertThat(missing).isEqualTo(new PodGone(5, "u", null));
    }

    @Test
    void anUnknownTypeStopsTheReaderNamingThePlace() {
        assertThatThrownBy(() -> EventCodec.decode(utf8("{\"v\":1,\"type\":\"PlaceholderCreated\",\"data\":{}}"),
                "fairway.events", 2, 1234))
                .isInstanceOfSatisfying(EventDecodeException.class, ex -> {
                    assertThat(ex.topic()).isEqualTo("fairway.events");
                    assertThat(ex.partition()).isEqualTo(2);
                    assertThat(ex.offset()).isEqualTo(1234);
                })
                .hasMessageContaining("fairway.events/2 offset 1234")
                .hasMessageContaining("unknown event type 'PlaceholderCreated'");
    }

    @Test
    void garbledRecordsAndNewerSchemasAreRefused() {
        assertThatThrownBy(() -> EventCodec.decode(utf8("{\"v\":1,\"type\":\"Allo"), "t", 0, 9))
                .isInstanceOf(EventDecodeException.class).hasMessageContaining("t/0 offset 9: not JSON");
        assertThatThrownBy(() -> EventCodec.decode(new byte[] {(byte) 0xff, 0, 1}, "t", 0, 10))
                .isInstanceOf(EventDecodeException.class).hasMessageContaining("offset 10");
        assertThatThrownBy(() -> EventCodec.decode(utf8("[1,2]"), "t", 0, 11))
                .hasMessageContaining("not an event envelope");
        assertThatThrownBy(() -> EventCodec.decode(utf8("{\"v\":2,\"type\":\"PodGone\",\"data\":{}}"), "t", 0, 12))
                .hasMessageContaining("schema version 2 is newer than this build reads (1)");
        assertThatThrownBy(() -> EventCodec.decode(utf8("{\"type\":\"PodGone\",\"data\":{}}"), "t", 0, 13))
                .hasMessageContaining("no schema version");
        assertThatThrownBy(() -> EventCodec.decode(utf8(
                "{\"v\":1,\"type\":\"NodeObserved\",\"data\":{\"node\":{\"name\":\"n\",\"capacity\":{\"cpu\":\"lots\"}}}}"), "t", 0, 14))
                .isInstanceOf(EventDecodeException.class).hasMessageContaining("bad NodeObserved");
        assertThatThrownBy(() -> EventCodec.decode(null, "t", 0, 15)).hasMessageContaining("no value");
        assertThatThrownBy(() -> EventCodec.decode(utf8(
                "{\"v\":1,\"type\":\"NodeObserved\",\"data\":{\"node\":{\"name\":\"n\",\"capacity\":{\"cpu\":1.5}}}}"), "t", 0, 16))
                .isInstanceOf(EventDecodeException.class).hasMessageContaining("resource cpu is not an integer: 1.5");
        assertThatThrownBy(() -> EventCodec.decode(utf8(
                "{\"v\":1,\"type\":\"NodeObserved\",\"data\":{\"node\":{\"name\":\"n\",\"capacity\":[1]}}}"), "t", 0, 17))
                .isInstanceOf(EventDecodeException.class).hasMessageContaining("resources must be an object");
    }

    @Test
    void resourcesWrittenAsWholeDecimalsStillDecode() {
        Event e = EventCodec.decode(utf8("{\"v\":1,\"type\":\"NodeObserved\",\"time\":1,\"source\":\"WATCHER\","
                + "\"data\":{\"time\":1,\"node\":{\"name\":\"n\",\"capacity\":{\"cpu\":4000.0,\"memory\":1024},"
                + "\"allocatable\":{},\"labels\":{},\"taints\":[],\"unschedulable\":false,\"ready\":true,"
                + "\"resourceVersion\":\"1\"}}}"), "t", 0, 1);
        Node n = ((NodeObserved) e).node();
        assertThat(n.capacity().get("cpu")).isEqualTo(4000);
        assertThat(n.capacity().get("memory")).isEqualTo(1024);
    }

    /**
     * The decoder reads pods, allocations and deletions of the usual shape field by field and leaves everything else
     * to the general path: whatever is done to such a record (a field removed, null, of another JSON type, doubled,
     * unknown, fields in another order), it decodes to what the general path makes of it, or fails as it does.
     */
    @Test
    void anyVariationOfAUsualRecordDecodesAsTheGeneralPathDecodesIt() throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        List<Event> usual = GoldenEvents.v1().stream().filter(e -> e instanceof PodObserved || e instanceof PodGone
                || e instanceof Allocated).toList();
        assertThat(usual).isNotEmpty();
        int variations = 0;
        for (Event event : usual) {
            com.fasterxml.jackson.databind.node.ObjectNode envelope =
                    (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(EventCodec.encode(event));
            com.fasterxml.jackson.databind.node.ObjectNode data =
                    (com.fasterxml.jackson.databind.node.ObjectNode) envelope.get("data");
            List<com.fasterxml.jackson.databind.node.ObjectNode> objects = new java.util.ArrayList<>(List.of(data));
            if (data.get("pod") instanceof com.fasterxml.jackson.databind.node.ObjectNode pod) {
                objects.add(pod);
                objects.add((com.fasterxml.jackson.databind.node.ObjectNode) pod.get("requests"));
            }
            for (com.fasterxml.jackson.databind.node.ObjectNode o : objects) {
                List<String> names = new java.util.ArrayList<>();
                o.fieldNames().forEachRemaining(names::add);
                for (String f : names) {
                    com.fasterxml.jackson.databind.JsonNode was = o.get(f);
                    o.remove(f);
                    variations += sameAsGeneral(m, envelope);
                    o.putNull(f);
                    variations += sameAsGeneral(m, envelope);
                    o.put(f, 7);
                    variations += sameAsGeneral(m, envelope);
                    o.put(f, "7");
                    variations += sameAsGeneral(m, envelope);
                    o.put(f, 1.5);
                    variations += sameAsGeneral(m, envelope);
                    o.putArray(f);
                    variations += sameAsGeneral(m, envelope);
                    o.putObject(f);
                    variations += sameAsGeneral(m, envelope);
                    o.remove(f);
                    o.set(f, was);
                    // now last: another order
                    variations += sameAsGeneral(m, envelope);
                }
                o.put("addedByANewerWriter", "x");
                variations += sameAsGeneral(m, envelope);
                o.remove("addedByANewerWriter");
            }
            String text = m.writeValueAsString(envelope);
            String doubled = text.replaceFirst("\\{\"time\"", "{\"time\":1,\"time\"");
            variations += sameAsGeneral(utf8(doubled));
            assertThat(EventCodec.decode(utf8(text), "t", 0, 0)).isEqualTo(event);
        }
        assertThat(variations).isGreaterThan(100);
    }

    private static int sameAsGeneral(com.fasterxml.jackson.databind.ObjectMapper m,
                                     com.fasterxml.jackson.databind.JsonNode envelope) throws IOException {
        return sameAsGeneral(m.writeValueAsBytes(envelope));
    }

    private static int sameAsGeneral(byte[] bytes) {
        Object general;
        try {
            general = EventCodec.decodeGeneral(bytes, "t", 0, 3);
        } catch (EventDecodeException e) {
            general = e.getMessage();
        }
        Object decoded;
        try {
            decoded = EventCodec.decode(bytes, "t", 0, 3);
        } catch (EventDecodeException e) {
            decoded = e.getMessage();
        }
        assertThat(decoded).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(general);
        return 1;
    }

    /** The records a replay is mostly made of are read straight from their bytes, not left to the general path. */
    @Test
    void theUsualRecordsAreReadStraightFromTheirBytes() {
        UsualRecords usual = new UsualRecords();
        int read = 0;
        for (Event event : GoldenEvents.v1()) {
            byte[] bytes = EventCodec.encode(event);
            if (event instanceof PodObserved po && (!po.pod().hints().isNone()
                    || !po.pod().affinity().terms().isEmpty() || !po.pod().tolerations().isEmpty())) {
                continue;
            }
            if (event instanceof PodObserved || event instanceof PodGone || event instanceof Allocated) {
                assertThat(usual.decode(bytes, 0, bytes.length)).as(new String(bytes, StandardCharsets.UTF_8))
                        .isEqualTo(event);
                read++;
            }
        }
        assertThat(read).isGreaterThanOrEqualTo(3);
    }
}
