package io.fairway.core.state;

import io.fairway.core.config.ConfigException;
import io.fairway.core.config.QueueConfigParser;
import io.fairway.core.config.SchedulerConfig;
import io.fairway.core.events.AdminAction;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.PriorityClassGone;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.placement.Placement;
import io.fairway.core.placement.Submission;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import io.fairway.core.ugm.LimitBreach;
import io.fairway.core.ugm.UserGroupManager;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The scheduler's picture of the cluster, built only by {@link #apply} from the event log.
 *
 * <p>{@code apply} is deterministic and total: the same events in the same order give the same state (and
 * {@link #hash()}) in every replica and every replay; it reads no clock, draws no random number, and an event that
 * does not fit is ignored with a reason instead of throwing. Sums kept here are commutative, so where a
 * {@link HashMap} is iterated to rebuild them the order does not matter; everything ordered lives in sorted maps.
 */
public final class ClusterState {
    public static final String DEFAULT_SCHEDULER_NAME = "fairway";
    /** The queue an app goes to when its pods name none (YuniKorn's k8shim default). */
    public static final String DEFAULT_QUEUE = "root.default";
    /** Used until a queue config is observed: root with one leaf, {@code default}. */
    public static final String DEFAULT_CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    submitacl: "*"
                    queues:
                      - name: default
            """;

    private static final int TOMBSTONES = 65_536;
    /** Config versions the history keeps. */
    public static final int CONFIG_HISTORY = 50;
    /** Leader terms the state keeps. */
    public static final int LEADER_TERMS = 20;
    private static final int RECENT_IGNORED = 64;

    private final String schedulerName;
    private final TreeMap<String, NodeState> nodes = new TreeMap<>();
    /** The same nodes and apps by key, for lookups on the hot path; the sorted maps are for ordered reads. */
    private final HashMap<String, NodeState> nodeIndex = new HashMap<>();
    private final HashMap<String, PodState> pods = new HashMap<>();
    private final TreeMap<String, AppState> apps = new TreeMap<>();
    private final HashMap<String, AppState> appIndex = new HashMap<>();
    private final TreeMap<String, Integer> priorityClasses = new TreeMap<>();
    private final ResourceCounter capacity = new ResourceCounter();
    /** Deleted pod uids with their deletion version, so that a late, older observation cannot bring one back. */
    /** What apply changed since the store last wrote: the rows it must write. */
    private final StateChanges changes = new StateChanges();
    private final LinkedHashMap<String, String> tombstones = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > TOMBSTONES;
        }
    };
    /** Deleted node names with their deletion version, for the same reason. */
    private final LinkedHashMap<String, String> nodeTombstones = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > TOMBSTONES;
        }
    };
    private final ArrayDeque<String> recentIgnored = new ArrayDeque<>();
    /** The newest config versions seen, oldest first, at most {@link #CONFIG_HISTORY}: the console's history. */
    private final ArrayList<ConfigChange> configHistory = new ArrayList<>();
    /** The newest leader terms, oldest first, at most {@link #LEADER_TERMS}. */
    private final ArrayDeque<LeaderTerm> leaderTerms = new ArrayDeque<>();

    private SchedulerConfig config;
    private String configText;
    private String configVersion = "";
    /** The newest config version seen, valid or not: an older one arriving late must not replace what followed. */
    private String configSeenVersion = "";
    private QueueTree queues;
    private Placement placement;
    /** User and group limits with their usage; rebuilt with the tree, counted from the pods like the queues' usage. */
    private UserGroupManager userGroups;
    private long leaderEpoch;
    private String leader = "";
    private long appliedCount;
    /** Decisions applied (allocations, releases, waits, gang and preemption decisions): the console's decisions/s. */
    private long decisionsApplied;
    private long ignoredCount;
    /** Allocations that reprogram an FPGA region, counted as applied: a figure for metrics and explain. */
    private long fpgaReprograms;
    /** Event time of the config now in force: a lowered max is enforced by quota preemption from then on. */
    private long configAppliedAt;
    /** Preemptions applied, for metrics and explain. */
    private long preemptions;
    /** Victims by preemptor uid (or {@link PodState#QUOTA}), while they are still here; rebuilt from the pods. */
    private final HashMap<String, TreeSet<String>> victims = new HashMap<>();

    public ClusterState() {
        this(DEFAULT_SCHEDULER_NAME);
    }

    /** @param schedulerName pods whose {@code schedulerName} is this are scheduled; others only use room */
    public ClusterState(String schedulerName) {
        this.schedulerName = schedulerName;
        this.configText = DEFAULT_CONFIG;
        this.config = QueueConfigParser.parse(DEFAULT_CONFIG);
        this.queues = new QueueTree(config.defaultPartition());
        this.placement = Placement.of(config.defaultPartition());
        this.userGroups = new UserGroupManager(config.defaultPartition());
    }

    /** The state as plain data, for stores and snapshots. */
    public StateSnapshot snapshot() {
        return StateSnapshot.of(this);
    }

    /** A state rebuilt from a snapshot; it has the same {@link #hash()} as the state the snapshot was taken of. */
    public static ClusterState restore(StateSnapshot s) {
        ClusterState c = new ClusterState(s.schedulerName());
        c.configText = s.configText();
        c.config = QueueConfigParser.parse(s.configText());
        c.configVersion = s.configVersion();
        c.configSeenVersion = s.configSeenVersion();
        c.queues = new QueueTree(c.config.defaultPartition());
        c.placement = Placement.of(c.config.defaultPartition());
        c.userGroups = new UserGroupManager(c.config.defaultPartition());
        c.leaderEpoch = s.leaderEpoch();
        c.leader = s.leader();
        c.appliedCount = s.appliedCount();
        c.decisionsApplied = s.decisionsApplied();
        c.ignoredCount = s.ignoredCount();
        c.fpgaReprograms = s.fpgaReprograms();
        c.configAppliedAt = s.configAppliedAt();
        c.preemptions = s.preemptions();
        c.configHistory.addAll(s.configHistory());
        c.leaderTerms.addAll(s.leaderTerms());
        for (Node n : s.nodes()) {
            NodeState ns = new NodeState(n);
            c.nodes.put(n.name(), ns);
            c.nodeIndex.put(n.name(), ns);
            c.addCapacity(ns, 1);
        }
        for (StateSnapshot.AppEntry a : s.apps()) {
            Submission sub = a.submission() != null ? a.submission()
                    : new Submission(a.requestedQueue(), a.user(), List.of(), "", Map.of());
            AppState app = new AppState(a.appId(), a.requestedQueue(), a.user(), a.submissionTime(), sub, c.changes);
            c.apps.put(app.appId(), app);
            c.appIndex.put(app.appId(), app);
            if (a.submission() != null) {
                // The groups the app was tracked by live: its first pod's, kept with the app.
                c.userGroups.appAdded(app.appId(), sub.groups());
            }
            if (a.queue() == null || !c.restoreQueue(app, a.queue(), a.rejection())) {
                c.resolveQueue(app);
            }
            app.lastPreemptedAt(a.lastPreemptedAt());
            StateSnapshot.GangEntry g = a.gang();
            if (g != null) {
                app.gang().restore(g.spec(), g.topology(), g.status(), g.since(), g.reason(), g.slots(), g.nextSlotId());
            }
        }
        for (StateSnapshot.PodEntry e : s.pods()) {
            boolean ours = c.schedulerName.equals(e.pod().schedulerName());
            PodState p = new PodState(e.pod(), ours, c.changes);
            p.role(e.role());
            p.node(e.node(), e.bound(), e.allocationEpoch());
            p.wait(e.waitKey(), e.waitMessage(), e.waitingSince());
            if (e.preemption() != null) {
                p.preempted(e.preemption().preemptedBy(), e.preemption().preemptedAt());
                p.hold(e.preemption().holdNode(), e.preemption().holdSince());
                if (p.isPreempted()) {
                    c.victims.computeIfAbsent(p.preemptedBy(), k -> new TreeSet<>()).add(p.uid());
                }
            }
            c.pods.put(p.uid(), p);
            if (ours) {
                AppState app = c.appIndex.get(e.pod().appId());
                if (app == null) {
                    throw new IllegalArgumentException("snapshot pod " + e.pod().key() + " names app " + e.pod().appId()
                            + " that the snapshot does not hold");
                }
                app.podAdded();
                // Rows written before apps kept their submission: the first pod in uid order stands in.
                c.userGroups.appAdded(app.appId(), e.pod().groups());
            }
            c.attach(p);
            if (p.holdsRoom()) {
                c.holdRoom(p, 1);
            }
        }
        for (AppState app : c.apps.values()) {
            for (ReservedSlot slot : app.gang().slots()) {
                if (slot.isFree()) {
                    c.holdSlot(app, slot, 1);
                }
            }
        }
        c.priorityClasses.putAll(s.priorityClasses());
        s.podTombstones().forEach(t -> c.tombstones.put(t.key(), t.version()));
        s.nodeTombstones().forEach(t -> c.nodeTombstones.put(t.key(), t.version()));
        return c;
    }

    // ---------------------------------------------------------------- apply

    /**
     * The pods, apps and nodes apply changed since the last drain, and starts over: a store writes exactly those rows.
     * The first drain starts the recording, so it has nothing to tell ({@link StateChanges#recorded()} is false).
     */
    public StateChanges drainChanges() {
        return changes.drain();
    }

    /** Folds one event into the state. Never throws for an event that does not fit: it is ignored with a reason. */
    public ApplyResult apply(Event event) {
        ApplyResult result = switch (event) {
            case PodObserved e -> podObserved(e);
            case PodGone e -> podGone(e);
            case NodeObserved e -> nodeObserved(e.node());
            case NodeGone e -> nodeGone(e);
            case QueueConfigObserved e -> queueConfig(e);
            case PriorityClassObserved e -> {
                priorityClasses.put(e.name(), e.value());
                yield ApplyResult.APPLIED;
            }
            case PriorityClassGone e -> priorityClasses.remove(e.name()) != null
                    ? ApplyResult.APPLIED : ApplyResult.ignored("priority class " + e.name() + " is not known");
            case AdminAction e -> adminAction(e);
            case LeaderElected e -> leaderElected(e);
            case Allocated e -> isFenced(e.epoch()) ? fenced(e.epoch()) : allocated(e);
            case Released e -> isFenced(e.epoch()) ? fenced(e.epoch()) : released(e);
            case Unschedulable e -> isFenced(e.epoch()) ? fenced(e.epoch()) : unschedulable(e);
            case GangReserved e -> isFenced(e.epoch()) ? fenced(e.epoch()) : gangReserved(e);
            case GangReleased e -> isFenced(e.epoch()) ? fenced(e.epoch()) : gangReleased(e);
            case PreemptionRequested e -> isFenced(e.epoch()) ? fenced(e.epoch()) : preemptionRequested(e);
        };
        if (result.applied()) {
            appliedCount++;
            if (event instanceof Decision) {
                decisionsApplied++;
            }
        } else {
            ignoredCount++;
            if (recentIgnored.size() == RECENT_IGNORED) {
                recentIgnored.removeFirst();
            }
            recentIgnored.addLast(event.type() + ": " + result.reason());
        }
        return result;
    }

    private boolean isFenced(long epoch) {
        return epoch < leaderEpoch;
    }

    private ApplyResult fenced(long epoch) {
        return ApplyResult.ignored("decision of leader epoch " + epoch + " is older than the current epoch " + leaderEpoch);
    }

    private ApplyResult leaderElected(LeaderElected e) {
        if (e.epoch() <= leaderEpoch) {
            return ApplyResult.ignored("leader epoch " + e.epoch() + " is not above the current " + leaderEpoch);
        }
        leaderEpoch = e.epoch();
        leader = e.replica();
        if (leaderTerms.size() == LEADER_TERMS) {
            leaderTerms.removeFirst();
        }
        leaderTerms.addLast(new LeaderTerm(e.epoch(), e.replica(), e.time()));
        return ApplyResult.APPLIED;
    }

    private ApplyResult podObserved(PodObserved e) {
        Pod pod = e.pod();
        String deletedAt = tombstones.get(pod.uid());
        if (deletedAt != null) {
            // Kubernetes never reuses a uid: whatever arrives after the deletion is a late echo.
            return ApplyResult.ignored("pod " + pod.key() + " (" + pod.uid() + ") was deleted at version " + deletedAt);
        }
        PodState existing = pods.get(pod.uid());
        if (existing == null) {
            boolean ours = schedulerName.equals(pod.schedulerName());
            // Labels matter only to placement, once per app: the app keeps its first pod's, the pods are kept without.
            PodState p = new PodState(pod.labels().isEmpty() ? pod : pod.withLabels(Map.of()), ours, changes);
            if (ours) {
                AppState app = appIndex.get(pod.appId());
                if (app == null) {
                    app = new AppState(pod.appId(), requestedQueue(pod), pod.user(), e.time(), Submission.of(pod), changes);
                    changes.app(app.appId());
                    apps.put(app.appId(), app);
                    appIndex.put(app.appId(), app);
                    userGroups.appAdded(app.appId(), pod.groups());
                    resolveQueue(app);
                }
                app.podAdded();
                GangSpec spec = pod.hints().gang();
                if (app.gang().status() == Gang.Status.NONE && !spec.isNone()) {
                    // The first pod that declares task groups defines the gang, as YuniKorn's originator pod does.
                    app.gang().start(spec, pod.hints().topology(), e.time());
                    rejectIfGangOverMax(app, spec);
                }
            }
            p.role(roleFor(pod, p, null));
            if (p.role() == PodState.Role.PLACED) {
                p.node(pod.nodeName(), true, 0);
            }
            pods.put(pod.uid(), p);
            attach(p);
            return ApplyResult.APPLIED;
        }
        if (ResourceVersions.isStale(pod.resourceVersion(), existing.pod().resourceVersion())) {
            return ApplyResult.ignored("pod " + pod.key() + " version " + pod.resourceVersion()
                    + " is not newer than the held " + existing.pod().resourceVersion());
        }
        PodState.Role previousRole = existing.role();
        String previousNode = existing.node();
        boolean wasBound = existing.isBound();
        long epoch = existing.allocationEpoch();
        // Requests and identity are immutable on a real pod; keep the first seen so that usage stays balanced.
        Pod updated = new Pod(pod.uid(), pod.namespace(), pod.name(), existing.pod().appId(), existing.pod().queue(),
                existing.pod().user(), existing.pod().groups(), existing.pod().requests(), pod.priority(),
                pod.nodeSelector(), pod.affinity(), pod.tolerations(), existing.pod().schedulerName(), pod.nodeName(),
                pod.phase(), existing.pod().creationTime(), pod.resourceVersion(), existing.pod().hints());
        // roleFor reads the pod given and the state's ownership and binding, which detach leaves as they are
        PodState.Role role = roleFor(updated, existing, previousRole);
        String node = role != PodState.Role.PLACED ? "" : updated.isBound() ? updated.nodeName() : previousNode;
        // What the pod counts for (its node's, app's and queue's usage, its place among the app's asks) follows from
        // its role, node, requests, app, hints and, while pending, its ask order. When none of them changes (a pod
        // allocated and now seen bound there, a pod seen again as it was), taking it out and putting it back would
        // leave every count as it was: it is skipped.
        boolean counted = role != previousRole || !node.equals(previousNode)
                || (role == PodState.Role.PENDING && updated.priority() != existing.pod().priority());
        if (counted) {
            detach(existing);
        }
        existing.pod(updated);
        existing.role(role);
        switch (role) {
            case PLACED -> {
                if (updated.isBound()) {
                    existing.node(updated.nodeName(), true, previousNode.equals(updated.nodeName()) ? epoch : 0);
                } else {
                    existing.node(previousNode, wasBound, epoch);
                }
            }
            default -> existing.node("", false, 0);
        }
        if (counted) {
            attach(existing);
        }
        if (role != PodState.Role.PENDING) {
            dropHold(existing);
        }
        if (role != PodState.Role.PLACED) {
            victimDone(existing);
        }
        if (existing.isOurs() && role == PodState.Role.TERMINAL) {
            releaseIfFinished(appIndex.get(updated.appId()));
        }
        return ApplyResult.APPLIED;
    }

    private PodState.Role roleFor(Pod pod, PodState state, PodState.Role previous) {
        if (pod.phase().isTerminal()) {
            return PodState.Role.TERMINAL;
        }
        if (pod.isBound() && nodeTombstones.containsKey(pod.nodeName()) && !nodeIndex.containsKey(pod.nodeName())) {
            // Its node is gone: the API server may show it Running until garbage collection, but it runs nowhere.
            return PodState.Role.TERMINAL;
        }
        if (pod.isBound()) {
            return PodState.Role.PLACED;
        }
        if (!state.isOurs()) {
            return PodState.Role.IGNORED;
        }
        // An allocation not yet bound stays: the watcher sees the binding only after the binder made it.
        if (previous == PodState.Role.PLACED && !state.isBound()) {
            return PodState.Role.PLACED;
        }
        return PodState.Role.PENDING;
    }

    private ApplyResult podGone(PodGone e) {
        PodState p = pods.get(e.uid());
        if (p == null) {
            if (tombstones.containsKey(e.uid())) {
                return ApplyResult.ignored("pod " + e.uid() + " is already deleted");
            }
            // Remembered so that a late observation of the pod cannot bring it back.
            tombstones.put(e.uid(), e.resourceVersion());
            changes.tombstone(e.uid());
            return ApplyResult.APPLIED;
        }
        if (ResourceVersions.isOlder(e.resourceVersion(), p.pod().resourceVersion())) {
            return ApplyResult.ignored("deletion of pod " + p.pod().key() + " at version " + e.resourceVersion()
                    + " is older than the held " + p.pod().resourceVersion());
        }
        dropHold(p);
        victimDone(p);
        detach(p);
        pods.remove(e.uid());
        changes.pod(e.uid());
        tombstones.put(e.uid(), e.resourceVersion());
        changes.tombstone(e.uid());
        if (p.isOurs()) {
            AppState app = appIndex.get(p.pod().appId());
            app.podRemoved();
            if (app.podCount() == 0) {
                // Its pods were deleted: whatever the gang still holds goes with the app.
                dropFreeSlots(app, null);
                apps.remove(app.appId());
                appIndex.remove(app.appId());
                changes.app(app.appId());
                userGroups.appRemoved(app.appId());
                QueueState q = queues.get(app.queue());
                if (q != null) {
                    q.removeApp(app.appId());
                    queues.dropIfUnused(q);
                }
            } else {
                releaseIfFinished(app);
            }
        }
        return ApplyResult.APPLIED;
    }

    private ApplyResult nodeObserved(Node node) {
        NodeState existing = nodeIndex.get(node.name());
        if (existing == null) {
            String deletedAt = nodeTombstones.get(node.name());
            if (deletedAt != null) {
                // Unlike pods, a node can come back under the same name: only a newer version is a new node.
                if (deletedAt.isEmpty() || node.resourceVersion().isEmpty()
                        || ResourceVersions.isStale(node.resourceVersion(), deletedAt)) {
                    return ApplyResult.ignored("node " + node.name() + " version " + node.resourceVersion()
                            + " is not newer than its deletion at " + (deletedAt.isEmpty() ? "an unknown version" : deletedAt));
                }
                nodeTombstones.remove(node.name());
            }
            NodeState n = new NodeState(node);
            nodes.put(node.name(), n);
            nodeIndex.put(node.name(), n);
            changes.node(node.name());
            addCapacity(n, 1);
            // Pods can be seen bound to a node before the node itself.
            for (PodState p : podsOn(node.name())) {
                n.place(p);
            }
            return ApplyResult.APPLIED;
        }
        if (ResourceVersions.isStale(node.resourceVersion(), existing.node().resourceVersion())) {
            return ApplyResult.ignored("node " + node.name() + " version " + node.resourceVersion()
                    + " is not newer than the held " + existing.node().resourceVersion());
        }
        addCapacity(existing, -1);
        existing.update(node);
        changes.node(node.name());
        addCapacity(existing, 1);
        return ApplyResult.APPLIED;
    }

    private ApplyResult nodeGone(NodeGone e) {
        NodeState n = nodeIndex.get(e.name());
        if (n == null) {
            return ApplyResult.ignored("node " + e.name() + " is not known");
        }
        if (ResourceVersions.isOlder(e.resourceVersion(), n.node().resourceVersion())) {
            return ApplyResult.ignored("deletion of node " + e.name() + " at version " + e.resourceVersion()
                    + " is older than the held " + n.node().resourceVersion());
        }
        // Room held for preemptors on the node goes with it; they wait (and may preempt) anew.
        for (PodState p : pods.values()) {
            if (p.holdNode().equals(e.name())) {
                dropHold(p);
            }
        }
        // Free gang slots on the node are lost with it; the leader re-reserves them elsewhere or releases the gang.
        for (AppState app : apps.values()) {
            if (app.gang().hasFreeSlots()) {
                dropFreeSlots(app, e.name());
            }
        }
        List<PodState> onNode = new ArrayList<>();
        for (String uid : n.pods()) {
            onNode.add(pods.get(uid));
        }
        for (PodState p : onNode) {
            detach(p);
        }
        addCapacity(n, -1);
        nodes.remove(e.name());
        nodeIndex.remove(e.name());
        changes.node(e.name());
        nodeTombstones.put(e.name(), e.resourceVersion().isEmpty() ? n.node().resourceVersion() : e.resourceVersion());
        for (PodState p : onNode) {
            if (p.isBound()) {
                // The pod died with its node; the API server will say so later, the state says it now.
                p.pod(p.pod().withPhase(PodPhase.Failed, p.pod().resourceVersion()));
                p.role(PodState.Role.TERMINAL);
            } else {
                p.role(PodState.Role.PENDING);
            }
            p.node("", false, 0);
            attach(p);
            if (p.role() != PodState.Role.PLACED) {
                victimDone(p);
            }
        }
        for (PodState p : onNode) {
            if (p.isOurs()) {
                releaseIfFinished(appIndex.get(p.pod().appId()));
            }
        }
        return ApplyResult.APPLIED;
    }

    private ApplyResult adminAction(AdminAction e) {
        if (AdminAction.CONFIG_APPLY.equals(e.action())) {
            configChanged(e.time(), e.target(), null, "", e.user());
        }
        // Recorded for the audit whatever the action: the log is the record, the state keeps only the config history.
        return ApplyResult.APPLIED;
    }

    /**
     * Fills the history entry of {@code version}: an outcome from the watcher's observation (null: keep it), an author
     * from the console's write (empty: keep it). The two come in either order.
     */
    private void configChanged(long time, String version, String outcome, String reason, String author) {
        for (int i = configHistory.size() - 1; i >= 0; i--) {
            ConfigChange c = configHistory.get(i);
            if (c.version().equals(version)) {
                if (outcome != null) {
                    c = c.observed(outcome, reason);
                }
                if (!author.isEmpty()) {
                    c = c.by(author);
                }
                configHistory.set(i, c);
                return;
            }
        }
        if (configHistory.size() == CONFIG_HISTORY) {
            configHistory.removeFirst();
        }
        configHistory.addLast(new ConfigChange(time, version, outcome == null ? ConfigChange.REQUESTED : outcome,
                reason, author));
    }

    private ApplyResult queueConfig(QueueConfigObserved e) {
        if (ResourceVersions.isStale(e.resourceVersion(), configSeenVersion)) {
            return ApplyResult.ignored("queue config version " + e.resourceVersion() + " is not newer than "
                    + configSeenVersion);
        }
        configSeenVersion = e.resourceVersion();
        SchedulerConfig parsed;
        try {
            parsed = QueueConfigParser.parse(e.yaml());
        } catch (ConfigException ex) {
            String problems = String.join("; ", ex.problems().stream().map(Object::toString).toList());
            configChanged(e.time(), e.resourceVersion(), ConfigChange.REJECTED, problems, "");
            return ApplyResult.ignored("queue config version " + e.resourceVersion() + " rejected, previous config stays: "
                    + problems);
        } catch (RuntimeException ex) {
            // apply must be total: a config text the parser chokes on is a rejected config, not a crashed replica.
            configChanged(e.time(), e.resourceVersion(), ConfigChange.REJECTED, "could not be read: " + ex.getMessage(),
                    "");
            return ApplyResult.ignored("queue config version " + e.resourceVersion()
                    + " could not be read, previous config stays: " + ex.getMessage());
        }
        configChanged(e.time(), e.resourceVersion(), ConfigChange.APPLIED, "", "");
        config = parsed;
        configText = e.yaml();
        configVersion = e.resourceVersion();
        configAppliedAt = e.time();
        queues = new QueueTree(parsed.defaultPartition());
        placement = Placement.of(parsed.defaultPartition());
        // Apps are placed again in app id order, every replica alike; dynamic queues still needed come back here.
        userGroups = userGroups.reconfigured(parsed.defaultPartition());
        for (AppState app : apps.values()) {
            resolveQueue(app);
        }
        for (PodState p : pods.values()) {
            attachToQueue(p, 1, false);
        }
        for (AppState app : apps.values()) {
            if (app.placedPods() > 0) {
                chargedQueue(app).runningAppsDelta(1);
                userGroupsRunning(app, chargedQueue(app), 1);
            }
            for (ReservedSlot slot : app.gang().slots()) {
                if (slot.isFree()) {
                    chargedQueue(app).addAllocated(slot.resources());
                    userGroupsAllocated(app, chargedQueue(app), slot.resources(), 1);
                }
            }
        }
        for (PodState p : pods.values()) {
            if (p.holdsRoom()) {
                AppState app = appIndex.get(p.pod().appId());
                chargedQueue(app).addAllocated(p.pod().requests());
                userGroupsAllocated(app, chargedQueue(app), p.pod().requests(), 1);
            }
        }
        return ApplyResult.APPLIED;
    }

    private ApplyResult allocated(Allocated e) {
        PodState p = pods.get(e.podUid());
        if (p == null) {
            return ApplyResult.ignored("pod " + e.podUid() + " is gone");
        }
        if (p.role() != PodState.Role.PENDING) {
            return ApplyResult.ignored("pod " + p.pod().key() + " is " + p.role() + ", not pending");
        }
        NodeState n = nodeIndex.get(e.nodeName());
        if (n == null) {
            return ApplyResult.ignored("node " + e.nodeName() + " for pod " + p.pod().key() + " is gone");
        }
        if (!n.isSchedulable()) {
            return ApplyResult.ignored("node " + e.nodeName() + " is not schedulable");
        }
        AppState app = appIndex.get(p.pod().appId());
        if (!app.queue().equals(e.queue())) {
            return ApplyResult.ignored("pod " + p.pod().key() + " is in queue " + app.queue() + ", not " + e.queue());
        }
        // A gang member takes its group's free slot on this node; placed elsewhere (it did not fit its slot), it
        // gives back its group's first free slot. Either way the slot's room is judged as already given back.
        ReservedSlot slot = memberSlot(app, p.pod().hints().taskGroup(), e.nodeName());
        if (slot != null) {
            holdSlot(app, slot, -1);
        }
        // A preemptor's held room is judged as given back, wherever the pod goes.
        boolean held = p.holdsRoom();
        if (held) {
            holdRoom(p, -1);
        }
        String refused = refuseAllocation(p, n, app, slot != null);
        if (refused != null) {
            if (slot != null) {
                holdSlot(app, slot, 1);
            }
            if (held) {
                holdRoom(p, 1);
            }
            return ApplyResult.ignored(refused);
        }
        p.hold("", 0);
        if (slot != null) {
            app.gang().use(slot, p.uid());
        }
        if (Allocated.FPGA_REPROGRAM.equals(e.fpga())) {
            fpgaReprograms++;
        }
        detach(p);
        p.role(PodState.Role.PLACED);
        p.node(e.nodeName(), false, e.epoch());
        p.wait("", "", 0);
        attach(p);
        return ApplyResult.APPLIED;
    }

    /** The slot a member pod placed on {@code node} takes, or null when it is no member with a free slot. */
    private static ReservedSlot memberSlot(AppState app, String group, String node) {
        Gang g = app.gang();
        if (group.isEmpty() || g.status() != Gang.Status.RESERVED) {
            return null;
        }
        ReservedSlot slot = g.freeSlotOn(group, node);
        return slot != null ? slot : g.firstFree(group);
    }

    private String refuseAllocation(PodState p, NodeState n, AppState app, boolean intoSlot) {
        Resources req = p.pod().requests();
        if (!req.fitsWithin(n.allocated().raw(), n.node().allocatable())) {
            return "pod " + p.pod().key() + " does not fit on node " + n.name()
                    + " (allocated " + n.allocated() + ", allocatable " + n.node().allocatable() + ", request " + req + ")";
        }
        if (app.gang().status() == Gang.Status.FAILED) {
            return "app " + app.appId() + " failed: " + app.gang().reason();
        }
        QueueState leaf = queues.get(app.queue());
        QueueHeadroom.Over over = QueueHeadroom.overMax(leaf, req, QueueHeadroom.COMMITTED);
        if (over != null) {
            return "queue " + over.queue().fullName() + " would go over its max";
        }
        // A gang that holds slots was let in when it reserved them.
        boolean starts = !intoSlot && app.placedPods() == 0 && !app.gang().hasFreeSlots();
        QueueHeadroom.AtMaxApplications full = starts ? QueueHeadroom.atMaxApplications(leaf, QueueState::runningApps) : null;
        if (full != null) {
            return "queue " + full.queue().fullName() + " already runs maxapplications " + full.max();
        }
        LimitBreach limit = userGroups.check(userGroups.owner(app.appId(), app.user(), app.queue()), app.queue(), req,
                starts, null, false);
        return limit == null ? null : limit.message();
    }

    private ApplyResult gangReserved(GangReserved e) {
        AppState app = appIndex.get(e.appId());
        if (app == null) {
            return ApplyResult.ignored("app " + e.appId() + " is gone");
        }
        Gang g = app.gang();
        if (g.status() != Gang.Status.WAITING && g.status() != Gang.Status.RESERVED) {
            return ApplyResult.ignored("app " + e.appId() + " is not a gang waiting for a reservation (" + g.status() + ")");
        }
        if (app.queue().isEmpty()) {
            return ApplyResult.ignored("app " + e.appId() + " has no queue: " + app.rejection());
        }
        if (app.pendingPods() == 0 && app.placedPods() == 0) {
            return ApplyResult.ignored("app " + e.appId() + " has no pod left to reserve for");
        }
        if (e.slots().isEmpty()) {
            return ApplyResult.ignored("reservation of app " + e.appId() + " has no slot");
        }
        // All or nothing: every slot is checked, with the others of the same decision, before any is taken.
        Map<String, Integer> perGroup = new HashMap<>();
        Map<String, ResourceCounter> perNode = new TreeMap<>();
        ResourceCounter total = new ResourceCounter();
        for (GangReserved.Slot slot : e.slots()) {
            TaskGroup group = g.spec().group(slot.group());
            if (group == null) {
                return ApplyResult.ignored("app " + e.appId() + " has no task group " + slot.group());
            }
            int n = perGroup.merge(slot.group(), 1, Integer::sum);
            if (n > g.missing(group)) {
                return ApplyResult.ignored("task group " + slot.group() + " of app " + e.appId() + " needs "
                        + g.missing(group) + " more slot(s), the reservation has " + n);
            }
            NodeState node = nodeIndex.get(slot.node());
            if (node == null || !node.isSchedulable()) {
                return ApplyResult.ignored("node " + slot.node() + " for app " + e.appId() + " is gone or not schedulable");
            }
            perNode.computeIfAbsent(slot.node(), k -> new ResourceCounter()).add(slot.resources());
            total.add(slot.resources());
        }
        for (Map.Entry<String, ResourceCounter> pn : perNode.entrySet()) {
            NodeState node = nodeIndex.get(pn.getKey());
            if (!pn.getValue().snapshot().fitsWithin(node.allocated().raw(), node.node().allocatable())) {
                return ApplyResult.ignored("the reservation of app " + e.appId() + " does not fit on node " + pn.getKey());
            }
        }
        Resources sum = total.snapshot();
        QueueHeadroom.Over over = QueueHeadroom.overMax(queues.get(app.queue()), sum, QueueHeadroom.COMMITTED);
        if (over != null) {
            return ApplyResult.ignored("the reservation of app " + e.appId() + " would take queue "
                    + over.queue().fullName() + " over its max");
        }
        // Like the queues' maxapplications, the users' is checked by the leader when it reserves, not here.
        LimitBreach limit = userGroups.check(userGroups.owner(app.appId(), app.user(), app.queue()), app.queue(), sum,
                false, null, true);
        if (limit != null) {
            return ApplyResult.ignored("the reservation of app " + e.appId() + " would break a limit: " + limit.message());
        }
        for (GangReserved.Slot slot : e.slots()) {
            holdSlot(app, g.addSlot(slot.group(), slot.node(), slot.resources()), 1);
        }
        g.status(Gang.Status.RESERVED, "");
        return ApplyResult.APPLIED;
    }

    /**
     * Marks the victims (they keep their room until they are gone) and holds room for the preemptor on its node. All
     * or nothing: a victim that is no longer running, or a preemptor that is no longer waiting, drops the decision.
     */
    private ApplyResult preemptionRequested(PreemptionRequested e) {
        if (e.victims().isEmpty()) {
            return ApplyResult.ignored("preemption names no victim");
        }
        boolean quota = e.kind() == PreemptionRequested.Kind.QUOTA;
        PodState preemptor = null;
        NodeState node = null;
        if (!quota) {
            preemptor = pods.get(e.preemptorUid());
            if (preemptor == null || !preemptor.isOurs() || preemptor.role() != PodState.Role.PENDING) {
                return ApplyResult.ignored("preemptor " + e.preemptorUid() + " is gone or no longer pending");
            }
            if (preemptor.holdsRoom()) {
                return ApplyResult.ignored("preemptor " + preemptor.pod().key() + " already holds room on "
                        + preemptor.holdNode());
            }
            node = nodeIndex.get(e.nodeName());
            if (node == null || !node.isSchedulable()) {
                return ApplyResult.ignored("node " + e.nodeName() + " for preemptor " + preemptor.pod().key()
                        + " is gone or not schedulable");
            }
        }
        TreeSet<String> distinct = new TreeSet<>(e.victims());
        for (String uid : distinct) {
            PodState v = pods.get(uid);
            if (v == null || v.role() != PodState.Role.PLACED || !v.isOurs()) {
                return ApplyResult.ignored("victim " + uid + " is gone or not running");
            }
            if (v.isPreempted()) {
                return ApplyResult.ignored("victim " + v.pod().key() + " is already preempted by " + v.preemptedBy());
            }
        }
        String by = quota ? PodState.QUOTA : preemptor.uid();
        for (String uid : distinct) {
            PodState v = pods.get(uid);
            v.preempted(by, e.time());
            victims.computeIfAbsent(by, k -> new TreeSet<>()).add(uid);
            AppState app = appIndex.get(v.pod().appId());
            app.lastPreemptedAt(e.time());
            Gang g = app.gang();
            if (g.status() == Gang.Status.RESERVED || g.status() == Gang.Status.WAITING) {
                // The whole gang goes: what it still holds goes with it, and it waits whole again if it comes back.
                dropFreeSlots(app, null);
                g.status(Gang.Status.WAITING, "preempted: " + e.reason());
            }
        }
        if (preemptor != null) {
            preemptor.hold(node.name(), e.time());
            holdRoom(preemptor, 1);
        }
        preemptions++;
        return ApplyResult.APPLIED;
    }

    /** Counts (sign 1) or stops counting (sign -1) a preemptor's held room on its node and its app's queues. */
    private void holdRoom(PodState p, int sign) {
        hold(appIndex.get(p.pod().appId()), p.holdNode(), p.pod().requests(), sign);
    }

    private void dropHold(PodState p) {
        if (p.holdsRoom()) {
            holdRoom(p, -1);
            p.hold("", 0);
        }
    }

    /** A victim leaves the index when it is gone or no longer running. */
    private void victimDone(PodState p) {
        if (p.isPreempted()) {
            TreeSet<String> set = victims.get(p.preemptedBy());
            if (set != null && set.remove(p.uid()) && set.isEmpty()) {
                victims.remove(p.preemptedBy());
            }
        }
    }

    private ApplyResult gangReleased(GangReleased e) {
        AppState app = appIndex.get(e.appId());
        if (app == null) {
            return ApplyResult.ignored("app " + e.appId() + " is gone");
        }
        Gang g = app.gang();
        switch (g.status()) {
            case NONE, FAILED, NORMAL -> {
                return ApplyResult.ignored("app " + e.appId() + " has no gang to release (" + g.status() + ")");
            }
            default -> {
            }
        }
        dropFreeSlots(app, null);
        g.status(switch (e.next()) {
            case WAIT -> Gang.Status.WAITING;
            case NORMAL -> Gang.Status.NORMAL;
            case FAILED -> Gang.Status.FAILED;
        }, e.reason());
        return ApplyResult.APPLIED;
    }

    /** A gang app with nothing left to run or wait for gives back the slots no member came for. */
    private void releaseIfFinished(AppState app) {
        if (app != null && app.pendingPods() == 0 && app.placedPods() == 0 && app.gang().hasFreeSlots()) {
            dropFreeSlots(app, null);
        }
    }

    /** Drops an app's free slots: all of them, or those on {@code node}. */
    private void dropFreeSlots(AppState app, String node) {
        for (ReservedSlot slot : List.copyOf(app.gang().slots())) {
            if (slot.isFree() && (node == null || slot.node().equals(node))) {
                holdSlot(app, slot, -1);
                app.gang().drop(slot);
            }
        }
    }

    /**
     * Counts (sign 1) or stops counting (sign -1) a free slot's room on its node and the app's queues; the gang's own
     * counter moves with its slots.
     */
    private void holdSlot(AppState app, ReservedSlot slot, int sign) {
        hold(app, slot.node(), slot.resources(), sign);
    }

    /**
     * Counts (sign 1) or stops counting (sign -1) room held for an app without a pod on it yet (a gang's free slot, a
     * preemptor's freed room): on its node, in the app's queues, and for its user and group, as a placed pod counts.
     */
    private void hold(AppState app, String node, Resources r, int sign) {
        NodeState n = nodeIndex.get(node);
        if (n != null) {
            n.reserve(r, sign);
        }
        QueueState q = chargedQueue(app);
        if (sign > 0) {
            q.addAllocated(r);
        } else {
            q.subtractAllocated(r);
        }
        userGroupsAllocated(app, q, r, sign);
    }

    private ApplyResult released(Released e) {
        PodState p = pods.get(e.podUid());
        if (p == null) {
            return ApplyResult.ignored("pod " + e.podUid() + " is gone");
        }
        if (p.role() == PodState.Role.PENDING && p.holdsRoom()) {
            if (!p.holdNode().equals(e.nodeName())) {
                return ApplyResult.ignored("pod " + p.pod().key() + " holds room on " + p.holdNode() + ", not "
                        + e.nodeName());
            }
            dropHold(p);
            return ApplyResult.APPLIED;
        }
        if (p.role() != PodState.Role.PLACED || p.isBound() || !p.isOurs()) {
            return ApplyResult.ignored("pod " + p.pod().key() + " holds no unbound allocation");
        }
        if (!p.node().equals(e.nodeName())) {
            return ApplyResult.ignored("pod " + p.pod().key() + " is allocated on " + p.node() + ", not " + e.nodeName());
        }
        detach(p);
        p.role(PodState.Role.PENDING);
        p.node("", false, 0);
        attach(p);
        return ApplyResult.APPLIED;
    }

    private ApplyResult unschedulable(Unschedulable e) {
        PodState p = pods.get(e.podUid());
        if (p == null) {
            return ApplyResult.ignored("pod " + e.podUid() + " is gone");
        }
        if (p.role() != PodState.Role.PENDING) {
            return ApplyResult.ignored("pod " + p.pod().key() + " is no longer pending");
        }
        if (p.waitKey().equals(e.reasonKey())) {
            return ApplyResult.ignored("pod " + p.pod().key() + " already waits for " + e.reasonKey());
        }
        p.wait(e.reasonKey(), e.message(), e.time());
        return ApplyResult.APPLIED;
    }

    // ---------------------------------------------------------------- contributions

    private String requestedQueue(Pod pod) {
        String q = QueueTree.normalize(pod.queue());
        return q.isEmpty() ? DEFAULT_QUEUE : q;
    }

    /**
     * Where an app's running pods count. Normally its leaf; when a reload removed that leaf, the nearest queue of
     * its old path that still exists, so that the parents' usage and max stay true while the pods drain.
     */
    private QueueState chargedQueue(AppState app) {
        String name = app.queue().isEmpty() ? app.requestedQueue() : app.queue();
        while (!name.isEmpty()) {
            QueueState q = queues.get(name);
            if (q != null) {
                return q;
            }
            int dot = name.lastIndexOf('.');
            name = dot < 0 ? "" : name.substring(0, dot);
        }
        return queues.root();
    }

    /**
     * A gang whose task groups together ask more than its queue's max, at any level, can never be placed whole:
     * rejected when submitted, as YuniKorn's partition rejects it (same wording), rather than failed later.
     */
    private void rejectIfGangOverMax(AppState app, GangSpec spec) {
        QueueState leaf = app.queue().isEmpty() ? null : queues.get(app.queue());
        if (leaf == null) {
            return;
        }
        Resources request = spec.total();
        if (QueueHeadroom.overMax(leaf, request, QueueHeadroom.NOTHING) == null) {
            return;
        }
        // YuniKorn names the max set of the path: per resource, the smallest max any queue on it names
        Map<String, Long> smallest = new TreeMap<>();
        for (QueueState q = leaf; q != null; q = q.parent()) {
            q.max().toMap().forEach((name, v) -> smallest.merge(name, v, Math::min));
        }
        Resources.Builder maxSet = Resources.builder();
        smallest.forEach(maxSet::set);
        leaf.removeApp(app.appId());
        queues.dropIfUnused(leaf);
        app.queue("", "queue " + leaf.fullName() + " cannot fit application " + app.appId() + ": task group request "
                + goMap(request) + " larger than max queue allocation " + goMap(maxSet.build()));
    }

    /** As YuniKorn prints resources: {@code map[cpu:18 memory:5Gi]}. */
    private static String goMap(Resources r) {
        StringJoiner j = new StringJoiner(" ", "map[", "]");
        new TreeMap<>(r.toQuantities()).forEach((k, v) -> j.add(k + ":" + v));
        return j.toString();
    }

    private void resolveQueue(AppState app) {
        Placement.Result r = placement.place(app.submission(), queues);
        if (r.isRejected()) {
            app.queue("", r.rejection());
            return;
        }
        QueueState q = r.create() ? queues.addDynamic(r.queue()) : queues.get(r.queue());
        app.queue(q.fullName(), "");
        q.addApp(app);
    }

    /**
     * Puts a restored app where the snapshot says it was, re-creating its dynamic queue; false when the tree cannot
     * hold it there (a snapshot that does not fit its own config), and the app is placed again instead.
     */
    private boolean restoreQueue(AppState app, String queue, String rejection) {
        if (queue.isEmpty()) {
            app.queue("", rejection == null || rejection.isEmpty() ? "no queue" : rejection);
            return true;
        }
        QueueState q = queues.get(queue);
        if (q == null) {
            try {
                q = queues.addDynamic(queue);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (!q.isLeaf()) {
            return false;
        }
        app.queue(q.fullName(), "");
        q.addApp(app);
        return true;
    }

    /** Adds (sign 1) or removes (sign -1) what a pod counts for in its node, app and queue. */
    private void attach(PodState p) {
        contribute(p, 1);
    }

    private void detach(PodState p) {
        contribute(p, -1);
    }

    private void contribute(PodState p, int sign) {
        if (p.role() == PodState.Role.PLACED) {
            NodeState n = nodeIndex.get(p.node());
            if (n != null) {
                if (sign > 0) {
                    n.place(p);
                } else {
                    n.remove(p);
                }
            }
        }
        if (!p.isOurs()) {
            return;
        }
        AppState app = appIndex.get(p.pod().appId());
        switch (p.role()) {
            case PENDING -> {
                if (sign > 0) {
                    app.addPending(p);
                } else {
                    app.removePending(p);
                }
            }
            case PLACED -> {
                if (sign > 0) {
                    app.addPlaced(p);
                } else {
                    app.removePlaced(p);
                }
            }
            case TERMINAL -> app.completed(sign);
            case IGNORED -> {
            }
        }
        attachToQueue(p, sign, true);
    }

    /** @param countApps track the app's first and last placed pod in the queue's running-app count */
    private void attachToQueue(PodState p, int sign, boolean countApps) {
        if (!p.isOurs()) {
            return;
        }
        AppState app = appIndex.get(p.pod().appId());
        QueueState q = p.role() == PodState.Role.PLACED ? chargedQueue(app) : queues.get(app.queue());
        if (q == null) {
            return;
        }
        Resources req = p.pod().requests();
        switch (p.role()) {
            case PENDING -> {
                if (sign > 0) {
                    q.addPending(req);
                } else {
                    q.subtractPending(req);
                }
            }
            case PLACED -> {
                if (sign > 0) {
                    q.addAllocated(req);
                    if (countApps && app.placedPods() == 1) {
                        q.runningAppsDelta(1);
                        userGroupsRunning(app, q, 1);
                    }
                } else {
                    q.subtractAllocated(req);
                    if (countApps && app.placedPods() == 0) {
                        q.runningAppsDelta(-1);
                        userGroupsRunning(app, q, -1);
                    }
                }
                userGroupsAllocated(app, q, req, sign);
            }
            default -> {
            }
        }
    }

    /** What an app's placed pod or free slot in {@code q} counts for its user and group. */
    private void userGroupsAllocated(AppState app, QueueState q, Resources r, int sign) {
        if (!userGroups.limits().isEmpty()) {
            userGroups.allocated(userGroups.owner(app.appId(), app.user(), q.fullName()), q.fullName(), r, sign);
        }
    }

    private void userGroupsRunning(AppState app, QueueState q, int delta) {
        if (!userGroups.limits().isEmpty()) {
            userGroups.running(userGroups.owner(app.appId(), app.user(), q.fullName()), q.fullName(), delta);
        }
    }

    private List<PodState> podsOn(String node) {
        List<PodState> out = new ArrayList<>();
        for (PodState p : pods.values()) {
            if (p.role() == PodState.Role.PLACED && p.node().equals(node)) {
                out.add(p);
            }
        }
        return out;
    }

    private void addCapacity(NodeState n, int sign) {
        if (!n.isSchedulable()) {
            return;
        }
        if (sign > 0) {
            capacity.add(n.node().allocatable());
        } else {
            capacity.subtract(n.node().allocatable());
        }
    }

    // ---------------------------------------------------------------- reads

    public String schedulerName() {
        return schedulerName;
    }

    public SortedMap<String, NodeState> nodes() {
        return Collections.unmodifiableSortedMap(nodes);
    }

    public NodeState node(String name) {
        return nodeIndex.get(name);
    }

    public PodState pod(String uid) {
        return pods.get(uid);
    }

    /** Every pod, in no particular order. */
    public Collection<PodState> pods() {
        return Collections.unmodifiableCollection(pods.values());
    }

    public SortedMap<String, AppState> apps() {
        return Collections.unmodifiableSortedMap(apps);
    }

    public AppState app(String appId) {
        return appIndex.get(appId);
    }

    public QueueTree queues() {
        return queues;
    }

    public SchedulerConfig config() {
        return config;
    }

    /** The user and group limits and what each user and group uses, for the scheduler's checks and for views. */
    public UserGroupManager userGroups() {
        return userGroups;
    }

    public String configText() {
        return configText;
    }

    public String configVersion() {
        return configVersion;
    }

    public SortedMap<String, Integer> priorityClasses() {
        return Collections.unmodifiableSortedMap(priorityClasses);
    }

    /** Allocatable of every ready, schedulable node, summed. */
    public ResourceCounter capacity() {
        return capacity;
    }

    public long leaderEpoch() {
        return leaderEpoch;
    }

    public String leader() {
        return leader;
    }

    /** Decisions applied so far; like {@link #appliedCount()} a counter, kept in snapshots but not in the hash. */
    public long decisionsApplied() {
        return decisionsApplied;
    }

    /** Events applied so far; changes whenever the state does. */
    public long appliedCount() {
        return appliedCount;
    }

    public long ignoredCount() {
        return ignoredCount;
    }

    /** Event time of the queue config in force (0 for the built-in default). */
    public long configAppliedAt() {
        return configAppliedAt;
    }

    /** The newest leader terms (at most {@link #LEADER_TERMS}), oldest first; the last is the current one. */
    public List<LeaderTerm> leaderTerms() {
        return List.copyOf(leaderTerms);
    }

    /** The newest config versions seen (at most {@link #CONFIG_HISTORY}), oldest first. */
    public List<ConfigChange> configHistory() {
        return List.copyOf(configHistory);
    }

    /** Preemptions applied so far. */
    public long preemptions() {
        return preemptions;
    }

    /** The victims of a preemptor (or of {@link PodState#QUOTA}) that are still here, sorted by uid. */
    public SortedSet<String> victimsOf(String preemptor) {
        TreeSet<String> set = victims.get(preemptor);
        return set == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(set);
    }

    /** Allocations applied that reprogram an FPGA region. */
    public long fpgaReprograms() {
        return fpgaReprograms;
    }

    /** The last few ignored events with their reasons, oldest first, for logs and debugging. */
    public List<String> recentIgnored() {
        return List.copyOf(recentIgnored);
    }

    /** A SHA-256 digest of the whole state, the same for the same state in every JVM. */
    public String hash() {
        return StateDigest.of(this);
    }

    /** Deleted pod uids with their deletion versions, oldest first. */
    public Map<String, String> tombstones() {
        return Collections.unmodifiableMap(tombstones);
    }

    /** Deleted node names with their deletion versions, oldest first. */
    public Map<String, String> nodeTombstones() {
        return Collections.unmodifiableMap(nodeTombstones);
    }

    /** The newest queue config version seen, accepted or not. */
    public String configSeenVersion() {
        return configSeenVersion;
    }
}
