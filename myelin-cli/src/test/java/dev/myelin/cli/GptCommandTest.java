package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code myelin gpt} end to end on a tiny text and model; bad options as one-line errors naming the option. */
class GptCommandTest {
    private static final String TEXT = "In the beginning God created the heaven and the earth. And the earth was without form, and void. ".repeat(8);

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

    private static Path text(Path dir) throws IOException {
        Path file = dir.resolve("t.txt");
        Files.writeString(file, TEXT);
        return file;
    }

    private static final List<String> TINY = List.of("--epochs", "1", "--context", "16", "--width", "16", "--layers", "1", "--heads", "2",
            "--batch-size", "8", "--tokens", "20");

    private static String[] args(Path dir, String... more) throws IOException {
        List<String> a = new java.util.ArrayList<>(List.of("gpt", "--text", text(dir).toString(), "--out", dir.resolve("out").toString()));
        a.addAll(TINY);
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void trainsReportsBitsPerCharacterAndSamplesWithAndWithoutTheCache(@TempDir Path dir) throws IOException {
        String out = run(args(dir, "--prompt", "And the", "--top-k", "5", "--top-p", "0.9", "--compare-cache", "--export", dir.resolve("ids.txt").toString()));
        assertTrue(out.contains("tokenizer: char") && out.contains("epoch 1/1: train loss") && out.contains("perplexity") && out.contains("bits/char"), out);
        assertTrue(out.contains("generation with the key/value cache: 20 tokens") && out.contains("generation without the key/value cache: 20 tokens"), out);
        assertTrue(out.contains("(temperature 0.80, top-k 5, top-p 0.9):\nAnd the"), out);
        assertTrue(out.contains("without the cache, the same tokens: "), out);
        assertTrue(Files.readString(dir.resolve("out/gpt-sample.txt")).startsWith("And the"), "no sample file");
        List<String> ids = Files.readAllLines(dir.resolve("ids.txt"));
        assertEquals(4, ids.size());
        assertTrue(ids.get(0).startsWith("vocabulary_size "), ids.get(0));
    }

    @Test
    void bpeTokenizer(@TempDir Path dir) throws IOException {
        String out = run(args(dir, "--tokenizer", "bpe", "--vocab", "300", "--temperature", "0"));
        assertTrue(out.contains("tokenizer: byte-level BPE (300 tokens)") && out.contains("bits/char"), out);
    }

    /** The model saved after training scores and samples the same when loaded with --epochs 0. */
    @Test
    void savedModelLoadsWithItsTokenizer(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("gpt.myelin");
        String trained = run(args(dir, "--tokenizer", "bpe", "--vocab", "280", "--temperature", "0.7", "--save", model.toString()));
        assertTrue(trained.contains("wrote the model and its tokenizer to " + model), trained);
        String loaded = run("gpt", "--text", text(dir).toString(), "--load", model.toString(), "--epochs", "0", "--tokens", "20", "--temperature", "0.7",
                "--batch-size", "8");
        assertTrue(loaded.contains("model from " + model + ": 1 blocks, width 16, 2 heads, context 16") && loaded.contains("tokenizer: byte-level BPE (280 tokens)"), loaded);
        String lastEpoch = trained.lines().filter(l -> l.startsWith("epoch 1/1")).findFirst().orElseThrow();
        String validation = lastEpoch.substring(lastEpoch.indexOf("validation loss"), lastEpoch.indexOf(" bits/char"));
        assertTrue(loaded.contains("loaded: " + validation), "the loaded model scores as the trained one: " + validation + "\n" + loaded);
        assertEquals(sample(trained), sample(loaded), "the same seed draws the same text");
    }

    private static String sample(String out) {
        String s = out.substring(out.indexOf("sample ("));
        return s.contains("\nwrote") ? s.substring(0, s.indexOf("\nwrote")) : s;
    }

    @Test
    void loadAndSaveProblemsNameTheOption(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.myelin");
        for (String[] bad : new String[][] {{"--load", missing.toString()}, {"--save", dir.resolve("no/such/folder/m.myelin").toString()}}) {
            var bytes = new ByteArrayOutputStream();
            int status = Main.run(args(dir, bad), new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String err = bytes.toString(StandardCharsets.UTF_8);
            assertEquals(2, status, err);
            assertTrue(err.contains(bad[0]) && err.lines().count() <= 4, err);
        }
    }

    @Test
    void badOptionsNameTheOption(@TempDir Path dir) throws IOException {
        for (String[] bad : new String[][] {{"--top-k", "0"}, {"--top-p", "1.5"}, {"--temperature", "-1"}, {"--tokenizer", "words"}, {"--heads", "3"},
                {"--vocab", "10"}}) {
            var bytes = new ByteArrayOutputStream();
            int status = Main.run(args(dir, bad), new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String err = bytes.toString(StandardCharsets.UTF_8);
            assertEquals(2, status, err);
            assertTrue(err.contains(bad[0]) && err.lines().count() <= 4, err);
        }
    }
}
