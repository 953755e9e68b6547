package dev.myelin.cli;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.optim.Adam;
import dev.myelin.train.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code myelin evaluate FILE --data DIR}: a saved model's loss and metrics on a test split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate a model file on a data folder's test split.",
                "Prints loss, metrics and confusion matrix as train does (pixels scaled to [0, 1]); the data's image shape must",
                "fit the model's input."})
public final class EvaluateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Model file (written by --save or Model.save).")
    Path file;

    @Option(names = "--data", description = "Data folder (default: the bundled Fashion-MNIST subset).")
    Path data;

    @Option(names = "--classes", paramLabel = "IDS", description = "Only these classes (such as 5-9); a model with that many outputs reads them by position.")
    String classes;

    @Option(names = "--batch-size", defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--out", description = "Folder for a PNG of the confusion matrix (default: none).")
    Path out;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        ClassSelection picked = classes == null ? null : ClassSelection.parse("--classes", classes);
        if (out != null) OptionChecks.writableFolder("--out", out);
        Model m = SavedModels.load(file);
        Path dir = data != null ? data : DataLocations.bundledFashionMnist();
        ModelData test = ModelData.testSplit(m, file, dir, picked);
        if (!m.isCompiled()) {
            System.out.println("the model file has no compile settings: sparse categorical cross-entropy and accuracy");
            m.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        }
        System.out.println("model: " + SavedModels.describe(m, file) + "; data: " + test.description());
        Evaluation e = m.evaluate(test.x(), test.y(), batchSize);
        for (Map.Entry<String, Double> v : e.values().entrySet()) System.out.printf(Locale.ROOT, "test %s: %.4f%n", v.getKey(), v.getValue());
        if (e.confusionMatrix() != null) {
            System.out.println(e.confusionMatrix());
            List<String> names = m.classNames();
            if (names.size() == e.confusionMatrix().numClasses()) {
                StringBuilder legend = new StringBuilder("classes:");
                for (int i = 0; i < names.size(); i++) legend.append(i == 0 ? " " : ", ").append(i).append(' ').append(names.get(i));
                System.out.println(legend);
            }
            if (out != null) {
                Files.createDirectories(out);
                String stem = file.getFileName().toString().replaceAll("[^A-Za-z0-9_-]+", "-");
                Path png = out.resolve("evaluate-" + stem + "-confusion.png");
                Plots.confusion(e.confusionMatrix().counts(), names.size() == e.confusionMatrix().numClasses() ? names : List.of(),
                        file.getFileName() + ": confusion matrix (test)", png);
                System.out.println("wrote " + png);
            }
        }
        return 0;
    }
}
