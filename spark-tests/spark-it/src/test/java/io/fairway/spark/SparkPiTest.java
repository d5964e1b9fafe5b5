package io.fairway.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.GangReserved;
import io.fairway.ha.LeaderLoop;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.SandboxCluster;
import io.fairway.sandbox.kubelet.NodeFleet;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkPi through Fairway, with real Spark 4.0.2 (spark-submit in its own JVM, the Maven artifacts as its classpath)
 * and a kubelet that runs the driver and executor pods as JVMs: the job must finish, which it does only if Fairway
 * binds every executor and the executors really run.
 */
class SparkPiTest {
    private static final String NS = "spark";
    private static final String QUEUE = "root.tenants.team-a";

    // kept when a test fails: every pod's output is there
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    /** The API server the tests run on; {@link SparkPiRealApiServerTest} runs them on a real one. */
    SandboxCluster.ApiServerKind apiServer() {
        return SandboxCluster.ApiServerKind.LOCAL;
    }

    private SandboxCluster sandbox() {
        SandboxCluster c = SandboxCluster.start(NodeFleet.uniformCpu(2), null, SandboxCluster.demoQueues(),
                LeaderLoop.Options.defaults("replica-0"), 1, apiServer());
        c.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        return c;
    }

    private ProcessKubelet kubelet(SandboxCluster c) {
        Set<String> nodes = Set.copyOf(c.client().nodes().list().getItems().stream()
                .map(n -> n.getMetadata().getName()).toList());
        return new ProcessKubelet(c.client(), nodes, SparkSubmit.java(), SparkSubmit.classpath(), tmp.resolve("pods"));
    }

    private static String apiUrl(SandboxCluster c) {
        return c.apiServer() != null ? c.apiServer().url().replaceAll("/$", "") : c.controlPlane().server();
    }

    /** On a real API server: the admin's token and the CA, where each of Spark's clients looks for them. */
    private List<String> credentials(SandboxCluster c) throws IOException {
        if (c.controlPlane() == null) {
            return List.of();
        }
        var config = c.controlPlane().adminConfig();
        Path token = Files.writeString(tmp.resolve("token"), config.getOauthToken());
        String ca = config.getCaCertFile();
        return List.of(
                "--conf", "spark.kubernetes.authenticate.submission.oauthToken=" + config.getOauthToken(),
                "--conf", "spark.kubernetes.authenticate.submission.caCertFile=" + ca,
                "--conf", "spark.kubernetes.authenticate.oauthToken=" + config.getOauthToken(),
                "--conf", "spark.kubernetes.authenticate.caCertFile=" + ca,
                "--conf", "spark.kubernetes.authenticate.driver.mounted.oauthTokenFile=" + token,
                "--conf", "spark.kubernetes.authenticate.driver.mounted.caCertFile=" + ca);
    }

    /** Runs spark-submit; its output, which must end in success. */
    private String submit(List<String> args, ProcessKubelet kubelet) throws Exception {
        Path out = tmp.resolve("spark-submit.log");
        ProcessBuilder pb = new ProcessBuilder(SparkSubmit.command(args)).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        // only what the command line says: no kubeconfig of this machine
        pb.environment().put("KUBECONFIG", tmp.resolve("no-kubeconfig").toString());
        Process p = pb.start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(done && p.exitValue() == 0).as("spark-submit finished and succeeded:%n%s%npods:%n%s",
                tail(text), kubelet.outputs()).isTrue();
        return text;
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }

    private List<String> common(SandboxCluster c, String mode) throws IOException {
        List<String> args = new ArrayList<>(credentials(c));
        args.addAll(List.of("--master", "k8s://" + apiUrl(c), "--deploy-mode", mode,
                "--name", "pi", "--class", "io.fairway.sparkapp.Pi",
                "--conf", "spark.kubernetes.namespace=" + NS,
                "--conf", "spark.kubernetes.container.image=apache/spark:4.0.2",
                "--conf", "spark.kubernetes.scheduler.name=fairway",
                "--conf", "spark.kubernetes.executor.label.queue=" + QUEUE,
                "--conf", "spark.kubernetes.driver.label.queue=" + QUEUE,
                "--conf", "spark.executor.instances=2",
                "--conf", "spark.executor.cores=1",
                "--conf", "spark.executor.memory=512m",
                "--conf", "spark.kubernetes.allocation.batch.size=2"));
        return args;
    }

    /** Every event of the log, decoded. */
    private static List<LoggedEvent> events(SandboxCluster c) {
        List<LoggedEvent> out = new ArrayList<>();
        try (KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(c.kafkaBootstrap()));
             EventLog.Reader r = log.reader(0)) {
            long end = log.endOffset();
            while (r.position() < end) {
                out.addAll(r.poll(Duration.ofMillis(200)));
            }
        }
        return out;
    }

    @Test
    void clientModeFinishesWithFairwayBindingEveryExecutor() throws Exception {
        try (SandboxCluster c = sandbox(); ProcessKubelet kubelet = kubelet(c)) {
            if (c.apiServer() != null) {
                c.apiServer().recordRequests();
            }
            List<String> args = common(c, "client");
            args.addAll(List.of("--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                    SparkSubmit.piJar().toString(), "4"));
            String out = submit(args, kubelet);
            assertThat(out).contains("Pi is roughly 3.1");
            long allocations = events(c).stream().map(LoggedEvent::event).filter(Allocated.class::isInstance).count();
            assertThat(allocations).isGreaterThanOrEqualTo(2);
            if (c.apiServer() != null) {
                // every executor pod was bound, and by Fairway: Spark's own client (fabric8 7.1) bound none, and the
                // log holds one allocation per binding the API server served
                List<String> bound = c.apiServer().requests().stream()
                        .filter(r -> r.verb().equals("create") && r.rbacResource().equals("pods/binding"))
                        .map(r -> r.name() + " by " + r.sender()).toList();
                assertThat(bound).hasSizeGreaterThanOrEqualTo(2)
                        .allMatch(b -> b.contains("-exec-") && !b.contains("kubernetes-client/7.1"));
                assertThat(allocations).isEqualTo(bound.size());
            }
            assertThat(kubelet.started()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aGangOfExecutorsIsReservedWholeAndTheJobFinishes() throws Exception {
        try (SandboxCluster c = sandbox(); ProcessKubelet kubelet = kubelet(c)) {
            List<String> args = common(c, "client");
            String groups = "[{\"name\":\"spark-executor\",\"minMember\":2,"
                    + "\"minResource\":{\"cpu\":\"1\",\"memory\":\"896Mi\"}}]";
            args.addAll(List.of("--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                    "--conf", "spark.kubernetes.executor.annotation.yunikorn.apache.org/task-group-name=spark-executor",
                    "--conf", "spark.kubernetes.executor.annotation.yunikorn.apache.org/task-groups=" + groups,
                    SparkSubmit.piJar().toString(), "4"));
            String out = submit(args, kubelet);
            assertThat(out).contains("Pi is roughly 3.1");
            List<LoggedEvent> log = events(c);
            List<GangReserved> gangs = log.stream().map(LoggedEvent::event).filter(GangReserved.class::isInstance)
                    .map(GangReserved.class::cast).toList();
            assertThat(gangs).as("gang reservations in the log").singleElement().satisfies(g -> assertThat(g.slots())
                    .hasSize(2).allSatisfy(s -> assertThat(s.group()).isEqualTo("spark-executor")));
            assertThat(log.stream().map(LoggedEvent::event).filter(Allocated.class::isInstance).count())
                    .isGreaterThanOrEqualTo(2);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The driver pod's output, where the kubelet ran it. */
    private String driverOutput() throws IOException {
        try (var dirs = Files.list(tmp.resolve("pods"))) {
            Path d = dirs.filter(p -> p.getFileName().toString().endsWith("-driver")).findFirst().orElseThrow();
            return Files.readString(d.resolve("out.log"));
        }
    }

    @Test
    void clusterModeRunsTheDriverInAPodAndItsExecutorsAsAGang() throws Exception {
        try (SandboxCluster c = sandbox(); ProcessKubelet kubelet = kubelet(c)) {
            List<String> args = common(c, "cluster");
            String groups = "[{\"name\":\"spark-driver\",\"minMember\":1,"
                    + "\"minResource\":{\"cpu\":\"1\",\"memory\":\"896Mi\"}},"
                    + "{\"name\":\"spark-executor\",\"minMember\":2,"
                    + "\"minResource\":{\"cpu\":\"1\",\"memory\":\"896Mi\"}}]";
            args.addAll(List.of(
                    // the driver reaches the API server where it is, not at kubernetes.default.svc
                    "--conf", "spark.kubernetes.driver.master=" + apiUrl(c),
                    "--conf", "spark.driver.memory=512m",
                    // ports of this machine's loopback, free now (the image's defaults 7078 and 7079 may be taken)
                    "--conf", "spark.driver.port=" + freePort(),
                    "--conf", "spark.driver.blockManager.port=" + freePort(),
                    "--conf", "spark.kubernetes.driver.annotation.yunikorn.apache.org/task-group-name=spark-driver",
                    "--conf", "spark.kubernetes.driver.annotation.yunikorn.apache.org/task-groups=" + groups,
                    "--conf", "spark.kubernetes.executor.annotation.yunikorn.apache.org/task-group-name=spark-executor",
                    "local://" + SparkSubmit.piJar(), "4"));
            submit(args, kubelet);
            assertThat(driverOutput()).contains("Pi is roughly 3.1");
            // the job finished, so the executors reached the driver through its Service's name
            List<GangReserved> gangs = events(c).stream().map(LoggedEvent::event)
                    .filter(GangReserved.class::isInstance).map(GangReserved.class::cast).toList();
            assertThat(gangs).as("gang reservations in the log").singleElement().satisfies(g -> assertThat(g.slots())
                    .extracting(GangReserved.Slot::group)
                    .containsExactlyInAnyOrder("spark-driver", "spark-executor", "spark-executor"));
        }
    }
}
