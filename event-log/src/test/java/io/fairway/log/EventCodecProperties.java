package io.fairway.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.PriorityClassGone;
import io.fairway.core.events.AdminAction;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Every event type survives encode → decode unchanged, whatever its contents. */
class EventCodecProperties {
    private static final Arbitrary<String> NAME = Arbitraries.strings().withCharRange('a', 'z').withChars("-./éü✓ \"\\")
            .ofMinLength(0).ofMaxLength(12);
    private static final Arbitrary<Long> TIME = Arbitraries.longs().between(0, 4_102_444_800_000L);
    private static final Arbitrary<Long> EPOCH = Arbitraries.longs().between(0, Long.MAX_VALUE);

    static Arbitrary<Resources> resources() {
        return Arbitraries.maps(Arbitraries.of("cpu", "memory", "pods", "ephemeral-storage", "nvidia.com/gpu",
                        "fpga.intel.com/arria10", "example.com/ünïcode"), Arbitraries.longs().between(0, Long.MAX_VALUE / 4))
                .ofMaxSize(5).map(m -> {
                    Resources.Builder b = Resources.builder();
                    m.forEach(b::set);
                    return b.build();
                });
    }

    static Arbitrary<Map<String, String>> labels() {
        return Arbitraries.maps(NAME, NAME).ofMaxSize(3);
    }

    static Arbitrary<NodeAffinity> affinity() {
        Arbitrary<NodeSelectorRequirement> req = Combinators.combine(NAME,
                Arbitraries.of(NodeSelectorRequirement.Operator.class), NAME.list().ofMaxSize(3))
                .as(NodeSelectorRequirement::new);
        return req.list().ofMaxSize(3).list().ofMaxSize(2).map(NodeAffinity::new);
    }

    static Arbitrary<Pod> pods() {
        Arbitrary<Toleration> toleration = Combinators.combine(NAME, Arbitraries.of("Equal", "Exists"), NAME,
                Arbitraries.of("", "NoSchedule", "NoExecute")).as(Toleration::new);
        Arbitrary<TaskGroup> group = Combinators.combine(NAME, Arbitraries.integers().between(1, 1000), resources(),
                labels(), toleration.list().ofMaxSize(2), affinity()).as(TaskGroup::new);
        Arbitrary<GangSpec> gang = Combinators.combine(group.list().ofMaxSize(3), Arbitraries.of(GangSpec.Style.class),
                Arbitraries.longs().between(1, 86_400_000L), Arbitraries.of("", "annotation x is not valid JSON"))
                .as(GangSpec::new);
        Arbitrary<SchedulingHints> hints = Arbitraries.oneOf(Arbitraries.just(SchedulingHints.NONE),
                Combinators.combine(NAME, gang, Combinators.combine(NAME, Arbitraries.of(true, false)).as(Topology::new),
                        NAME, Arbitraries.of(true, false)).as(SchedulingHints::new));
        return Builders.withBuilder(() -> new Object[18])
                .use(NAME).in((a, v) -> { a[0] = v; return a; })
                .use(NAME).in((a, v) -> { a[1] = v; return a; })
                .use(NAME).in((a, v) -> { a[2] = v; return a; })
                .use(NAME).in((a, v) -> { a[3] = v; return a; })
                .use(NAME).in((a, v) -> { a[4] = v; return a; })
                .use(NAME).in((a, v) -> { a[5] = v; return a; })
                .use(NAME.list().ofMaxSize(3)).in((a, v) -> { a[6] = v; return a; })
                .use(resources()).in((a, v) -> { a[7] = v; return a; })
                .use(Arbitraries.integers()).in((a, v) -> { a[8] = v; return a; })
                .use(labels()).in((a, v) -> { a[9] = v; return a; })
                .use(affinity()).in((a, v) -> { a[10] = v; return a; })
                .use(toleration.list().ofMaxSize(3)).in((a, v) -> { a[11] = v; return a; })
                .use(NAME).in((a, v) -> { a[12] = v; return a; })
                .use(NAME).in((a, v) -> { a[13] = v; return a; })
                .use(Arbitraries.of(PodPhase.class)).in((a, v) -> { a[14] = v; return a; })
                .use(TIME).in((a, v) -> { a[15] = v; return a; })
                .use(Arbitraries.longs().between(0, Long.MAX_VALUE).map(String::valueOf)).in((a, v) -> { a[16] = v; return a; })
                .use(hints).in((a, v) -> { a[17] = v; return a; })
                .build(a -> new Pod((String) a[0], (String) a[1], (String) a[2], (String) a[3], (String) a[4],
                        (String) a[5], cast(a[6]), (Resources) a[7], (Integer) a[8], cast(a[9]), (NodeAffinity) a[10],
                        cast(a[11]), (String) a[12], (String) a[13], (PodPhase) a[14], (Long) a[15], (String) a[16],
                        (SchedulingHints) a[17]));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    static Arbitrary<Node> nodes() {
        Arbitrary<Taint> taint = Combinators.combine(NAME, NAME, Arbitraries.of("NoSchedule", "PreferNoSchedule", "NoExecute"))
                .as(Taint::new);
        return Combinators.combine(NAME, resources(), resources(), labels(), taint.list().ofMaxSize(3),
                Arbitraries.of(true, false), Arbitraries.of(true, false), NAME).as(Node::new);
    }

    /** One arbitrary per event type, by type name; a new event type must be added here or the test below fails. */
    static Map<String, Arbitrary<? extends Event>> byType() {
        return Map.ofEntries(
                Map.entry("PodObserved", Combinators.combine(TIME, pods()).as(PodObserved::new)),
                Map.entry("PodGone", Combinators.combine(TIME, NAME, NAME).as(PodGone::new)),
                Map.entry("NodeObserved", Combinators.combine(TIME, nodes()).as(NodeObserved::new)),
                Map.entry("NodeGone", Combinators.combine(TIME, NAME, NAME).as(NodeGone::new)),
                Map.entry("QueueConfigObserved", Combinators.combine(TIME, Arbitraries.strings().ofMaxLength(200), NAME)
                        .as(QueueConfigObserved::new)),
                Map.entry("PriorityClassObserved", Combinators.combine(TIME, NAME, Arbitraries.integers(),
                        Arbitraries.of(true, false), NAME).as(PriorityClassObserved::new)),
                Map.entry("PriorityClassGone", Combinators.combine(TIME, NAME, NAME).as(PriorityClassGone::new)),
                Map.entry("AdminAction", Combinators.combine(TIME, NAME, Arbitraries.of("admin", "viewer"), NAME, NAME,
                        NAME).as(AdminAction::new)),
                Map.entry("LeaderElected", Combinators.combine(TIME, EPOCH, NAME).as(LeaderElected::new)),
                Map.entry("Allocated", Combinators.combine(TIME, EPOCH, NAME, NAME, NAME,
                        Arbitraries.of("", Allocated.FPGA_PROGRAMMED, Allocated.FPGA_REPROGRAM)).as(Allocated::new)),
                Map.entry("GangReserved", Combinators.combine(TIME, EPOCH, NAME,
                        Combinators.combine(NAME, NAME, resources()).as(GangReserved.Slot::new).list().ofMaxSize(4))
                        .as(GangReserved::new)),
                Map.entry("GangReleased", Combinators.combine(TIME, EPOCH, NAME, Arbitraries.of(GangReleased.Next.class),
                        NAME).as(GangReleased::new)),
                Map.entry("Released", Combinators.combine(TIME, EPOCH, NAME, NAME, NAME).as(Released::new)),
                Map.entry("PreemptionRequested", Combinators.combine(TIME, EPOCH,
                        Arbitraries.of(PreemptionRequested.Kind.class), NAME, NAME, NAME.list().ofMaxSize(4), NAME)
                        .as(PreemptionRequested::new)),
                Map.entry("Unschedulable", Combinators.combine(TIME, EPOCH, NAME, NAME, NAME).as(Unschedulable::new)));
    }

    @Provide
    Arbitrary<Event> events() {
        return Arbitraries.oneOf(byType().values().stream().map(a -> a.map(e -> (Event) e)).toList());
    }

    @Example
    void everyEventTypeHasAGenerator() {
        assertThat(byType().keySet()).containsExactlyInAnyOrderElementsOf(EventCodec.typeNames());
    }

    @Property(tries = 2000)
    void encodeThenDecodeGivesTheSameEvent(@ForAll("events") Event event) {
        byte[] bytes = EventCodec.encode(event);
        Event back = EventCodec.decode(bytes, "t", 0, 0);
        assertThat(back).isEqualTo(event);
        assertThat(EventCodec.encode(back)).as("encoding is stable").isEqualTo(bytes);
    }

    /** Pods of the shape the decoder reads field by field: no affinity terms, tolerations or scheduling hints. */
    @Provide
    Arbitrary<Event> usualEvents() {
        Arbitrary<Pod> usual = pods().map(p -> new Pod(p.uid(), p.namespace(), p.name(), p.appId(), p.queue(),
                p.user(), p.groups(), p.requests(), p.priority(), p.nodeSelector(), NodeAffinity.NONE, List.of(),
                p.schedulerName(), p.nodeName(), p.phase(), p.creationTime(), p.resourceVersion(), SchedulingHints.NONE,
                p.labels()));
        return Arbitraries.oneOf(
                Combinators.combine(TIME, usual).as(PodObserved::new),
                byType().get("PodGone").map(e -> (Event) e),
                byType().get("Allocated").map(e -> (Event) e));
    }

    @Property(tries = 1000)
    void theUsualShapeDecodesFieldByFieldAsTheGeneralPathDecodesIt(@ForAll("usualEvents") Event event) {
        byte[] bytes = EventCodec.encode(event);
        assertThat(EventCodec.decode(bytes, "t", 0, 0)).isEqualTo(event)
                .isEqualTo(EventCodec.decodeGeneral(bytes, "t", 0, 0));
    }

    @Property(tries = 1000)
    void aPodIsWrittenFieldByFieldAsTheMapperWritesIt(@ForAll("podsForWriting") Pod pod) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper mapper = EventCodec.mapper();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (com.fasterxml.jackson.core.JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            PodJson.writePod(g, pod, mapper);
        }
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(mapper.writeValueAsString(pod));
    }

    @Provide
    Arbitrary<Pod> podsForWriting() {
        return Combinators.combine(pods(), labels()).as((p, l) -> p.withLabels(l));
    }
}
