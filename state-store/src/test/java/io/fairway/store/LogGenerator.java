package io.fairway.store;

import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PriorityClassGone;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.log.EventLog;
import io.fairway.log.InMemoryEventLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Writes a realistic log the way the real system does: a watcher appends observations (nodes, pods of several apps
 * and queues, gangs, bindings, completions, deletions of pods and of preemption victims, node removals, config and
 * priority class changes, late and duplicate observations) and a leader runs {@link Scheduler} cycles and appends its
 * decisions under its epoch, with leader changes on the way. Every event is applied to a live state right after it
 * is appended, as a follower reads it back, so the live state is what any replay of the log must reach.
 */
final class LogGenerator {
    private static final String[] CONFIGS = {
        """
        partitions:
          - name: default
            queues:
              - name: root
                submitacl: "*"
                properties: {preemption.delay: 3s}
                queues:
                  - name: default
                  - name: q0
                    resources:
                      guaranteed: {vcore: 8, memory: 16Gi}
                  - name: q1
                    resources:
                      max: {vcore: 12, memory: 24Gi}
                  - name: q2
                    properties:
                      application.sort.policy: fair
        """,
        """
        partitions:
          - name: default
            queues:
              - name: root
                submitacl: "*"
                properties: {preemption.delay: 3s}
                queues:
                  - name: default
                  - name: q0
                    resources:
                      guaranteed: {vcore: 4, memory: 8Gi}
                  - name: q1
                    resources:
                      max: {vcore: 6, memory: 12Gi}
                  - name: q2
                    properties:
                      application.sort.policy: priority
        """,
        // rejected by the parser: the previous config stays
        """
        partitions:
          - name: default
            queues:
              - name: root
                queues:
                  - name: q0
                    resources:
                      max: {vcore: -3}
        """,
    };

    private static final GangSpec GANG = new GangSpec(List.of(new TaskGroup("g", 3,
            Resources.builder().set("cpu", 1000).set("memory", 1L << 30).build(), Map.of(), List.of(),
            NodeAffinity.NONE)), GangSpec.Style.SOFT, 20_000, "");

    private final EventLog log;
    private final Random rnd;
    private final ClusterState live = new ClusterState();
    private final Scheduler scheduler;
    /** Hash of the live state after each event, by event index; the offset of an in-memory log. Null: not kept. */
    private final List<String> hashes;
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final TreeMap<String, Node> removedNodes = new TreeMap<>();
    private final List<String> deletedPods = new ArrayList<>();
    private EventLog.DecisionWriter writer;
    private long epoch = 1;
    private long rv = 1000;
    private long time = 1_000_000;
    private int podSeq;
    private long events;

    LogGenerator(EventLog log, long seed, boolean keepHashes) {
        this.log = log;
        this.rnd = new Random(seed);
        this.hashes = keepHashes ? new ArrayList<>() : null;
        this.writer = log.openDecisionWriter(epoch);
        this.scheduler = new Scheduler(live, epoch, 50);
        decide(List.of(new LeaderElected(time, epoch, "replica-a")));
        List<Observation> start = new ArrayList<>();
        start.add(new QueueConfigObserved(time, CONFIGS[0], rv()));
        start.add(new PriorityClassObserved(time, "high", 1000, false, rv()));
        start.add(new PriorityClassObserved(time, "low", 0, true, rv()));
        for (int i = 0; i < 6; i++) {
            Node n = node("node-" + i, i >= 4);
            nodes.put(n.name(), n);
            start.add(new NodeObserved(time, n));
        }
        observe(start);
    }

    /** A log of {@code rounds} rounds in memory (about 15 events a round). */
    static LogGenerator inMemory(long seed, int rounds) {
        return inMemory(seed, rounds, false);
    }

    /** The same, keeping the hash after every offset for {@link #hashAt} (a hash per event: slower). */
    static LogGenerator inMemory(long seed, int rounds, boolean keepHashes) {
        LogGenerator g = new LogGenerator(new InMemoryEventLog(), seed, keepHashes);
        g.rounds(rounds);
        return g;
    }

    EventLog log() {
        return log;
    }

    ClusterState live() {
        return live;
    }

    /** The live state's hash after the event at {@code offset} of an in-memory log; offset -1 is the empty state. */
    String hashAt(long offset) {
        return offset < 0 ? new ClusterState().hash() : hashes.get((int) offset);
    }

    long events() {
        return events;
    }

    void rounds(int n) {
        for (int i = 0; i < n; i++) {
            round();
        }
    }

    private void round() {
        time += 1000;
        List<Observation> obs = new ArrayList<>();
        // new pods: ours for several apps and queues, and now and then another scheduler's pod on a node
        for (int i = rnd.nextInt(6); i > 0; i--) {
            obs.add(new PodObserved(time, newPod()));
        }
        if (rnd.nextInt(10) == 0 && !nodes.isEmpty()) {
            Pod foreign = newPod();
            obs.add(new PodObserved(time, new Pod(foreign.uid(), "kube-system", foreign.name(), "", "", "", List.of(),
                    foreign.requests(), 0, Map.of(), NodeAffinity.NONE, List.of(), "default-scheduler",
                    randomKey(nodes), PodPhase.Running, time, rv())));
        }
        observe(obs);

        CycleResult cycle = scheduler.cycle(time);
        decide(cycle.decisions());
        scheduler.acknowledge(cycle.decisions());

        obs.clear();
        List<Event> releases = new ArrayList<>();
        for (PodState p : sortedPods()) {
            Pod pod = p.pod();
            int dice = rnd.nextInt(100);
            switch (p.role()) {
                case PLACED -> {
                    if (p.isPreempted()) {
                        if (dice < 60) {
                            // the leader deleted a preemption victim
                            obs.add(new PodGone(time, pod.uid(), rv()));
                            deletedPods.add(pod.uid());
                        }
                    } else if (!p.isBound()) {
                        if (dice < 75) {
                            obs.add(new PodObserved(time, pod.withNodeName(p.node()).withPhase(PodPhase.Running, rv())));
                        } else if (dice < 80) {
                            releases.add(new Released(time, epoch, pod.uid(), p.node(), "bind failed: conflict"));
                        }
                    } else if (dice < 12) {
                        obs.add(new PodObserved(time, pod.withPhase(dice < 10 ? PodPhase.Succeeded : PodPhase.Failed, rv())));
                    } else if (dice < 14) {
                        // a late, older observation: ignored by the state
                        obs.add(new PodObserved(time, pod.withPhase(PodPhase.Pending, "1")));
                    }
                }
                case TERMINAL, IGNORED -> {
                    if (dice < 30) {
                        obs.add(new PodGone(time, pod.uid(), rv()));
                        deletedPods.add(pod.uid());
                    }
                }
                case PENDING -> {
                    if (dice < 2) {
                        obs.add(new PodGone(time, pod.uid(), rv()));
                        deletedPods.add(pod.uid());
                    }
                }
            }
        }
        int dice = rnd.nextInt(100);
        if (dice < 4 && nodes.size() > 3) {
            String name = randomKey(nodes);
            removedNodes.put(name, nodes.remove(name));
            obs.add(new NodeGone(time, name, rv()));
        } else if (dice < 10 && !removedNodes.isEmpty()) {
            String name = removedNodes.firstKey();
            Node back = removedNodes.remove(name);
            Node again = new Node(name, back.capacity(), back.allocatable(), back.labels(), back.taints(),
                    back.unschedulable(), back.ready(), rv());
            nodes.put(name, again);
            obs.add(new NodeObserved(time, again));
        } else if (dice < 16 && !nodes.isEmpty()) {
            String name = randomKey(nodes);
            Node n = nodes.get(name);
            Node changed = new Node(name, n.capacity(), n.allocatable(), n.labels(), n.taints(), !n.unschedulable(),
                    n.ready(), rv());
            nodes.put(name, changed);
            obs.add(new NodeObserved(time, changed));
        } else if (dice < 19) {
            obs.add(new QueueConfigObserved(time, CONFIGS[rnd.nextInt(CONFIGS.length)], rv()));
        } else if (dice < 22) {
            obs.add(rnd.nextBoolean() ? new PriorityClassObserved(time, "batch-" + rnd.nextInt(3), rnd.nextInt(500),
                    false, rv()) : new PriorityClassGone(time, "batch-" + rnd.nextInt(3), rv()));
        } else if (dice < 26) {
            // a deletion of a pod never seen, and a repeated deletion (ignored)
            obs.add(new PodGone(time, "never-seen-" + rnd.nextInt(1_000_000), rv()));
            if (!deletedPods.isEmpty()) {
                obs.add(new PodGone(time, deletedPods.get(rnd.nextInt(deletedPods.size())), rv()));
            }
        }
        observe(obs);
        decide(releases);

        if (rnd.nextInt(40) == 0) {
            // a new leader: it fences the old writer, and the old epoch's decisions are void from here on
            epoch++;
            writer.close();
            writer = log.openDecisionWriter(epoch);
            decide(List.of(new LeaderElected(time, epoch, "replica-" + (char) ('a' + epoch % 2))));
            scheduler.epoch(epoch);
        }
    }

    private List<PodState> sortedPods() {
        List<PodState> all = new ArrayList<>(live.pods());
        all.sort(Comparator.comparing(PodState::uid));
        return all;
    }

    private Pod newPod() {
        int n = podSeq++;
        int app = rnd.nextInt(12);
        String queue = switch (app % 4) {
            case 0 -> "root.q0";
            case 1 -> "root.q1";
            case 2 -> "root.q2";
            default -> app == 11 ? "root.missing" : "";
        };
        Resources.Builder req = Resources.builder()
                .set("cpu", 250L * (1 + rnd.nextInt(8)))
                .set("memory", (256L << 20) * (1 + rnd.nextInt(8)));
        if (rnd.nextInt(8) == 0) {
            req.set("nvidia.com/gpu", 1);
        }
        String uid = String.format("uid-%06d", n);
        // apps 4 and 9 are gangs: their pods members of task group "g", reserved whole before any runs
        SchedulingHints hints = app == 4 || app == 9
                ? new SchedulingHints("g", GANG, Topology.NONE, "") : SchedulingHints.NONE;
        return new Pod(uid, "team-" + app % 3, "pod-" + n, "app-" + app, queue, "user-" + app % 5, List.of("g"),
                req.build(), rnd.nextInt(4) == 0 ? 1000 : 0, Map.of(), NodeAffinity.NONE, List.of(), "fairway", "",
                PodPhase.Pending, time, rv(), hints);
    }

    private Node node(String name, boolean gpu) {
        Resources.Builder cap = Resources.builder().set("cpu", 8000).set("memory", 32L << 30);
        if (gpu) {
            cap.set("nvidia.com/gpu", 4);
        }
        return new Node(name, cap.build(), cap.build(), Map.of("zone", "z" + name.hashCode() % 2),
                gpu ? List.of(new Taint("nvidia.com/gpu", "present", "PreferNoSchedule")) : List.of(), false, true,
                rv());
    }

    private String randomKey(TreeMap<String, ?> m) {
        return new ArrayList<>(m.keySet()).get(rnd.nextInt(m.size()));
    }

    private String rv() {
        return Long.toString(++rv);
    }

    private void observe(List<Observation> obs) {
        if (!obs.isEmpty()) {
            log.append(obs);
            applyAll(obs);
        }
    }

    private void decide(List<? extends Event> decisions) {
        if (!decisions.isEmpty()) {
            writer.append(decisions);
            applyAll(decisions);
        }
    }

    private void applyAll(List<? extends Event> batch) {
        for (Event e : batch) {
            live.apply(e);
            events++;
            if (hashes != null) {
                hashes.add(live.hash());
            }
        }
    }
}
