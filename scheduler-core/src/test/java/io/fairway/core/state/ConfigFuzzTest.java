package io.fairway.core.state;

import io.fairway.core.events.QueueConfigObserved;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ConfigFuzzTest {
    static final java.util.Map<String,String> SITES = new java.util.TreeMap<>();
    @Test
    void applyNeverThrowsOnAnyConfigText() throws Exception {
        List<String> seeds = new ArrayList<>(List.of(StateFuzzTest.CONFIGS));
        try (Stream<Path> s = Files.walk(Path.of("/work/shared/fixtures/yunikorn"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
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
                String prev = SITES.get(site);
                if (prev == null || sb.length() < prev.length()) SITES.put(site, sb.toString());
            }
        }
        System.out.println("CONFIG applied " + count);
        SITES.forEach((k, v) -> System.out.println("SITE " + k + "\n-----\n" + v + "\n-----"));
        if (!SITES.isEmpty()) throw new AssertionError(SITES.keySet().toString());
    }
}
