package dev.myelin.nn.layers;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.models.Model;
import dev.myelin.nn.Input;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.init.Constant;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.LayerTestHarness;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GatedFusion: the harness contract, two inputs of different widths (value, float64 gradients, save/load), bad input. */
class GatedFusionTest {
    @Test
    void harness() {
        LayerTestHarness.of(() -> new GatedFusion(3)).inputShape(5).expectOutputShape(3).expectWeights(7, 0).expectParams(5 * 3 * 4 + 3 * 3).run();
        LayerTestHarness.of(() -> new GatedFusion(4)).inputShape(2, 3).expectOutputShape(2, 4).run();
    }

    /** One unit, every weight a constant: hA = tanh(Σa + 0.1), hB = tanh(Σb + 0.1), z = σ(Σa + Σb + 0.1). */
    @Test
    void handComputedValue() {
        GatedFusion g = new GatedFusion(1).kernelInitializer(new Constant(1)).biasInitializer(new Constant(0.1));
        g.build(Shape.of(2), Shape.of(3), new SplittableRandom(1));
        Tensor a = Tensor.of(new double[] {0.5, -0.2, 1, 1}, 2, 2);
        Tensor b = Tensor.of(new double[] {0.1, 0.2, -0.4, 0, 0, 0.3}, 2, 3);
        double[] expected = new double[2];
        double[][] sa = {{0.3}, {2}}, sb = {{-0.1}, {0.3}};
        for (int i = 0; i < 2; i++) {
            double hA = Math.tanh(sa[i][0] + 0.1), hB = Math.tanh(sb[i][0] + 0.1), z = 1 / (1 + Math.exp(-(sa[i][0] + sb[i][0] + 0.1)));
            expected[i] = z * hA + (1 - z) * hB;
        }
        assertAllClose(expected, g.call(List.of(a, b), false).toDoubleArray(), 1e-6, 1e-6);
        assertAllClose(new double[] {1 / (1 + Math.exp(-0.3)), 1 / (1 + Math.exp(-2.4))}, g.gate(a, b).toDoubleArray(), 1e-6, 1e-6);
    }

    /** Float64 finite differences w.r.t. both inputs (widths 3 and 5, a sequence axis) and all seven weights. */
    @Test
    void gradientCheckWithTwoWidths() {
        GatedFusion g = new GatedFusion(4);
        g.dtype(DType.FLOAT64);
        g.build(Shape.of(2, 3), Shape.of(2, 5), new SplittableRandom(7));
        List<Parameter> w = g.trainableWeights();
        assertEquals(7, w.size());
        SplittableRandom r = new SplittableRandom(11);
        Tensor a = Tensor.uniform(r, -2, 2, 3, 2, 3).to(DType.FLOAT64);
        Tensor b = Tensor.uniform(r, -2, 2, 3, 2, 5).to(DType.FLOAT64);
        GradCheck.check(in -> g.call(List.of(in[0], in[1]), true), a, b);
        // the weights, as leaves of their own: compare backward with finite differences one weight at a time
        Tensor weights = Tensor.uniform(new SplittableRandom(2), -1, 1, 3, 2, 4).to(DType.FLOAT64);
        for (Parameter p : w) p.value().zeroGrad();
        g.call(List.of(a, b), true).mul(weights).sum().backward();
        for (Parameter p : w) {
            double[] analytic = p.grad().toDoubleArray();
            double[] original = p.value().toDoubleArray();
            double[] numeric = new double[original.length];
            for (int j = 0; j < original.length; j++) {
                numeric[j] = (shifted(g, p, original, j, 1e-6, a, b, weights) - shifted(g, p, original, j, -1e-6, a, b, weights)) / 2e-6;
            }
            try (var s = NoGrad.scope()) {
                p.value().assign(Tensor.of(original, p.value().shape().toArray()));
            }
            assertAllClose(analytic, numeric, 1e-5, 1e-8);
        }
    }

    private static double shifted(GatedFusion g, Parameter p, double[] original, int j, double h, Tensor a, Tensor b, Tensor weights) {
        try (var s = NoGrad.scope()) {
            double[] v = original.clone();
            v[j] += h;
            p.value().assign(Tensor.of(v, p.value().shape().toArray()));
            return g.call(List.of(a, b), true).mul(weights).sum().item();
        }
    }

    @Test
    void functionalModelSavesAndLoads(@TempDir Path dir) throws IOException {
        SymbolicTensor image = Input.named("image_features", 6), text = Input.named("text_features", 4);
        Model m = new Model(List.of(image, text), List.of(new Dense(2).apply(new GatedFusion(3).apply(image, text)))).seed(3);
        m.build();
        Path file = dir.resolve("fusion.myelin");
        m.save(file);
        Model loaded = Model.load(file);
        assertEquals(m.summary(), loaded.summary());
        SplittableRandom r = new SplittableRandom(4);
        List<Tensor> xs = List.of(Tensor.uniform(r, -1, 1, 5, 6), Tensor.uniform(r, -1, 1, 5, 4));
        assertArrayEquals(m.call(xs, false).get(0).toDoubleArray(), loaded.call(xs, false).get(0).toDoubleArray());
        assertTrue(loaded.layers().stream().anyMatch(l -> l instanceof GatedFusion));
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> new GatedFusion(0));
        SymbolicTensor a = Input.of(4), b = Input.of(3), c = Input.of(2);
        var three = assertThrows(IllegalArgumentException.class, () -> new GatedFusion(2).apply(List.of(a, b, c)));
        assertTrue(three.getMessage().contains("exactly 2 inputs, got 3"), three.getMessage());
        var lead = assertThrows(IllegalArgumentException.class, () -> new GatedFusion(2).apply(Input.of(5, 4), Input.of(6, 3)));
        assertTrue(lead.getMessage().contains("differ only in their last dimension"), lead.getMessage());
        GatedFusion g = new GatedFusion(2);
        g.build(Shape.of(4), Shape.of(3), new SplittableRandom(1));
        var width = assertThrows(IllegalArgumentException.class, () -> g.call(List.of(Tensor.zeros(2, 4), Tensor.zeros(2, 5)), false));
        assertTrue(width.getMessage().contains("[batch, ..., 3]"), width.getMessage());
        var batch = assertThrows(IllegalArgumentException.class, () -> g.call(List.of(Tensor.zeros(2, 4), Tensor.zeros(3, 3)), false));
        assertTrue(batch.getMessage().contains("differ only in their last dimension"), batch.getMessage());
    }
}
