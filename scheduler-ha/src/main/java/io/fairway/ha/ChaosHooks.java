package io.fairway.ha;

import io.fairway.core.events.Decision;
import io.fairway.core.events.Observation;
import io.fairway.core.state.ClusterState;
import java.util.List;
import java.util.Objects;

/**
 * Where the chaos harness reaches into a replica: a failpoint between committing a cycle and sending its binds, and the
 * planted bugs that show its invariant checker can fail. Installed only by the harness's own entry point
 * ({@code io.fairway.chaos.ChaosReplica}) before the replica starts; no setting, file or environment variable of
 * {@code fairway run} can reach it, so production always runs {@link #NONE}.
 */
public interface ChaosHooks {
    ChaosHooks NONE = new ChaosHooks() {
    };

    /** The hooks of this process: {@link #NONE} unless the chaos harness installed others. */
    static ChaosHooks current() {
        return Installed.hooks;
    }

    /** For the chaos harness's entry point only, before anything starts. */
    static void install(ChaosHooks hooks) {
        Installed.hooks = Objects.requireNonNull(hooks, "hooks");
    }

    /** The decisions of a cycle about to be committed (a planted bug may drop some). */
    default List<Decision> beforeCommit(ClusterState state, List<Decision> decisions) {
        return decisions;
    }

    /**
     * The decisions were committed and nothing of them has reached the cluster yet: the failpoint may hold the loop
     * here (a leader paused between commit and binds); a planted bug may act on the cluster itself.
     */
    default void afterCommit(long epoch, List<Decision> committed, ClusterState state) {
    }

    /** True plants "bind without checking the lease": binds go out whatever the lease says. */
    default boolean bindWithoutLease() {
        return false;
    }

    /** What a replica appends of what it observed (a planted bug may change it). */
    default Observation observed(Observation o) {
        return o;
    }

    /** Holds the installed hooks; an interface cannot have a mutable static field of its own. */
    final class Installed {
        private static volatile ChaosHooks hooks = NONE;

        private Installed() {
        }
    }
}
