package dev.myelin.examples;

import dev.myelin.text.FortunesCorpus;
import dev.myelin.text.TextSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Issue 12's text classification on Debian's fortunes: a quotation's category among the ten the issue names,
 * reported as accuracy and macro-F1 on a held-out test set. The data and split are {@link FortunesData}'s,
 * the models {@link FortunesModel}'s (a small Transformer encoder, a bidirectional GRU, TF-IDF of words and
 * of BPE tokens); {@code myelin fortunes} runs the same code.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp myelin-core/target/classes:myelin-examples/target/classes
 * dev.myelin.examples.FortunesClassificationExample [transformer|bigru|words|bpe ...] [FOLDER]} (default: words and bpe).
 */
public final class FortunesClassificationExample {
    private static final long SEED = 42;

    private FortunesClassificationExample() {}

    public static void main(String[] args) throws Exception {
        List<FortunesModel> models = new ArrayList<>();
        Path folder = FortunesCorpus.DEBIAN_FOLDER;
        for (String a : args) {
            FortunesModel m = Arrays.stream(FortunesModel.values()).filter(v -> v.label().equals(a)).findFirst().orElse(null);
            if (m != null) models.add(m);
            else folder = Path.of(a);
        }
        if (models.isEmpty()) models = List.of(FortunesModel.WORDS, FortunesModel.BPE);
        FortunesData data = FortunesData.load(folder);
        TextSplit split = data.split();
        System.out.printf("fortunes: train %d / validation %d / test %d%n", split.train().size(), split.validation().size(), split.test().size());
        for (FortunesModel model : models) {
            FortunesModel.Result r = model.train(data, 30, SEED, System.out);
            System.out.printf(Locale.ROOT, "%s: test accuracy %.4f, macro-F1 %.4f (%d epochs, %.1f s per epoch)%n%s", model.label(),
                    r.report().accuracy(), r.report().macroF1(), r.epochs(), r.secondsPerEpoch(), r.report());
        }
    }
}
