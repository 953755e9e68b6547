package dev.myelin.onnx;

import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Helpers for the export tests: weights that are not their initial values, and inputs. */
final class TestModels {
    private TestModels() {}

    /**
     * Gives every weight random values (uniform in [-0.5, 0.5); variances in [0.5, 1.5)), so that zero
     * biases or unit batch-normalization statistics cannot hide a wrong layout.
     */
    static <M extends Model> M randomizeWeights(M model, long seed) {
        model.build();
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, Tensor> values = new HashMap<>();
        for (Parameter p : model.weights()) {
            int[] shape = p.value().shape().toArray();
            float[] v = new float[p.value().shape().size()];
            boolean variance = p.name().endsWith("moving_variance");
            for (int i = 0; i < v.length; i++) v[i] = variance ? (float) (0.5 + rng.nextDouble()) : (float) (rng.nextDouble() - 0.5);
            values.put(p.name(), Tensor.of(v, shape));
        }
        model.setWeightValues(values);
        return model;
    }

    /** A batch of {@code batch} samples of {@code shape}, uniform in [-2, 2). */
    static Tensor input(long seed, int batch, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] full = new int[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        int n = batch;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rng.nextDouble() * 4 - 2);
        return Tensor.of(v, full);
    }

    /** Integer ids in [0, vocabulary) as floats (Embedding's input). */
    static Tensor ids(long seed, int batch, int length, int vocabulary) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[batch * length];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(vocabulary);
        return Tensor.of(v, batch, length);
    }
}
