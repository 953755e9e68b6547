package dev.myelin.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A model runs BatchNormalization followed by ActivationLayer(RELU) as one operation ({@code batch_norm_relu}) when the
 * activation alone reads the normalization's output: the same outputs, gradients and moving statistics bit for bit as
 * the layers called one by one, and the layers (so the saved configuration) unchanged. When the normalized value is
 * also read elsewhere, the two layers run apart.
 */
class BatchNormReluFusionTest {
    private static Sequential convModel() {
        Sequential m = new Sequential(new Conv2D(16, 3).inputShape(6, 6, 3), new BatchNormalization(), new ActivationLayer(Activation.RELU),
                new Conv2D(5, 3), new BatchNormalization(), new ActivationLayer("relu"));
        m.seed(3);
        m.build();
        return m;
    }

    private static Tensor batch(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int size = 1;
        for (int d : shape) size *= d;
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) r.nextDouble(-2, 3);
        return Tensor.of(v, shape);
    }

    /** The output, then every weight's gradient (trainable) or value (moving statistics), after one backward pass. */
    private static List<float[]> step(Model m, boolean byLayer, boolean training) {
        Tensor x = batch(7, 4, 6, 6, 3);
        Tensor y;
        if (byLayer) {
            y = x;
            for (Layer l : m.layers()) y = l.call(y, training);
        } else {
            y = m.call(x, training);
        }
        y.mul(batch(8, y.shape().toArray())).sum().backward();
        List<float[]> out = new ArrayList<>(List.of(y.toFloatArray()));
        for (Parameter p : m.weights()) out.add((p.trainable() ? p.grad() : p.value()).toFloatArray());
        return out;
    }

    @Test
    void runsBatchNormalizationThenReluAsOneOperation() {
        Sequential m = convModel();
        Tensor y = m.call(batch(7, 4, 6, 6, 3), true);
        assertEquals("batch_norm_relu", y.gradFn().op());
        assertEquals("batch_norm_inference_relu", m.call(batch(7, 4, 6, 6, 3).requiresGrad(true), false).gradFn().op());
        // the layers are as they were: six of them, the activations separate
        assertEquals(6, m.layers().size());
        assertEquals(Activation.RELU, ((ActivationLayer) m.layers().get(2)).activation());
    }

    @Test
    void sameBitsAsTheLayersOneByOne() {
        for (boolean training : new boolean[] {true, false}) {
            List<float[]> fused = step(convModel(), false, training), apart = step(convModel(), true, training);
            assertEquals(apart.size(), fused.size());
            for (int i = 0; i < apart.size(); i++) assertArrayEquals(apart.get(i), fused.get(i), "array " + i + (training ? " training" : " inference"));
        }
    }

    @Test
    void runsApartWhenTheNormalizedValueIsReadElsewhere() {
        SymbolicTensor in = Input.of(5);
        SymbolicTensor h = new BatchNormalization().apply(new Dense(8).apply(in));
        SymbolicTensor r = new ActivationLayer(Activation.RELU).apply(h);
        Model m = new Model(List.of(in), List.of(r, h));
        m.seed(1);
        m.build();
        List<Tensor> ys = m.call(List.of(batch(9, 6, 5)), true);
        assertEquals("relu", ys.get(0).gradFn().op());
        assertEquals("batch_norm", ys.get(1).gradFn().op());
    }
}
