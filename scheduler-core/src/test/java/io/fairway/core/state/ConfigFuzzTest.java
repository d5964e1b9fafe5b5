package io.fairway.core.state;

import io.fairway.core.events.QueueConfigObserved;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Config text mutated 20,000 ways from the fuzzers' configs and YuniKorn's own (the module's test resources
 * {@code yunikorn/}): applying it is accepted or refused, never thrown.
 */
class ConfigFuzzTest {
    @Test
    void applyNeverThrowsOnAnyConfigText() throws Exception {
        Map<String, String> sites = new TreeMap<>();
        List<String> seeds = new ArrayList<>(List.of(StateFuzzTest.CONFIGS));
        Path fixtures = Path.of(ConfigFuzzTest.class.getResource("/yunikorn").toURI());
        try (Stream<Path> s = Files.walk(fixtures)) {
            for (Path p : s.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".yaml")).toList()) {
                seeds.add(Files.readString(p));
            }
        }
        String alphabet = " \n\t:-{}[],'\"#&*!|>%@`?0123456789abcdefghijklmnopqrstuvwxyz.";
        String[] tokens = {"partitions:", "queues:", "- name: ", "resources:", "max:", "guaranteed:", "vcore: ",
                "memory: ", "nodesortpolicy:", "type: ", "resourceweights:", "placementrules:", "limits:", "parent: true",
                "maxapplications: ", "properties:", "childtemplate:", "submitacl: ", "~", "null", "[]", "{}", "&a", "*a",
                "1e400", "-1", "99999999999999999999", "0x10", "!!binary", "\n  ", "\n    ", "kind: ConfigMap\ndata:\n  queues.yaml: |\n    "};
        Random r = new Random(1);
        int count = 0;
        for (int i = 0; i < 20_000; i++) {
            String base = seeds.get(r.nextInt(seeds.size()));
            StringBuilder sb = new StringBuilder(base);
            int muts = 1 + r.nextInt(4);
            for (int m = 0; m < muts; m++) {
                int pos = sb.length() == 0 ? 0 : r.nextInt(sb.length());
                switch (r.nextInt(4)) {
                    case 0 -> sb.insert(pos, alphabet.charAt(r.nextInt(alphabet.length())));
                    case 1 -> { if (sb.length() > 0) sb.deleteCharAt(pos); }
                    case 2 -> sb.insert(pos, tokens[r.nextInt(tokens.length)]);
                    default -> { if (sb.length() > 0) sb.setCharAt(pos, alphabet.charAt(r.nextInt(alphabet.length()))); }
                }
            }
            ClusterState st = new ClusterState();
            try {
                if (st.apply(new QueueConfigObserved(0, sb.toString(), "1")).applied()) {
                    count++;
                }
            } catch (Throwable t) {
                StackTraceElement[] st2 = t.getStackTrace();
                String site = t.getClass().getSimpleName() + " @ " + (st2.length > 0 ? st2[0] : "") + " / " + (st2.length > 1 ? st2[1] : "")+ " / " + (st2.length > 2 ? st2[2] : "");
                String prev = sites.get(site);
                if (prev == null || sb.length() < prev.length()) {
                    sites.put(site, sb.toString());
                }
            }
        }
        // the shortest text for each place that threw, only when something did
        StringBuilder failure = new StringBuilder();
        sites.forEach((k, v) -> failure.append("SITE ").append(k).append("\n-----\n").append(v).append("\n-----\n"));
        org.assertj.core.api.Assertions.assertThat(sites).as("apply threw (%d of 20,000 configs applied):%n%s", count,
                failure).isEmpty();
        org.assertj.core.api.Assertions.assertThat(seeds).as("seeds: the fuzzers' configs and YuniKorn's")
                .hasSizeGreaterThan(StateFuzzTest.CONFIGS.length + 5);
    }
}
