package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClipCommandTest {
    private static Path subset() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("data/fashion-mnist-subset");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("data/fashion-mnist-subset not found");
    }

    private static ClipCommand parse(String... args) {
        CommandLine cl = new CommandLine(new ClipCommand());
        cl.parseArgs(args);
        return cl.getCommand();
    }

    /** Two short epochs on the bundled subset: a line per epoch with loss, scale, accuracy and recalls, then the final line. */
    @Test
    void printsPerEpochFiguresAndTheFinalLine() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            rc = parse("--epochs", "2", "--limit", "512", "--test-limit", "200", "--batch-size", "64", "--seed", "3",
                    "--data", subset().toString()).call();
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        Matcher epoch = Pattern.compile("(?m)^\\s+(\\d)\\s+(\\d+\\.\\d{4})\\s+(\\d+\\.\\d{3})\\s+(0\\.\\d{4}|1\\.0000)\\s+(\\S+)\\s+(\\S+)\\s+\\S+$").matcher(out);
        int epochs = 0;
        while (epoch.find()) {
            epochs++;
            double r1 = Double.parseDouble(epoch.group(5)), r5 = Double.parseDouble(epoch.group(6));
            assertTrue(r1 >= 0 && r1 <= r5 && r5 <= 1, out);
        }
        assertEquals(2, epochs, out);
        assertTrue(out.contains("512 training images") && out.contains("200 test images"), out);
        Matcher last = Pattern.compile("final: zero-shot accuracy (\\S+), image->text recall@1 (\\S+), recall@5 (\\S+) on 200 test images \\(gallery: 60 descriptions\\)").matcher(out);
        assertTrue(last.find(), out);
        // two epochs on 512 images already beat chance (0.10) by a margin
        assertTrue(Double.parseDouble(last.group(1)) > 0.3, out);
    }

    @Test
    void badInputIsAClearError(@TempDir Path dir) throws IOException {
        var batch = assertThrows(IllegalArgumentException.class, () -> parse("--batch-size", "1", "--data", subset().toString()).call());
        assertTrue(batch.getMessage().contains("--batch-size") && batch.getMessage().contains("2"), batch.getMessage());
        var epochs = assertThrows(IllegalArgumentException.class, () -> parse("--epochs", "0", "--data", subset().toString()).call());
        assertTrue(epochs.getMessage().contains("--epochs"), epochs.getMessage());
        var missing = assertThrows(Exception.class, () -> parse("--data", dir.resolve("nothing").toString()).call());
        assertTrue(missing.getMessage().contains("nothing"), missing.getMessage());
    }
}
