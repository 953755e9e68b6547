package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code myelin charlm} end to end on a tiny text; bad input as a one-line error. */
class SequenceCommandsTest {
    private static String run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        Main.addSequenceCommands(cli);
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int rc = cli.execute(args);
            assertEquals(0, rc, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void charlmTrainsAndSamples(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "the cat sat on the mat. ".repeat(20));
        String out = run("charlm", "--text", text.toString(), "--epochs", "2", "--units", "16", "--window", "10",
                "--length", "30", "--temperature", "0.5", "--prompt", "the cat", "--out", dir.resolve("out").toString());
        assertTrue(out.contains("loss per epoch") && out.contains("sample (temperature 0.50):\nthe cat"), out);
        assertTrue(Files.size(dir.resolve("out/charlm-curves.png")) > 1000, "no curves");
        assertTrue(Files.readString(dir.resolve("out/charlm-sample.txt")).startsWith("the cat"), "no sample file");
    }

    @Test
    void charlmMissingFileIsAnError(@TempDir Path dir) {
        CommandLine cli = new CommandLine(new Main());
        Main.addSequenceCommands(cli);
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        int rc = cli.execute("charlm", "--text", dir.resolve("none.txt").toString(), "--epochs", "1");
        assertTrue(rc != 0);
    }
}
