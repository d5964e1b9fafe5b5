package io.fairway.cli.bench;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.log.EventLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A realistic log written through a real scheduler: nodes, then waves of pods that are observed, allocated (in
 * leader transactions), bound, finished and deleted, with some waiting for room. About five events per pod.
 */
public final class SyntheticLog {
    private SyntheticLog() {
    }

    /** Writes about {@code events} events to the log; returns the state the leader ended with. */
    public static ClusterState write(EventLog log, long events, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ClusterState live = new ClusterState();
        EventLog.DecisionWriter writer = log.openDecisionWriter(1);
        commit(writer, live, List.of(new LeaderElected(0, 1, "bench")));
        int nodes = 500;
        List<Observation> batch = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Resources cap = Resources.builder().set("cpu", 64_000).set("memory", 256L << 30).set("pods", 110).build();
            batch.add(new NodeObserved(0, new Node(String.format("node-%04d", i), cap, cap,
                    Map.of("zone", "z" + (i % 3)), List.of(), false, true, "1")));
        }
        observe(log, live, batch);
        Scheduler scheduler = new Scheduler(live, 1, 2000);
        long written = nodes + 1;
        long seq = 0;
        long version = 1;
        long time = 0;
        while (written < events) {
            time += 1000;
            batch.clear();
            int wave = (int) Math.min(2000, Math.max(1, (events - written) / 5));
            for (int i = 0; i < wave; i++) {
                String uid = String.format("pod-%08d", ++seq);
                Resources req = Resources.builder().set("cpu", 250L * (1 + rnd.nextInt(16)))
                        .set("memory", (256L << 20) * (1 + rnd.nextInt(16))).build();
                batch.add(new PodObserved(time, new Pod(uid, "team-" + (seq % 40), uid, "app-" + (seq / 50), "",
                        "user-" + (seq % 97), List.of(), req, rnd.nextInt(10) == 0 ? 100 : 0, Map.of(), NodeAffinity.NONE,
                        List.of(), "fairway", "", PodPhase.Pending, time, Long.toString(++version))));
            }
            written += observe(log, live, batch);
            CycleResult r = scheduler.cycle(time);
            written += commit(writer, live, r.decisions());
            scheduler.acknowledge(r.decisions());
            // The kubelets: bound pods run; a share of those running finish and are deleted.
            batch.clear();
            List<Observation> later = new ArrayList<>();
            for (Decision d : r.decisions()) {
                if (d instanceof Allocated a) {
                    Pod p = live.pod(a.podUid()).pod();
                    batch.add(new PodObserved(time + 1, p.withNodeName(a.nodeName()).withPhase(PodPhase.Running, Long.toString(++version))));
                }
            }
            written += observe(log, live, batch);
            for (PodState p : List.copyOf(live.pods())) {
                if (p.role() == PodState.Role.PLACED && rnd.nextInt(3) == 0 && written + later.size() < events) {
                    later.add(new PodObserved(time + 500, p.pod().withNodeName(p.node()).withPhase(PodPhase.Succeeded, Long.toString(++version))));
                    later.add(new PodGone(time + 600, p.uid(), Long.toString(++version)));
                }
            }
            written += observe(log, live, later);
        }
        writer.close();
        return live;
    }

    private static long observe(EventLog log, ClusterState live, List<Observation> events) {
        if (events.isEmpty()) {
            return 0;
        }
        log.append(events);
        events.forEach(live::apply);
        return events.size();
    }

    private static long commit(EventLog.DecisionWriter writer, ClusterState live, List<? extends Event> events) {
        if (events.isEmpty()) {
            return 0;
        }
        writer.append(events);
        events.forEach(live::apply);
        return events.size();
    }
}
