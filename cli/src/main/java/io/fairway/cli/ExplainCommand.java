package io.fairway.cli;

import io.fairway.core.state.ClusterState;
import io.fairway.log.PodStory;
import io.fairway.log.Replay;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fairway explain POD}: the pod's story from the event log. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Tells a pod's story from the event log: observed, queued, every distinct reason it waited "
                + "and for how long, allocated where and by which leader, bound, finished.",
                "Exit code: 0 found, 1 the log never saw the pod."})
public final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "POD", description = "namespace/name or uid")
    String pod;

    @Option(names = "--kafka", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String kafka;

    @Option(names = "--topic", defaultValue = KafkaEventLogConfig.DEFAULT_TOPIC, description = "Topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--partition", defaultValue = "0", description = "Scheduling partition (default ${DEFAULT-VALUE}).")
    int partition;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ClusterState state = new ClusterState();
        PodStory story = new PodStory(pod, state);
        Replay.Result r;
        KafkaEventLogConfig config = KafkaEventLogConfig.of(kafka).withTopic(topic).withPartition(partition, partition + 1);
        try (KafkaEventLog log = KafkaEventLog.open(config)) {
            r = Replay.run(log, state, 0, new Replay.End(), story, null);
        }
        if (!story.found()) {
            out.printf(Locale.ROOT, "pod %s does not appear in %s/%d (%d events read); give namespace/name or the uid%n",
                    pod, topic, partition, r.events());
            out.flush();
            return 1;
        }
        out.printf("pod %s (uid %s)%n", story.key(), story.uid());
        story.lines().forEach(line -> out.println("  " + line));
        out.printf(Locale.ROOT, "(%d events read in %.2f s)%n", r.events(), r.seconds());
        out.flush();
        return 0;
    }
}
