package dev.myelin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.losses.BinaryCrossentropy;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Parameter;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.TensorAssert;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** The custom-training API: Gradients.of, Optimizer.applyGradients / minimize, two models in one loop. */
class GradientsTest {
    private static final RandomGenerator RNG = RandomGeneratorFactory.of("L64X128MixRandom").create(5);

    private static Sequential generator() {
        return new Sequential(new Dense(8, Activation.RELU).inputShape(4), new Dense(6, Activation.TANH)).seed(1);
    }

    private static Sequential discriminator() {
        return new Sequential(new Dense(5, Activation.RELU).inputShape(6), new Dense(1, Activation.SIGMOID)).seed(2);
    }

    @Test
    void sameGradientsAsBackwardWithoutTouchingGrad() {
        Sequential g = generator();
        Tensor z = Tensor.normal(RNG, 0, 1, 3, 4);
        List<Parameter> w = g.trainableWeights();
        Tensor loss1 = g.call(z, true).square().mean();
        List<Tensor> grads = Gradients.of(loss1, w);
        for (Parameter p : w) assertNull(p.grad(), "Gradients.of must not accumulate into " + p.name());
        Tensor loss2 = g.call(z, true).square().mean();
        loss2.backward();
        for (int i = 0; i < w.size(); i++) TensorAssert.assertAllClose(grads.get(i), w.get(i).grad(), 1e-6, 1e-7);
    }

    @Test
    void unrelatedWeightGetsNull() {
        Sequential g = generator(), d = discriminator();
        Tensor loss = g.call(Tensor.normal(RNG, 0, 1, 2, 4), true).sum();
        List<Tensor> grads = Gradients.of(loss, List.of(g.trainableWeights().get(0), d.trainableWeights().get(0)));
        assertTrue(grads.get(0) != null);
        assertNull(grads.get(1));
    }

    /** A generator step through the discriminator: only G changes; D's weights, grads and optimizer state stay untouched. */
    @Test
    void frozenDiscriminatorDuringGeneratorStep() {
        Sequential g = generator(), d = discriminator();
        var bce = new BinaryCrossentropy();
        Adam gOpt = new Adam(0.01), dOpt = new Adam(0.01);
        Map<String, Tensor> dBefore = d.weightValues(), gBefore = g.weightValues();
        for (int step = 0; step < 3; step++) {
            Tensor p = d.call(g.call(Tensor.normal(RNG, 0, 1, 4, 4), true), true);
            gOpt.minimize(bce.compute(Tensor.ones(4, 1), p), g.trainableWeights());
        }
        Map<String, Tensor> dAfter = d.weightValues(), gAfter = g.weightValues();
        for (var e : dBefore.entrySet()) TensorAssert.assertAllClose(dAfter.get(e.getKey()), e.getValue(), 0, 0);
        for (Parameter p : d.weights()) assertNull(p.grad(), "no gradient leaks into " + p.name());
        assertTrue(gBefore.entrySet().stream().allMatch(e -> maxAbsDiff(e.getValue(), gAfter.get(e.getKey())) > 0), "every generator weight moved");
        assertEquals(3, gOpt.iterations());
        assertEquals(0, dOpt.iterations());
    }

    /** Each step's gradients are fresh: two identical steps from the same weights give the same update (no accumulation). */
    @Test
    void noAccumulationAcrossSteps() {
        Sequential d = discriminator();
        Tensor x = Tensor.normal(RNG, 0, 1, 4, 6);
        List<Parameter> w = d.trainableWeights();
        List<Tensor> first = Gradients.of(d.call(x, true).sum(), w);
        List<Tensor> second = Gradients.of(d.call(x, true).sum(), w);
        for (int i = 0; i < w.size(); i++) TensorAssert.assertAllClose(second.get(i), first.get(i), 0, 0);
    }

    @Test
    void applyGradientsEqualsApplyOnGrad() {
        Sequential a = discriminator(), b = discriminator();
        Tensor x = Tensor.normal(RNG, 0, 1, 4, 6);
        SGD sa = new SGD(0.1), sb = new SGD(0.1);
        sa.applyGradients(Gradients.of(a.call(x, true).sum(), a.trainableWeights()), a.trainableWeights());
        b.call(x, true).sum().backward();
        sb.apply(b.trainableWeights());
        for (var e : a.weightValues().entrySet()) {
            String other = e.getKey().replace(a.layers().get(0).name(), b.layers().get(0).name()).replace(a.layers().get(1).name(), b.layers().get(1).name());
            TensorAssert.assertAllClose(e.getValue(), b.weightValues().get(other), 1e-6, 1e-7);
        }
    }

    @Test
    void errors() {
        Sequential d = discriminator();
        List<Parameter> w = d.trainableWeights();
        Tensor out = d.call(Tensor.normal(RNG, 0, 1, 2, 6), true);
        assertThrows(IllegalArgumentException.class, () -> Gradients.of(out, w));
        var nonScalar = assertThrows(IllegalArgumentException.class, () -> new SGD().minimize(out, w));
        assertTrue(nonScalar.getMessage().contains("minimize needs a scalar loss, got shape [2, 1]"), nonScalar.getMessage());
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD().applyGradients(List.of(), w));
        assertTrue(e.getMessage().contains("0 gradients for 4 parameters"), e.getMessage());
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        double m = 0;
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }
}
