package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** The command's one error path: one line on stderr, exit 2 for bad input and 1 for internal failures. */
class MainErrorsTest {
    private record Result(int status, String err) {
        long lines() {
            return err.lines().count();
        }
    }

    private static Result run(String... args) {
        var bytes = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Result(status, bytes.toString(StandardCharsets.UTF_8));
    }

    private static Result report(Throwable t) {
        var bytes = new ByteArrayOutputStream();
        int status = Main.report(t, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Result(status, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mistypedOptionGivesOneLineAndAHintNotTheUsage() {
        Result r = run("train", "--epochz", "3");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: Unknown option") && r.err().contains("'--epochz'") && r.err().contains("--epochs"), r.err());
        assertTrue(r.err().contains("myelin train --help"), r.err());
        assertTrue(r.lines() <= 4, "a few lines, not the usage:\n" + r.err());
    }

    @Test
    void unknownCommandIsOneLineWithAHint() {
        Result r = run("trian");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: Unmatched argument") && r.err().contains("--help"), r.err());
        assertTrue(r.lines() <= 4, r.err());
    }

    @Test
    void badValueNamesTheOption() {
        Result r = run("train", "--epochs", "many");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--epochs") && r.err().contains("many"), r.err());
    }

    @Test
    void missingDataDirectoryIsBadInputNamingThePath() {
        Result r = run("train", "--model", "mlp", "--data", "/nonexistent/myelin-data", "--epochs", "1");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("/nonexistent/myelin-data"), r.err());
        assertEquals(1, r.lines(), r.err());
    }

    @Test
    void cifarModelWithoutCifarDataSaysWhatToGiveBeforeAnything() {
        Result r = run("train", "--model", "cnn-cifar", "--epochs", "1");
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.lines(), r.err());
        assertTrue(r.err().contains("--data") && r.err().contains("data_batch_1.bin") && r.err().contains("CIFAR-10"), r.err());
    }

    @Test
    void errorsAreOneLineToo() {
        Result oom = report(new OutOfMemoryError("Java heap space"));
        assertEquals(2, oom.status());
        assertTrue(oom.err().startsWith("error: out of memory (Java heap space)") && oom.err().contains("MYELIN_JAVA_OPTS"), oom.err());
        assertEquals(1, oom.lines());

        // what a bad MYELIN_NUM_THREADS raises from a static initializer: reported by its cause
        Result init = report(new ExceptionInInitializerError(new IllegalArgumentException("MYELIN_NUM_THREADS must be a whole number ≥ 1, got 'abc'")));
        assertEquals(2, init.status());
        assertEquals("error: MYELIN_NUM_THREADS must be a whole number ≥ 1, got 'abc'", init.err().strip());

        Result bug = report(new NullPointerException("boom"));
        assertEquals(1, bug.status());
        assertTrue(bug.err().startsWith("error: boom") && bug.err().contains("MYELIN_DEBUG=1"), bug.err());
        assertEquals(1, bug.lines());
    }

    @Test
    void fileErrorsSayWhatIsWrongNotOnlyThePath() {
        Result r = report(new NoSuchFileException("/nonexistent/m.json"));
        assertEquals("error: no such file or directory: /nonexistent/m.json", r.err().strip());
        assertEquals(2, r.status());
    }
}
