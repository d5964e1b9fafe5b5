package io.fairway.sandbox;

import io.fairway.core.state.LeaderTerm;
import io.fairway.ui.AppView;
import io.fairway.ui.Leadership;
import io.fairway.ui.ReadView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What {@code fairway demo} prints beside the cluster's own lines: the rows per queue, leader terms and fail-overs,
 * the totals and what to try next. Keeps what it must remember between two summaries (the queue of every app seen, the
 * newest leader term printed); the formatting is plain functions, for a terminal of {@value #WIDTH} columns.
 */
final class DemoBoard {
    static final int WIDTH = 100;
    static final String LEGEND =
            "per queue: pending = waiting for a node now; running = on a node now; completed = finished so far";
    /** The row of finished pods whose app no summary saw in the scheduler's state (it came and went in between). */
    static final String QUEUE_UNKNOWN = "(queue not seen)";

    /** One queue: pods waiting and placed now (the scheduler's state), pods finished so far (never decreases). */
    record Row(String queue, long pending, long running, long completed) {
    }

    /** The queue the scheduler placed each app in, by app id; kept after the app is gone, for its finished pods. */
    private final Map<String, String> appQueue = new HashMap<>();
    private long lastEpoch;

    /**
     * Rows by the queue Fairway placed each app in, as the scheduler's state says ({@code view}: a replica's read view,
     * null when none is published yet), whatever the pods' labels ask for. {@code completedByApp} counts every pod
     * that finished so far by app id; it is summed into the queue the app was last seen in.
     */
    List<Row> rows(ReadView view, Map<String, Long> completedByApp) {
        Map<String, long[]> m = new TreeMap<>();
        if (view != null) {
            for (AppView a : view.apps()) {
                String q = a.queue() == null || a.queue().isBlank() ? "(no queue: " + a.state().toLowerCase(Locale.ROOT)
                        + ")" : a.queue();
                appQueue.put(a.id(), q);
                long[] c = m.computeIfAbsent(q, k -> new long[3]);
                c[0] += a.pending();
                c[1] += a.running();
            }
        }
        completedByApp.forEach((app, n) -> m.computeIfAbsent(appQueue.getOrDefault(app, QUEUE_UNKNOWN),
                k -> new long[3])[2] += n);
        List<Row> rows = new ArrayList<>();
        m.forEach((q, c) -> {
            if (c[0] + c[1] + c[2] > 0) {
                rows.add(new Row(q, c[0], c[1], c[2]));
            }
        });
        return rows;
    }

    /** A kill of the demo's: when (ms since ready) and whom. */
    private record Kill(long atMillis, String replica) {
    }

    /** Kills not yet followed by a new leader term. */
    private final ArrayDeque<Kill> kills = new ArrayDeque<>();
    private long plannedFailovers;
    private String previousLeader;

    /** The demo killed {@code replica}, {@code atMillis} after ready. */
    void killed(long atMillis, String replica) {
        kills.add(new Kill(atMillis, replica));
    }

    /** Fail-overs seen that followed a kill of the demo's. */
    long plannedFailovers() {
        return plannedFailovers;
    }

    /**
     * One line per leader term of {@code view} not told yet: who leads from when (since ready), and for a fail-over
     * whether a kill of the demo's caused it or nobody planned it (then why the leader before stepped down, as
     * {@code stepDownOf} tells it by replica name, or "" when it cannot).
     *
     * @param readyMillis the wall clock at ready: terms carry the leader's wall clock
     */
    List<String> termLines(ReadView view, long readyMillis, Function<String, String> stepDownOf) {
        List<String> out = new ArrayList<>();
        for (LeaderTerm t : newTerms(view)) {
            long at = Math.max(0, t.since() - readyMillis);
            String line = clock(at / 1000) + " " + t.replica() + " leads (epoch " + t.epoch() + ")";
            Kill kill = kills.peek();
            if (t.epoch() > 1 && kill != null && kill.atMillis() <= at) {
                kills.poll();
                plannedFailovers++;
                line += String.format(Locale.ROOT, ", %.1f s after %s was killed", (at - kill.atMillis()) / 1e3,
                        kill.replica());
            } else if (t.epoch() > 1) {
                String why = previousLeader == null ? "" : stepDownOf.apply(previousLeader);
                line += ": a fail-over nobody planned" + (why.isEmpty() ? "" : " (" + previousLeader + " " + why + ")");
            }
            previousLeader = t.replica();
            out.addAll(wrap(line, WIDTH, "        "));
        }
        return out;
    }

    /** Leader terms of {@code view} newer than those returned before, oldest first. */
    List<LeaderTerm> newTerms(ReadView view) {
        if (view == null) {
            return List.of();
        }
        List<LeaderTerm> out = new ArrayList<>();
        for (LeaderTerm t : view.leaderTerms().reversed()) {
            if (t.epoch() > lastEpoch) {
                out.add(t);
            }
        }
        if (!out.isEmpty()) {
            lastEpoch = out.getLast().epoch();
        }
        return out;
    }

    /** {@code [mm:ss]} (or {@code [h:mm:ss]}) for seconds since ready. */
    static String clock(long seconds) {
        long s = Math.max(0, seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "[%d:%02d:%02d]", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "[%02d:%02d]", s / 60, s % 60);
    }

    /** The table of one summary: a header, then one line per queue. */
    static List<String> table(List<Row> rows) {
        int w = "queue (as placed by Fairway)".length();
        for (Row r : rows) {
            w = Math.max(w, r.queue().length());
        }
        List<String> out = new ArrayList<>();
        String f = "    %-" + w + "s %8s %8s %10s";
        out.add(String.format(Locale.ROOT, f, "queue (as placed by Fairway)", "pending", "running", "completed"));
        for (Row r : rows) {
            out.add(String.format(Locale.ROOT, f, r.queue(), r.pending(), r.running(), r.completed()));
        }
        if (rows.isEmpty()) {
            out.add("    (no app yet)");
        }
        return out;
    }

    /** Leader terms after the first one: every change of leader, planned or not. */
    static long failovers(long leaderEpoch) {
        return Math.max(0, leaderEpoch - 1);
    }

    /** {@code fail-overs N (K planned by --kill-leader-every)}. */
    static String failoverCount(long leaderEpoch, long planned) {
        return "fail-overs " + failovers(leaderEpoch) + " (" + planned + " planned by --kill-leader-every)";
    }

    /**
     * Who leads and who stands by, the replicas down (killed, not restarted yet), and the fail-overs so far.
     *
     * @param names every replica the demo runs, up or down
     */
    static String replicas(List<String> names, List<Leadership> up, long leaderEpoch, long planned) {
        Map<String, Leadership> byName = new TreeMap<>();
        for (Leadership l : up) {
            byName.put(l.replica(), l);
        }
        String leader = null;
        List<String> standby = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (String n : names) {
            Leadership l = byName.get(n);
            if (l == null || "STOPPED".equals(l.role())) {
                down.add(n);
            } else if ("LEADER".equals(l.role())) {
                leader = n + " (epoch " + l.epoch() + ")";
            } else {
                standby.add(n);
            }
        }
        StringBuilder b = new StringBuilder(leader != null ? "leader " + leader
                : "nobody leads (a standby takes over when the lease runs out)");
        if (!standby.isEmpty()) {
            b.append(", standby ").append(String.join(", ", standby));
        }
        if (!down.isEmpty()) {
            b.append(", down ").append(String.join(", ", down));
        }
        return b.append(" | ").append(failoverCount(leaderEpoch, planned)).toString();
    }

    /**
     * Splits {@code line} at spaces (after a comma where it can) so that each piece fits {@code width}; pieces after the
     * first start with {@code indent}. A word longer than the width stays whole.
     */
    static List<String> wrap(String line, int width, String indent) {
        List<String> out = new ArrayList<>();
        String rest = line;
        String prefix = "";
        while ((prefix + rest).length() > width) {
            int room = width - prefix.length();
            // after a comma when one is in the second half of the line: a list breaks between its items
            int comma = rest.lastIndexOf(", ", room - 1);
            int cut = comma > room / 2 ? comma + 1 : rest.lastIndexOf(' ', room);
            if (cut <= 0) {
                cut = rest.indexOf(' ', room);
                if (cut < 0) {
                    break;
                }
            }
            out.add(prefix + rest.substring(0, cut));
            rest = rest.substring(cut + 1).stripLeading();
            prefix = indent;
        }
        out.add(prefix + rest);
        return out;
    }

    /**
     * A shell command under a label, continued with {@code \} on the next lines when it does not fit, so that it can
     * still be pasted as it is.
     */
    static List<String> command(String label, String command) {
        String first = String.format(Locale.ROOT, "  %-16s ", label);
        String indent = " ".repeat(first.length() + 2);
        List<String> pieces = wrap(first + command, WIDTH - 2, indent);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            out.add(i < pieces.size() - 1 ? pieces.get(i) + " \\" : pieces.get(i));
        }
        return out;
    }
}
