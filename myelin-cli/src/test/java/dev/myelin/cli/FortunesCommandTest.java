package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.examples.FortunesTransformer;
import dev.myelin.text.FortunesCorpus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code myelin fortunes} end to end on a tiny generated fortunes folder (the ten categories, twelve quotations
 * each, words that give the category away): per-epoch lines, the results table, the per-class report and the
 * exported split; bad input as a one-line error.
 */
class FortunesCommandTest {
    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    /** A fortunes folder: each category's file holds twelve short quotations naming the category, separated by {@code %}. */
    private static Path tinyFortunes(Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("fortunes"));
        for (String category : FortunesCorpus.ISSUE_CATEGORIES) {
            List<String> entries = new ArrayList<>();
            for (int i = 0; i < 12; i++) entries.add("A " + category + " saying, number " + i + ", about " + category + " and more " + category + ".\n\t\t-- Someone");
            Files.writeString(folder.resolve(category), String.join("\n%\n", entries) + "\n%\n");
        }
        return folder;
    }

    @Test
    void trainsTheTransformerAndABaselineAndExportsTheSplit(@TempDir Path dir) throws IOException {
        Path folder = tinyFortunes(dir), export = dir.resolve("split");
        Run r = run("fortunes", "--data", folder.toString(), "--model", "transformer,words", "--epochs", "2", "--threads", "1",
                "--export-split", export.toString());
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("120 quotations in 10 categories; train 90 / validation 10 / test 20"), r.out());
        assertTrue(r.out().contains("transformer:\n  epoch 1: loss ") && r.out().contains("words:\n  epoch 1: loss "), r.out());
        assertTrue(r.out().matches("(?s).*\ntransformer +[01]\\.\\d{4} +[01]\\.\\d{4} +[12] +\\d+\\.\\d{2}\n.*"), r.out());
        assertTrue(r.out().contains("per-class report on the test set (words):") && r.out().contains("macro avg"), r.out());
        List<String> test = Files.readAllLines(export.resolve("test.tsv"));
        assertEquals(20, test.size());
        assertEquals(90, Files.readAllLines(export.resolve("train.tsv")).size());
        String[] first = test.get(0).split("\t");
        assertEquals(FortunesTransformer.DEFAULT.sequenceLength(), first[1].split(" ").length, "every row as long as the model's sequence");
        assertEquals(FortunesCorpus.ISSUE_CATEGORIES, Files.readAllLines(export.resolve("classes.txt")));
        List<String> vocabulary = Files.readAllLines(export.resolve("vocabulary.txt"));
        assertEquals(List.of("", "[UNK]"), vocabulary.subList(0, 2));
        for (String id : first[1].split(" ")) assertTrue(Integer.parseInt(id) < vocabulary.size(), id);
        String recipe = Files.readString(export.resolve("recipe.json"));
        assertTrue(recipe.contains("\"sequence_length\": " + FortunesTransformer.DEFAULT.sequenceLength() + ",")
                && recipe.contains("\"dropout\": " + FortunesTransformer.DEFAULT.dropout() + ","), recipe);
    }

    @Test
    void epochsZeroOnlyExports(@TempDir Path dir) throws IOException {
        Path folder = tinyFortunes(dir), export = dir.resolve("split");
        Run r = run("fortunes", "--data", folder.toString(), "--epochs", "0", "--export-split", export.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("wrote the split as token ids") && !r.out().contains("epoch 1"), r.out());
        assertEquals(10, Files.readAllLines(export.resolve("validation.tsv")).size());
    }

    @Test
    void aMissingFolderIsOneLineNamingItAndThePackages(@TempDir Path dir) {
        Path missing = dir.resolve("no-fortunes");
        Run r = run("fortunes", "--data", missing.toString(), "--epochs", "1");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(missing.toString()) && r.err().contains("apt-get install fortunes fortunes-min"), r.err());
    }

    @Test
    void anUnknownModelIsAnError(@TempDir Path dir) throws IOException {
        Run r = run("fortunes", "--data", tinyFortunes(dir).toString(), "--model", "svm");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode());
        assertTrue(r.err().contains("--model: unknown model 'svm'; choose among transformer, bigru, words, bpe"), r.err());
    }
}
