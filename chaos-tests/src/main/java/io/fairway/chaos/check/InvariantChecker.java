package io.fairway.chaos.check;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges a chaos run from outside: the API server's history of requests, the log's raw records and the objects at
 * the end. It uses none of the scheduler's classes (no ClusterState, Scheduler or node filters): fit, queue limits,
 * gangs and fencing are re-derived here from the Kubernetes objects and the YuniKorn config as documented.
 *
 * <p>The invariants, each a name in {@link #INVARIANTS}: a pod is bound at most once; a binding goes where the log
 * allocated the pod; no deposed leader's binding lands; no node is over its allocatable and no queue over its max or
 * a user over a limit at any binding; a gang's first reservation is whole and no member binds without one; the log's
 * decisions carry the leading epoch; nothing is lost at the end.
 */
public final class InvariantChecker {
    public static final Map<String, String> INVARIANTS = invariants();

    private static Map<String, String> invariants() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bound-once", "every pod bound at most once (a second binding accepted is a violation)");
        m.put("bound-as-decided", "every binding sent goes to the node the log allocated the pod to");
        m.put("fencing", "no binding from a deposed leader lands or is sent unheld; the log's decisions carry the "
                + "leading epoch and epochs only grow");
        m.put("node-capacity", "at every binding, no node holds more than its allocatable, in every resource");
        m.put("queue-max", "at every binding, no queue holds more than its max under the config in force");
        m.put("user-limits", "at every binding, no user or group holds more than its limits in a queue");
        m.put("gang-whole", "a gang's first reservation holds every member; no member binds without a reservation");
        m.put("nothing-lost", "every pod created is at the end bound, deleted, or waiting with a reason; a pod that "
                + "fits a node and its queue is bound");
        m.put("state-hash", "every replica's state hash equals a fresh replay of the log at the same offset");
        return Collections.unmodifiableMap(m);
    }

    private InvariantChecker() {
    }

    public static CheckResult check(CheckInput in) {
        return new Walk(in).run();
    }

    /** One pass over the history in time order, holding what each node, queue and user has bound at that moment. */
    private static final class Walk {
        private final CheckInput in;
        private final LogTimeline log;
        private final List<Violation> violations = new ArrayList<>();
        private final Map<String, PodFacts> pods = new HashMap<>();
        private final Map<String, Amounts> allocatable = new HashMap<>();
        private final Map<String, String> appQueue = new HashMap<>();
        /** Configs in force, by the time they were written. */
        private final TreeMap<Long, QueueLimits> configs = new TreeMap<>();
        private final Map<String, String> holding = new HashMap<>();
        private final Map<String, Amounts> nodeUse = new HashMap<>();
        private final Map<String, Amounts> queueUse = new HashMap<>();
        private final Map<String, Amounts> trackedUse = new HashMap<>();
        /** The limit trackers each bound pod counts in, to take it out of them again. */
        private final Map<String, List<String>> trackers = new HashMap<>();
        private final Map<String, Integer> accepted = new HashMap<>();
        private final CheckResult.Counts counts = new CheckResult.Counts();

        Walk(CheckInput in) {
            this.in = in;
            this.log = new LogTimeline(in.log());
            violations.addAll(log.violations);
            configs.put(Long.MIN_VALUE, QueueLimits.none());
        }

        CheckResult run() {
            counts.leaderElections = log.elections.size();
            for (HistoryEntry e : in.history()) {
                if (e.isPodCreate() && e.object() != null) {
                    PodFacts p = PodFacts.of(e.object());
                    pods.put(p.uid(), p);
                    counts.podsCreated++;
                    if (!p.queue().isEmpty()) {
                        appQueue.putIfAbsent(p.app(), p.queue());
                    }
                } else if (e.resource().equals("nodes") && e.verb().equals("create") && e.accepted()
                        && e.object() != null) {
                    JsonNode status = e.object().path("status");
                    allocatable.put(e.name(), Amounts.of(status.has("allocatable") ? status.path("allocatable")
                            : status.path("capacity")));
                } else if (e.resource().equals("configmaps") && e.accepted() && e.object() != null
                        && e.ns().equals(in.configNamespace()) && e.name().equals(in.configName())) {
                    QueueLimits q = QueueLimits.parse(e.object().path("data").path("queues.yaml").asText(""));
                    if (q != null) {
                        configs.put(e.t(), q);
                    }
                } else if (e.isBinding()) {
                    binding(e);
                } else if (e.resource().equals("pods") && e.accepted()
                        && (e.removed() || e.phase().equals("Succeeded") || e.phase().equals("Failed"))) {
                    release(e.uid());
                }
            }
            checkGangReservations();
            FinalState.check(in, pods, appQueue, configs.lastEntry().getValue(), log, violations, counts);
            return new CheckResult(violations, counts);
        }

        private void binding(HistoryEntry e) {
            counts.bindingsSent++;
            if (e.injected()) {
                return;
            }
            PodFacts pod = pods.get(e.uid());
            long epoch = e.epoch();
            if (e.sender().startsWith("fairway/") && !fenced(e, epoch)) {
                return;
            }
            String decided = log.allocatedAt(e.uid(), e.t());
            if (epoch > 0 && epoch == log.epochAt(e.t()) && !e.node().equals(decided)) {
                violations.add(new Violation("bound-as-decided", "pod " + e.podKey() + ": binding to "
                        + e.node() + " sent by the leader, but the log allocates it " + (decided == null
                        ? "nowhere" : "to " + decided), Map.of("pod", e.podKey(), "node", e.node(), "t", e.t(),
                        "agent", e.agent(), "code", e.code())));
            }
            if (!e.accepted()) {
                return;
            }
            counts.bindingsAccepted++;
            int n = accepted.merge(e.uid(), 1, Integer::sum);
            if (n > 1) {
                violations.add(new Violation("bound-once", "pod " + e.podKey() + " bound a " + n + "th time, to "
                        + e.node(), Map.of("pod", e.podKey(), "node", e.node(), "t", e.t(), "agent", e.agent())));
                return;
            }
            if (pod == null) {
                return;
            }
            if (pod.isGangMember() && !log.gangReleasedBy(pod.app(), e.t())
                    && log.gangReservations.getOrDefault(pod.app(), List.of()).stream()
                    .noneMatch(r -> r.time() <= e.t())) {
                violations.add(new Violation("gang-whole", "gang member " + e.podKey() + " of app " + pod.app()
                        + " bound with no reservation of its gang in the log", Map.of("pod", e.podKey(),
                        "app", pod.app(), "t", e.t())));
            }
            hold(pod, e);
        }

        /**
         * A binding from a replica: whether it may count as the current leader's. A deposed leader's binding is a
         * fenced attempt when it was held (stopped, cut off) or arrived within the grace; otherwise a violation.
         */
        private boolean fenced(HistoryEntry e, long epoch) {
            long leading = log.epochAt(e.t());
            if (epoch > 0 && epoch >= leading) {
                return true;
            }
            long since = epoch == 0 ? -1 : log.supersededAt(epoch);
            long late = since < 0 ? -1 : e.t() - since;
            boolean excused = late >= 0 && late <= in.graceMillis() || heldJustBefore(e);
            if (excused && !e.accepted()) {
                counts.fencedAttempts++;
                return false;
            }
            if (excused) {
                counts.lateBindingsLanded++;
                return false;
            }
            violations.add(new Violation("fencing", "binding of pod " + e.podKey() + " to " + e.node() + " from "
                    + e.agent() + (epoch == 0 ? ", which names no epoch," : "") + " answered " + e.code() + " while epoch "
                    + leading + " leads" + (late >= 0 ? " (" + late + " ms after it was elected)" : ""),
                    Map.of("pod", e.podKey(), "node", e.node(), "t", e.t(), "agent", e.agent(), "code", e.code(),
                            "leadingEpoch", leading)));
            return false;
        }

        private boolean heldJustBefore(HistoryEntry e) {
            for (Window w : in.held()) {
                if (e.sender().equals(w.sender()) && w.from() <= e.t() && e.t() <= w.to() + in.graceMillis()) {
                    return true;
                }
            }
            return false;
        }

        private void hold(PodFacts pod, HistoryEntry e) {
            holding.put(pod.uid(), e.node());
            Amounts node = nodeUse.computeIfAbsent(e.node(), k -> Amounts.none()).add(pod.requests());
            Amounts cap = allocatable.get(e.node());
            String over = cap == null ? null : node.exceeding(cap);
            if (over != null) {
                violations.add(new Violation("node-capacity", "node " + e.node() + " over its allocatable " + over
                        + " after binding " + e.podKey() + ": holds " + node + ", allocatable " + cap,
                        Map.of("node", e.node(), "pod", e.podKey(), "resource", over, "t", e.t())));
            }
            String queue = queueOf(pod);
            if (queue.isEmpty()) {
                return;
            }
            QueueLimits limits = permissive(e.uid(), e.t());
            for (String q : QueueLimits.chain(queue)) {
                Amounts use = queueUse.computeIfAbsent(q, k -> Amounts.none()).add(pod.requests());
                Amounts max = limits.max().get(q);
                String overMax = max == null ? null : use.exceeding(max);
                if (overMax != null) {
                    violations.add(new Violation("queue-max", "queue " + q + " over its max " + overMax
                            + " after binding " + e.podKey() + ": holds " + use + ", max " + max,
                            Map.of("queue", q, "pod", e.podKey(), "resource", overMax, "t", e.t())));
                }
                for (QueueLimits.Limit l : limits.limits().getOrDefault(q, List.of())) {
                    String who = tracked(l, pod);
                    if (who == null) {
                        continue;
                    }
                    Amounts used = trackedUse.computeIfAbsent(q + "|" + who, k -> Amounts.none());
                    String overLimit = used.copy().add(pod.requests()).exceeding(l.max());
                    if (overLimit != null) {
                        violations.add(new Violation("user-limits", who + " over its limit in queue " + q + " ("
                                + overLimit + ") after binding " + e.podKey() + ": holds " + used.copy()
                                .add(pod.requests()) + ", limit " + l.max(), Map.of("queue", q, "who", who,
                                "pod", e.podKey(), "t", e.t())));
                    }
                }
            }
            List<String> keys = new ArrayList<>();
            for (String q : QueueLimits.chain(queue)) {
                for (QueueLimits.Limit l : limits.limits().getOrDefault(q, List.of())) {
                    String who = tracked(l, pod);
                    if (who != null) {
                        keys.add(q + "|" + who);
                        trackedUse.computeIfAbsent(q + "|" + who, k -> Amounts.none()).add(pod.requests());
                    }
                }
            }
            trackers.put(pod.uid(), keys);
        }

        /** Who a limit tracks the pod as: {@code user alice}, {@code group ml}, or null when it does not apply. */
        private static String tracked(QueueLimits.Limit l, PodFacts pod) {
            if (!pod.user().isEmpty() && (l.users().contains(pod.user()) || l.users().contains("*"))) {
                return "user " + pod.user();
            }
            for (String g : pod.groups()) {
                if (l.groups().contains(g)) {
                    return "group " + g;
                }
            }
            return l.groups().contains("*") ? "group *" : null;
        }

        private void release(String uid) {
            String node = holding.remove(uid);
            PodFacts pod = pods.get(uid);
            if (node == null || pod == null) {
                return;
            }
            nodeUse.get(node).subtract(pod.requests());
            String queue = queueOf(pod);
            if (queue.isEmpty()) {
                return;
            }
            for (String q : QueueLimits.chain(queue)) {
                queueUse.get(q).subtract(pod.requests());
            }
            for (String key : trackers.getOrDefault(uid, List.of())) {
                trackedUse.get(key).subtract(pod.requests());
            }
            trackers.remove(uid);
        }

        String queueOf(PodFacts pod) {
            return pod.queue().isEmpty() ? appQueue.getOrDefault(pod.app(), "") : pod.queue();
        }

        /**
         * The config the pod was decided under: of those in force from a little before its allocation to its binding,
         * the most permissive (a config written while the cycle ran is not yet the scheduler's).
         */
        private QueueLimits permissive(String uid, long bindTime) {
            long decided = bindTime;
            for (LogTimeline.Placement p : log.placements.getOrDefault(uid, List.of())) {
                if (!p.released() && p.time() <= bindTime) {
                    decided = p.time();
                }
            }
            long from = decided - 2_000;
            List<QueueLimits> candidates = new ArrayList<>();
            candidates.add(configs.floorEntry(from).getValue());
            candidates.addAll(configs.subMap(from, false, bindTime, true).values());
            if (candidates.size() == 1) {
                return candidates.get(0);
            }
            Map<String, Amounts> max = new HashMap<>();
            for (String q : candidates.get(0).max().keySet()) {
                Amounts widest = null;
                for (QueueLimits c : candidates) {
                    Amounts m = c.max().get(q);
                    if (m == null) {
                        widest = null;
                        break;
                    }
                    widest = widest == null || m.exceeding(widest) != null ? m : widest;
                }
                if (widest != null) {
                    max.put(q, widest);
                }
            }
            return new QueueLimits(max, candidates.get(candidates.size() - 1).limits());
        }

        /** A gang's first reservation holds a slot for every member of every task group. */
        private void checkGangReservations() {
            Map<String, PodFacts> gangByApp = new HashMap<>();
            for (PodFacts p : pods.values()) {
                if (p.isGangMember()) {
                    gangByApp.putIfAbsent(p.app(), p);
                }
            }
            gangByApp.forEach((app, member) -> {
                List<LogRecord> reserved = log.gangReservations.getOrDefault(app, List.of());
                if (reserved.isEmpty()) {
                    return;
                }
                LogRecord first = reserved.get(0);
                Map<String, Integer> slots = new HashMap<>();
                first.data().path("slots").forEach(s -> slots.merge(s.path("group").asText(), 1, Integer::sum));
                member.minMembers().forEach((group, min) -> {
                    int got = slots.getOrDefault(group, 0);
                    if (got < min) {
                        violations.add(new Violation("gang-whole", "app " + app + ": its first reservation (offset "
                                + first.offset() + ") holds " + got + " of the " + min + " members of task group "
                                + group, Map.of("app", app, "offset", first.offset(), "group", group,
                                "slots", got, "minMember", min, "t", first.time())));
                    }
                });
            });
        }
    }
}
