package dev.myelin.explain;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/** Small models and data for the explain tests. */
final class ExplainModels {
    private ExplainModels() {}

    static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    /** Sets weight {@code name} of {@code layer} to {@code values}. */
    static void set(Layer layer, String name, Tensor values) {
        try (var g = NoGrad.scope()) {
            layer.weights().stream().filter(p -> p.shortName().equals(name)).findFirst().orElseThrow().value().assign(values);
        }
    }

    /** A softmax classifier {@code x [n, in]} → {@code [n, classes]} with a random kernel and a zero bias. */
    static Model linear(int in, int classes, long seed) {
        Model m = new Sequential(new Dense(classes, Activation.SOFTMAX).inputShape(in)).seed(seed);
        m.build();
        return m;
    }

    /** A random CNN on {@code [n, 9, 9, 2]}: conv (3×3, 4 filters, ReLU) named "conv", max pool, dense tanh, softmax over 3. */
    static Model cnn(long seed) {
        Model m = new Sequential(new Conv2D(4, 3, Activation.RELU).inputShape(9, 9, 2).name("conv"), new MaxPooling2D(2), new Flatten(),
                new Dense(8, Activation.TANH), new Dense(3, Activation.SOFTMAX)).seed(seed);
        m.build();
        return m;
    }

    static Tensor images(int n, long seed) {
        return Tensor.rand(rng(seed), n, 9, 9, 2);
    }

    /**
     * Images {@code [n, 8, 8, 1]} in [0, 1] of faint noise with one bright 3×3 blob in one of the four
     * quadrants, and their labels: the quadrant (0..3). The pixels that decide the class are the blob's.
     */
    static Tensor[] quadrants(int n, long seed) {
        RandomGenerator r = rng(seed);
        float[] x = new float[n * 64];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 64; p++) x[i * 64 + p] = 0.1f * r.nextFloat();
            int q = r.nextInt(4);
            y[i] = q;
            int top = (q / 2) * 4 + r.nextInt(2), left = (q % 2) * 4 + r.nextInt(2);
            for (int dy = 0; dy < 3; dy++) for (int dx = 0; dx < 3; dx++) x[i * 64 + (top + dy) * 8 + left + dx] = 0.8f + 0.2f * r.nextFloat();
        }
        return new Tensor[] {Tensor.of(x, n, 8, 8, 1), Tensor.of(y, n)};
    }

    /** A small CNN trained on {@link #quadrants} for a few seconds (over 95% accuracy). */
    static Model trainedQuadrantCnn() {
        Tensor[] data = quadrants(400, 1);
        Model m = new Sequential(new Conv2D(8, 3, Activation.RELU).inputShape(8, 8, 1).name("conv"), new MaxPooling2D(2), new Flatten(),
                new Dense(16, Activation.RELU), new Dense(4, Activation.SOFTMAX)).seed(3);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.fit(data[0], data[1], FitOptions.epochs(8).batchSize(32).seed(5).verbose(0));
        return m;
    }
}
