package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which fault, if any, a resource request gets under the current {@link FaultSettings}, and counts what was
 * injected. One seeded draw per matching request decides error, throttle or neither (requests on several event loops
 * take their draws in arrival order, so a run repeats as far as its clients' order does).
 */
final class FaultInjector {
    enum Kind { NONE, ERROR_500, ERROR_503, THROTTLE, GONE }

    /** What to do to one request: wait {@code latencyMs} first (if positive), then answer with {@code kind} (or serve it). */
    record Fault(Kind kind, long latencyMs, int retryAfterSeconds) {
        static final Fault NONE = new Fault(Kind.NONE, 0, 0);
    }

    private record Active(FaultSettings settings, Random random) {}

    private volatile Active active = new Active(FaultSettings.none(), new Random(0));
    private final AtomicLong error500 = new AtomicLong();
    private final AtomicLong error503 = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong gone = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private final AtomicLong watchesCut = new AtomicLong();

    FaultSettings settings() {
        return active.settings();
    }

    /** Replaces the settings and restarts the random sequence from their seed. */
    void replace(FaultSettings s) {
        active = new Active(s, new Random(s.seed()));
    }

    /** The fault for a resource request from {@code agent}; {@code resumesWatch}: a watch from a resourceVersion. */
    Fault decide(String agent, boolean resumesWatch) {
        Active a = active;
        FaultSettings s = a.settings();
        if (!s.active() || !s.agentPrefix().isEmpty() && (agent == null || !agent.startsWith(s.agentPrefix()))) {
            return Fault.NONE;
        }
        Kind kind = Kind.NONE;
        if (resumesWatch && s.goneOnRewatch()) {
            kind = Kind.GONE;
            gone.incrementAndGet();
        } else if (s.errorShare() > 0 || s.throttleShare() > 0) {
            double u = a.random().nextDouble();
            if (u < s.errorShare()) {
                boolean unavailable = u < s.errorShare() / 2;
                kind = unavailable ? Kind.ERROR_503 : Kind.ERROR_500;
                (unavailable ? error503 : error500).incrementAndGet();
            } else if (u < s.errorShare() + s.throttleShare()) {
                kind = Kind.THROTTLE;
                throttled.incrementAndGet();
            }
        }
        if (s.latencyMs() > 0) {
            delayed.incrementAndGet();
        } else if (kind == Kind.NONE) {
            return Fault.NONE;
        }
        return new Fault(kind, s.latencyMs(), s.retryAfterSeconds());
    }

    /** Counts {@code n} watches closed by {@code /chaos/cut-watches}. */
    void watchesCut(int n) {
        watchesCut.addAndGet(n);
    }

    /** Injected so far, per kind: error500, error503, throttled, gone, delayed, watchesCut. */
    ObjectNode counts() {
        ObjectNode o = Json.object();
        o.put("error500", error500.get());
        o.put("error503", error503.get());
        o.put("throttled", throttled.get());
        o.put("gone", gone.get());
        o.put("delayed", delayed.get());
        o.put("watchesCut", watchesCut.get());
        return o;
    }
}
