package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/jdk.sh}, sourced by {@code ./myelin}, {@code ./mvnw} and {@code .ci/run}: it reads a JDK's major
 * version from the JDK's {@code release} file, and starts that JDK's {@code java} to ask only when the file is
 * missing or names no version. The fake JDKs here have a {@code bin/java} that records each call in a file, so the
 * tests see whether the JVM was asked.
 */
class JdkScriptTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "jdk.sh");

    @TempDir
    Path dir;

    /** A fake JDK: {@code release} with {@code releaseText} (none if null), {@code bin/java} that answers {@code major}. */
    private Path fakeJdk(String name, String releaseText, int major) throws IOException {
        Path home = dir.resolve(name);
        Path bin = Files.createDirectories(home.resolve("bin"));
        if (releaseText != null) Files.writeString(home.resolve("release"), releaseText);
        String java = "#!/usr/bin/env bash\necho called >> \"" + home.resolve("java-calls") + "\"\n"
                + "echo '    java.specification.version = " + major + "' >&2\n";
        for (String tool : new String[] {"java", "javac"}) {
            Path p = bin.resolve(tool);
            Files.writeString(p, java);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }

    private static boolean javaWasCalled(Path home) {
        return Files.exists(home.resolve("java-calls"));
    }

    /** Runs {@code source scripts/jdk.sh; <command>} in bash; returns its stdout, trimmed. */
    private static String bash(String command, String javaHome) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source \"$0\" && " + command, SCRIPT.toString());
        pb.environment().put("JAVA_HOME", javaHome);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), "bash -c '" + command + "' failed; stdout: " + out);
        return out;
    }

    @Test
    void theReleaseFileGivesTheVersionWithoutStartingTheJvm() throws Exception {
        Path jdk = fakeJdk("jdk25", "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.3\"\nJAVA_VERSION_DATE=\"2026-04-21\"\n", 99);
        assertEquals("25", bash("java_major \"$JAVA_HOME\"", jdk.toString()));
        assertFalse(javaWasCalled(jdk), "java was started although the release file names the version");
    }

    @Test
    void anOldVersionSchemeReadsAsItsFirstNumber() throws Exception {
        Path jdk = fakeJdk("jdk8", "JAVA_VERSION=\"1.8.0_392\"\n", 99);
        assertEquals("1", bash("java_major \"$JAVA_HOME\"", jdk.toString()));
        assertFalse(javaWasCalled(jdk));
    }

    @Test
    void withoutAReleaseFileTheJvmIsAsked() throws Exception {
        Path jdk = fakeJdk("norelease", null, 26);
        assertEquals("26", bash("java_major \"$JAVA_HOME\"", jdk.toString()));
        assertTrue(javaWasCalled(jdk));
    }

    @Test
    void aReleaseFileWithoutAVersionFallsBackToTheJvm() throws Exception {
        Path jdk = fakeJdk("noversion", "IMPLEMENTOR=\"Someone\"\n", 27);
        assertEquals("27", bash("java_major \"$JAVA_HOME\"", jdk.toString()));
        assertTrue(javaWasCalled(jdk));
    }

    @Test
    void aJavaHomeOfVersion25IsKeptAsItIs() throws Exception {
        Path jdk = fakeJdk("keep", "JAVA_VERSION=\"25.0.1\"\n", 99);
        assertEquals(jdk.toString(), bash("myelin_find_jdk && printf %s \"$JAVA_HOME\"", jdk.toString()));
        assertFalse(javaWasCalled(jdk));
    }
}
