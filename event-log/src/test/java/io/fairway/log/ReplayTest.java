package io.fairway.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.ClusterState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A leader writes through the log; a replay of that log rebuilds exactly the leader's state, at any point. */
class ReplayTest {
    @Test
    void replayEqualsLiveStateAndStopsWhereAsked() {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            ClusterState live = new ClusterState();
            List<String> hashes = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            EventLog.DecisionWriter writer = log.openDecisionWriter(1);
            write(log, writer, live, hashes, times, List.of(new LeaderElected(0, 1, "r")));
            Resources cap = Resources.builder().set("cpu", 4000).set("memory", 4L << 30).build();
            List<Observation> nodes = List.of(new NodeObserved(1, Node.of("n0", cap)), new NodeObserved(1, Node.of("n1", cap)));
            write(log, null, live, hashes, times, nodes);
            Scheduler scheduler = new Scheduler(live, 1);
            for (int t = 2; t < 8; t++) {
                List<Observation> pods = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    String uid = "p" + t + "-" + i;
                    pods.add(new PodObserved(t, new Pod(uid, "ns", uid, "app" + (i % 2), "", "u", List.of(),
                            Resources.builder().set("cpu", 1000).set("memory", 1L << 30).build(), 0, Map.of(),
                            NodeAffinity.NONE, List.of(), "fairway", "", PodPhase.Pending, t, String.valueOf(t * 10 + i))));
                }
                write(log, null, live, hashes, times, pods);
                CycleResult r = scheduler.cycle(t);
                write(log, writer, live, hashes, times, r.decisions());
                scheduler.acknowledge(r.decisions());
            }

            ClusterState replayed = new ClusterState();
            Replay.Result all = Replay.run(log, replayed, 0, new Replay.End(), null, null);
            assertThat(replayed.hash()).isEqualTo(live.hash());
            assertThat(all.events()).isEqualTo(hashes.size());
            assertThat(all.nextOffset()).isEqualTo(log.endOffset());

            for (int offset : new int[] {0, 1, 5, hashes.size() / 2, hashes.size() - 1}) {
                ClusterState upTo = new ClusterState();
                Replay.run(log, upTo, 0, new Replay.Offset(offset + 1), null, null);
                assertThat(upTo.hash()).as("state after offset %d", offset).isEqualTo(hashes.get(offset));
            }
            ClusterState byTime = new ClusterState();
            Replay.Result untilTime = Replay.run(log, byTime, 0, new Replay.Time(4), null, null);
            int lastAtOrBefore4 = times.lastIndexOf(4L);
            assertThat(untilTime.nextOffset()).isEqualTo(lastAtOrBefore4 + 1);
            assertThat(byTime.hash()).isEqualTo(hashes.get(lastAtOrBefore4));

            // Resuming from an offset on top of a state at that offset gives the same end state.
            ClusterState half = new ClusterState();
            Replay.Result first = Replay.run(log, half, 0, new Replay.Offset(hashes.size() / 2), null, null);
            Replay.run(log, half, first.nextOffset(), new Replay.End(), null, null);
            assertThat(half.hash()).isEqualTo(live.hash());
        }
    }

    /** Appends events and applies them to the live state as a follower would read them back. */
    private static void write(InMemoryEventLog log, EventLog.DecisionWriter writer, ClusterState live, List<String> hashes,
                              List<Long> times, List<? extends Event> events) {
        if (events.isEmpty()) {
            return;
        }
        if (writer == null) {
            log.append(events.stream().map(Observation.class::cast).toList());
        } else {
            writer.append(events);
        }
        for (Event e : events) {
            live.apply(e);
            hashes.add(live.hash());
            times.add(e.time());
        }
    }

    /**
     * A cold client on a busy machine: the first polls come back empty before the log has answered at all. That is
     * not the end of the log; the replay waits for the answer and reads everything.
     */
    @Test
    void emptyPollsBeforeTheLogAnsweredAreNotTheEnd() {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            Resources cap = Resources.builder().set("cpu", 4000).build();
            log.append(List.of(new NodeObserved(1, Node.of("n0", cap)), new NodeObserved(2, Node.of("n1", cap))));
            EventLog slow = new SlowToAnswer(log, 6);
            ClusterState state = new ClusterState();
            Replay.Result r = Replay.run(slow, state, 0, new Replay.End(), null, null);
            assertThat(r.events()).isEqualTo(2);
            assertThat(state.nodes()).containsKeys("n0", "n1");
        }
    }

    /**
     * A broker on a loaded machine: after the log answered, polls come back empty in the middle of a long log. Far
     * from its end that is not the end (the replay stopped short there once, under load); it reads everything.
     */
    @Test
    void emptyPollsFarFromTheEndAreNotTheEnd() {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            for (int i = 0; i < 5; i++) {
                List<Observation> batch = new ArrayList<>();
                for (int j = 0; j < 3000; j++) {
                    batch.add(new PodGone(i * 3000L + j, "p" + i + "-" + j, "1"));
                }
                log.append(batch);
            }
            EventLog slow = new SlowToAnswer(log, 0) {
                @Override
                public Reader reader(long offset) {
                    Reader inner = log().reader(offset);
                    return new Reader() {
                        private int polls;

                        @Override
                        public List<LoggedEvent> poll(Duration timeout) {
                            polls++;
                            return polls >= 2 && polls <= 6 ? List.of() : inner.poll(timeout);
                        }

                        @Override
                        public long position() {
                            return inner.position();
                        }

                        @Override
                        public void close() {
                            inner.close();
                        }
                    };
                }
            };
            Replay.Result r = Replay.run(slow, new ClusterState(), 0, new Replay.End(), null, null);
            assertThat(r.events()).isEqualTo(15_000);
        }
    }

    /** A log whose readers give {@code silentPolls} empty, unanswered polls before they read. */
    private static class SlowToAnswer implements EventLog {
        private final InMemoryEventLog log;
        private final int silentPolls;

        SlowToAnswer(InMemoryEventLog log, int silentPolls) {
            this.log = log;
            this.silentPolls = silentPolls;
        }

        InMemoryEventLog log() {
            return log;
        }

        @Override
        public Reader reader(long offset) {
            Reader inner = log.reader(offset);
            return new Reader() {
                private int polls;

                @Override
                public List<LoggedEvent> poll(Duration timeout) {
                    if (polls++ < silentPolls) {
                        return List.of();
                    }
                    return inner.poll(timeout);
                }

                @Override
                public long position() {
                    return inner.position();
                }

                @Override
                public boolean answered() {
                    return polls > silentPolls;
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        }

        @Override
        public long append(List<? extends Observation> observations) {
            return log.append(observations);
        }

        @Override
        public DecisionWriter openDecisionWriter(long leaderEpoch) {
            return log.openDecisionWriter(leaderEpoch);
        }

        @Override
        public long endOffset() {
            return log.endOffset();
        }

        @Override
        public long startOffset() {
            return log.startOffset();
        }

        @Override
        public void close() {
        }
    }
}
