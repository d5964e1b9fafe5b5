package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Protobuf bodies written by hand from Kubernetes' generated.proto (the field numbers are the oracle): DeleteOptions
 * are honoured, and a kind this server does not read is refused with 415 naming what it reads.
 */
class ProtobufBodiesTest extends ApiServerTestSupport {
    /** A length-delimited field: its key (field << 3 | 2), its length, its bytes (all shorter than 128 here). */
    private static String field(int number, String bytes) {
        return String.valueOf((char) (number << 3 | 2)) + (char) bytes.length() + bytes;
    }

    private static String envelope(String kind, String raw) {
        return "k8s\u0000" + field(1, field(1, "v1") + field(2, kind)) + field(2, raw);
    }

    @Test
    void protobufDeleteOptionsAreHonoured() {
        String ns = namespace();
        client.resource(pod(ns, "p", Map.of())).create();
        // gracePeriodSeconds (1, varint) 0 and dryRun (5) "All"
        String dryRun = envelope("DeleteOptions", "\u0008\u0000" + field(5, "All"));
        assertThat(http("DELETE", "/api/v1/namespaces/" + ns + "/pods/p", ProtobufBodies.MEDIA_TYPE, dryRun)
                .statusCode()).isEqualTo(200);
        assertThat(client.pods().inNamespace(ns).withName("p").get()).isNotNull();
        String now = envelope("DeleteOptions", "\u0008\u0000");
        assertThat(http("DELETE", "/api/v1/namespaces/" + ns + "/pods/p", ProtobufBodies.MEDIA_TYPE, now)
                .statusCode()).isEqualTo(200);
        assertThat(client.pods().inNamespace(ns).withName("p").get()).isNull();
    }

    @Test
    void aKindThisServerCannotReadIsRefusedWith415() {
        String ns = namespace();
        var r = http("POST", "/api/v1/namespaces/" + ns + "/pods", ProtobufBodies.MEDIA_TYPE,
                envelope("Pod", field(1, field(1, "p"))));
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(r.body()).contains("of kind Pod").contains("send JSON");
        var torn = http("POST", "/api/v1/namespaces", ProtobufBodies.MEDIA_TYPE, envelope("Namespace", "\nP"));
        assertThat(torn.statusCode()).isEqualTo(400);
        assertThat(torn.body()).contains("ends inside a message");
    }
}
