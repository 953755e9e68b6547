package dev.myelin.cli;

import dev.myelin.io.TextFiles;
import dev.myelin.text.CharLanguageModel;
import dev.myelin.io.AtomicFiles;
import dev.myelin.train.History;
import dev.myelin.train.HistoryPlot;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code myelin charlm}: trains a character-level LSTM language model on a text file and prints generated text. */
@Command(name = "charlm", mixinStandardHelpOptions = true,
        description = {"Train a character-level language model (Embedding -> LSTM -> Dense softmax: next character from a window)",
                "on a text file and print text sampled from it (default text: Genesis 1-11, King James Version, public domain)."})
public final class CharLmCommand implements Callable<Integer> {
    static final String BUNDLED_TEXT = "data/text/genesis-1-11-kjv.txt";

    @Mixin
    CommonTrainingOptions common;

    @Option(names = "--text", description = "UTF-8 text file (default: " + BUNDLED_TEXT + ").")
    Path text;

    @Option(names = "--temperature", defaultValue = "0.5", description = "Sampling temperature (default: ${DEFAULT-VALUE}; 0 = greedy).")
    double temperature;

    @Option(names = "--length", defaultValue = "400", description = "Characters to generate (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--window", defaultValue = "40", description = "Characters of context (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--units", defaultValue = "128", description = "LSTM units (default: ${DEFAULT-VALUE}).")
    int units;

    @Option(names = "--step", defaultValue = "3", description = "Stride between training windows (default: ${DEFAULT-VALUE}).")
    int step;

    @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--prompt", description = "Start of the generated text (default: the text's first window).")
    String prompt;

    @Override
    public Integer call() throws Exception {
        common.applyThreads();
        checkOptions();
        if (common.out != null) OptionChecks.writableFolder("--out", common.out); // now, not after training
        Path file = text != null ? text : bundledText();
        if (!Files.isRegularFile(file)) throw new IOException("text file " + file + " does not exist");
        String content = TextFiles.readUtf8(file);
        if (prompt != null) checkPrompt(content, file);
        CharLanguageModel lm = new CharLanguageModel(content, window, 32, units).learningRate(lr).seed(common.seed);
        System.out.printf(Locale.ROOT, "text: %s: %d characters, %d distinct; windows of %d, stride %d: %d training samples%n",
                file, content.length(), lm.vocabularySize() - 1, window, step, lm.windows(step)[1].size());
        long t0 = System.nanoTime();
        NanStop nanStop = new NanStop();
        History h = lm.fit(common.epochs, batchSize, step, nanStop.callback);
        nanStop.throwIfStopped();
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Double> losses = h.get("loss");
        System.out.printf(Locale.ROOT, "training: %.1f s (%.1f s per epoch); loss per epoch: %s%n", seconds, seconds / Math.max(1, losses.size()),
                losses.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).toList());
        String start = prompt != null ? prompt : content.substring(0, window);
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(common.seed);
        String sample = lm.generate(start, length, temperature, rng);
        System.out.printf(Locale.ROOT, "sample (temperature %.2f):%n%s%n", temperature, sample);
        if (common.out != null) {
            Files.createDirectories(common.out);
            Path curves = common.out.resolve("charlm-curves.png"), sampleFile = common.out.resolve("charlm-sample.txt");
            HistoryPlot.of(h).title("charlm: " + file.getFileName() + ", training loss").write(curves);
            byte[] bytes = (sample + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            AtomicFiles.write(sampleFile, out -> out.write(bytes));
            System.out.println("wrote " + curves + " and " + sampleFile);
        }
        return 0;
    }

    /** Every option before the text is read and training starts. */
    private void checkOptions() {
        OptionChecks.atLeast("--epochs", common.epochs, 1);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        OptionChecks.positive("--lr", lr);
        OptionChecks.nonNegative("--temperature", temperature);
        OptionChecks.atLeast("--length", length, 0);
        OptionChecks.atLeast("--window", window, 1);
        OptionChecks.atLeast("--units", units, 1);
        OptionChecks.atLeast("--step", step, 1);
    }

    /** The model reads only characters of the text: a prompt with others would fail after training. */
    private void checkPrompt(String content, Path file) {
        for (int i = 0; i < prompt.length(); ) {
            int c = prompt.codePointAt(i);
            if (content.indexOf(c) < 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "--prompt: the character '%s' (U+%04X) does not occur in the text file %s,"
                        + " so the model cannot read it", Character.toString(c), c, file));
            }
            i += Character.charCount(c);
        }
    }

    static Path bundledText() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("MYELIN_HOME");
        if (home != null) candidates.add(Path.of(home, BUNDLED_TEXT));
        try {
            Path jar = Path.of(CharLmCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path repo = jar.getParent() == null ? null : jar.getParent().getParent();
            if (repo != null && repo.getParent() != null) candidates.add(repo.getParent().resolve(BUNDLED_TEXT));
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the working folder
        }
        candidates.add(Path.of(BUNDLED_TEXT));
        for (Path p : candidates) if (Files.isRegularFile(p)) return p;
        throw new IllegalStateException("the bundled text was not found (looked in " + candidates + "); pass --text FILE");
    }
}
