package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fairway.core.state.AppState;
import io.fairway.ha.ElectionOptions;
import io.fairway.ha.HealthServer;
import io.fairway.ha.LeaderLoop;
import io.fairway.ha.Replica;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import io.fairway.server.ConsoleOptions;
import io.fairway.server.ConsoleServer;
import io.fairway.server.QueueConfigMapWriter;
import io.fairway.server.ReplicaBeacon;
import io.fairway.store.Snapshots;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.Principal;
import io.fairway.ui.access.Role;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
 * zones) with kubelets, two replicas, the demo's queues and workload. Two consoles: the sandbox's (as {@code fairway
 * demo} serves it, reads open, an admin and a viewer token) and the follower's own on its health port (as {@code
 * fairway run} serves it). Every page shows the sandbox's own data; a pod is followed from the apps list to its app and
 * its story; a bad config is refused with its problems, by role, and a good one applied with its author; the follower
 * says it is read-only and names the leader.
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
    private static final String ADMIN_TOKEN = "admin-token-for-the-console-test";
    private static final String VIEWER_TOKEN = "viewer-token-for-the-console-test";
    /** A queue name twice under one parent: the validator names it. */
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
    private static SandboxConsole console;
    private static KafkaEventLog followerLog;
    private static HealthServer followerConsole;
    private static final List<ReplicaBeacon> beacons = new ArrayList<>();
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
        leader = cluster.leader().name();
        Replica standby = cluster.replicas().stream().filter(r -> !r.name().equals(leader)).findFirst().orElseThrow();
        follower = standby.name();
        AccessControl access = AccessControl.tokens(Map.of(
                ADMIN_TOKEN, new Principal("ops-admin", Role.ADMIN),
                VIEWER_TOKEN, new Principal("ops-viewer", Role.VIEWER)), false);
        console = cluster.startConsole(access, "127.0.0.1", 0);
        // the follower's own console on its health port, as `fairway run` serves it: replicas from their status
        // Leases, config writes to the ConfigMap
        followerLog = KafkaEventLog.open(KafkaEventLogConfig.of(cluster.kafkaBootstrap()));
        for (Replica r : cluster.replicas()) {
            beacons.add(ReplicaBeacon.start(cluster.client(), r, ElectionOptions.DEFAULT_NAMESPACE,
                    Duration.ofSeconds(1), Clock.systemUTC()));
        }
        followerConsole = ConsoleServer.start(standby, cluster.feed(standby), followerLog, "127.0.0.1", 0,
                new ConsoleOptions(() -> access,
                new QueueConfigMapWriter(cluster.client(), WatcherOptions.DEFAULT_CONFIG_NAMESPACE,
                        WatcherOptions.DEFAULT_CONFIG_NAME, Clock.systemUTC()),
                beacons.get(cluster.replicas().indexOf(standby)), null));

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
        if (followerConsole != null) {
            followerConsole.close();
        }
        beacons.forEach(ReplicaBeacon::close);
        if (followerLog != null) {
            followerLog.close();
        }
        if (workload != null) {
            workload.stop();
            workload.close();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (profile != null) {
            Snapshots.deleteTree(profile);
        }
    }

    @BeforeEach
    void freshWindow() {
        driver.manage().window().setSize(new Dimension(1440, 1000));
        // a token from an earlier test stays out of this one
        driver.get(console.url() + "#/");
        js("sessionStorage.clear()");
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
        open("#/");
        waitForText(By.id("card-leader"), leader);
        waitForText(By.id("leader"), "leader: " + leader);
        waitForText(By.id("card-replica"), "leader");
        waitForText(By.id("card-nodes"), "30 / 30");
        // both replicas, with their lag
        waitForText(By.id("replicas"), follower);
        assertThat(text(By.cssSelector("#replicas tr[data-replica='" + leader + "']"))).contains("leader")
                .contains("(this one)");
        assertThat(text(By.cssSelector("#replicas tr[data-replica='" + follower + "']"))).contains("follower");
        // the sandbox's console has no probes of its own: health and lag come from the summary and the replicas
        waitForText(By.id("card-health"), "a leader decides");
        waitForText(By.id("card-ready"), "caught up");
        // who led when: the current term, from the log's LeaderElected
        waitForText(By.id("leaders"), "(leads now)");
        assertThat(text(By.cssSelector("#leaders tr[data-epoch='" + cluster.leader().loop().epoch() + "']")))
                .contains(leader).contains("(leads now)");
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
        open("#/queues");
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
        open("#/nodes");
        waitFor("the zones", d -> d.findElements(By.cssSelector("section.domain")).size() == NodeFleet.ZONES.size());
        assertThat(attributes("section.domain", "domain")).containsExactlyElementsOf(NodeFleet.ZONES);
        assertThat(new Select(driver.findElement(By.id("group-by"))).getFirstSelectedOption().getText())
                .isEqualTo("topology.kubernetes.io/zone");
        assertThat(attributes("tr[data-node]", "node")).containsExactlyInAnyOrderElementsOf(names);
        // each zone holds its own nodes
        for (String zone : NodeFleet.ZONES) {
            List<String> inZone = cluster.client().nodes().list().getItems().stream()
                    .filter(n -> zone.equals(n.getMetadata().getLabels().get("topology.kubernetes.io/zone")))
                    .map(n -> n.getMetadata().getName()).toList();
            assertThat(attributes("section.domain[data-domain='" + zone + "'] tr[data-node]", "node"))
                    .as("nodes of %s", zone).containsExactlyInAnyOrderElementsOf(inZone);
        }
        assertThat(text(By.id("accelerator-table"))).contains("nvidia.com/gpu").contains("fpga");
        // the accelerator view: only GPU and FPGA nodes
        driver.findElement(By.id("only-accelerators")).click();
        waitFor("only accelerator nodes", d -> attributes("tr[data-node]", "node").stream()
                .allMatch(n -> n.matches("(gpu|fpga)-.*")));
        assertThat(attributes("tr[data-node]", "node")).filteredOn(n -> n.startsWith("gpu-")).hasSize(3);
        noErrorShown();
        screenshot("nodes-accelerators");
        driver.findElement(By.id("only-accelerators")).click();
        waitFor("every node again", d -> attributes("tr[data-node]", "node").size() == names.size());
        screenshot("nodes");
    }

    @Test
    void aPodIsFollowedFromTheAppsListToItsAppAndItsStory() {
        open("#/apps");
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
        open("#/story?pod=" + NS + "/no-such-pod");
        waitFor("the unknown pod's answer", d -> !d.findElements(By.cssSelector("#story .error")).isEmpty());
        assertThat(text(By.cssSelector("#story .error"))).contains("no-such-pod");
    }

    @Test
    void theEventLogTailsLiveAndFiltersByType() {
        open("#/log");
        waitFor("the newest events", d -> !attributes("#log-rows tr[data-offset]", "offset").isEmpty());
        // a pod created now shows in the live tail (the page is not loaded again), newest on top
        cluster.client().pods().inNamespace(NS).resource(pod("live-tail-pod", "live-tail-app")).create();
        waitFor("the new pod in the live tail", d -> !d.findElements(By.xpath(
                "//tbody[@id='log-rows']/tr[@data-type='PodObserved'][contains(., 'live-tail-pod')]")).isEmpty());
        List<Long> offsets = attributes("#log-rows tr[data-offset]", "offset").stream().map(Long::parseLong).toList();
        assertThat(offsets).hasSizeGreaterThan(1).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        screenshot("log");

        new Select(driver.findElement(By.id("log-type"))).selectByValue("Allocated");
        waitFor("allocations only", d -> {
            List<String> types = attributes("#log-rows tr[data-offset]", "type");
            return !types.isEmpty() && types.stream().allMatch("Allocated"::equals);
        });
        assertThat(driver.getCurrentUrl()).contains("type=Allocated");
        noErrorShown();
        screenshot("log-allocated");
    }

    @Test
    void theFollowerSaysItIsReadOnlyAndNamesTheLeader() {
        openFollower("#/");
        waitForText(By.id("banner"), "read-only follower");
        assertThat(text(By.id("banner"))).contains(follower).contains("The leader is " + leader);
        waitForText(By.id("leader"), "leader: " + leader);
        waitForText(By.id("replica"), follower);
        assertThat(text(By.id("replica"))).contains("FOLLOWER");
        waitForText(By.id("card-replica"), "read-only");
        // its own probes, and every replica from their status Leases
        waitForText(By.id("card-health"), "healthy");
        waitForText(By.id("card-ready"), "ready");
        waitFor("both replicas", d -> attributes("#replicas tr[data-replica]", "replica").size() == 2);
        assertThat(text(By.cssSelector("#replicas tr[data-replica='" + follower + "']"))).contains("follower")
                .contains("(this one)");
        assertThat(text(By.cssSelector("#replicas tr[data-replica='" + leader + "']"))).contains("leader");
        screenshot("follower-overview");
        // every page says so, and shows the follower's replicated state
        openFollower("#/apps/" + APP);
        waitForText(By.id("app-title"), APP);
        waitFor("the app's pods on the follower", d -> d.findElements(By.cssSelector("#pods-table tr[data-pod]")).size() == 2);
        assertThat(text(By.id("banner"))).contains("read-only follower").contains(leader);
        noErrorShown();
        screenshot("follower-app");
    }

    @Test
    void aBadConfigIsRefusedWithItsProblemsByRoleAndAGoodOneIsAppliedWithItsAuthor() {
        open("#/config");
        waitForText(By.id("config-active-yaml"), "team-c");
        waitForText(By.id("whoami"), "anonymous");
        String version = text(By.id("config-version"));
        String active = driver.findElement(By.id("config-yaml")).getAttribute("value");
        assertThat(active).contains("team-c");
        // the active config validates
        click("config-validate");
        waitForText(By.id("config-result"), "Valid: 6 queues");

        setValue("config-yaml", BAD_CONFIG);
        click("config-validate");
        waitForText(By.cssSelector("#config-result .error"), "queue name 'team-a' is used twice");
        assertThat(text(By.id("config-result"))).contains("invalid");
        assertThat(driver.findElements(By.cssSelector("#config-result ul.problems li"))).isNotEmpty();
        screenshot("config-validate");

        // applying it: without a token, with a viewer's (the header is sent: the server knows who asks), with an admin's
        click("config-apply");
        waitForText(By.cssSelector("#config-result .error"), "writes need an admin token");
        useToken(VIEWER_TOKEN);
        waitForText(By.id("whoami"), "ops-viewer");
        setValue("config-yaml", BAD_CONFIG);
        click("config-apply");
        waitForText(By.cssSelector("#config-result .error"), "writes need the admin role");
        useToken(ADMIN_TOKEN);
        waitForText(By.id("whoami"), "You may apply a config");
        setValue("config-yaml", BAD_CONFIG);
        click("config-apply");
        waitForText(By.cssSelector("#config-result .error"), "queue name 'team-a' is used twice");
        assertThat(text(By.id("config-result"))).contains("nothing was changed");
        screenshot("config-apply-refused");
        open("#/config");
        waitForText(By.id("config-active-yaml"), "team-c");
        assertThat(text(By.id("config-version"))).isEqualTo(version);

        // the same queues with a note: a new version, written to the ConfigMap, applied by the replicas, with its author
        setValue("config-yaml", active + "\n# checked by the console test\n");
        click("config-apply");
        waitForText(By.cssSelector("#config-result .success"), "queue config written as version");
        waitFor("the new version in force", d -> {
            openAt(console.url(), "#/config");
            new WebDriverWait(d, WAIT).until(x -> !x.findElements(By.id("config-version")).isEmpty());
            return !text(By.id("config-version")).equals(version)
                    && text(By.id("config-active-yaml")).contains("checked by the console test");
        });
        waitForText(By.id("config-history-table"), "ops-admin");
        assertThat(text(By.id("config-history-table"))).contains("applied");
        noErrorShown();
        screenshot("config");
    }

    @Test
    void aBadTokenIsRefusedAndTheTokenIsKeptForTheTabOnly() {
        open("#/queues");
        waitFor("the queue tree", d -> !d.findElements(By.cssSelector("tr[data-queue='root']")).isEmpty());
        useToken("not-a-real-token");
        assertThat(js("return sessionStorage.getItem('fairway.console.token')")).isEqualTo("not-a-real-token");
        assertThat(driver.findElement(By.id("token")).getAttribute("placeholder")).isEqualTo("token set");
        // every read carries it, and the console says it was refused
        waitForText(By.id("view"), "the token was refused");
        waitForText(By.id("banner"), "401");
        screenshot("bad-token");
        click("token-clear");
        waitFor("the queue tree again", d -> !d.findElements(By.cssSelector("tr[data-queue='root']")).isEmpty());
        assertThat(js("return sessionStorage.getItem('fairway.console.token')")).isNull();
        noErrorShown();
        // a new tab's storage starts empty: the token never outlives the tab
        useToken(ADMIN_TOKEN);
        String first = driver.getWindowHandle();
        driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        try {
            driver.get(console.url() + "#/queues");
            assertThat(js("return sessionStorage.getItem('fairway.console.token')")).isNull();
        } finally {
            driver.close();
            driver.switchTo().window(first);
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** Loads the sandbox's console afresh (a new hash alone would only switch the page inside the loaded one). */
    private static void open(String hash) {
        openAt(console.url(), hash);
    }

    private static void openFollower(String hash) {
        openAt("http://127.0.0.1:" + followerConsole.port() + "/", hash);
    }

    private static void openAt(String base, String hash) {
        driver.get("about:blank");
        driver.get(base + hash);
    }

    /** Enters a token in the header, as a user would; the page reloads its data with it. */
    private static void useToken(String token) {
        WebElement field = driver.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        click("token-set");
        waitFor("the token kept", d -> token.equals(js("return sessionStorage.getItem('fairway.console.token')")));
    }

    private static void click(String id) {
        driver.findElement(By.id(id)).click();
    }

    private static String text(By by) {
        return driver.findElement(by).getText();
    }

    /** The data-NAME attribute of every element the selector finds, in one call (the page redraws as it likes). */
    private static List<String> attributes(String selector, String name) {
        List<?> values = (List<?>) ((JavascriptExecutor) driver).executeScript(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.dataset[arguments[1]])", selector, name);
        return values.stream().map(String::valueOf).toList();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static void setValue(String id, String value) {
        waitFor("#" + id, d -> !d.findElements(By.id(id)).isEmpty());
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1];", driver.findElement(By.id(id)),
                value);
    }

    private static void waitForText(By by, String text) {
        waitFor("'" + text + "' in " + by, d -> d.findElements(by).stream().anyMatch(e -> e.getText().contains(text)));
    }

    private static void waitFor(String what, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .withMessage(() -> what + " did not show; " + driver.getCurrentUrl() + " says:\n"
                        + driver.findElement(By.tagName("body")).getText()
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
            throw new UncheckedIOException("cannot keep the screenshot " + name + ": " + e.getMessage(), e);
        } finally {
            driver.manage().window().setSize(new Dimension(1440, 1000));
        }
    }
}
