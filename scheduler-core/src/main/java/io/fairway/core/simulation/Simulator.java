package io.fairway.core.simulation;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.YuniKornLabels;
import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.simulation.Scenario.Expectation;
import io.fairway.core.simulation.Scenario.NodeSpec;
import io.fairway.core.simulation.Scenario.Step;
import io.fairway.core.simulation.SimulationReport.Check;
import io.fairway.core.simulation.SimulationReport.Result;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueState;
import io.fairway.core.state.ReservedSlot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs a {@link Scenario} through the real {@link ClusterState} and {@link Scheduler} on a virtual clock, standing
 * in for the watcher (observations), the log (decisions applied as soon as made) and the kubelets (a bound pod
 * runs, then completes after its duration).
 *
 * <p>At each point in time: the steps due, then the completions due, then scheduling cycles until nothing more
 * can be placed, then the expectations due.
 */
public final class Simulator {
    private static final long EPOCH = 1;

    private final Scenario scenario;
    private final boolean tracing;
    private final ClusterState state = new ClusterState();
    private final Scheduler scheduler;
    private final List<String> notes = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();
    private final List<Result> results = new ArrayList<>();
    private final Map<String, Pod> pods = new HashMap<>();
    private final Map<String, String> uidByName = new HashMap<>();
    private final Map<String, Long> boundAt = new HashMap<>();
    private final Map<String, Long> durations = new HashMap<>();
    private final TreeMap<Long, List<String>> completions = new TreeMap<>();
    /** Preempted pods, by the time their graceful deletion ends. */
    private final TreeMap<Long, List<String>> deletions = new TreeMap<>();
    /** Pods deleted by preemption, and how many of each app. */
    private final Set<String> deleted = new HashSet<>();
    private final Map<String, Integer> preemptedPerApp = new HashMap<>();
    private final Map<String, Integer> podsPerApp = new HashMap<>();
    /** Every node and queue the run had at some moment: an expectation may only name what the run saw. */
    private final Set<String> nodesSeen = new HashSet<>();
    private final Set<String> queuesSeen = new HashSet<>();
    private final Map<String, Node> nodes = new HashMap<>();
    /** How each FPGA pod was placed: programmed or reprogram, from its Allocated decision. */
    private final Map<String, String> fpgaPlacement = new HashMap<>();
    private long version;
    private long lastTime = -1;
    private long podSeq;
    private long decisions;
    private long allocations;
    private long cycles;

    private Simulator(Scenario scenario, boolean tracing, int maxAllocationsPerCycle) {
        this.scenario = scenario;
        this.tracing = tracing;
        this.scheduler = new Scheduler(state, EPOCH, maxAllocationsPerCycle);
    }

    public static SimulationReport run(Scenario scenario, boolean trace) {
        return new Simulator(scenario, trace, Scheduler.DEFAULT_MAX_ALLOCATIONS_PER_CYCLE).execute();
    }

    /**
     * A scenario as a workload: its config, its nodes and every submission of every step at time 0, with no
     * scheduling done and the expectations left out. Benchmarks use this to feed another scheduler the same input.
     */
    public static ClusterState loadWorkload(Scenario scenario) {
        Simulator s = new Simulator(scenario, false, Scheduler.DEFAULT_MAX_ALLOCATIONS_PER_CYCLE);
        s.start();
        for (Step step : scenario.steps()) {
            for (Scenario.Action a : step.actions()) {
                switch (a) {
                    case Scenario.Submit submit -> s.submit(0, submit);
                    case Scenario.AddNodes add -> add.nodes().forEach(spec -> s.addNodes(0, spec));
                    default -> {
                    }
                }
            }
        }
        return s.state;
    }

    private void start() {
        observe(new LeaderElected(0, EPOCH, "simulator"));
        scenario.priorityClasses().forEach((name, value) -> observe(
                new PriorityClassObserved(0, name, value, false, nextVersion())));
        if (scenario.queues() != null) {
            ApplyResult r = observe(new QueueConfigObserved(0, scenario.queues(), nextVersion()));
            if (!r.applied()) {
                throw new ScenarioException("the scenario's queues are invalid: " + r.reason(), 0);
            }
        }
        for (NodeSpec spec : scenario.nodes()) {
            addNodes(0, spec);
        }
    }

    private SimulationReport execute() {
        start();
        int nextStep = 0;
        int nextExpectation = 0;
        List<Step> steps = scenario.steps();
        List<Expectation> expectations = scenario.expectations().stream()
                .sorted(Comparator.comparingLong(Expectation::at)).toList();
        while (true) {
            long t = Long.MAX_VALUE;
            if (nextStep < steps.size()) {
                t = Math.min(t, steps.get(nextStep).at());
            }
            if (nextExpectation < expectations.size()) {
                t = Math.min(t, expectations.get(nextExpectation).at());
            }
            // Completions after the last step and expectation change nothing anyone looks at.
            if (!completions.isEmpty() && (nextStep < steps.size() || nextExpectation < expectations.size())) {
                t = Math.min(t, completions.firstKey());
            }
            if (!deletions.isEmpty() && (nextStep < steps.size() || nextExpectation < expectations.size())) {
                t = Math.min(t, deletions.firstKey());
            }
            // A gang's timeout is a moment too: the leader cycles at least every second while pods wait.
            if (nextStep < steps.size() || nextExpectation < expectations.size()) {
                t = Math.min(t, scheduler.nextDeadline(lastTime));
            }
            if (t == Long.MAX_VALUE) {
                break;
            }
            while (nextStep < steps.size() && steps.get(nextStep).at() == t) {
                Step step = steps.get(nextStep);
                for (Scenario.Action a : step.actions()) {
                    try {
                        act(t, a);
                    } catch (ScenarioException e) {
                        throw e.line() > 0 ? e : new ScenarioException(e.getMessage(), step.line());
                    }
                }
                nextStep++;
            }
            List<String> done = completions.remove(t);
            if (done != null) {
                for (String uid : done) {
                    finish(t, uid);
                }
            }
            List<String> gone = deletions.remove(t);
            if (gone != null) {
                for (String uid : gone) {
                    delete(t, uid);
                }
            }
            schedule(t);
            queuesSeen.addAll(state.queues().all().keySet());
            lastTime = t;
            while (nextExpectation < expectations.size() && expectations.get(nextExpectation).at() == t) {
                check(expectations.get(nextExpectation++));
            }
        }
        unseenNames(expectations);
        return new SimulationReport(scenario.name(), results, notes, trace, decisions, allocations, cycles);
    }

    /**
     * An expectation about an app, pod, queue or node the run never had would compare against nothing (an unknown app
     * has 0 pods running): a misspelt name must not pass. Only an absence may be expected of what never was: an app's
     * {@code state: Absent}, a queue's or node's {@code exists}.
     */
    private void unseenNames(List<Expectation> expectations) {
        List<String> problems = new ArrayList<>();
        int first = 0;
        for (Expectation e : expectations) {
            for (var byName : e.byKind().entrySet()) {
                String kind = byName.getKey();
                for (var named : byName.getValue().entrySet()) {
                    String name = named.getKey();
                    boolean seen = switch (kind) {
                        case "apps" -> podsPerApp.containsKey(name)
                                || named.getValue().equals(Map.of("state", "Absent"));
                        case "pods" -> uidByName.containsKey(name);
                        case "queues" -> queuesSeen.contains(name) || named.getValue().keySet().equals(Set.of("exists"));
                        case "nodes" -> nodesSeen.contains(name) || named.getValue().keySet().equals(Set.of("exists"));
                        default -> true;
                    };
                    if (!seen) {
                        int line = e.lineOf(kind, name);
                        first = first == 0 ? line : first;
                        problems.add("line " + line + ": " + kind.substring(0, kind.length() - 1) + " '" + name
                                + "' is nowhere in the run (" + known(kind) + ")");
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ScenarioException("expectations name what the run never had: " + String.join("; ", problems),
                    first);
        }
    }

    private String known(String kind) {
        Collection<String> names = switch (kind) {
            case "apps" -> podsPerApp.keySet();
            case "pods" -> uidByName.keySet();
            case "queues" -> queuesSeen;
            default -> nodesSeen;
        };
        List<String> sorted = names.stream().sorted().limit(8).toList();
        return sorted.isEmpty() ? "it has none" : "it has " + String.join(", ", sorted) + (names.size() > 8 ? ", …" : "");
    }

    // ---------------------------------------------------------------- the cluster side

    private void act(long t, Scenario.Action action) {
        switch (action) {
            case Scenario.Submit s -> submit(t, s);
            case Scenario.Complete c -> complete(t, c);
            case Scenario.QueuesConfig q -> {
                ApplyResult r = observe(new QueueConfigObserved(t, q.yaml(), nextVersion()));
                note(t, r.applied() ? "queue config reloaded" : "queue config rejected, the previous one stays: " + r.reason());
            }
            case Scenario.RemoveNode r -> {
                if (!nodes.containsKey(r.name())) {
                    throw new ScenarioException("removeNode at " + ScenarioParser.format(t) + ": node " + r.name()
                            + " does not exist", 0);
                }
                NodeState n = state.node(r.name());
                List<String> lost = new ArrayList<>(n.pods());
                observe(new NodeGone(t, r.name(), nextVersion()));
                nodes.remove(r.name());
                // The pods on the node die with it; the kubelet will not report their end.
                for (String uid : lost) {
                    for (List<String> due : completions.values()) {
                        due.remove(uid);
                    }
                    Pod p = pods.get(uid);
                    if (p != null) {
                        Pod failed = p.withPhase(PodPhase.Failed, nextVersion());
                        pods.put(uid, failed);
                        observe(new PodObserved(t, failed));
                    }
                }
                note(t, "node " + r.name() + " removed with " + lost.size() + " pod(s) on it");
            }
            case Scenario.AddNodes a -> a.nodes().forEach(spec -> addNodes(t, spec));
            case Scenario.Cordon c -> {
                Node n = nodes.get(c.name());
                if (n == null) {
                    throw new ScenarioException("cordon at " + ScenarioParser.format(t) + ": node " + c.name()
                            + " does not exist", 0);
                }
                Node changed = new Node(n.name(), n.capacity(), n.allocatable(), n.labels(), n.taints(), c.cordoned(),
                        n.ready(), nextVersion());
                nodes.put(n.name(), changed);
                observe(new NodeObserved(t, changed));
            }
        }
    }

    private void addNodes(long t, NodeSpec spec) {
        for (int i = 0; i < spec.count(); i++) {
            String name = spec.nameOf(i);
            if (nodes.containsKey(name)) {
                throw new ScenarioException("node " + name + " is added twice", 0);
            }
            Node n = new Node(name, spec.capacity(), spec.allocatable(), spec.labels(), spec.taints(),
                    spec.unschedulable(), spec.ready(), nextVersion());
            nodes.put(name, n);
            nodesSeen.add(name);
            observe(new NodeObserved(t, n));
        }
    }

    private void submit(long t, Scenario.Submit s) {
        String appId = s.app() != null ? s.app() : YuniKornLabels.appId(s.namespace(), s.labels(), s.annotations());
        String queue = s.queue() != null ? s.queue() : YuniKornLabels.queue(s.labels(), s.annotations());
        YuniKornLabels.UserInfo info = YuniKornLabels.userInfo(s.annotations());
        String user = s.user() != null ? s.user() : info != null ? info.user() : "nobody";
        List<String> groups = !s.groups().isEmpty() || info == null ? s.groups() : info.groups();
        String schedulerName = s.schedulerName() != null ? s.schedulerName() : ClusterState.DEFAULT_SCHEDULER_NAME;
        if (s.node() != null && !nodes.containsKey(s.node())) {
            throw new ScenarioException("submit at " + ScenarioParser.format(t) + ": node " + s.node() + " does not exist", 0);
        }
        for (int i = 0; i < s.pods(); i++) {
            int index = podsPerApp.merge(appId, 1, Integer::sum) - 1;
            String name = appId + "-" + index;
            // Zero-padded so that pods submitted together (equally old) are tried in index order.
            String uid = String.format(Locale.ROOT, "uid-%08d", ++podSeq);
            String node = s.node() == null ? "" : s.node();
            Pod pod = new Pod(uid, s.namespace(), name, appId, queue, user, groups, s.requests(), s.priority(),
                    s.nodeSelector(), s.affinity(), s.tolerations(), schedulerName, node,
                    node.isEmpty() ? PodPhase.Pending : PodPhase.Running, t, nextVersion(),
                    GangAnnotations.hints(s.annotations()), s.labels());
            pods.put(uid, pod);
            uidByName.put(s.namespace() + "/" + name, uid);
            uidByName.putIfAbsent(name, uid);
            if (s.duration() > 0) {
                durations.put(uid, s.duration());
            }
            observe(new PodObserved(t, pod));
            if (!node.isEmpty()) {
                bound(t, uid);
            }
        }
    }

    private void complete(long t, Scenario.Complete c) {
        List<String> running = new ArrayList<>();
        for (Map.Entry<String, Long> e : boundAt.entrySet()) {
            Pod p = pods.get(e.getKey());
            if (p.appId().equals(c.app()) && p.phase() == PodPhase.Running) {
                running.add(e.getKey());
            }
        }
        running.sort(Comparator.comparingLong((String uid) -> boundAt.get(uid)).thenComparing(uid -> pods.get(uid).name()));
        if (running.size() < c.pods()) {
            note(t, "complete: app " + c.app() + " has " + running.size() + " running pod(s), fewer than " + c.pods());
        }
        for (String uid : running.subList(0, Math.min(c.pods(), running.size()))) {
            for (List<String> due : completions.values()) {
                due.remove(uid);
            }
            finish(t, uid);
        }
    }

    private void finish(long t, String uid) {
        Pod p = pods.get(uid);
        if (p == null || p.phase() != PodPhase.Running) {
            return;
        }
        Pod done = p.withPhase(PodPhase.Succeeded, nextVersion());
        pods.put(uid, done);
        observe(new PodObserved(t, done));
        trace(t, "Completed " + p.key() + " on " + p.nodeName());
    }

    /** The end of a preempted pod's graceful deletion: it is gone from the API server. */
    private void delete(long t, String uid) {
        Pod p = pods.get(uid);
        if (p == null || deleted.contains(uid)) {
            return;
        }
        for (List<String> due : completions.values()) {
            due.remove(uid);
        }
        deleted.add(uid);
        observe(new PodGone(t, uid, nextVersion()));
        trace(t, "Deleted " + p.key() + " (preempted) from " + p.nodeName());
    }

    /** The kubelet side of a binding: the pod runs from now and completes after its duration. */
    private void bound(long t, String uid) {
        boundAt.put(uid, t);
        Long d = durations.get(uid);
        if (d != null) {
            completions.computeIfAbsent(t + d, k -> new ArrayList<>()).add(uid);
        }
    }

    // ---------------------------------------------------------------- the scheduler side

    private void schedule(long t) {
        for (int guard = 0; guard < 1_000_000; guard++) {
            CycleResult r = scheduler.cycle(t);
            cycles++;
            for (Decision d : r.decisions()) {
                decisions++;
                ApplyResult applied = observe(d);
                switch (d) {
                    case Allocated a when applied.applied() -> {
                        allocations++;
                        Pod p = pods.get(a.podUid());
                        trace(t, "Allocated " + p.key() + " -> " + a.nodeName() + " (" + a.queue() + ")"
                                + (a.fpga().isEmpty() ? "" : " FPGA " + a.fpga()));
                        if (!a.fpga().isEmpty()) {
                            fpgaPlacement.put(a.podUid(), a.fpga());
                        }
                        Pod running = p.withNodeName(a.nodeName()).withPhase(PodPhase.Running, nextVersion());
                        pods.put(a.podUid(), running);
                        observe(new PodObserved(t, running));
                        bound(t, a.podUid());
                    }
                    case Unschedulable u when applied.applied() ->
                            trace(t, "Unschedulable " + pods.get(u.podUid()).key() + ": " + u.message());
                    case GangReserved g when applied.applied() -> {
                        StringJoiner slots = new StringJoiner(", ");
                        g.slots().forEach(slot -> slots.add(slot.group() + "@" + slot.node()));
                        trace(t, "GangReserved " + g.appId() + ": " + g.slots().size() + " slot(s) " + slots);
                    }
                    case GangReleased g when applied.applied() -> trace(t, "GangReleased " + g.appId() + " (" + g.next()
                            + "): " + g.reason());
                    case PreemptionRequested p when applied.applied() -> {
                        trace(t, "PreemptionRequested (" + p.kind() + "): " + p.reason());
                        // The leader deletes the victims now; they go when their grace period ends.
                        for (String uid : p.victims()) {
                            preemptedPerApp.merge(pods.get(uid).appId(), 1, Integer::sum);
                            if (scenario.terminationGrace() == 0) {
                                delete(t, uid);
                            } else {
                                deletions.computeIfAbsent(t + scenario.terminationGrace(), k -> new ArrayList<>()).add(uid);
                            }
                        }
                    }
                    case Released rel when applied.applied() ->
                            trace(t, "Released " + pods.get(rel.podUid()).key() + " from " + rel.nodeName() + ": " + rel.reason());
                    default -> trace(t, d.type() + " " + subject(d) + " ignored: " + applied.reason());
                }
            }
            scheduler.acknowledge(r.decisions());
            // A gang decision changes what the next cycle can do (members bind into a new reservation) without
            // allocating anything itself.
            boolean gang = r.decisions().stream().anyMatch(d -> d instanceof GangReserved || d instanceof GangReleased
                    || d instanceof PreemptionRequested || d instanceof Released);
            if (r.allocations() == 0 && !r.capped() && !gang) {
                return;
            }
        }
        throw new IllegalStateException("scheduling at " + ScenarioParser.format(t) + " did not settle");
    }

    private static String subject(Decision d) {
        return switch (d) {
            case Allocated a -> a.podUid();
            case Released r -> r.podUid();
            case Unschedulable u -> u.podUid();
            case GangReserved g -> g.appId();
            case GangReleased g -> g.appId();
            case PreemptionRequested p -> p.victims().toString();
        };
    }

    private ApplyResult observe(Event e) {
        return state.apply(e);
    }

    private String nextVersion() {
        return Long.toString(++version);
    }

    private void note(long t, String s) {
        notes.add("[" + ScenarioParser.format(t) + "] " + s);
        trace(t, s);
    }

    private void trace(long t, String s) {
        if (tracing) {
            trace.add(String.format(Locale.ROOT, "[%6s] %s", ScenarioParser.format(t), s));
        }
    }

    // ---------------------------------------------------------------- expectations

    private void check(Expectation e) {
        e.byKind().forEach((kind, byName) -> byName.forEach((name, checks) -> {
            List<Check> out = new ArrayList<>();
            switch (kind) {
                case "apps" -> checkApp(name, checks, out::add);
                case "queues" -> checkQueue(name, checks, out::add);
                case "nodes" -> checkNode(name, checks, out::add);
                case "pods" -> checkPod(name, checks, out::add);
                default -> throw new IllegalStateException(kind);
            }
            results.add(new Result(e.at(), e.lineOf(kind, name), kind.substring(0, kind.length() - 1), name, out));
        }));
    }

    private void checkApp(String name, Map<String, Object> checks, Consumer<Check> out) {
        AppState app = state.app(name);
        checks.forEach((key, expected) -> {
            switch (key) {
                case "running" -> number(key, expected, app == null ? 0 : app.placedPods(), out);
                case "pending" -> number(key, expected, app == null ? 0 : app.pendingPods(), out);
                case "completed" -> number(key, expected, app == null ? 0 : app.completedPods(), out);
                case "allocated" -> resources(key, expected, app == null ? null : app.allocated(), out);
                case "state" -> text(key, expected, app == null ? "Absent" : capitalized(app.status().name()), out);
                case "queue" -> text(key, expected, app == null ? "" : app.queue(), out);
                case "gang" -> text(key, expected, app == null ? "Absent" : capitalized(app.gang().status().name()), out);
                case "reserved" -> resources(key, expected, app == null ? null : app.gang().reserved(), out);
                case "slots" -> number(key, expected, app == null ? 0
                        : app.gang().slots().stream().filter(ReservedSlot::isFree).count(), out);
                case "slotsUsed" -> number(key, expected, app == null ? 0
                        : app.gang().slots().stream().filter(sl -> !sl.isFree()).count(), out);
                case "preempted" -> number(key, expected, preemptedPerApp.getOrDefault(name, 0), out);
                case "gangReason" -> {
                    String actual = app == null ? "" : app.gang().reason();
                    out.accept(new Check(key, String.valueOf(expected), actual, actual.contains(String.valueOf(expected))));
                }
                default -> throw new IllegalStateException(key);
            }
        });
    }

    private void checkQueue(String name, Map<String, Object> checks, Consumer<Check> out) {
        QueueState q = state.queues().get(name);
        checks.forEach((key, expected) -> {
            if (key.equals("exists")) {
                text(key, expected, Boolean.toString(q != null), out);
                return;
            }
            if (q == null) {
                out.accept(new Check(key, String.valueOf(expected), "queue " + name + " does not exist", false));
                return;
            }
            switch (key) {
                case "allocated" -> resources(key, expected, q.allocated(), out);
                case "pending" -> resources(key, expected, q.pending(), out);
                case "runningApps" -> number(key, expected, q.runningApps(), out);
                case "dynamic" -> text(key, expected, Boolean.toString(q.isDynamic()), out);
                default -> throw new IllegalStateException(key);
            }
        });
    }

    private void checkNode(String name, Map<String, Object> checks, Consumer<Check> out) {
        NodeState n = state.node(name);
        checks.forEach((key, expected) -> {
            if (key.equals("exists")) {
                text(key, expected, Boolean.toString(n != null), out);
                return;
            }
            if (n == null) {
                out.accept(new Check(key, String.valueOf(expected), "node " + name + " does not exist", false));
                return;
            }
            switch (key) {
                case "allocated" -> resources(key, expected, n.allocated(), out);
                case "pods" -> number(key, expected, n.pods().size(), out);
                default -> throw new IllegalStateException(key);
            }
        });
    }

    private void checkPod(String name, Map<String, Object> checks, Consumer<Check> out) {
        String uid = uidByName.get(name);
        PodState p = uid == null ? null : state.pod(uid);
        checks.forEach((key, expected) -> {
            if (p == null && uid != null && deleted.contains(uid)) {
                // A preempted pod is gone: it has no node, and its phase says why.
                switch (key) {
                    case "phase" -> text(key, expected, "Preempted", out);
                    case "preempted" -> text(key, expected, "true", out);
                    case "node", "holds" -> text(key, expected, "", out);
                    default -> out.accept(new Check(key, String.valueOf(expected), "pod " + name + " was preempted and is gone", false));
                }
                return;
            }
            if (p == null) {
                out.accept(new Check(key, String.valueOf(expected), "pod " + name + " does not exist", false));
                return;
            }
            switch (key) {
                case "preempted" -> text(key, expected, Boolean.toString(p.isPreempted()), out);
                case "holds" -> text(key, expected, p.holdNode(), out);
                case "node" -> text(key, expected, p.node(), out);
                case "phase" -> text(key, expected, phase(p), out);
                case "fpga" -> text(key, expected, fpgaPlacement.getOrDefault(p.uid(), ""), out);
                case "reason" -> {
                    String actual = p.waitMessage();
                    out.accept(new Check(key, String.valueOf(expected), actual, actual.contains(String.valueOf(expected))));
                }
                default -> throw new IllegalStateException(key);
            }
        });
    }

    private static String phase(PodState p) {
        return switch (p.role()) {
            case PENDING -> "Pending";
            case PLACED -> p.isBound() ? "Running" : "Allocated";
            case TERMINAL -> p.pod().phase().name();
            case IGNORED -> p.pod().phase().name();
        };
    }

    private static void number(String key, Object expected, long actual, Consumer<Check> out) {
        String e = String.valueOf(expected).trim();
        out.accept(new Check(key, e, Long.toString(actual), e.equals(Long.toString(actual))));
    }

    private static void text(String key, Object expected, String actual, Consumer<Check> out) {
        String e = String.valueOf(expected).trim();
        out.accept(new Check(key, e, actual, e.equalsIgnoreCase(actual)));
    }

    @SuppressWarnings("unchecked")
    private static void resources(String key, Object expected, ResourceCounter actual, Consumer<Check> out) {
        Map<String, String> wanted = (Map<String, String>) expected;
        wanted.forEach((res, quantity) -> {
            int id = ResourceNames.id(res);
            long want = Quantity.parse(res, quantity);
            long have = actual == null ? 0 : actual.get(id);
            out.accept(new Check(key + "." + res, Quantity.format(id, want), Quantity.format(id, have),
                    Objects.equals(want, have)));
        });
    }

    private static String capitalized(String s) {
        return s.charAt(0) + s.substring(1).toLowerCase(Locale.ROOT);
    }
}
