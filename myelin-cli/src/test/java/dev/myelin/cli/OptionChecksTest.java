package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.train.Callback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input, family "command-line values": every option of the training commands is checked before any
 * data is read or training starts; each bad value is one line on stderr naming the option, exit status 2.
 */
class OptionChecksTest {
    @TempDir
    static Path dir;

    private record Result(int status, String err, String out) {}

    private static Result run(String... args) {
        var err = new ByteArrayOutputStream();
        var out = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int status = Main.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Result(status, err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
        }
    }

    private static Path text() throws IOException {
        Path t = dir.resolve("t.txt");
        if (!Files.exists(t)) Files.writeString(t, "the cat sat on the mat. ".repeat(10));
        return t;
    }

    /** A path under a regular file: no folder can be made there, whoever runs the test (root included). */
    private static String unwritable() throws IOException {
        Path file = dir.resolve("a-file");
        if (!Files.exists(file)) Files.writeString(file, "x");
        return file.resolve("plots").toString();
    }

    static Stream<Arguments> badOptions() throws IOException {
        String t = text().toString();
        List<Arguments> rows = new ArrayList<>();
        // train (model-file-free: the seed models), demo and lstm share TrainingRun's checks
        for (String[] bad : new String[][] {{"--epochs", "0"}, {"--epochs", "-3"}, {"--batch-size", "0"}, {"--batch-size", "-32"},
                {"--lr", "0"}, {"--lr", "-0.1"}, {"--lr", "NaN"}, {"--lr", "Infinity"}, {"--validation-split", "1"},
                {"--validation-split", "-0.1"}, {"--validation-split", "1.5"}, {"--validation-split", "NaN"}, {"--out", unwritable()}}) {
            rows.add(Arguments.of(bad[0], new String[] {"train", "--model", "mlp", bad[0], bad[1]}));
        }
        rows.add(Arguments.of("--epochs", new String[] {"demo", "--epochs", "0"}));
        rows.add(Arguments.of("--out", new String[] {"demo", "--out", unwritable()}));
        for (String[] bad : new String[][] {{"--epochs", "-1"}, {"--batch-size", "0"}, {"--lr", "0"}, {"--out", unwritable()}}) {
            rows.add(Arguments.of(bad[0], new String[] {"lstm", bad[0], bad[1]}));
        }
        for (String[] bad : new String[][] {{"--epochs", "0"}, {"--batch-size", "0"}, {"--lr", "0"}, {"--lr", "-1"}, {"--beta1", "1"},
                {"--beta1", "-0.5"}, {"--label-smoothing", "-0.1"}, {"--label-smoothing", "1"}, {"--d-steps", "0"}, {"--filters", "0"},
                {"--limit", "0"}, {"--out", unwritable()}}) {
            rows.add(Arguments.of(bad[0], new String[] {"gan", bad[0], bad[1]}));
        }
        rows.add(Arguments.of("--classifier-epochs", new String[] {"gan", "--quality", "--classifier-epochs", "0"}));
        for (String[] bad : new String[][] {{"--temperature", "-1"}, {"--temperature", "NaN"}, {"--temperature", "Infinity"},
                {"--length", "-5"}, {"--window", "0"}, {"--units", "0"}, {"--step", "0"}, {"--batch-size", "0"}, {"--lr", "-1"},
                {"--epochs", "0"}, {"--prompt", "the dog"}, {"--prompt", "caté"}, {"--prompt", "☃"}, {"--prompt", "THE"}}) {
            rows.add(Arguments.of(bad[0], new String[] {"charlm", "--text", t, bad[0], bad[1]}));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badOptions")
    void badValueIsOneLineNamingTheOptionBeforeTraining(String option, String[] args) {
        Result r = run(args);
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(option), r.err());
        assertTrue(!r.out().contains("Epoch") && !r.out().contains("training:"), "no training ran:\n" + r.out());
    }

    @Test
    void promptErrorNamesTheCharacterAndTheText() throws IOException {
        Result r = run("charlm", "--text", text().toString(), "--prompt", "cat?");
        assertEquals("error: --prompt: the character '?' (U+003F) does not occur in the text file " + text() + ", so the model cannot read it",
                r.err().strip());
        assertEquals("", r.out(), "nothing read or trained");
    }

    @Test
    void unwritableOutNamesTheFolder() throws IOException {
        IOException e = assertThrows(IOException.class, () -> OptionChecks.writableFolder("--out", Path.of(unwritable())));
        assertTrue(e.getMessage().startsWith("--out " + unwritable() + ": the output folder cannot be written ("), e.getMessage());
        Path ok = dir.resolve("fresh/plots");
        OptionChecks.writableFolder("--out", ok);
        assertTrue(Files.isDirectory(ok));
        try (Stream<Path> left = Files.list(ok)) {
            assertEquals(0, left.count(), "the probe file is removed");
        }
    }

    @Test
    void nanStopTurnsADivergedRunIntoAnError() {
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        NanStop stop = new NanStop();
        stop.callback.onTrainBegin(m, new Callback.TrainingPlan(1, 1, 1, false));
        stop.throwIfStopped(); // nothing yet
        stop.callback.onBatchEnd(3, Map.of("batch_loss", Double.NaN));
        assertTrue(m.stopTrainingRequested());
        IllegalStateException e = assertThrows(IllegalStateException.class, stop::throwIfStopped);
        assertTrue(e.getMessage().startsWith("training stopped: Batch 3: invalid loss NaN"), e.getMessage());
    }
}
