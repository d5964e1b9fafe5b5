package io.fairway.chaos;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chaos scripts of {@code chaos-tests/scripts}, without a cluster: bash parses them, shellcheck finds nothing,
 * {@code --help} names every option they parse, and each runs against a fake {@code kubectl} placed first on the
 * PATH. The fake records its arguments (one call a line) and answers the reads from canned JSON; a change (delete,
 * exec, apply, patch, label) marks the cluster changed, after which a file's "-after" version is served where there
 * is one (the new Lease holder, the restarted replica, the broker back), so the scripts' waits end.
 */
class ChaosScriptsTest {
    private static final Path SCRIPTS = Path.of("scripts").toAbsolutePath();
    private static final List<String> NAMES = List.of("kill-leader.sh", "delete-kafka-broker.sh",
            "cut-leader-from-kafka.sh", "delete-replica-data.sh", "check-invariants.sh");
    private static final String LEADER = "fairway-5d8f9c7b6-x7k2p";
    private static final String FOLLOWER = "fairway-5d8f9c7b6-q9m4d";
    private static final String HASH = "3f".repeat(32);
    /** The verbs of kubectl that change a cluster. */
    private static final Set<String> CHANGES = Set.of("delete", "apply", "patch", "label", "annotate", "create",
            "replace", "scale", "run", "debug", "drain", "cordon", "edit", "set");

    @TempDir
    Path tmp;
    private Path bin;
    private Path canned;

    static Stream<String> scripts() {
        return NAMES.stream();
    }

    @BeforeAll
    static void tools() {
        assertThat(SCRIPTS.resolve("lib.sh")).as("the scripts, from the module's directory").exists();
        if (!onPath("jq")) {
            fail("jq is not on the PATH, and the scripts need it: run scripts/shellcheck.sh from the repository root "
                    + "(./test does; as root it apt-installs shellcheck and jq), or apt-get install jq");
        }
    }

    @BeforeEach
    void fakeCluster() throws IOException {
        bin = Files.createDirectories(tmp.resolve("bin"));
        canned = Files.createDirectories(tmp.resolve("cluster"));
        Path kubectl = bin.resolve("kubectl");
        Files.writeString(kubectl, FAKE_KUBECTL);
        assertThat(kubectl.toFile().setExecutable(true)).isTrue();
        can("lease", lease(LEADER));
        can("lease-after", lease(FOLLOWER));
        can("fairway-pods", fairwayPods(0, 0));
        can("fairway-pods-after", fairwayPods(1, 0));
        can("kafka-pods", "{\"items\": [" + broker(0, "k0") + ", " + broker(1, "k1") + ", " + broker(2, "k2") + "]}");
        can("kafka-pod", broker(1, "k1"));
        can("kafka-pod-after", broker(1, "k1-new"));
        can("describe", "\tTopic: fairway.events\tTopicId: Yq2\tPartition: 0\tLeader: 1\tReplicas: 1,2,0\tIsr: 1,2,0\n");
        can("networkpolicies", NETWORK_POLICIES);
        can("events", "{\"items\": []}");
        can("settings", SETTINGS);
        can("all-pods", ALL_PODS);
        can("nodes", nodes("4", "8"));
        can("statez-" + LEADER, statez(LEADER, 1200, HASH));
        can("statez-" + FOLLOWER, statez(FOLLOWER, 1198, HASH));
        can("replay", "Picked up JAVA_TOOL_OPTIONS: -Xmx1g\n" + HASH + "\n");
        can("logs", "04:40:01.002 INFO  StateFollower - state recovered from scratch at offset 0, replayed 1200 events "
                + "up to offset 1200 in 3.100 s\n");
    }

    // ------------------------------------------------------------------------------------------------ static checks

    @ParameterizedTest
    @MethodSource("scripts")
    void bashParsesIt(String script) throws Exception {
        assertThat(exec(List.of("bash", "-n", SCRIPTS.resolve(script).toString())).exit()).isZero();
        assertThat(exec(List.of("bash", "-n", SCRIPTS.resolve("lib.sh").toString())).exit()).isZero();
    }

    @ParameterizedTest
    @MethodSource("scripts")
    void shellcheckFindsNothing(String script) throws Exception {
        if (!onPath("shellcheck")) {
            fail("shellcheck is not on the PATH: run scripts/shellcheck.sh from the repository root (./test does; "
                    + "as root it apt-installs shellcheck and jq), or apt-get install shellcheck");
        }
        // -x follows `source lib.sh`, so the library is checked as each script uses it, and on its own below
        for (String file : List.of(script, "lib.sh")) {
            Result r = exec(List.of("shellcheck", "-x", SCRIPTS.resolve(file).toString()));
            assertThat(r.out()).as("shellcheck %s", file).isEmpty();
            assertThat(r.exit()).as("shellcheck %s", file).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("scripts")
    void helpNamesEveryOptionAndCallsNothing(String script) throws Exception {
        Set<String> options = options(script);
        assertThat(options).contains("--namespace", "--kafka-namespace", "--context", "--dry-run", "--help");
        Result r = run(script, "--help");
        assertThat(r.exit()).isZero();
        for (String option : options) {
            assertThat(Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])").matcher(r.out()).find())
                    .as("%s --help names %s:%n%s", script, option, r.out()).isTrue();
        }
        assertThat(r.calls()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("scripts")
    void anUnknownOptionIsAnErrorThatSaysSo(String script) throws Exception {
        Result r = run(script, "--no-such-option");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("unknown option --no-such-option (see --help)");
    }

    // ---------------------------------------------------------------------------------------------------- dry runs

    @Test
    void killLeaderDryRunPlansTheLeadersForcedDeleteAndRunsNoChange() throws Exception {
        Result r = run("kill-leader.sh", "--dry-run", "--context", "chaos-ctx");
        assertThat(r.exit()).isZero();
        assertNoChange(r);
        assertThat(r.calls()).allMatch(c -> c.startsWith("--context chaos-ctx "));
        assertThat(r.out()).contains("leader: pod " + LEADER)
                .contains("would run: kubectl --context chaos-ctx delete pod " + LEADER
                        + " -n fairway --grace-period=0 --force --wait=false")
                .contains("dry run: would kill leader pod " + LEADER);
        assertThat(r.out()).containsPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z kill-leader\\.sh: ");
    }

    @Test
    void cutLeaderDryRunPlansTheCutOfTheLeaderAndRunsNoChange() throws Exception {
        Result r = run("cut-leader-from-kafka.sh", "--dry-run", "--seconds", "20");
        assertThat(r.exit()).isZero();
        assertNoChange(r);
        assertThat(r.out()).contains("would run: kubectl label pod " + LEADER + " -n fairway fairway.io/chaos=cut-from-kafka")
                .contains("would run: kubectl apply -f -")
                .contains("would run: kubectl patch networkpolicy fairway -n fairway")
                .contains("dry run: would cut leader pod " + LEADER);
        String manifest = line(r.out(), "NetworkPolicy fairway-chaos-cut-from-kafka: ");
        assertThat(manifest).contains("\"fairway.io/chaos\":\"cut-from-kafka\"", "\"port\":443", "\"port\":53",
                "\"port\":8080").doesNotContain("strimzi.io/cluster", "9092");
    }

    @Test
    void deleteReplicaDataDryRunPlansTheWipeOfTheLeadersEmptyDir() throws Exception {
        Result r = run("delete-replica-data.sh", "--dry-run", "--replica", "leader");
        assertThat(r.exit()).isZero();
        assertNoChange(r);
        assertThat(r.out()).contains("replica " + LEADER + " keeps its data in an emptyDir at /var/lib/fairway")
                .contains("would run: kubectl exec " + LEADER + " -n fairway -c fairway -- sh -c")
                .contains("kill -TERM 1' sh /var/lib/fairway");
    }

    @Test
    void deleteKafkaBrokerDryRunPlansTheDeleteOfPartitionZerosLeader() throws Exception {
        Result r = run("delete-kafka-broker.sh", "--dry-run");
        assertThat(r.exit()).isZero();
        assertNoChange(r);
        assertThat(r.calls()).filteredOn(c -> c.startsWith("exec "))
                .singleElement().asString().contains("kafka-topics.sh --bootstrap-server localhost:9092 --describe");
        assertThat(r.out()).contains("partition 0's leader is broker 1")
                .contains("would run: kubectl delete pod fairway-kafka-dual-role-1 -n fairway --wait=false")
                .contains("dry run: would delete Kafka broker 1 (pod fairway-kafka-dual-role-1");
    }

    @Test
    void checkInvariantsDryRunReadsAndPrintsTheReplayWithoutRunningIt() throws Exception {
        Result r = run("check-invariants.sh", "--dry-run");
        assertThat(r.exit()).isZero();
        assertNoChange(r);
        assertThat(r.out()).contains("would run: kubectl run fairway-chaos-replay-")
                .contains("replay --kafka fairway-kafka-kafka-bootstrap.fairway.svc:9092 --topic fairway.events "
                        + "--until 1200 --state-hash")
                .contains("replay: not run (--dry-run)");
    }

    // --------------------------------------------------------------------------------------------- check-invariants

    @Test
    void checkInvariantsHoldOnAFineCluster() throws Exception {
        Result r = run("check-invariants.sh");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("pods: 5 pods of scheduler fairway, 4 bound")
                .contains("the state hash equals a replay's for " + LEADER + " at offset 1200, " + FOLLOWER
                        + " at offset 1198")
                .contains("all invariants hold");
        // one replay per offset, in a pod of the replicas' image
        assertThat(r.calls()).filteredOn(c -> c.startsWith("run ")).hasSize(2)
                .allMatch(c -> c.contains("--image=registry.example.com/fairway:0.1.0"));
    }

    @Test
    void checkInvariantsNamesAnOverfilledNode() throws Exception {
        // cpu-1's pods request 3600m (1500m, a pod whose 2-core init container outweighs its 0.1 + 0.2 cores, 100m)
        can("nodes", nodes("3599m", "7"));
        Result r = run("check-invariants.sh", "--no-replay");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("violations (2):")
                .contains("node cpu-1: cpu requested 3600m > allocatable 3599m (3 pods on it)")
                .contains("node gpu-1: nvidia.com/gpu requested 8 > allocatable 7 (1 pods on it)");
        can("nodes", nodes("3600m", "8"));
        assertThat(run("check-invariants.sh", "--no-replay").exit()).isZero();
    }

    @Test
    void checkInvariantsNamesAPodThatWaitsWithoutAReason() throws Exception {
        can("all-pods", ALL_PODS.replace("\"conditions\": [{\"type\": \"PodScheduled\", \"status\": \"False\", "
                + "\"reason\": \"Unschedulable\"}]", "\"conditions\": []"));
        Result r = run("check-invariants.sh", "--no-replay");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("pod team-b/train-2 is not bound and nothing says why");
        can("events", "{\"items\": [{\"reason\": \"FailedScheduling\", \"involvedObject\": {\"uid\": \"p6\"}}]}");
        assertThat(run("check-invariants.sh", "--no-replay").exit()).isZero();
    }

    @Test
    void checkInvariantsNamesAReplicaWhoseHashDiffersFromTheReplay() throws Exception {
        can("statez-" + FOLLOWER, statez(FOLLOWER, 1198, "00".repeat(32)));
        Result r = run("check-invariants.sh");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("replica " + FOLLOWER + ": state hash " + "00".repeat(32) + " at offset 1198, "
                + "but a replay of the log to that offset gives " + HASH);
    }

    @Test
    void checkInvariantsAsksEachReplicaThroughThePodProxyOverHttpsWhenTold() throws Exception {
        Result r = run("check-invariants.sh", "--https", "--health-port", "8443");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.calls()).contains("get --raw /api/v1/namespaces/fairway/pods/https:" + LEADER + ":8443/proxy/statez",
                "get --raw /api/v1/namespaces/fairway/pods/https:" + FOLLOWER + ":8443/proxy/statez");
    }

    // ------------------------------------------------------------------------------------------------- real runs

    @Test
    void killLeaderWaitsForTheNewHolderAndTimesIt() throws Exception {
        Result r = run("kill-leader.sh", "--timeout", "20");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.calls()).contains("delete pod " + LEADER + " -n fairway --grace-period=0 --force --wait=false");
        assertThat(r.out()).containsPattern("fail-over: " + LEADER + " -> " + FOLLOWER + " in \\d+\\.\\d{3} s; "
                + "released by the old leader");
    }

    @Test
    void killLeaderGivesUpAfterItsTimeout() throws Exception {
        Files.delete(canned.resolve("lease-after"));
        Result r = run("kill-leader.sh", "--timeout", "1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("no replica other than " + LEADER + " holds lease fairway/fairway-leader after 1s");
    }

    @Test
    void aFreeOrMissingLeaseIsAnErrorThatSaysWhatToCheck() throws Exception {
        can("lease", lease(""));
        Result r = run("kill-leader.sh", "--dry-run");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("no replica holds lease fairway/fairway-leader: is Fairway running in namespace fairway?");
        Files.delete(canned.resolve("lease"));
        r = run("cut-leader-from-kafka.sh", "--namespace", "sched");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("cannot read the Lease sched/fairway-leader (Error from server (NotFound)")
                .contains("is Fairway running in namespace sched?");
        assertNoChange(r);
    }

    @Test
    void cutLeaderCutsThenUndoesInReverseOrder() throws Exception {
        Result r = run("cut-leader-from-kafka.sh", "--seconds", "1");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(changes(r)).containsExactly(
                "label pod " + LEADER + " -n fairway fairway.io/chaos=cut-from-kafka --overwrite",
                "apply -f -",
                "patch networkpolicy fairway -n fairway --type=json -p [{\"op\":\"replace\",\"path\":\"/spec/podSelector\","
                        + "\"value\":{\"matchLabels\":{\"app.kubernetes.io/name\":\"fairway\"},\"matchExpressions\":"
                        + "[{\"key\":\"fairway.io/chaos\",\"operator\":\"DoesNotExist\"}]}}]",
                "patch networkpolicy fairway -n fairway --type=json -p [{\"op\":\"replace\",\"path\":\"/spec/podSelector\","
                        + "\"value\":{\"matchLabels\":{\"app.kubernetes.io/name\":\"fairway\"}}}]",
                "delete networkpolicy fairway-chaos-cut-from-kafka -n fairway --ignore-not-found",
                "label pod " + LEADER + " -n fairway fairway.io/chaos-");
        assertThat(Files.readString(canned.resolve("applied"))).contains("fairway-chaos-cut-from-kafka")
                .doesNotContain("strimzi.io/cluster");
    }

    @Test
    void cutLeaderUndoesTheCutWhenStoppedHalfway() throws Exception {
        Process p = start("cut-leader-from-kafka.sh", "--seconds", "120");
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p));
        await().atMost(Duration.ofSeconds(30)).until(() -> calls().stream().anyMatch(c -> c.contains("DoesNotExist")));
        // SIGTERM, as Ctrl-C or a CI's timeout would send (Process.destroy() would also close its output)
        assertThat(exec(List.of("kill", "-TERM", Long.toString(p.pid()))).exit()).isZero();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out.get(10, TimeUnit.SECONDS)).contains("undoing the cut");
        List<String> changes = changes(new Result(p.exitValue(), "", calls()));
        assertThat(changes).hasSize(6);
        assertThat(changes.subList(3, 6)).satisfiesExactly(
                c -> assertThat(c).startsWith("patch networkpolicy fairway").doesNotContain("DoesNotExist"),
                c -> assertThat(c).startsWith("delete networkpolicy fairway-chaos-cut-from-kafka"),
                c -> assertThat(c).isEqualTo("label pod " + LEADER + " -n fairway fairway.io/chaos-"));
    }

    @Test
    void cutLeaderUndoesWhatItDidWhenAStepFails() throws Exception {
        Files.writeString(canned.resolve("fail-patch"), "");
        Result r = run("cut-leader-from-kafka.sh", "--seconds", "1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("cannot narrow fairway");
        assertThat(changes(r)).containsExactly(
                "label pod " + LEADER + " -n fairway fairway.io/chaos=cut-from-kafka --overwrite",
                "apply -f -",
                "patch networkpolicy fairway -n fairway --type=json -p [{\"op\":\"replace\",\"path\":\"/spec/podSelector\","
                        + "\"value\":{\"matchLabels\":{\"app.kubernetes.io/name\":\"fairway\"},\"matchExpressions\":"
                        + "[{\"key\":\"fairway.io/chaos\",\"operator\":\"DoesNotExist\"}]}}]",
                "delete networkpolicy fairway-chaos-cut-from-kafka -n fairway --ignore-not-found",
                "label pod " + LEADER + " -n fairway fairway.io/chaos-");
    }

    @Test
    void deleteReplicaDataWaitsForTheRestartAndChecksTheRebuild() throws Exception {
        Result r = run("delete-replica-data.sh", "--replica", "follower", "--timeout", "30");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(changes(r)).singleElement().asString().startsWith("exec " + FOLLOWER + " -n fairway -c fairway -- sh -c");
        assertThat(r.out()).contains("replica " + FOLLOWER + " rebuilt its state from the log");
        Files.delete(canned.resolve("changed"));
        can("logs", "state recovered from the store at offset 1100, replayed 100 events up to offset 1200 in 0.2 s\n");
        r = run("delete-replica-data.sh", "--replica", FOLLOWER, "--timeout", "30");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("did not rebuild from the whole log");

        Files.delete(canned.resolve("changed"));
        can("logs", "state recovered from a peer's snapshot at offset 1100, replayed 100 events up to offset 1200 in "
                + "0.4 s\n");
        r = run("delete-replica-data.sh", "--replica", FOLLOWER, "--timeout", "30");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("replica " + FOLLOWER + " rebuilt its state from a peer's snapshot and the log");
    }

    @Test
    void deleteReplicaDataStopsWhenTheReplicaCannotRebuild() throws Exception {
        can("fairway-pods-after", fairwayPods(1, 0).replace("{\"type\": \"Ready\", \"status\": \"True\"}", ""));
        can("logs", "StoreException: cannot build the state: the log starts at offset 5000, the events before it were "
                + "deleted (retention, or a deletion of records), and no state store or snapshot reaches that far\n");
        Result r = run("delete-replica-data.sh", "--replica", FOLLOWER, "--timeout", "60");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("replica " + FOLLOWER + " cannot rebuild from the log: StoreException: cannot build "
                + "the state: the log starts at offset 5000");
    }

    @Test
    void deleteKafkaBrokerWaitsForTheNewPodToBeReady() throws Exception {
        Result r = run("delete-kafka-broker.sh", "--broker", "1", "--force", "--timeout", "30");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(changes(r)).containsExactly(
                "delete pod fairway-kafka-dual-role-1 -n fairway --wait=false --grace-period=0 --force");
        assertThat(r.out()).contains("broker 1 (pod fairway-kafka-dual-role-1) deleted and Ready again after");
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private record Result(int exit, String out, List<String> calls) {
    }

    private Result run(String script, String... args) throws Exception {
        Process p = start(script, args);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p));
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(script + " " + String.join(" ", args) + " did not end within 90 s");
        }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), calls());
    }

    private Process start(String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        pb.environment().put("STUB_DIR", canned.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    private static String readAll(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Result exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, List.of());
    }

    private List<String> calls() throws IOException {
        Path f = canned.resolve("calls");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    /** The recorded calls that change the cluster, the --context words left out. */
    private static List<String> changes(Result r) {
        List<String> out = new ArrayList<>();
        for (String call : r.calls()) {
            String c = call.replaceFirst("^--context \\S+ ", "");
            String verb = c.split(" ", 2)[0];
            if (CHANGES.contains(verb) || verb.equals("exec") && !c.contains("kafka-topics.sh --bootstrap-server")) {
                out.add(c);
            }
        }
        return out;
    }

    private static void assertNoChange(Result r) {
        assertThat(changes(r)).as("calls that change the cluster, in:%n%s", r.out()).isEmpty();
        assertThat(r.calls()).noneMatch(c -> c.matches(".*\\b(delete|apply|patch|label)\\b.*"));
    }

    /** The options the script parses (its case patterns and lib.sh's), e.g. --timeout. */
    private static Set<String> options(String script) throws IOException {
        Set<String> options = new LinkedHashSet<>();
        Pattern arm = Pattern.compile("^\\s*((?:-[-a-z]+\\|?)+)\\)", Pattern.MULTILINE);
        for (String file : List.of(script, "lib.sh")) {
            Matcher m = arm.matcher(Files.readString(SCRIPTS.resolve(file)));
            while (m.find()) {
                for (String o : m.group(1).split("\\|")) {
                    if (o.startsWith("--")) {
                        options.add(o);
                    }
                }
            }
        }
        return options;
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.contains(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + prefix + " in:\n" + text));
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private void can(String name, String content) throws IOException {
        Files.writeString(canned.resolve(name), content);
    }

    // ------------------------------------------------------------------------------------------- the fake cluster

    private static final String FAKE_KUBECTL = """
            #!/usr/bin/env bash
            # ChaosScriptsTest's kubectl: records its arguments and answers from the canned files in $STUB_DIR.
            d=${STUB_DIR:?}
            printf '%s\\n' "$*" >>"$d/calls"
            a=" $* "
            serve() {
              if [ -f "$d/changed" ] && [ -f "$d/$1-after" ]; then cat "$d/$1-after"
              elif [ -f "$d/$1" ]; then cat "$d/$1"
              else echo "Error from server (NotFound): $1 not found" >&2; exit 1; fi
            }
            for verb in delete apply patch label run exec; do
              case $a in
                *" $verb "*) if [ -f "$d/fail-$verb" ]; then echo "Error from server (Forbidden): no $verb" >&2; exit 1; fi ;;
              esac
            done
            case $a in
              *" get lease "*) serve lease ;;
              *" get pods "*strimzi.io/cluster=*) serve kafka-pods ;;
              *" get pod fairway-kafka-"*) serve kafka-pod ;;
              *" get pods --all-namespaces "*) serve all-pods ;;
              *" get pods "*) serve fairway-pods ;;
              *" get nodes "*) serve nodes ;;
              *" get events "*) serve events ;;
              *" get networkpolicies "*) serve networkpolicies ;;
              *" get configmap "*) serve settings ;;
              *" get --raw "*/statez*) p=${a#*/pods/}; p=${p#https:}; serve "statez-${p%%:*}" ;;
              *" logs "*) serve logs ;;
              *" exec "*kafka-topics.sh*) serve describe ;;
              *" run "*) serve replay ;;
              *" apply "*) cat >"$d/applied"; touch "$d/changed" ;;
              *" exec "*|*" delete "*|*" patch "*|*" label "*) touch "$d/changed" ;;
              *) echo "fake kubectl: nothing canned for: $*" >&2; exit 1 ;;
            esac
            """;

    private static String lease(String holder) {
        return """
                {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": "fairway-leader", "namespace": "fairway"},
                 "spec": {"holderIdentity": "%s", "leaseDurationSeconds": 2, "leaseTransitions": 3}}
                """.formatted(holder);
    }

    /** Fairway's two replicas as deploy/base runs them; the follower's container restarted {@code restarts} times. */
    private static String fairwayPods(int followerRestarts, int leaderRestarts) {
        return "{\"items\": [" + replica(LEADER, "cpu-1", leaderRestarts) + ", "
                + replica(FOLLOWER, "gpu-1", followerRestarts) + "]}";
    }

    private static String replica(String name, String node, int restarts) {
        return """
                {"metadata": {"name": "%s", "namespace": "fairway", "uid": "uid-%s",
                   "labels": {"app.kubernetes.io/name": "fairway", "pod-template-hash": "5d8f9c7b6"}},
                 "spec": {"nodeName": "%s", "containers": [{"name": "fairway", "image": "registry.example.com/fairway:0.1.0",
                   "volumeMounts": [{"name": "settings", "mountPath": "/etc/fairway"},
                                    {"name": "data", "mountPath": "/var/lib/fairway"}]}],
                   "volumes": [{"name": "settings", "configMap": {"name": "fairway-settings"}},
                               {"name": "data", "emptyDir": {}}]},
                 "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                   "containerStatuses": [{"name": "fairway", "restartCount": %d}]}}
                """.formatted(name, name, node, restarts);
    }

    private static String broker(int id, String uid) {
        return """
                {"metadata": {"name": "fairway-kafka-dual-role-%d", "namespace": "fairway", "uid": "%s",
                   "labels": {"strimzi.io/cluster": "fairway-kafka", "strimzi.io/broker-role": "true"}},
                 "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}
                """.formatted(id, uid);
    }

    private static String statez(String replica, long offset, String hash) {
        return """
                {"replica": "%s", "role": "follower", "leader": "%s", "epoch": 4, "offset": %d, "stateHash": "%s"}
                """.formatted(replica, LEADER, offset, hash);
    }

    /** cpu-1 (4 cores, 8 Gi) and gpu-1 (32 cores, 128 Gi, 8 GPUs), with cpu-1's cpu and gpu-1's GPUs given. */
    private static String nodes(String cpu1Cpu, String gpu1Gpus) {
        return """
                {"items": [
                  {"metadata": {"name": "cpu-1"}, "status": {"allocatable": {"cpu": "%s", "memory": "8Gi", "pods": "110"}}},
                  {"metadata": {"name": "gpu-1"}, "status": {"allocatable": {"cpu": "32", "memory": "128Gi",
                    "nvidia.com/gpu": "%s", "pods": "110"}}}]}
                """.formatted(cpu1Cpu, gpu1Gpus);
    }

    /**
     * On cpu-1: 1500m; a pod of 0.1 + 0.2 cores whose 2-core init container counts instead; another scheduler's 100m;
     * a finished 4-core pod that counts for nothing: 3600m. On gpu-1: 8 GPUs. Waiting: one pod, with its reason.
     */
    private static final String ALL_PODS = """
            {"items": [
              {"metadata": {"namespace": "team-a", "name": "etl-1", "uid": "p1", "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"schedulerName": "fairway", "nodeName": "cpu-1",
                 "containers": [{"name": "c", "resources": {"requests": {"cpu": "1500m", "memory": "2Gi"}}}]},
               "status": {"phase": "Running"}},
              {"metadata": {"namespace": "team-a", "name": "etl-2", "uid": "p2", "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"schedulerName": "fairway", "nodeName": "cpu-1",
                 "containers": [{"name": "c", "resources": {"requests": {"cpu": "0.1", "memory": "512Mi"}}},
                                {"name": "d", "resources": {"requests": {"cpu": "0.2"}}}],
                 "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "2"}}}]},
               "status": {"phase": "Running"}},
              {"metadata": {"namespace": "kube-system", "name": "agent", "uid": "p3", "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"schedulerName": "default-scheduler", "nodeName": "cpu-1",
                 "containers": [{"name": "c", "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]},
               "status": {"phase": "Running"}},
              {"metadata": {"namespace": "team-b", "name": "done", "uid": "p4", "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"schedulerName": "fairway", "nodeName": "cpu-1",
                 "containers": [{"name": "c", "resources": {"requests": {"cpu": "4"}}}]},
               "status": {"phase": "Succeeded"}},
              {"metadata": {"namespace": "team-b", "name": "train-1", "uid": "p5", "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"schedulerName": "fairway", "nodeName": "gpu-1",
                 "containers": [{"name": "c", "resources": {"requests": {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": "8"}}}]},
               "status": {"phase": "Running"}},
              {"metadata": {"namespace": "team-b", "name": "train-2", "uid": "p6", "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"schedulerName": "fairway",
                 "containers": [{"name": "c", "resources": {"requests": {"nvidia.com/gpu": "1"}}}]},
               "status": {"phase": "Pending",
                 "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}}]}
            """;

    /** deploy/base/networkpolicy.yaml as the API server returns it. */
    private static final String NETWORK_POLICIES = """
            {"items": [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
              "metadata": {"name": "fairway", "namespace": "fairway"},
              "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "fairway"}},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}]}],
                "egress": [{"ports": [{"port": 443, "protocol": "TCP"}, {"port": 6443, "protocol": "TCP"}]},
                           {"to": [{"podSelector": {"matchLabels": {"strimzi.io/cluster": "fairway-kafka"}}}],
                            "ports": [{"port": 9092, "protocol": "TCP"}]},
                           {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}},
             {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
              "metadata": {"name": "fairway-kafka-network-policy-kafka", "namespace": "fairway"},
              "spec": {"podSelector": {"matchLabels": {"strimzi.io/cluster": "fairway-kafka"}},
                "policyTypes": ["Ingress"], "ingress": [{"ports": [{"port": 9092, "protocol": "TCP"}]}]}}]}
            """;

    /** The ConfigMap fairway-settings of deploy/base, its YAML as one JSON string. */
    private static final String SETTINGS = """
            {"data": {"fairway.yaml": "dataDir: /var/lib/fairway\\nkafka:\\n  bootstrapServers: fairway-kafka-kafka-bootstrap.fairway.svc:9092\\n  topic: fairway.events\\n  replicationFactor: 3\\n"}}
            """;
}
