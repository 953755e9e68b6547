package dev.myelin.cli;

import dev.myelin.examples.FortunesData;
import dev.myelin.examples.FortunesModel;
import dev.myelin.examples.FortunesTransformer;
import dev.myelin.text.FortunesCorpus;
import dev.myelin.text.TextSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code myelin fortunes}: issue 12's text classification on Debian's fortunes ({@link FortunesData}: ten
 * categories, a stratified 70 / 10 / 20 % split), with the models of {@link FortunesModel}.
 */
@Command(name = "fortunes", mixinStandardHelpOptions = true,
        description = {"Classify quotations from Debian's fortunes packages into ten categories (art, computers, food, law, literature,",
                "love, medicine, politics, science, sports) with a small Transformer encoder, a bidirectional GRU or TF-IDF baselines;",
                "prints one line per epoch, the test accuracy and macro-F1 of each model and its per-class report."})
public final class FortunesCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "transformer", split = ",",
            description = "Models to train, comma-separated: transformer, bigru, words (TF-IDF of words) or bpe (TF-IDF of BPE tokens) (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--epochs", defaultValue = "20",
            description = "Most epochs; early stopping on the validation loss usually ends sooner; 0 trains nothing (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of weights, dropout and shuffling; the split's seed stays 42 (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data", description = "Folder of fortune files (default: /usr/share/games/fortunes).")
    Path data = FortunesCorpus.DEBIAN_FOLDER;

    @Option(names = "--export-split", paramLabel = "DIR",
            description = "Also write the split as the Transformer's token ids (train.tsv, validation.tsv, test.tsv, vocabulary.txt, classes.txt) and the recipe (recipe.json) for myelin-bench/scripts/torch_fortunes.py.")
    Path exportSplit;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        OptionChecks.atLeast("--epochs", epochs, 0);
        List<FortunesModel> chosen = parseModels();
        if (exportSplit != null) OptionChecks.writableFolder("--export-split", exportSplit);
        FortunesData fortunes = FortunesData.load(data);
        TextSplit split = fortunes.split();
        System.out.printf(Locale.ROOT, "fortunes: %s: %d quotations in %d categories; train %d / validation %d / test %d%n", data,
                split.train().size() + split.validation().size() + split.test().size(), fortunes.classNames().size(),
                split.train().size(), split.validation().size(), split.test().size());
        if (exportSplit != null) {
            FortunesData.TokenIds ids = FortunesModel.TRANSFORMER.tokenIds(fortunes);
            fortunes.exportSplit(exportSplit, ids);
            FortunesTransformer.DEFAULT.writeRecipe(exportSplit.resolve("recipe.json"));
            System.out.printf(Locale.ROOT, "wrote the split as token ids (vocabulary %d, sequence %d) to %s%n", ids.vocabularySize(), ids.train().get(0).length, exportSplit);
        }
        if (epochs == 0) return 0;
        List<FortunesModel.Result> results = new ArrayList<>();
        for (FortunesModel model : chosen) {
            System.out.println(model.label() + ":");
            results.add(model.train(fortunes, epochs, seed, System.out));
        }
        System.out.printf(Locale.ROOT, "%n%-12s %13s %9s %7s %8s%n", "model", "test accuracy", "macro-F1", "epochs", "s/epoch");
        for (FortunesModel.Result r : results) {
            System.out.printf(Locale.ROOT, "%-12s %13.4f %9.4f %7d %8.2f%n", r.model().label(), r.report().accuracy(), r.report().macroF1(), r.epochs(), r.secondsPerEpoch());
        }
        for (FortunesModel.Result r : results) System.out.printf(Locale.ROOT, "%nper-class report on the test set (%s):%n%s", r.model().label(), r.report());
        return 0;
    }

    private List<FortunesModel> parseModels() {
        List<FortunesModel> chosen = new ArrayList<>();
        for (String name : models) {
            FortunesModel m = Arrays.stream(FortunesModel.values()).filter(v -> v.label().equals(name.strip().toLowerCase(Locale.ROOT))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--model: unknown model '" + name + "'; choose among transformer, bigru, words, bpe"));
            if (!chosen.contains(m)) chosen.add(m);
        }
        return chosen;
    }
}
