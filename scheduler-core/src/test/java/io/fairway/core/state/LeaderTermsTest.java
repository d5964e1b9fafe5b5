package io.fairway.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.LeaderElected;
import org.junit.jupiter.api.Test;

/** Who led when: every term the log elected, newest last, for the console's fail-over history. */
class LeaderTermsTest {
    @Test
    void eachElectionStartsATermAndAStaleOneIsNotATerm() {
        ClusterState s = new ClusterState();
        s.apply(new LeaderElected(100, 1, "replica-0"));
        s.apply(new LeaderElected(200, 2, "replica-1"));
        assertThat(s.apply(new LeaderElected(300, 2, "replica-0")).applied()).isFalse();
        assertThat(s.leaderTerms()).containsExactly(new LeaderTerm(1, "replica-0", 100),
                new LeaderTerm(2, "replica-1", 200));
    }

    @Test
    void theTermsAreBoundedAndSurviveASnapshotWithTheSameHash() {
        ClusterState s = new ClusterState();
        for (int epoch = 1; epoch <= ClusterState.LEADER_TERMS + 3; epoch++) {
            s.apply(new LeaderElected(epoch * 10L, epoch, "replica-" + (epoch % 2)));
        }
        assertThat(s.leaderTerms()).hasSize(ClusterState.LEADER_TERMS);
        assertThat(s.leaderTerms().get(0).epoch()).isEqualTo(4);
        assertThat(s.leaderTerms().getLast().epoch()).isEqualTo(ClusterState.LEADER_TERMS + 3);
        ClusterState restored = ClusterState.restore(s.snapshot());
        assertThat(restored.leaderTerms()).isEqualTo(s.leaderTerms());
        assertThat(restored.decisionsApplied()).isEqualTo(s.decisionsApplied());
        assertThat(restored.hash()).isEqualTo(s.hash());
    }
}
