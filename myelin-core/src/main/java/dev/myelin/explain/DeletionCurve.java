package dev.myelin.explain;

import dev.myelin.autograd.NoGrad;
import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.IntStream;

/**
 * The deletion curve (Petsiuk, Das and Saenko 2018, "RISE"): remove the pixels of an image in order, set
 * to {@code baseline}, and follow the model's output for the target class (the probability, for a softmax
 * classifier) as the removed fraction grows from 0 to 1. Removing the most-attributed pixels first should
 * make it fall faster than removing them in random order: a smaller area under the curve means the
 * attribution found the pixels the model relies on.
 *
 * <p>A pixel's rank is its absolute attribution summed over channels (ties in pixel order); removing a
 * pixel sets all its channels. Areas are by the trapezoid rule over the fraction in [0, 1], averaged over
 * the examples. Batched: the {@code (steps + 1) · n} partially removed images go through the model 256 at a time.
 *
 * <p>Shapes: images {@code [n, h, w, c]}, attributions {@code [n, h, w, c or 1]}.
 *
 * @param fractions      the removed fractions {@code k / steps}
 * @param attributed     the mean output for the target after removing that fraction by attribution
 * @param random         the same in a random order (seeded per example)
 * @param attributedArea the area under {@code attributed}
 * @param randomArea     the area under {@code random}
 */
public record DeletionCurve(double[] fractions, double[] attributed, double[] random, double attributedArea, double randomArea) {
    private static final int ROWS_PER_PASS = 256;

    /** Measures the curve for {@code attributions} of {@code images} (their targets in {@code targets}) with {@code steps} steps. */
    public static DeletionCurve measure(Model model, Tensor images, Tensor attributions, int[] targets, int steps, double baseline, long seed) {
        if (images.rank() != 4) throw new IllegalArgumentException("DeletionCurve: expected images [n, h, w, c], got " + images.shape());
        int n = images.dim(0), h = images.dim(1), w = images.dim(2), c = images.dim(3), hw = h * w;
        if (attributions.rank() != 4 || attributions.dim(0) != n || attributions.dim(1) != h || attributions.dim(2) != w) {
            throw new IllegalArgumentException("DeletionCurve: attributions " + attributions.shape() + " do not match images " + images.shape());
        }
        if (targets.length != n) throw new IllegalArgumentException("DeletionCurve: " + targets.length + " targets for " + n + " images");
        if (steps < 1) throw new IllegalArgumentException("DeletionCurve: steps must be >= 1, got " + steps);
        float[] heat = attributions.detach().abs().sum(3).contiguous().toFloatArray();
        int[][] byAttribution = new int[n][], byChance = new int[n][];
        for (int i = 0; i < n; i++) {
            int base = i * hw;
            byAttribution[i] = IntStream.range(0, hw).boxed().sorted(Comparator.comparingDouble((Integer p) -> -heat[base + p]).thenComparingInt(p -> p))
                    .mapToInt(Integer::intValue).toArray();
            byChance[i] = shuffled(hw, RandomGeneratorFactory.of("L64X128MixRandom").create(seed * 1_000_003L + i));
        }
        double[] fractions = new double[steps + 1];
        for (int k = 0; k <= steps; k++) fractions[k] = (double) k / steps;
        float[] src = images.detach().contiguous().toFloatArray();
        double[] a = curve(model, src, images.shape().toArray(), byAttribution, targets, steps, baseline);
        double[] r = curve(model, src, images.shape().toArray(), byChance, targets, steps, baseline);
        return new DeletionCurve(fractions, a, r, area(fractions, a), area(fractions, r));
    }

    /** The mean target output after removing {@code round(k/steps · hw)} pixels of each order, k = 0..steps. */
    private static double[] curve(Model model, float[] src, int[] dims, int[][] orders, int[] targets, int steps, double baseline) {
        int n = dims[0], hw = dims[1] * dims[2], c = dims[3], example = hw * c;
        int total = n * (steps + 1);
        double[] mean = new double[steps + 1];
        for (int from = 0; from < total; from += ROWS_PER_PASS) {
            int m = Math.min(ROWS_PER_PASS, total - from);
            float[] data = new float[m * example];
            int[] rowTargets = new int[m];
            for (int r = 0; r < m; r++) {
                int i = (from + r) / (steps + 1), k = (from + r) % (steps + 1);
                System.arraycopy(src, i * example, data, r * example, example);
                int removed = (int) Math.round((double) k / steps * hw);
                for (int q = 0; q < removed; q++) Arrays.fill(data, r * example + orders[i][q] * c, r * example + (orders[i][q] + 1) * c, (float) baseline);
                rowTargets[r] = targets[i];
            }
            int[] shape = dims.clone();
            shape[0] = m;
            double[] out;
            try (var g = NoGrad.scope()) {
                out = Scores.selected(model.call(Tensor.of(data, shape), false), rowTargets).toDoubleArray();
            }
            for (int r = 0; r < m; r++) mean[(from + r) % (steps + 1)] += out[r] / n;
        }
        return mean;
    }

    private static int[] shuffled(int size, RandomGenerator rng) {
        int[] p = IntStream.range(0, size).toArray();
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static double area(double[] x, double[] y) {
        double s = 0;
        for (int i = 1; i < x.length; i++) s += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        return s;
    }
}
