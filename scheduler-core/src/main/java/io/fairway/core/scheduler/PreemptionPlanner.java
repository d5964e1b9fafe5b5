package io.fairway.core.scheduler;

import io.fairway.core.config.GoDuration;
import io.fairway.core.config.PreemptionConfig;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueHeadroom;
import io.fairway.core.state.QueueState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Chooses preemption victims for one cycle, as YuniKorn does between queues and safer where it is known to fail:
 * <ul>
 *   <li>guaranteed: an ask whose queue stays within its guarantee may take from queues above theirs, from victims of
 *       lower or equal priority; priority: a higher-priority ask may take lower-priority pods; either way no victim
 *       queue is taken below its guarantee, a task never preempts its own app or its own queue;</li>
 *   <li>{@code preemption.policy: fence} keeps a queue's asks' victims inside it, {@code disabled} keeps a queue's
 *       pods from being victims (and its asks from preempting), {@code allow-preemption: "false"} pods go last;</li>
 *   <li>victims on one node, the fewest that make the ask fit there (and fit its queues' max), youngest first; a gang
 *       member only with its whole gang.</li>
 * </ul>
 * It reads the cycle's view (node usage with in-flight and this cycle's bookings) and changes nothing but its own
 * notes of what this cycle already chose.
 */
final class PreemptionPlanner {
    /** Preemptions decided per cycle at most: each is a batch of deletions, and the next cycle sees their effect. */
    static final int MAX_PER_CYCLE = 8;
    /** Victim searches per cycle at most, found or not: each walks the running pods of the nodes that may hold some. */
    static final int MAX_TRIES_PER_CYCLE = 32;

    record Plan(PreemptionRequested.Kind kind, String node, List<PodState> victims, String reason) {
        List<String> victimUids() {
            return victims.stream().map(PodState::uid).toList();
        }
    }

    /** What goes together: one pod, or every running member of a gang. */
    private record Unit(AppState app, QueueState leaf, List<PodState> pods, Resources total, boolean optOut,
                        long priority, long youngest) {
        Resources on(String node) {
            Resources r = Resources.NONE;
            for (PodState p : pods) {
                if (p.node().equals(node)) {
                    r = r.plus(p.pod().requests());
                }
            }
            return r;
        }
    }

    private static final Comparator<Unit> VICTIM_ORDER = Comparator
            .comparing((Unit u) -> u.optOut)
            .thenComparingLong(u -> u.priority)
            .thenComparingLong(u -> -u.youngest)
            .thenComparing(u -> u.pods.getFirst().uid());

    private final ClusterState state;
    private final NodeIndex nodes;
    private final InFlight inFlight;
    /** The cycle's use of a queue: committed, in flight and booked in this cycle. */
    private final QueueHeadroom.Usage usage;
    private final boolean enabled;
    private final boolean quotaEnabled;
    /** Running pods that may become victims, by node (sorted), built when first needed. */
    private TreeMap<String, List<PodState>> byNode;
    /** Room that victims already chosen (applied, in flight, or this cycle) will free, per queue up the tree. */
    private final IdentityHashMap<QueueState, long[]> freed = new IdentityHashMap<>();
    private final Set<String> taken = new HashSet<>();
    /** The running members of each gang app, by app id, found once per cycle. */
    private final HashMap<String, List<PodState>> members = new HashMap<>();
    private int planned;

    PreemptionPlanner(ClusterState state, NodeIndex nodes, InFlight inFlight, QueueHeadroom.Usage usage) {
        this.state = state;
        this.nodes = nodes;
        this.inFlight = inFlight;
        this.usage = usage;
        PreemptionConfig pc = state.config().defaultPartition().preemption();
        this.enabled = pc == null || pc.enabled() == null || pc.enabled();
        this.quotaEnabled = quotaEnabled(state);
    }

    /** The partition's {@code preemption.quotapreemptionenabled}: off unless set to true. */
    static boolean quotaEnabled(ClusterState state) {
        PreemptionConfig pc = state.config().defaultPartition().preemption();
        return pc != null && Boolean.TRUE.equals(pc.quotaPreemptionEnabled());
    }

    boolean full() {
        return planned >= MAX_PER_CYCLE;
    }

    /**
     * Whether the ask may preempt at all now: preemption on, waited {@code preemption.delay}, its app not just
     * preempted itself, no room held or preemption in flight for it, not a gang member with a reservation to use.
     * Else null; a reason for the log when it waits only for its delay is not needed, the normal reason stands.
     */
    boolean mayPreempt(PodState ask, AppState app, QueueState leaf, long now) {
        if (!enabled || full() || ask.holdsRoom() || inFlight.isPreempting(ask.uid())
                || inFlight.isHoldReleased(ask.uid()) || leaf.preemptionPolicy().equals("disabled")) {
            return false;
        }
        Gang.Status g = app.gang().status();
        if (g != Gang.Status.NONE && g != Gang.Status.NORMAL) {
            return false;
        }
        long delay = leaf.preemptionDelayMillis();
        if (now - ask.pod().creationTime() < delay) {
            return false;
        }
        // A victim's app does not preempt at once: otherwise two apps can take turns evicting each other.
        return app.lastPreemptedAt() == 0 || now - app.lastPreemptedAt() >= delay;
    }

    /** The time from which the ask may preempt, for a scheduler that cycles only when something happens. */
    static long eligibleAt(PodState ask, AppState app, QueueState leaf) {
        long delay = leaf.preemptionDelayMillis();
        long at = ask.pod().creationTime() + delay;
        if (app.lastPreemptedAt() != 0) {
            at = Math.max(at, app.lastPreemptedAt() + delay);
        }
        return at;
    }

    /**
     * Victims on one node for the ask, or null when preempting would not let it run.
     *
     * @param target the ask as it must be placed: its node selector may name its app's topology domain
     */
    Plan plan(PodState ask, NodeAsk target, QueueState leaf) {
        Resources req = ask.pod().requests();
        prepare();
        // A leaf at its own max can only be helped by its own pods, and a queue does not preempt itself.
        if (overMax(leaf, req, Resources.NONE)) {
            return null;
        }
        List<QueueState> blocked = new ArrayList<>();
        for (QueueState q = leaf.parent(); q != null; q = q.parent()) {
            if (overMax(q, req, Resources.NONE)) {
                blocked.add(q);
            }
        }
        boolean guaranteed = withinGuarantee(leaf, req);
        QueueState fence = null;
        for (QueueState q = leaf; q != null && fence == null; q = q.parent()) {
            if (q.preemptionPolicy().equals("fence")) {
                fence = q;
            }
        }
        AppState app = state.app(ask.pod().appId());
        Candidate best = null;
        for (Map.Entry<String, List<PodState>> e : byNode.entrySet()) {
            NodeIndex.Entry entry = nodes.entry(e.getKey());
            if (entry == null || nodes.staticRejectOn(target, entry) != null) {
                continue;
            }
            List<Unit> units = units(e.getValue(), ask, app, leaf, fence, guaranteed);
            if (units.isEmpty()) {
                continue;
            }
            Candidate c = onNode(entry, units, req, blocked, leaf);
            if (c != null && (best == null || c.better(best))) {
                best = c;
            }
        }
        if (best == null) {
            return null;
        }
        List<PodState> victims = new ArrayList<>();
        best.units.forEach(u -> victims.addAll(u.pods));
        PreemptionRequested.Kind kind = guaranteed ? PreemptionRequested.Kind.GUARANTEED : PreemptionRequested.Kind.PRIORITY;
        // Worded before the victims count as freed: the numbers are the queues' usage as the preemptor found it.
        String reason = reason(kind, ask, leaf, best, req);
        take(best.units);
        // The room will be held for the preemptor: its queues count it from now on, so that the next ask of this
        // cycle sees its queue that much fuller (and no fuller guarantee is claimed twice).
        free(ask.pod().appId(), req, -1);
        // And so does its node, in place of its victims: a later preemption of this cycle must not count the node's
        // free room that this one takes too (the held room beyond what the victims free), nor miss what they free
        // beyond it. Allocations are done by now; the next cycle reads the node from the state again.
        NodeIndex.Entry at = nodes.entry(best.node);
        nodes.reserve(at, req);
        for (Unit u : best.units) {
            nodes.unreserve(at, u.on(best.node));
        }
        return new Plan(kind, best.node, victims, reason);
    }

    /**
     * Quota preemption: queues whose max was lowered below their usage, once their {@code quota.preemption.delay}
     * has passed since that config came into force, give back their youngest pods until they are within max.
     */
    List<Plan> quota(long now) {
        if (!quotaEnabled) {
            return List.of();
        }
        List<Plan> plans = new ArrayList<>();
        for (QueueState q : state.queues().all().values()) {
            if (full() || q.max().isEmpty() || q.quotaPreemptionDelayMillis() <= 0
                    || now < state.configAppliedAt() + q.quotaPreemptionDelayMillis() || !overMax(q, Resources.NONE, Resources.NONE)) {
                continue;
            }
            prepare();
            List<Unit> units = new ArrayList<>();
            Set<String> apps = new HashSet<>();
            for (List<PodState> on : byNode.values()) {
                for (PodState v : on) {
                    AppState a = state.app(v.pod().appId());
                    QueueState vl = a == null ? null : state.queues().get(a.queue());
                    if (vl == null || !q.contains(vl) || taken.contains(v.uid())
                            || vl.preemptionPolicy().equals("disabled")) {
                        continue;
                    }
                    Unit u = unit(v, a, vl);
                    if (u != null && (u.pods.size() == 1 || apps.add(a.appId()))) {
                        units.add(u);
                    }
                }
            }
            units.sort(VICTIM_ORDER);
            List<Unit> chosen = new ArrayList<>();
            Resources sum = Resources.NONE;
            for (Unit u : units) {
                if (!overMax(q, Resources.NONE, sum)) {
                    break;
                }
                if (breaksFloor(u, q.parent(), chosen)) {
                    continue;
                }
                chosen.add(u);
                sum = sum.plus(u.total);
            }
            if (chosen.isEmpty() || overMax(q, Resources.NONE, sum)) {
                continue;
            }
            List<PodState> victims = new ArrayList<>();
            chosen.forEach(u -> victims.addAll(u.pods));
            take(chosen);
            plans.add(new Plan(PreemptionRequested.Kind.QUOTA, "", victims, "queue " + q.fullName() + " is above its max "
                    + q.max() + " (allocated " + q.allocated() + ") since its config changed "
                    + GoDuration.format(now - state.configAppliedAt()) + " ago (quota.preemption.delay "
                    + GoDuration.format(q.quotaPreemptionDelayMillis()) + "): "
                    + victims.size() + " pod(s) preempted, youngest first: " + names(victims)));
        }
        return plans;
    }

    // ------------------------------------------------------------------ victims

    private void prepare() {
        if (byNode != null) {
            return;
        }
        byNode = new TreeMap<>();
        List<PodState> running = new ArrayList<>();
        for (PodState p : state.pods()) {
            if (p.isOurs() && p.role() == PodState.Role.PLACED) {
                running.add(p);
            }
        }
        running.sort(Comparator.comparing(PodState::uid));
        for (PodState p : running) {
            if (p.isPreempted()) {
                free(p.pod().appId(), p.pod().requests(), 1);
            } else if (inFlight.isVictim(p.uid())) {
                free(p.pod().appId(), p.pod().requests(), 1);
            } else if (p.isBound()) {
                byNode.computeIfAbsent(p.node(), k -> new ArrayList<>()).add(p);
            }
        }
        // A preemptor of an in-flight preemption will hold its room once applied: count it as used already.
        for (PreemptionRequested pr : inFlight.preemptions().values()) {
            PodState p = state.pod(pr.preemptorUid());
            if (p != null) {
                free(p.pod().appId(), p.pod().requests(), -1);
            }
        }
    }

    private void free(String appId, Resources r, int sign) {
        AppState a = state.app(appId);
        QueueState q = a == null ? null : state.queues().get(a.queue());
        for (; q != null; q = q.parent()) {
            long[] f = freed.computeIfAbsent(q, k -> new long[ResourceNames.count() + 8]);
            for (int i = 0; i < r.size(); i++) {
                int id = r.idAt(i);
                if (id < f.length) {
                    f[id] += sign * r.valueAt(i);
                }
            }
        }
    }

    private long freedIn(QueueState q, int id) {
        long[] f = freed.get(q);
        return f == null || id >= f.length ? 0 : f[id];
    }

    private void take(List<Unit> units) {
        planned++;
        for (Unit u : units) {
            for (PodState p : u.pods) {
                taken.add(p.uid());
                free(p.pod().appId(), p.pod().requests(), 1);
            }
        }
    }

    /** The victims on a node that the ask may take, as units (a gang whole), in the order they are tried. */
    private List<Unit> units(List<PodState> on, PodState ask, AppState askApp, QueueState leaf, QueueState fence,
                             boolean guaranteed) {
        List<Unit> out = new ArrayList<>();
        Set<String> gangs = new HashSet<>();
        long askPriority = ask.pod().priority();
        for (PodState v : on) {
            if (taken.contains(v.uid())) {
                continue;
            }
            AppState a = state.app(v.pod().appId());
            QueueState vl = a == null ? null : state.queues().get(a.queue());
            if (!eligible(vl, a, askApp, leaf, fence)) {
                continue;
            }
            Unit u = unit(v, a, vl);
            if (u == null || (u.pods.size() > 1 && !gangs.add(a.appId()))) {
                continue;
            }
            QueueState lca = common(leaf, vl);
            long mine = seen(askPriority, leaf, lca);
            boolean ok = true;
            for (PodState m : u.pods) {
                long theirs = seen(m.pod().priority(), vl, lca);
                if (guaranteed ? theirs > mine : theirs >= mine) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                out.add(new Unit(u.app, u.leaf, u.pods, u.total, u.optOut, seen(u.priority, vl, lca), u.youngest));
            }
        }
        out.sort(VICTIM_ORDER);
        return out;
    }

    private boolean eligible(QueueState vl, AppState victimApp, AppState askApp, QueueState leaf, QueueState fence) {
        return vl != null && victimApp != askApp && vl != leaf && !vl.preemptionPolicy().equals("disabled")
                && (fence == null || fence.contains(vl));
    }

    /** The pod alone, or with every other running member of its gang; null when part of the gang cannot go. */
    private Unit unit(PodState v, AppState a, QueueState vl) {
        List<PodState> pods = new ArrayList<>();
        if (a.gang().status() == Gang.Status.NONE || v.pod().hints().taskGroup().isEmpty()) {
            pods.add(v);
        } else {
            List<PodState> all = members.computeIfAbsent(a.appId(), id -> {
                List<PodState> found = new ArrayList<>();
                byNode.values().forEach(on -> on.stream().filter(p -> p.pod().appId().equals(id)).forEach(found::add));
                return found;
            });
            for (PodState p : all) {
                if (taken.contains(p.uid())) {
                    return null;
                }
                pods.add(p);
            }
            // A member chosen already, or one not running where we can see it: never half a gang.
            if (pods.size() != a.placedPods()) {
                return null;
            }
        }
        Resources total = Resources.NONE;
        boolean optOut = false;
        long lowest = Long.MAX_VALUE;
        long youngest = Long.MIN_VALUE;
        for (PodState p : pods) {
            total = total.plus(p.pod().requests());
            optOut |= p.pod().hints().noPreemption();
            lowest = Math.min(lowest, p.pod().priority());
            youngest = Math.max(youngest, p.pod().creationTime());
        }
        return new Unit(a, vl, pods, total, optOut, lowest, youngest);
    }

    // ------------------------------------------------------------------ one node

    private final class Candidate {
        final String node;
        final List<Unit> units;
        final int pods;
        final int optOut;

        Candidate(String node, List<Unit> units) {
            this.node = node;
            this.units = units;
            int n = 0;
            int o = 0;
            for (Unit u : units) {
                n += u.pods.size();
                o += u.optOut ? u.pods.size() : 0;
            }
            this.pods = n;
            this.optOut = o;
        }

        boolean better(Candidate other) {
            if (optOut != other.optOut) {
                return optOut < other.optOut;
            }
            return pods < other.pods;
        }
    }

    /** The fewest units on this node that make the ask fit here and under its blocked queues, or null. */
    private Candidate onNode(NodeIndex.Entry entry, List<Unit> units, Resources req, List<QueueState> blocked,
                             QueueState leaf) {
        List<Unit> chosen = new ArrayList<>();
        for (Unit u : units) {
            if (fits(entry, req, blocked, chosen)) {
                break;
            }
            if (breaksFloor(u, common(leaf, u.leaf), chosen) || !helps(u, entry, req, blocked, chosen)) {
                continue;
            }
            chosen.add(u);
        }
        if (chosen.isEmpty() || !fits(entry, req, blocked, chosen)) {
            return null;
        }
        // Only as many as the ask needs: drop any that the others make unnecessary, oldest choice first.
        for (int i = 0; i < chosen.size() && chosen.size() > 1; ) {
            List<Unit> without = new ArrayList<>(chosen);
            without.remove(i);
            if (fits(entry, req, blocked, without)) {
                chosen = without;
            } else {
                i++;
            }
        }
        return new Candidate(entry.name, chosen);
    }

    /** Whether a unit frees something the ask is short of, on the node or in a blocked queue. */
    private boolean helps(Unit u, NodeIndex.Entry entry, Resources req, List<QueueState> blocked, List<Unit> chosen) {
        Resources here = u.on(entry.name);
        for (int i = 0; i < req.size(); i++) {
            int id = req.idAt(i);
            long left = entry.free(id) + sumOn(chosen, entry.name, id);
            if (left < req.valueAt(i) && here.get(id) > 0) {
                return true;
            }
        }
        for (QueueState q : blocked) {
            if (q.contains(u.leaf) && overMax(q, req, sumUnder(chosen, q))) {
                for (int i = 0; i < req.size(); i++) {
                    if (q.max().isDefined(req.idAt(i)) && u.total.get(req.idAt(i)) > 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private boolean fits(NodeIndex.Entry entry, Resources req, List<QueueState> blocked, List<Unit> chosen) {
        for (int i = 0; i < req.size(); i++) {
            int id = req.idAt(i);
            if (entry.free(id) + sumOn(chosen, entry.name, id) < req.valueAt(i)) {
                return false;
            }
        }
        for (QueueState q : blocked) {
            if (overMax(q, req, sumUnder(chosen, q))) {
                return false;
            }
        }
        return true;
    }

    private static long sumOn(List<Unit> chosen, String node, int id) {
        long s = 0;
        for (Unit u : chosen) {
            s += u.on(node).get(id);
        }
        return s;
    }

    private static Resources sumUnder(List<Unit> chosen, QueueState q) {
        Resources r = Resources.NONE;
        for (Unit u : chosen) {
            if (q.contains(u.leaf)) {
                r = r.plus(u.total);
            }
        }
        return r;
    }

    // ------------------------------------------------------------------ queues

    /** The cycle's use of {@code q} in resource {@code id}. */
    private long used(QueueState q, int id) {
        long[] u = usage.of(q);
        return id < u.length ? u[id] : 0L;
    }

    /** Whether {@code q}'s usage (less what victims free, less {@code less}) plus {@code add} is above its max. */
    private boolean overMax(QueueState q, Resources add, Resources less) {
        Resources max = q.max();
        for (int i = 0; i < max.size(); i++) {
            int id = max.idAt(i);
            long after = used(q, id) - freedIn(q, id) - less.get(id) + add.get(id);
            if (after > max.valueAt(i)) {
                return true;
            }
        }
        return false;
    }

    /** The ask keeps its leaf within the leaf's guarantee (every resource the guarantee names). */
    private boolean withinGuarantee(QueueState leaf, Resources req) {
        Resources g = leaf.guaranteed();
        if (g.isEmpty()) {
            return false;
        }
        for (int i = 0; i < g.size(); i++) {
            int id = g.idAt(i);
            if (used(leaf, id) - freedIn(leaf, id) + req.get(id) > g.valueAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether taking the unit would take a queue on its path below its guarantee, from its leaf up to (not including)
     * {@code stop}: the queue it shares with the preemptor, whose usage the preemption does not change.
     */
    private boolean breaksFloor(Unit u, QueueState stop, List<Unit> chosen) {
        for (QueueState q = u.leaf; q != null && q != stop; q = q.parent()) {
            Resources g = q.guaranteed();
            if (g.isEmpty()) {
                continue;
            }
            Resources already = sumUnder(chosen, q);
            for (int i = 0; i < g.size(); i++) {
                int id = g.idAt(i);
                long take = u.total.get(id);
                if (take == 0) {
                    continue;
                }
                long after = used(q, id) - freedIn(q, id) - already.get(id) - take;
                if (after < g.valueAt(i)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The lowest queue that holds both. */
    private static QueueState common(QueueState a, QueueState b) {
        for (QueueState q = a; q != null; q = q.parent()) {
            if (q.contains(b)) {
                return q;
            }
        }
        return null;
    }

    /**
     * A priority as seen from {@code top}: each queue on the way up adds its {@code priority.offset}, and a fenced
     * queue shows only its offset (YuniKorn's priority.policy: fence).
     */
    static long seen(long priority, QueueState leaf, QueueState top) {
        long v = priority;
        for (QueueState q = leaf; q != null && q != top; q = q.parent()) {
            v = q.priorityFence() ? q.priorityOffset() : v + q.priorityOffset();
        }
        return v;
    }

    // ------------------------------------------------------------------ words

    private String reason(PreemptionRequested.Kind kind, PodState ask, QueueState leaf, Candidate c, Resources req) {
        Map<String, List<PodState>> byQueue = new LinkedHashMap<>();
        for (Unit u : c.units) {
            byQueue.computeIfAbsent(u.leaf.fullName(), k -> new ArrayList<>()).addAll(u.pods);
        }
        StringJoiner from = new StringJoiner("; ");
        byQueue.forEach((q, pods) -> {
            QueueState vq = state.queues().get(q);
            from.add(q + " (" + usageText(vq) + "): " + names(pods));
        });
        String why = kind == PreemptionRequested.Kind.GUARANTEED
                ? "queue " + leaf.fullName() + " is within its guarantee (" + usageText(leaf) + ", the pod asks " + req + ")"
                : "pod priority " + ask.pod().priority() + " in " + leaf.fullName() + " is above its victims'";
        return "pod " + ask.pod().key() + " preempts " + c.pods + " pod(s) on node " + c.node + ": " + why
                + "; from " + from;
    }

    private String usageText(QueueState q) {
        StringJoiner j = new StringJoiner(", ");
        Resources shown = q.guaranteed().isEmpty() ? q.max() : q.guaranteed();
        for (int i = 0; i < shown.size(); i++) {
            int id = shown.idAt(i);
            if (id == ResourceNames.PODS) {
                continue;
            }
            j.add(ResourceNames.name(id) + " " + Quantity.format(id, used(q, id) - freedIn(q, id)) + " of "
                    + (q.guaranteed().isEmpty() ? "max " : "guaranteed ") + Quantity.format(id, shown.valueAt(i)));
        }
        return j.length() == 0 ? "no guarantee" : j.toString();
    }

    private static String names(List<PodState> pods) {
        StringJoiner j = new StringJoiner(", ");
        pods.stream().map(p -> p.pod().key()).sorted().forEach(j::add);
        return j.toString();
    }

}
