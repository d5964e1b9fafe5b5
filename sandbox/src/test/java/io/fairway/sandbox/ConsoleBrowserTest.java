package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fairway.core.state.AppState;
import io.fairway.ha.HealthServer;
import io.fairway.ha.LeaderLoop;
import io.fairway.ha.Replica;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium (Debian's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver})
 * against a running sandbox: a Kafka broker, the local API server, 30 simulated nodes (CPU, GPU and FPGA, in three
 * zones) with kubelets, two replicas each serving the console on its health port, the demo's queues and a workload.
 * Every page is loaded and shows the sandbox's own data; a pod is followed from the apps list to its app and its story;
 * a bad config is refused with its problems; the follower says it is read-only and names the leader.
 *
 * <p>Each page is kept as a screenshot in {@code sandbox/target/console-screenshots/NAME.png} (test artifacts, to look
 * at after a run).
 */
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String NS = "console";
    private static final String APP = "console-app-1";
    private static final String QUEUE = "root.tenants.team-a";
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    /** A queue name twice under one parent: the validator names it and the line. */
    private static final String BAD_CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: tenants
                        queues:
                          - name: team-a
                          - name: team-a
            """;

    private static SandboxCluster cluster;
    private static WorkloadGenerator workload;
    private static ScheduledExecutorService timer;
    private static final List<KafkaEventLog> logs = new ArrayList<>();
    private static final Map<String, HealthServer> servers = new HashMap<>();
    private static Path profile;
    private static ChromeDriver driver;
    private static String leader;
    private static String follower;

    @BeforeAll
    static void startSandboxAndBrowser() throws IOException {
        NodeFleet fleet = NodeFleet.mixed(30, 7);
        cluster = SandboxCluster.start(fleet, KubeletOptions.defaults().withStartDelay(Duration.ZERO)
                        .withDefaultRunTime(Duration.ofMinutes(30)),
                SandboxCluster.demoQueues(), LeaderLoop.Options.defaults("replica-0"), 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.leader() != null);
        // every replica serves the console on its health port, as `fairway run` does
        for (Replica r : cluster.replicas()) {
            KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(cluster.kafkaBootstrap()));
            logs.add(log);
            servers.put(r.name(), HealthServer.start(r, log, "127.0.0.1", 0));
        }
        leader = cluster.leader().name();
        follower = cluster.replicas().stream().map(Replica::name).filter(n -> !n.equals(leader)).findFirst().orElseThrow();

        // a two-pod app of our own, whose names we know, and the demo's mixed workload around it
        WorkloadGenerator.ensureNamespaces(cluster.client(), List.of(NS));
        for (int i = 0; i < 2; i++) {
            cluster.client().pods().inNamespace(NS).resource(pod(APP + "-pod-" + i, APP)).create();
        }
        timer = Executors.newSingleThreadScheduledExecutor();
        workload = new WorkloadGenerator(WorkloadOptions.defaults().toBuilder().appsPerMinute(600).maxApps(8).seed(7)
                .fpgaFunctions(fleet.programmedFpgaFunctions()).build());
        workload.start(cluster.client(), timer);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            AppState app = cluster.leader().follower().state().app(APP);
            assertThat(app).isNotNull();
            assertThat(app.placedPods()).isEqualTo(2);
            assertThat(cluster.client().pods().inNamespace(NS).withName(APP + "-pod-0").get().getStatus().getPhase())
                    .isEqualTo("Running");
        });

        Files.createDirectories(SCREENSHOTS);
        profile = Files.createTempDirectory("fairway-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--disable-dev-shm-usage", "--window-size=1440,1000", "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        servers.values().forEach(HealthServer::close);
        if (workload != null) {
            workload.stop();
            workload.close();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        logs.forEach(KafkaEventLog::close);
        if (cluster != null) {
            cluster.close();
        }
        if (profile != null) {
            io.fairway.store.Snapshots.deleteTree(profile);
        }
    }

    @BeforeEach
    void freshWindow() {
        driver.manage().window().setSize(new Dimension(1440, 1000));
    }

    private static Pod pod(String name, String appId) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(Map.of("applicationId", appId, "queue", QUEUE)).endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    @Test
    void overviewNamesTheLeaderAndShowsTheClusterAndItsReplicas() {
        open(leader, "#/");
        waitForText(By.id("card-leader"), leader);
        waitForText(By.id("leader"), "leader: " + leader);
        waitForText(By.id("card-replica"), "leader");
        waitForText(By.id("card-nodes"), "30 / 30");
        // both replicas, with their lag
        waitForText(By.id("replicas"), follower);
        assertThat(text(By.cssSelector("#replicas tr[data-replica='" + leader + "']"))).contains("LEADER");
        assertThat(text(By.cssSelector("#replicas tr[data-replica='" + follower + "']"))).contains("FOLLOWER");
        waitForText(By.id("card-health"), "healthy");
        // the chart is uPlot's, loaded from the WebJar through the import map
        waitFor("the pods chart drawn by uPlot", d -> !d.findElements(By.cssSelector("#pods-chart .uplot canvas")).isEmpty());
        waitForText(By.id("capacity"), "cores");
        assertThat(text(By.id("capacity"))).contains("GiB").contains("nvidia.com/gpu");
        assertThat(driver.findElement(By.id("banner")).isDisplayed()).isFalse();
        noErrorShown();
        screenshot("overview");
    }

    @Test
    void queuesShowTheTreeWithAllocatedGuaranteedAndMaxPerResource() {
        open(leader, "#/queues");
        waitFor("the queue tree", d -> !d.findElements(By.cssSelector("tr[data-queue='root.tenants.team-c']")).isEmpty());
        for (String q : List.of("root", "root.default", "root.tenants", "root.tenants.team-a", "root.tenants.team-b")) {
            assertThat(driver.findElements(By.cssSelector("tr[data-queue='" + q + "']"))).as("row of %s", q).hasSize(1);
        }
        // team-c: guaranteed vcore 600 and memory 2400Gi, max 1600, 6400Gi and 16 GPUs
        String teamC = text(By.cssSelector("tr[data-queue='root.tenants.team-c']"));
        assertThat(teamC).contains("guaranteed 600").contains("max 1,600").contains("max 6,400").contains("max 16");
        assertThat(driver.findElements(By.cssSelector("tr[data-queue='root.tenants.team-c'] [data-resource='nvidia.com/gpu'] .bar")))
                .hasSize(1);
        // our app's two pods: 1 core and 2 GiB allocated in team-a at least
        WebElement teamA = driver.findElement(By.cssSelector("tr[data-queue='" + QUEUE + "']"));
        assertThat(teamA.findElements(By.cssSelector("[data-resource='cpu'] .bar .fill"))).hasSize(1);
        assertThat(teamA.getText()).contains("running").contains("guaranteed 1,200");
        noErrorShown();
        screenshot("queues");
    }

    @Test
    void nodesAreGroupedByZoneWithTheirGpusAndFpgas() {
        List<String> names = cluster.client().nodes().list().getItems().stream().map(n -> n.getMetadata().getName())
                .sorted().toList();
        open(leader, "#/nodes");
        waitFor("the zones", d -> d.findElements(By.cssSelector("section.domain")).size() == NodeFleet.ZONES.size());
        for (String zone : NodeFleet.ZONES) {
            assertThat(driver.findElements(By.cssSelector("section.domain[data-domain='" + zone + "']"))).hasSize(1);
        }
        assertThat(new Select(driver.findElement(By.id("group-by"))).getFirstSelectedOption().getText())
                .isEqualTo("topology.kubernetes.io/zone");
        for (String n : names) {
            assertThat(driver.findElements(By.cssSelector("tr[data-node='" + n + "']"))).as("row of node %s", n).hasSize(1);
        }
        assertThat(text(By.id("accelerator-table"))).contains("nvidia.com/gpu").contains("fpga");
        // the accelerator view: only GPU and FPGA nodes
        driver.findElement(By.id("only-accelerators")).click();
        waitFor("only accelerator nodes", d -> d.findElements(By.cssSelector("tr[data-node]")).stream()
                .allMatch(r -> r.getAttribute("data-node").matches("(gpu|fpga)-.*")));
        assertThat(driver.findElements(By.cssSelector("tr[data-node^='gpu-']"))).hasSize(3);
        noErrorShown();
        screenshot("nodes-accelerators");
        driver.findElement(By.id("only-accelerators")).click();
        waitFor("every node again", d -> d.findElements(By.cssSelector("tr[data-node]")).size() == names.size());
        screenshot("nodes");
    }

    @Test
    void aPodIsFollowedFromTheAppsListToItsAppAndItsStory() {
        open(leader, "#/apps");
        waitFor("the apps list", d -> !d.findElements(By.cssSelector("#apps-table tr[data-app]")).isEmpty());
        screenshot("apps");
        // search narrows the list to our app
        driver.findElement(By.id("filter-q")).sendKeys("console-app");
        new Select(driver.findElement(By.id("filter-state"))).selectByValue("RUNNING");
        waitFor("only our app", d -> d.findElements(By.cssSelector("#apps-table tr[data-app]")).size() == 1
                && !d.findElements(By.cssSelector("tr[data-app='" + APP + "']")).isEmpty());
        assertThat(text(By.cssSelector("tr[data-app='" + APP + "']"))).contains(QUEUE).contains("running")
                .contains("1 core, 2 GiB");
        assertThat(driver.getCurrentUrl()).contains("q=console-app").contains("state=RUNNING");
        driver.findElement(By.cssSelector("tr[data-app='" + APP + "'] a.app-link")).click();

        waitForText(By.id("app-title"), APP);
        waitFor("the app's pods", d -> d.findElements(By.cssSelector("#pods-table tr[data-pod]")).size() == 2);
        String pod = NS + "/" + APP + "-pod-0";
        String node = cluster.client().pods().inNamespace(NS).withName(APP + "-pod-0").get().getSpec().getNodeName();
        assertThat(text(By.cssSelector("tr[data-pod='" + pod + "']"))).contains("Running").contains("placed")
                .contains("bound").contains(node);
        assertThat(text(By.id("app-detail"))).contains(QUEUE).contains("2 running");
        noErrorShown();
        screenshot("app");
        driver.findElement(By.cssSelector("tr[data-pod='" + pod + "'] a.pod-link")).click();

        waitFor("the story", d -> !d.findElements(By.cssSelector("#story section.story")).isEmpty());
        String story = text(By.id("story"));
        assertThat(story).contains(pod).contains("allocated on " + node + " in " + QUEUE + " by leader epoch")
                .contains("bound to " + node);
        assertThat(driver.findElements(By.cssSelector("ol.timeline li.allocated"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("ol.timeline li.bound"))).isNotEmpty();
        noErrorShown();
        screenshot("story");

        // a pod the log never saw is said to be unknown
        open(leader, "#/story?pod=" + NS + "/no-such-pod");
        waitFor("the unknown pod's answer", d -> !d.findElements(By.cssSelector("#story .error")).isEmpty());
        assertThat(text(By.cssSelector("#story .error"))).contains("no-such-pod");
    }

    @Test
    void theEventLogTailsLiveAndFiltersByType() {
        open(leader, "#/log");
        waitFor("the newest events", d -> !d.findElements(By.cssSelector("#log-rows tr")).isEmpty());
        // a pod created now shows in the live tail, newest on top
        cluster.client().pods().inNamespace(NS).resource(pod("console-live-pod", "console-app-live")).create();
        waitFor("the new pod in the live tail", d -> d.findElements(By.cssSelector("#log-rows tr[data-type='PodObserved']"))
                .stream().anyMatch(r -> r.getText().contains("console-live-pod")));
        List<Long> offsets = driver.findElements(By.cssSelector("#log-rows tr")).stream()
                .map(r -> Long.parseLong(r.getAttribute("data-offset"))).toList();
        assertThat(offsets).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        screenshot("log");

        new Select(driver.findElement(By.id("log-type"))).selectByValue("Allocated");
        waitFor("allocations only", d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#log-rows tr"));
            return !rows.isEmpty() && rows.stream().allMatch(r -> "Allocated".equals(r.getAttribute("data-type")));
        });
        assertThat(driver.getCurrentUrl()).contains("type=Allocated");
        noErrorShown();
        screenshot("log-allocated");
    }

    @Test
    void aBadConfigIsRefusedWithItsProblemsAndTheActiveOneStays() {
        open(leader, "#/config");
        waitForText(By.id("config-active-yaml"), "team-c");
        String version = text(By.id("config-version"));
        WebElement area = driver.findElement(By.id("config-yaml"));
        assertThat(area.getAttribute("value")).contains("team-c");
        // validating the active config passes
        driver.findElement(By.id("config-validate")).click();
        waitForText(By.id("config-result"), "Valid");

        setValue(area, BAD_CONFIG);
        driver.findElement(By.id("config-validate")).click();
        waitFor("the problems", d -> !d.findElements(By.cssSelector("#config-result .error")).isEmpty());
        assertThat(text(By.id("config-result"))).contains("queue name 'team-a' is used twice");
        screenshot("config-validate");

        driver.findElement(By.id("config-apply")).click();
        waitFor("the refusal", d -> !d.findElements(By.cssSelector("#config-result .error")).isEmpty()
                && !text(By.id("config-result")).contains("Applying"));
        assertThat(text(By.id("config-result"))).contains("queue name 'team-a' is used twice");
        // nothing changed
        open(leader, "#/config");
        waitForText(By.id("config-active-yaml"), "team-c");
        assertThat(text(By.id("config-version"))).isEqualTo(version);
        waitFor("the history", d -> !d.findElements(By.cssSelector("#config-history-table tr")).isEmpty());
        noErrorShown();
        screenshot("config");
    }

    @Test
    void theFollowerSaysItIsReadOnlyAndNamesTheLeader() {
        open(follower, "#/");
        waitForText(By.id("banner"), "read-only follower");
        assertThat(text(By.id("banner"))).contains(follower).contains("The leader is " + leader);
        waitForText(By.id("leader"), "leader: " + leader);
        waitForText(By.id("replica"), follower);
        assertThat(text(By.id("replica"))).contains("FOLLOWER");
        waitForText(By.id("card-replica"), "read-only");
        screenshot("follower-overview");
        // every page says so, and shows the follower's replicated state
        open(follower, "#/apps/" + APP);
        waitForText(By.id("app-title"), APP);
        waitFor("the app's pods on the follower", d -> d.findElements(By.cssSelector("#pods-table tr[data-pod]")).size() == 2);
        assertThat(text(By.id("banner"))).contains("read-only follower").contains(leader);
        noErrorShown();
        screenshot("follower-app");
    }

    @Test
    void theTokenIsKeptForTheTabAndSentAsBearer() {
        open(leader, "#/config");
        waitForText(By.id("config-active-yaml"), "team-c");
        driver.findElement(By.id("token")).sendKeys("not-a-real-token");
        driver.findElement(By.id("token-set")).click();
        waitFor("the token kept", d -> "not-a-real-token".equals(js("return sessionStorage.getItem('fairway.console.token')")));
        waitForText(By.id("config-active-yaml"), "team-c");
        assertThat(driver.findElement(By.id("token")).getAttribute("placeholder")).isEqualTo("token set (hidden)");
        // every request of the page carries it: wrap fetch and look at what the form sends
        js("window.__auth = []; const f = window.fetch; window.fetch = (u, o) => { window.__auth.push((o && o.headers"
                + " && o.headers.Authorization) || ''); return f(u, o); };");
        driver.findElement(By.id("config-validate")).click();
        waitFor("a request", d -> !((List<?>) js("return window.__auth")).isEmpty());
        assertThat(((List<?>) js("return window.__auth")).stream().map(String::valueOf).toList()).contains("Bearer not-a-real-token");
        driver.findElement(By.id("token-clear")).click();
        waitFor("the token gone", d -> js("return sessionStorage.getItem('fairway.console.token')") == null);
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** Loads the console afresh (a new hash alone would only switch the page inside the loaded one). */
    private static void open(String replica, String hash) {
        driver.get("about:blank");
        driver.get("http://127.0.0.1:" + servers.get(replica).port() + "/" + hash);
    }

    private static String text(By by) {
        return driver.findElement(by).getText();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static void setValue(WebElement area, String value) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1];", area, value);
    }

    private static void waitForText(By by, String text) {
        waitFor("'" + text + "' in " + by, d -> d.findElements(by).stream().anyMatch(e -> e.getText().contains(text)));
    }

    private static void waitFor(String what, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .withMessage(() -> what + " did not show; the page says:\n" + driver.findElement(By.tagName("body")).getText()
                        + "\nthe browser logged:\n" + browserLog())
                .until(condition);
    }

    private static String browserLog() {
        return driver.manage().logs().get("browser").getAll().stream().map(LogEntry::toString)
                .collect(Collectors.joining("\n"));
    }

    /** No page drew an error box (a failed API call, a script that threw). */
    private static void noErrorShown() {
        assertThat(driver.findElements(By.cssSelector("main .error")).stream().map(WebElement::getText).toList())
                .as("errors on %s", driver.getCurrentUrl()).isEmpty();
    }

    /** The whole page, not only the window: the window is stretched to the page's height first. */
    private static void screenshot(String name) {
        Number height = (Number) js("return Math.ceil(document.documentElement.scrollHeight)");
        driver.manage().window().setSize(new Dimension(1440, Math.max(1000, Math.min(4000, height.intValue() + 200))));
        try {
            File shot = driver.getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot keep the screenshot " + name + ": " + e.getMessage(), e);
        } finally {
            driver.manage().window().setSize(new Dimension(1440, 1000));
        }
    }
}
