package dev.myelin.testing;

import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/** Small learnable data for training tests: three Gaussian blobs in 2-D, example i of class i % 3. */
public final class Blobs {
    private Blobs() {}

    /** {@code {x [n, 2], y [n]}}: centres (−2, 0), (2, 0), (0, 2.5), standard deviation 0.6; repeatable for a seed. */
    public static Tensor[] of(int n, long seed) {
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        float[] x = new float[n * 2];
        float[] y = new float[n];
        double[][] centers = {{-2, 0}, {2, 0}, {0, 2.5}};
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            y[i] = c;
            x[2 * i] = (float) (centers[c][0] + r.nextGaussian() * 0.6);
            x[2 * i + 1] = (float) (centers[c][1] + r.nextGaussian() * 0.6);
        }
        return new Tensor[] {Tensor.of(x, n, 2), Tensor.of(y, n)};
    }
}
