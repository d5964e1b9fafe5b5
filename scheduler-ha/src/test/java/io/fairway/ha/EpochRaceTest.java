package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.Observation;
import io.fairway.k8s.Binder;
import io.fairway.k8s.BinderOptions;
import io.fairway.k8s.Evictor;
import io.fairway.k8s.WaitingReporter;
import io.fairway.log.EventLog;
import io.fairway.log.InMemoryEventLog;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.store.StateFollower;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader that held the lease a moment before this replica commits its election between this replica's catch-up and
 * its fence (found by the chaos suite: two LeaderElected of the same epoch in the log). The new leader must take the
 * next epoch, never share one.
 */
class EpochRaceTest {
    @TempDir
    Path tmp;

    /** A log on which a rival commits its election just before this replica's writer is opened, once. */
    private static final class RacedLog implements EventLog {
        private final InMemoryEventLog log = new InMemoryEventLog();
        private boolean raced;

        @Override
        public long append(List<? extends Observation> observations) {
            return log.append(observations);
        }

        @Override
        public DecisionWriter openDecisionWriter(long leaderEpoch) {
            if (!raced) {
                raced = true;
                DecisionWriter rival = log.openDecisionWriter(leaderEpoch);
                rival.append(List.<Event>of(new LeaderElected(1, leaderEpoch, "rival")));
            }
            return log.openDecisionWriter(leaderEpoch);
        }

        @Override
        public Reader reader(long offset) {
            return log.reader(offset);
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
            log.close();
        }
    }

    @Test
    void aRivalsElectionCommittedBeforeOurFenceMakesUsTakeTheNextEpoch() {
        RacedLog log = new RacedLog();
        try (LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                     .withMasterUrl(server.url()).build()).build();
             StateFollower follower = StateFollower.recover(tmp.resolve("data"), log);
             Binder binder = new Binder(client, BinderOptions.defaults());
             Evictor evictor = new Evictor(client, BinderOptions.defaults(), Clock.systemUTC(), () -> true);
             WaitingReporter waiting = new WaitingReporter(client, Clock.systemUTC(), 2)) {
            // a loop alone: nothing to reconcile, always may commit, nobody told
            LeaderLoop loop = new LeaderLoop(new LeaderLoop.Parts(log, follower, binder, evictor, waiting,
                    Clock.systemUTC(), state -> List.of(), () -> true, LeaderLoop.Listener.NONE),
                    LeaderLoop.Options.defaults("us"));
            loop.becomeLeader();
            assertThat(loop.epoch()).isEqualTo(2);
            assertThat(HaFixtures.all(log)).filteredOn(e -> e.event() instanceof LeaderElected)
                    .extracting(e -> (LeaderElected) e.event())
                    .extracting(l -> l.epoch() + " " + l.replica()).containsExactly("1 rival", "2 us");
        }
    }
}
