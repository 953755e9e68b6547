package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options the {@code ./myelin} launcher passes: its G1 heap policy (which sets the peak RSS of training, see the
 * launcher's comments) and the rule that the user's own {@code MYELIN_JAVA_OPTS} win over it. The launcher runs from a
 * copy in a temporary root with an empty jar (so it builds nothing) and a fake JDK whose {@code java} prints its
 * arguments, one a line.
 */
class LauncherOptionsTest {
    @TempDir
    Path root;

    /** The arguments the launcher gives {@code java} for {@code myelin --version} under these {@code MYELIN_JAVA_OPTS}. */
    private List<String> javaArguments(String userOptions) throws IOException, InterruptedException {
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(Path.of("..", "myelin"), root.resolve("myelin"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of("..", "scripts", "jdk.sh"), root.resolve("scripts/jdk.sh"), StandardCopyOption.REPLACE_EXISTING);
        Path jar = root.resolve("myelin-cli/target/myelin-cli.jar");
        Files.createDirectories(jar.getParent());
        if (!Files.exists(jar)) Files.createFile(jar);
        Path jdk = root.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        for (String tool : new String[] {"java", "javac"}) {
            Path p = jdk.resolve("bin").resolve(tool);
            Files.writeString(p, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("myelin").toString(), "--version");
        pb.environment().put("JAVA_HOME", jdk.toString());
        if (userOptions == null) pb.environment().remove("MYELIN_JAVA_OPTS");
        else pb.environment().put("MYELIN_JAVA_OPTS", userOptions);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the launcher failed; stdout: " + out);
        return out.lines().toList();
    }

    @Test
    void g1GrowsTheHeapSlowlyFrom32MbInWholeRegions() throws Exception {
        List<String> args = javaArguments(null);
        assertTrue(args.contains("-XX:GCTimeRatio=2"), args.toString());
        assertTrue(args.contains("-XX:G1HeapRegionSize=32m"), args.toString());
        assertTrue(args.contains("-Xms32m"), args.toString());
        assertTrue(args.contains("-XX:G1ExpandByPercentOfAvailable=1"), args.toString());
        assertEquals(List.of("-jar", root.resolve("myelin-cli/target/myelin-cli.jar").toString(), "--version"),
                args.subList(args.size() - 3, args.size()));
    }

    @Test
    void theUsersOwnChoicesWin() throws Exception {
        List<String> args = javaArguments("-XX:GCTimeRatio=9 -Xmx700m");
        assertTrue(args.contains("-XX:GCTimeRatio=9") && args.contains("-Xmx700m"), args.toString());
        assertEquals(1, args.stream().filter(a -> a.startsWith("-XX:GCTimeRatio")).count(), args.toString());
        assertEquals(1, args.stream().filter(a -> a.startsWith("-Xm")).count(), args.toString());
        assertTrue(args.contains("-XX:G1HeapRegionSize=32m"), args.toString());
    }

    @Test
    void anotherCollectorGetsNoneOfG1sSettings() throws Exception {
        List<String> args = javaArguments("-XX:+UseSerialGC");
        assertTrue(args.contains("-XX:+UseSerialGC"), args.toString());
        assertFalse(args.stream().anyMatch(a -> a.contains("G1") || a.contains("GCTimeRatio") || a.startsWith("-Xms")),
                args.toString());
    }
}
