package io.fairway.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Spark's side of the tests: its classpath ({@code spark-app/target/spark-jars}, from the Maven artifacts), the Pi
 * job's jar, a JDK it runs on, and {@code spark-submit} as its own JVM.
 */
final class SparkSubmit {
    /** What Spark's launcher gives its JVMs on Java 17+ (JavaModuleOptions): without them Spark cannot start. */
    static final List<String> MODULE_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-modules=jdk.incubator.vector",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    private SparkSubmit() {
    }

    static Path appModule() {
        Path here = Path.of("").toAbsolutePath();
        Path app = here.resolveSibling("spark-app");
        if (!Files.isDirectory(app.resolve("target/spark-jars"))) {
            throw new IllegalStateException(app.resolve("target/spark-jars") + " is missing: build spark-tests/spark-app "
                    + "first (mvn -pl spark-tests/spark-app package; ./test does it)");
        }
        return app;
    }

    /** Spark's jars, as a class path. */
    static String classpath() {
        try (Stream<Path> jars = Files.list(appModule().resolve("target/spark-jars"))) {
            return jars.filter(p -> p.toString().endsWith(".jar")).sorted().map(Path::toString)
                    .collect(Collectors.joining(File.pathSeparator));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Pi job's jar. */
    static Path piJar() {
        try (Stream<Path> jars = Files.list(appModule().resolve("target"))) {
            return jars.filter(p -> p.getFileName().toString().matches("spark-app-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no spark-app jar in " + appModule().resolve("target")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JDK Spark 4.0 runs on (17 or 21) under /usr/lib/jvm, else the one running the tests. */
    static Path java() {
        for (String name : List.of("java-21-openjdk-amd64", "java-17-openjdk-amd64", "temurin-21-jdk-amd64",
                "temurin-17-jdk-amd64")) {
            Path j = Path.of("/usr/lib/jvm", name, "bin", "java");
            if (Files.isExecutable(j)) {
                return j;
            }
        }
        return Path.of(ProcessHandle.current().info().command().orElse("java"));
    }

    /** {@code java … org.apache.spark.deploy.SparkSubmit ARGS} with the Pi jar on the class path too. */
    static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java().toString());
        cmd.addAll(MODULE_OPTIONS);
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add("org.apache.spark.deploy.SparkSubmit");
        cmd.addAll(args);
        return cmd;
    }
}
