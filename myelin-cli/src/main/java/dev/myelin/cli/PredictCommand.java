package dev.myelin.cli;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code myelin predict FILE IMAGE.png... | --data DIR}: the most probable classes of images. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Print the most probable classes of images (PNG files or --data).",
                "Classes come with their probabilities, by name when the model file has class names. Images: PNG files of the model's input size (grey or RGB, values 0..255, converted to the",
                "model's channels), or the first test samples of a data folder (--data, with their true class)."})
public final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Model file (written by --save or Model.save).")
    Path file;

    @Parameters(index = "1..*", paramLabel = "IMAGE", description = "PNG images of the model's input size.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--data", description = "Predict the first test samples of this data folder instead of image files.")
    Path data;

    @Option(names = "--classes", paramLabel = "IDS", description = "With --data: only these classes (such as 5-9); a model with that many outputs reads them by position.")
    String classes;

    @Option(names = "--top", defaultValue = "3", description = "Classes printed per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--limit", defaultValue = "10", description = "With --data: how many test samples (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--top", top, 1);
        OptionChecks.atLeast("--limit", limit, 1);
        if (images.isEmpty() == (data == null)) {
            throw new IllegalArgumentException("predict needs either IMAGE files or --data DIR" + (data == null ? ", got neither" : ", not both"));
        }
        if (classes != null && data == null) throw new IllegalArgumentException("--classes picks test samples of --data DIR; give --data too");
        Model m = SavedModels.load(file);
        String model = SavedModels.describe(m, file);
        List<String> labels = new ArrayList<>();
        Tensor x, truth = null;
        if (data != null) {
            ModelData test = ModelData.testSplit(m, file, data, classes == null ? null : ClassSelection.parse("--classes", classes));
            int n = Math.min(limit, test.x().dim(0));
            x = test.x().slice(0, 0, n);
            truth = test.y();
            for (int i = 0; i < n; i++) labels.add("test sample " + i);
        } else {
            ImageFiles.Geometry g = ImageFiles.geometry(ModelInputs.inputShape(m), model);
            x = ModelInputs.checked(m, ImageFiles.read(images, g).div(255.0), "the images", model);
            for (Path p : images) labels.add(p.toString());
        }
        Tensor scores = m.predict(x);
        if (scores.rank() != 2) throw new IllegalArgumentException(model + " outputs shape " + scores.shape() + " per batch; predict needs a classifier ([batch, classes])");
        int classCount = scores.dim(1);
        float[] all = scores.toFloatArray();
        boolean probabilities = isDistribution(all, classCount);
        if (!probabilities) System.out.println("(the model's outputs are not probabilities: printing their softmax)");
        List<String> names = m.classNames().size() == classCount ? m.classNames() : List.of();
        float[] y = truth == null ? null : truth.toFloatArray();
        for (int i = 0; i < labels.size(); i++) {
            double[] p = row(all, i, classCount, probabilities);
            StringBuilder line = new StringBuilder(labels.get(i));
            if (y != null) line.append(" (true: ").append(name(names, (int) y[i])).append(')');
            line.append(':');
            int[] order = IntStream.range(0, classCount).boxed().sorted(Comparator.comparingDouble((Integer c) -> -p[c]).thenComparingInt(c -> c))
                    .mapToInt(Integer::intValue).limit(top).toArray();
            for (int k = 0; k < order.length; k++) {
                line.append(k == 0 ? " " : ", ").append(name(names, order[k])).append(String.format(Locale.ROOT, " %.4f", p[order[k]]));
            }
            System.out.println(line);
        }
        return 0;
    }

    private static String name(List<String> names, int c) {
        return c >= 0 && c < names.size() ? names.get(c) : Integer.toString(c);
    }

    /** Whether every row is non-negative and sums to 1 (a softmax), within float rounding. */
    private static boolean isDistribution(float[] all, int classCount) {
        for (int r = 0; r < all.length / classCount; r++) {
            double sum = 0;
            for (int c = 0; c < classCount; c++) {
                float v = all[r * classCount + c];
                if (!(v >= 0)) return false;
                sum += v;
            }
            if (Math.abs(sum - 1) > 1e-3) return false;
        }
        return true;
    }

    private static double[] row(float[] all, int r, int classCount, boolean probabilities) {
        double[] p = new double[classCount];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int c = 0; c < classCount; c++) {
            p[c] = all[r * classCount + c];
            max = Math.max(max, p[c]);
        }
        if (probabilities) return p;
        for (int c = 0; c < classCount; c++) sum += p[c] = Math.exp(p[c] - max);
        for (int c = 0; c < classCount; c++) p[c] /= sum;
        return p;
    }
}
