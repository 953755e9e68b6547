package dev.myelin.nn.recurrent;

import static dev.myelin.nn.recurrent.RecurrentForwardTest.rand2;
import static dev.myelin.nn.recurrent.RecurrentForwardTest.rand3;
import static dev.myelin.nn.recurrent.RecurrentForwardTest.t;
import static dev.myelin.nn.recurrent.RecurrentForwardTest.t3;
import static dev.myelin.testing.TensorAssert.assertAllClose;

import dev.myelin.autograd.NoGrad;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.recurrent.KerasReference.Cell;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.LayerTestHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backpropagation through time: float64 finite differences on the composed path (the layer harness for
 * weights and inputs; masks and initial states separately), and the fused float32 kernel's gradients
 * against the composed path's with every option on (mask, initial states, goBackwards, dropout,
 * recurrent dropout).
 */
class RecurrentGradientTest {
    static final double[][] MASK = {{0, 1, 1, 0, 1}, {1, 1, 1, 1, 1}, {1, 0, 1, 1, 0}};

    @Test
    void simpleRnnHarness() {
        LayerTestHarness.of(() -> new SimpleRNN(3).returnSequences(true)).inputShape(4, 2)
                .expectOutputShape(4, 3).expectWeights(3, 0).expectParams(3 * (2 + 3 + 1)).run();
    }

    @Test
    void lstmHarness() {
        LayerTestHarness.of(() -> new LSTM(3)).inputShape(4, 2)
                .expectOutputShape(3).expectWeights(3, 0).expectParams(4 * 3 * (2 + 3 + 1)).run();
    }

    @Test
    void gruHarness() {
        LayerTestHarness.of(() -> new GRU(3).returnSequences(true)).inputShape(4, 2)
                .expectOutputShape(4, 3).expectWeights(3, 0).expectParams(3 * 3 * (2 + 3 + 2)).run();
    }

    /** Keras 2's reset_after=false cell: one bias of 3·units, composed path. */
    @Test
    void gruResetBeforeHarness() {
        LayerTestHarness.of(() -> new GRU(3).resetAfter(false).returnSequences(true)).inputShape(4, 2)
                .expectOutputShape(4, 3).expectWeights(3, 0).expectParams(3 * 3 * (2 + 3 + 1)).run();
    }

    @Test
    void bidirectionalHarness() {
        LayerTestHarness.of(() -> new Bidirectional(new LSTM(2).returnSequences(true))).inputShape(3, 2)
                .expectOutputShape(3, 4).expectWeights(6, 0).expectParams(2 * 4 * 2 * (2 + 2 + 1)).run();
        LayerTestHarness.of(() -> new Bidirectional(new GRU(2), Bidirectional.Merge.AVE)).inputShape(3, 2)
                .expectOutputShape(2).expectWeights(6, 0).run();
    }

    @Test
    void timeDistributedHarness() {
        LayerTestHarness.of(() -> new TimeDistributed(new Dense(3, Activation.TANH))).inputShape(4, 2)
                .expectOutputShape(4, 3).expectWeights(2, 0).expectParams(9).run();
    }

    /** Gradients with respect to the input and the initial states through masked steps (float64, composed path). */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void maskedStepsAndInitialStates(Cell cell) {
        RecurrentLayer layer = RecurrentForwardTest.layer(cell).returnSequences(true);
        layer.dtype(DType.FLOAT64);
        layer.build(Shape.of(5, 2), RandomGenerator.of("L64X128MixRandom"));
        SplittableRandom rng = new SplittableRandom(5);
        Tensor mask = t(MASK, DType.FLOAT64);
        Tensor x = t3(rand3(rng, 3, 5, 2, 1), DType.FLOAT64);
        List<Tensor> inputs = new ArrayList<>(List.of(x));
        for (int k = 0; k < layer.stateCount(); k++) inputs.add(t(rand2(rng, 3, 3, 1), DType.FLOAT64));
        GradCheck.check(in -> {
            RecurrentOutput out = layer.callWithState(in[0], mask, List.of(in).subList(1, in.length), false);
            List<Tensor> parts = new ArrayList<>(List.of(out.output().reshape(3, -1)));
            parts.addAll(out.states());
            return Tensor.concat(parts, 1);
        }, inputs.toArray(Tensor[]::new));
    }

    @Test
    void bidirectionalWithMask() {
        Bidirectional layer = new Bidirectional(new GRU(2).returnSequences(true), Bidirectional.Merge.MUL);
        layer.dtype(DType.FLOAT64);
        layer.build(Shape.of(5, 2), RandomGenerator.of("L64X128MixRandom"));
        Tensor mask = t(MASK, DType.FLOAT64);
        Tensor x = t3(rand3(new SplittableRandom(9), 3, 5, 2, 1), DType.FLOAT64);
        GradCheck.check(in -> layer.callWithState(in[0], mask, null, false).output(), x);
    }

    /** The fused float32 kernel's forward and gradients equal the composed path's (itself checked above). */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void fusedMatchesComposed(Cell cell) {
        for (boolean backwards : new boolean[] {false, true}) {
            List<Tensor[]> grads = new ArrayList<>();
            List<Tensor> outs = new ArrayList<>();
            for (boolean fused : new boolean[] {true, false}) {
                RecurrentLayer layer = RecurrentForwardTest.layer(cell).returnSequences(true).goBackwards(backwards)
                        .dropout(0.3).recurrentDropout(0.4).fused(fused).seed(77);
                layer.build(Shape.of(5, 4), RandomGenerator.of("L64X128MixRandom"));
                SplittableRandom rng = new SplittableRandom(3);
                try (var ng = NoGrad.scope()) {
                    layer.kernel().value().assign(t(rand2(rng, 4, layer.kernel().value().dim(1), 0.7), DType.FLOAT32));
                    layer.recurrentKernel().value().assign(t(rand2(rng, 3, layer.kernel().value().dim(1), 0.7), DType.FLOAT32));
                    Shape bs = layer.bias().value().shape();
                    layer.bias().value().assign(t(rand2(rng, 1, bs.size(), 0.5), DType.FLOAT32).reshape(bs.toArray()));
                }
                Tensor x = t3(rand3(rng, 3, 5, 4, 1), DType.FLOAT32).requiresGrad(true);
                List<Tensor> init = new ArrayList<>();
                for (int k = 0; k < layer.stateCount(); k++) init.add(t(rand2(rng, 3, 3, 1), DType.FLOAT32).requiresGrad(true));
                RecurrentOutput out = layer.callWithState(x, t(MASK, DType.FLOAT32), init, true);
                Tensor wOut = t3(rand3(new SplittableRandom(11), 3, 5, 3, 1), DType.FLOAT32);
                Tensor loss = out.output().mul(wOut).sum();
                for (Tensor s : out.states()) loss = loss.add(s.mul(s).sum());
                loss.backward();
                outs.add(out.output());
                List<Tensor> g = new ArrayList<>(List.of(x.grad(), layer.kernel().grad(), layer.recurrentKernel().grad(), layer.bias().grad()));
                for (Tensor s : init) g.add(s.grad());
                grads.add(g.toArray(Tensor[]::new));
            }
            assertAllClose(outs.get(0), outs.get(1), 1e-5, 1e-6);
            for (int i = 0; i < grads.get(0).length; i++) assertAllClose(grads.get(0)[i], grads.get(1)[i], 1e-4, 1e-5);
        }
    }
}
