package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.fairway.testsupport.k8s.Kubectl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The README's install steps, walked offline: every {@code kubectl apply -k} and {@code kubectl kustomize} of its
 * install section is rendered by the real {@code kubectl} from the repository root, as a user would run it, and must
 * give the objects that path is for; the image the README builds is the image the rendered Deployment runs; every
 * repository path the README and docs/ name exists, and every relative link in them resolves (anchors included).
 * A README that drifts from the repository fails here rather than on a user's cluster.
 */
class ReadmeInstallTest {
    private static final String INSTALL_HEADING = "## Install on a cluster";

    private static final Set<String> FAIRWAY_KINDS = Set.of("Namespace", "ServiceAccount", "ClusterRole",
            "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "Deployment", "PodDisruptionBudget", "Service",
            "NetworkPolicy");
    private static final Set<String> KAFKA_KINDS = Set.of("Kafka", "KafkaNodePool", "KafkaTopic");
    /** What each path the README may apply must render; a path not listed here is a failure that says to add it. */
    private static final Map<String, Set<String>> EXPECTED_KINDS = Map.of(
            "deploy/base", FAIRWAY_KINDS,
            "deploy/kafka", KAFKA_KINDS,
            "deploy/all", union(FAIRWAY_KINDS, KAFKA_KINDS));

    private static final Pattern KUSTOMIZE = Pattern.compile("\\bkubectl\\s+(?:apply\\s+-k|kustomize)\\s+(\\S+)");
    private static final Pattern DOCKER_BUILD = Pattern.compile("\\bdocker\\s+build\\b.*?\\s-t\\s+(\\S+)");
    private static final Pattern DOCKER_PUSH = Pattern.compile("\\bdocker\\s+push\\s+(\\S+)");
    private static final Pattern GET_LEASE = Pattern.compile("\\bkubectl\\b.*\\bget\\s+lease\\s+(\\S+)");
    private static final Pattern NAMED_OBJECT =
            Pattern.compile("\\bkubectl\\s+-n\\s+fairway\\s+(?:wait|rollout\\s+status|port-forward)\\s+(\\w+)/(\\S+)");
    /** A repository path in prose or code: deploy/…, docs/…, scenarios/…, scripts/…, or the LICENSE. */
    private static final Pattern REPO_PATH =
            Pattern.compile("(?<![\\w./-])((?:deploy|docs|scenarios|scripts)/[\\w./*-]*[\\w*/]|LICENSE\\b)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

    static Path root() {
        for (Path candidate : List.of(Path.of(".."), Path.of("."))) {
            if (Files.isRegularFile(candidate.resolve("README.md")) && Files.isDirectory(candidate.resolve("deploy"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("no repository root (README.md and deploy/) at .. or . of "
                + Path.of("").toAbsolutePath());
    }

    private static String readme() throws IOException {
        return Files.readString(root().resolve("README.md"), StandardCharsets.UTF_8);
    }

    /** The install section: from its heading to the next second-level heading. */
    static String installSection(String readme) {
        int start = readme.indexOf("\n" + INSTALL_HEADING + "\n");
        if (start < 0) {
            fail("README.md has no '" + INSTALL_HEADING + "' section; this test walks its steps (rename it here too)");
        }
        int end = readme.indexOf("\n## ", start + 1 + INSTALL_HEADING.length());
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The commands of the section's ```sh blocks: continuation lines joined, comments and blank lines dropped. */
    static List<String> shellCommands(String section) {
        List<String> commands = new ArrayList<>();
        boolean inSh = false;
        StringBuilder pending = new StringBuilder();
        for (String line : section.split("\n", -1)) {
            if (line.startsWith("```")) {
                inSh = !inSh && line.trim().equals("```sh");
                continue;
            }
            if (!inSh) {
                continue;
            }
            String code = stripComment(line).strip();
            if (code.endsWith("\\")) {
                pending.append(code, 0, code.length() - 1).append(' ');
                continue;
            }
            pending.append(code);
            if (!pending.toString().isBlank()) {
                commands.add(pending.toString().strip());
            }
            pending.setLength(0);
        }
        return commands;
    }

    /** A shell comment starts at a '#' outside quotes that begins a word. */
    private static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static List<String> installCommands() throws IOException {
        List<String> commands = shellCommands(installSection(readme()));
        assertThat(commands).as("the ```sh blocks of the README's install section").isNotEmpty();
        return commands;
    }

    private static List<String> kustomizePaths(List<String> commands) {
        Set<String> paths = new LinkedHashSet<>();
        for (String command : commands) {
            Matcher m = KUSTOMIZE.matcher(command);
            while (m.find()) {
                String path = Path.of(m.group(1)).normalize().toString();
                paths.add(path.isEmpty() ? "." : path);
            }
        }
        return List.copyOf(paths);
    }

    private static String builtImage(List<String> commands) {
        List<String> tags = new ArrayList<>();
        for (String command : commands) {
            Matcher m = DOCKER_BUILD.matcher(command);
            if (m.find()) {
                tags.add(m.group(1));
            }
        }
        assertThat(tags).as("the README's install steps build the image once with 'docker build … -t IMAGE'; found %s "
                + "in %s", tags, commands).hasSize(1);
        String built = tags.get(0);
        for (String command : commands) {
            Matcher push = DOCKER_PUSH.matcher(command);
            if (push.find()) {
                assertThat(push.group(1)).as("'%s' pushes another image than the one the steps build", command)
                        .isEqualTo(built);
            }
        }
        return built;
    }

    // ---- rendering with the real kubectl

    /** The kubectl a user has ({@link io.fairway.testsupport.k8s.Kubectl}). Never skipped: without it this fails. */
    static Path kubectl() {
        try {
            return Kubectl.path();
        } catch (IllegalStateException e) {
            return fail("the README's install steps render deploy/ with kubectl's built-in kustomize, and this test "
                    + "runs them the same way: " + e.getMessage());
        }
    }

    /** One rendered object: its kind, name and, for a Deployment, its containers' images. */
    record Rendered(String kind, String name, List<String> images, String yaml) {}

    private static final Pattern KIND = Pattern.compile("(?m)^kind: (\\S+)$");
    private static final Pattern NAME = Pattern.compile("(?m)^metadata:\\n(?:  .*\\n)*?  name: (\\S+)$");
    private static final Pattern IMAGE = Pattern.compile("(?m)^\\s+(?:- )?image: (\\S+)$");

    static List<Rendered> render(String path) throws Exception {
        Process p = new ProcessBuilder(kubectl().toString(), "kustomize", path).directory(root().toFile()).start();
        CompletableFuture<String> err = readAsync(p.getErrorStream());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("kubectl kustomize " + path + " did not finish in 60 s");
        }
        assertThat(p.exitValue()).as("'kubectl kustomize %s' from %s, as the README runs it, failed:%n%s", path,
                root(), err.get()).isZero();
        List<Rendered> objects = new ArrayList<>();
        for (String doc : out.split("(?m)^---$")) {
            Matcher kind = KIND.matcher(doc);
            if (!kind.find()) {
                continue;
            }
            Matcher name = NAME.matcher(doc);
            List<String> images = new ArrayList<>();
            Matcher image = IMAGE.matcher(doc);
            while (image.find()) {
                images.add(image.group(1));
            }
            objects.add(new Rendered(kind.group(1), name.find() ? name.group(1) : "", images, doc));
        }
        return objects;
    }

    private static CompletableFuture<String> readAsync(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(stderr unreadable: " + e + ")";
            }
        });
    }

    // ---- the tests

    @Test
    void theInstallStepsRunFromTheRepositoryRoot() throws IOException {
        List<String> commands = installCommands();
        // The old steps did 'cd deploy/base && kustomize edit …', after which 'kubectl apply -k deploy/all' no longer
        // named a directory: every path in the steps is relative to the root, so no step may leave it.
        assertThat(commands).as("install commands").noneMatch(c -> c.matches("(^|.*[;&|]\\s*)cd\\s.*"));
        assertThat(commands).as("install commands: kubectl's own kustomize, not a standalone binary")
                .noneMatch(c -> c.matches("(^|.*[;&|]\\s*)kustomize\\s.*"));
        assertThat(kustomizePaths(commands)).as("paths the README applies with kubectl apply -k").isNotEmpty();
    }

    @TestFactory
    Stream<DynamicTest> everyPathTheInstallStepsApplyRendersWhatItIsFor() throws IOException {
        List<String> paths = kustomizePaths(installCommands());
        return paths.stream().map(path -> DynamicTest.dynamicTest("kubectl kustomize " + path, () -> {
            Set<String> kinds = new TreeSet<>();
            render(path).forEach(o -> kinds.add(o.kind()));
            Set<String> expected = EXPECTED_KINDS.get(path);
            if (expected == null) {
                fail("the README applies " + path + " (it renders " + kinds + "), which this test does not know: "
                        + "add the kinds it must render to EXPECTED_KINDS in " + ReadmeInstallTest.class.getSimpleName());
            }
            assertThat(kinds).as("kinds rendered by kubectl kustomize %s", path).containsAll(expected);
        }));
    }

    @Test
    void theImageTheReadmeBuildsIsTheImageTheDeploymentRuns() throws Exception {
        List<String> commands = installCommands();
        String built = builtImage(commands);
        List<String> withDeployment = new ArrayList<>();
        for (String path : kustomizePaths(commands)) {
            for (Rendered o : render(path)) {
                if (o.kind().equals("Deployment")) {
                    withDeployment.add(path);
                    assertThat(o.images()).as("images of Deployment %s rendered from %s; the README builds and "
                            + "pushes %s (the images: entry of deploy/base/kustomization.yaml names it)", o.name(),
                            path, built).isNotEmpty().containsOnly(built);
                }
            }
        }
        assertThat(withDeployment).as("paths of the install steps that render the Deployment").isNotEmpty();
        // the docker build's context is the root, and .dockerignore must let in what the Dockerfile copies from it
        Path dockerfile = root().resolve("deploy/Dockerfile");
        Set<String> allowed = new TreeSet<>();
        for (String line : Files.readAllLines(root().resolve(".dockerignore"))) {
            if (line.startsWith("!")) {
                allowed.add(line.substring(1).strip());
            }
        }
        for (String line : Files.readAllLines(dockerfile)) {
            if (line.startsWith("COPY ")) {
                String source = line.split("\\s+")[1];
                assertThat(allowed).as("%s copies %s from the build context; .dockerignore must re-include it "
                        + "with a '!%s' line", dockerfile, source, source).contains(source);
            }
        }
    }

    @Test
    void theObjectsTheStepsWaitForAreTheOnesTheyApply() throws Exception {
        List<String> commands = installCommands();
        List<Rendered> rendered = new ArrayList<>();
        for (String path : kustomizePaths(commands)) {
            rendered.addAll(render(path));
        }
        Map<String, String> kinds = Map.of("deployment", "Deployment", "deploy", "Deployment", "kafka", "Kafka",
                "svc", "Service", "service", "Service", "configmap", "ConfigMap", "cm", "ConfigMap");
        int checked = 0;
        for (String command : commands) {
            Matcher m = NAMED_OBJECT.matcher(command);
            // only Fairway's own objects; the operator's (strimzi-cluster-operator) come from Strimzi's install
            if (m.find() && m.group(2).startsWith("fairway")) {
                String kind = kinds.get(m.group(1).toLowerCase(Locale.ROOT));
                assertThat(kind).as("kind '%s' in '%s' (add it to this test's map)", m.group(1), command).isNotNull();
                assertThat(rendered).as("'%s' names %s %s; the manifests the steps apply render %s", command, kind,
                        m.group(2), rendered.stream().map(r -> r.kind() + "/" + r.name()).toList())
                        .anyMatch(r -> r.kind().equals(kind) && r.name().equals(m.group(2)));
                checked++;
            }
            Matcher lease = GET_LEASE.matcher(command);
            if (lease.find()) {
                assertThat(rendered).as("'%s': the settings ConfigMap must elect with that Lease", command)
                        .anyMatch(r -> r.kind().equals("ConfigMap")
                                && r.yaml().contains("lease: fairway/" + lease.group(1) + "\n"));
                checked++;
            }
        }
        assertThat(checked).as("objects the install steps check by name").isPositive();
    }

    @Test
    void everyRepositoryPathTheReadmeAndDocsNameExists() throws IOException {
        Path root = root();
        List<String> missing = new ArrayList<>();
        Map<Path, String> texts = markdownFiles();
        for (Map.Entry<Path, String> text : texts.entrySet()) {
            Matcher m = REPO_PATH.matcher(text.getValue());
            while (m.find()) {
                String p = m.group(1);
                if (!exists(root, p)) {
                    missing.add(root.relativize(text.getKey()) + " names " + p);
                }
            }
        }
        assertThat(missing).as("repository paths named in README.md and docs/*.md that do not exist (paths are "
                + "relative to the repository root)").isEmpty();
        assertThat(readme()).as("README.md names the licence").contains("LICENSE");
        assertThat(Files.readString(root.resolve("LICENSE"))).as("LICENSE").contains("Apache License",
                "Version 2.0, January 2004");
    }

    private static boolean exists(Path root, String p) throws IOException {
        if (!p.contains("*")) {
            return Files.exists(root.resolve(p));
        }
        PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + p);
        Path dir = root.resolve(p.substring(0, p.lastIndexOf('/', p.indexOf('*')) + 1));
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(f -> glob.matches(root.relativize(f)));
        }
    }

    @Test
    void everyRelativeLinkInTheReadmeAndDocsResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        Map<Path, String> texts = markdownFiles();
        for (Map.Entry<Path, String> text : texts.entrySet()) {
            Path file = text.getKey();
            Matcher m = LINK.matcher(withoutCode(text.getValue()));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // https:, mailto: — not the repository's to check
                }
                int hash = target.indexOf('#');
                String pathPart = hash < 0 ? target : target.substring(0, hash);
                Path resolved = pathPart.isEmpty() ? file : file.getParent().resolve(pathPart).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(root().relativize(file) + ": (" + target + ") -> " + resolved + " does not exist");
                    continue;
                }
                if (hash >= 0 && resolved.toString().endsWith(".md")) {
                    String anchor = target.substring(hash + 1);
                    Set<String> anchors = anchors(Files.readString(resolved, StandardCharsets.UTF_8));
                    if (!anchors.contains(anchor)) {
                        broken.add(root().relativize(file) + ": (" + target + ") -> no heading with anchor #" + anchor
                                + " in " + root().relativize(resolved) + "; its anchors: " + anchors);
                    }
                }
            }
        }
        assertThat(broken).as("relative links in README.md and docs/*.md").isEmpty();
    }

    private static Map<Path, String> markdownFiles() throws IOException {
        Map<Path, String> texts = new LinkedHashMap<>();
        Path root = root();
        texts.put(root.resolve("README.md"), readme());
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
                texts.put(p, Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return texts;
    }

    /** Markdown without fenced blocks and code spans, where a [text](target) is no link. */
    static String withoutCode(String markdown) {
        StringBuilder out = new StringBuilder();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                out.append(line.replaceAll("`[^`]*`", "")).append('\n');
            }
        }
        return out.toString();
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered -1, -2… */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (fenced || !h.matches()) {
                continue;
            }
            String slug = h.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }
}
