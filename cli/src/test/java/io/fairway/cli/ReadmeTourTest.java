package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tour prints what {@code fairway simulate} prints: each ``` block of the tour that runs
 * {@code ./fairway simulate} (after an optional {@code sed 's/OLD/NEW/' FILE > COPY}) is run here, and every output
 * line the README shows must be a line of the real output. The lines it leaves out ("…") are not checked.
 */
class ReadmeTourTest {
    private static final Pattern SED = Pattern.compile("^\\$ sed '(s/(.*?)/(.*?)/)' (\\S+) > (\\S+)$");
    private static final Pattern SIMULATE = Pattern.compile("^\\$ \\./fairway simulate (\\S+)$");

    @TempDir
    Path tmp;

    record Block(List<String> commands, List<String> shown) {}

    /** The plain ``` blocks whose first line runs sed or ./fairway simulate. */
    static List<Block> simulateBlocks(String readme) {
        List<Block> blocks = new ArrayList<>();
        boolean fenced = false;
        List<String> current = null; // the lines of a plain ``` block; null in a ```sh or ```yaml one
        for (String line : readme.split("\n", -1)) {
            if (line.startsWith("```")) {
                if (fenced && current != null && !current.isEmpty() && (current.get(0).startsWith("$ sed ")
                        || current.get(0).startsWith("$ ./fairway simulate "))) {
                    List<String> commands = current.stream().filter(l -> l.startsWith("$ ")).toList();
                    List<String> shown = current.stream().filter(l -> !l.startsWith("$ "))
                            .filter(l -> !l.strip().equals("…")).toList();
                    blocks.add(new Block(commands, shown));
                }
                fenced = !fenced;
                current = fenced && line.strip().equals("```") ? new ArrayList<>() : null;
                continue;
            }
            if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    @Test
    void theTourShowsWhatFairwaySimulatePrints() throws Exception {
        Path root = ReadmeInstallTest.root();
        List<Block> blocks = simulateBlocks(Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8));
        assertThat(blocks).as("the README's tour runs ./fairway simulate").isNotEmpty();
        Map<String, Path> copies = new HashMap<>();
        for (Block block : blocks) {
            String out = null;
            for (String command : block.commands()) {
                Matcher sed = SED.matcher(command);
                Matcher simulate = SIMULATE.matcher(command);
                if (sed.matches()) {
                    String source = Files.readString(root.resolve(sed.group(4)), StandardCharsets.UTF_8);
                    assertThat(source).as("'%s' changes nothing: %s has no '%s'", command, sed.group(4), sed.group(2))
                            .contains(sed.group(2));
                    Path copy = tmp.resolve(Path.of(sed.group(5)).getFileName());
                    Files.writeString(copy, source.replaceFirst(Pattern.quote(sed.group(2)),
                            Matcher.quoteReplacement(sed.group(3))));
                    copies.put(sed.group(5), copy);
                } else if (simulate.matches()) {
                    Path file = copies.getOrDefault(simulate.group(1), root.resolve(simulate.group(1)));
                    CliRun run = CliRun.of("simulate", file.toString());
                    assertThat(run.exit()).as("%s%n%s", command, run.all()).isIn(0, 1);
                    out = run.out();
                } else {
                    throw new AssertionError("the tour's block runs '" + command + "', which this test cannot run: "
                            + "teach it, or keep the block to sed 's/…/…/' FILE > COPY and ./fairway simulate FILE");
                }
            }
            assertThat(out).as("block %s runs ./fairway simulate", block.commands()).isNotNull();
            List<String> actual = out.lines().map(String::stripTrailing).toList();
            for (String shown : block.shown()) {
                if (shown.startsWith("scenario ")) {
                    // the file's path is the run's own; the scenario's name must match
                    String name = shown.substring(0, shown.indexOf(" ("));
                    assertThat(actual).as("README shows '%s' for %s; actual output:%n%s", shown, block.commands(), out)
                            .anyMatch(l -> l.startsWith(name + " ("));
                } else {
                    assertThat(actual).as("README shows '%s' for %s; actual output:%n%s", shown, block.commands(), out)
                            .contains(shown.stripTrailing());
                }
            }
        }
    }
}
