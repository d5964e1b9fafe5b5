package io.fairway.chaos.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The log read as a timeline: leader elections, each pod's allocations and releases, each gang's reservations and
 * releases. Also the log's own invariant: epochs only grow, and every decision carries the epoch of the newest leader
 * elected before it (a deposed leader's decision in the log means fencing failed).
 */
final class LogTimeline {
    record Election(long offset, long time, long epoch, String replica) {
    }

    record Placement(long offset, long time, long epoch, String node, boolean released) {
    }

    final List<Election> elections = new ArrayList<>();
    final Map<String, List<Placement>> placements = new HashMap<>();
    final Map<String, List<LogRecord>> gangReservations = new HashMap<>();
    final Map<String, List<LogRecord>> gangReleases = new HashMap<>();
    final List<Violation> violations = new ArrayList<>();

    LogTimeline(List<LogRecord> log) {
        long current = 0;
        for (LogRecord r : log) {
            if (r.type().equals("LeaderElected")) {
                if (r.epoch() <= current) {
                    violations.add(new Violation("fencing", "epoch " + r.epoch() + " elected after epoch " + current,
                            Map.of("offset", r.offset(), "replica", r.text("replica"), "t", r.time())));
                }
                current = Math.max(current, r.epoch());
                elections.add(new Election(r.offset(), r.time(), r.epoch(), r.text("replica")));
                continue;
            }
            if (r.epoch() < 0) {
                continue;
            }
            if (r.epoch() != current) {
                violations.add(new Violation("fencing", r.type() + " of epoch " + r.epoch()
                        + " in the log while epoch " + current + " leads: a deposed or unelected writer's decision",
                        Map.of("offset", r.offset(), "type", r.type(), "epoch", r.epoch(), "leading", current,
                                "pod", r.text("podUid"), "t", r.time())));
            }
            switch (r.type()) {
                case "Allocated" -> placements.computeIfAbsent(r.text("podUid"), k -> new ArrayList<>())
                        .add(new Placement(r.offset(), r.time(), r.epoch(), r.text("nodeName"), false));
                case "Released" -> placements.computeIfAbsent(r.text("podUid"), k -> new ArrayList<>())
                        .add(new Placement(r.offset(), r.time(), r.epoch(), r.text("nodeName"), true));
                case "GangReserved" -> gangReservations.computeIfAbsent(r.text("appId"), k -> new ArrayList<>()).add(r);
                case "GangReleased" -> gangReleases.computeIfAbsent(r.text("appId"), k -> new ArrayList<>()).add(r);
                default -> {
                }
            }
        }
    }

    /** The newest epoch elected at or before {@code time}, 0 before any. */
    long epochAt(long time) {
        long e = 0;
        for (Election el : elections) {
            if (el.time() <= time) {
                e = Math.max(e, el.epoch());
            }
        }
        return e;
    }

    /** When the first epoch newer than {@code epoch} was elected, or -1. */
    long supersededAt(long epoch) {
        for (Election el : elections) {
            if (el.epoch() > epoch) {
                return el.time();
            }
        }
        return -1;
    }

    /** The node the log has the pod allocated to at {@code time} (its last allocation not released since), or null. */
    String allocatedAt(String uid, long time) {
        String node = null;
        for (Placement p : placements.getOrDefault(uid, List.of())) {
            if (p.time() > time) {
                break;
            }
            node = p.released() ? null : p.node();
        }
        return node;
    }

    /** Whether the app stopped being a gang (a Soft timeout, a failure) at or before {@code time}. */
    boolean gangReleasedBy(String app, long time) {
        for (LogRecord r : gangReleases.getOrDefault(app, List.of())) {
            if (r.time() <= time && !r.text("next").equals("WAIT")) {
                return true;
            }
        }
        return false;
    }
}
