package dev.myelin.cli;

import dev.myelin.data.Dataset;
import dev.myelin.data.TrainTest;
import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The test split of a data folder as a loaded model's input, for {@code evaluate} and {@code predict}: pixels
 * scaled to [0, 1], the shape checked against the model's input, and labels that match its outputs.
 *
 * <p>With {@code --classes}, a model with exactly that many outputs (a head made by {@code fine-tune}) reads
 * the labels by position (classes 5–9 are its outputs 0–4); any other model keeps the data's labels.
 */
record ModelData(Tensor x, Tensor y, String description) {
    static ModelData testSplit(Model m, Path modelFile, Path dir, ClassSelection classes) throws IOException {
        TrainTest split = TrainingRun.load(dir);
        int dataClasses = TrainingRun.numClasses(split);
        int outputs = ModelInputs.numClasses(m);
        String what = "the test data in " + dir;
        Dataset test = split.test();
        if (classes != null) {
            boolean byPosition = outputs == classes.size() && classes.max() >= outputs;
            test = byPosition ? classes.relabel(test, dataClasses, what) : classes.keep(test, dataClasses, what);
            dataClasses = byPosition ? classes.size() : classes.max() + 1;
        }
        if (outputs > 1 && dataClasses > outputs) {
            throw new IllegalArgumentException("--data " + dir + ": the labels go up to " + (dataClasses - 1) + ", but " + SavedModels.describe(m, modelFile)
                    + " has " + outputs + " outputs; pick the classes it was trained on with --classes (such as 5-9 for a head made by fine-tune)");
        }
        Tensor x = ModelInputs.checked(m, test.x().div(255.0), "--data " + dir, SavedModels.describe(m, modelFile));
        return new ModelData(x, test.y(), String.format(java.util.Locale.ROOT, "%s: %d test samples", dir, test.size()));
    }
}
