package io.fairway.chaos.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The order of a run's faults, from its seed alone: the same seed and kinds give the same schedule. Every kind comes
 * once in each round (shuffled), so a run long enough covers them all; the pause before each fault is drawn too.
 */
public final class FaultSchedule {
    /** One fault to inject after {@code pauseMillis} of calm. */
    public record Planned(int index, FaultKind kind, long pauseMillis) {
    }

    private final List<FaultKind> kinds;
    private final Random random;
    private final List<FaultKind> round = new ArrayList<>();
    private int index;

    public FaultSchedule(long seed, List<FaultKind> kinds) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a fault schedule needs at least one fault kind");
        }
        this.kinds = List.copyOf(kinds);
        this.random = new Random(seed);
    }

    public Planned next() {
        if (round.isEmpty()) {
            round.addAll(kinds);
            Collections.shuffle(round, random);
        }
        return new Planned(index++, round.remove(0), 1_000 + random.nextInt(3_000));
    }

    /** The first {@code n} planned faults, for {@code --list}-like output and tests. */
    public static List<Planned> firstOf(long seed, List<FaultKind> kinds, int n) {
        FaultSchedule s = new FaultSchedule(seed, kinds);
        List<Planned> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.next());
        }
        return out;
    }
}
