package dev.myelin.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import java.lang.ref.WeakReference;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * How long the graph keeps memory: an activation nobody else holds becomes collectable during backward, as
 * soon as the rules that read it have run; one the caller holds stays intact through backward and later steps.
 */
class GraphLifetimeTest {

    /** True when the object behind {@code ref} was collected within a few full collections. */
    private static boolean collected(WeakReference<?> ref) {
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return ref.get() == null;
    }

    @Test
    void anActivationNobodyHoldsIsCollectableBeforeBackwardEnds() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        WeakReference<?>[] middle = new WeakReference<?>[1];
        boolean[] goneWhenTheLastRuleRan = {false};
        // The first operation carries a probe rule: it runs last, after the rules of everything above it.
        Tensor first = Tensor.fusedResult("probe", Tensor.of(new float[] {1, 2, 3}, 3), g -> {
            goneWhenTheLastRuleRan[0] = collected(middle[0]);
            return new Tensor[] {g};
        }, new Tensor[] {x});
        Tensor loss = makeMiddle(first, middle).sum();
        loss.backward();
        assertTrue(goneWhenTheLastRuleRan[0], "the middle activation was still held when the first operation's rule ran");
        assertArrayEquals(new float[] {3, 3, 3}, x.grad().toFloatArray(), 0f);
    }

    /** {@code first * 3}, a tensor only the graph holds; {@code ref[0]} watches it. */
    private static Tensor makeMiddle(Tensor first, WeakReference<?>[] ref) {
        Tensor middle = first.mul(3.0);
        ref[0] = new WeakReference<>(middle);
        return middle.exp().log(); // two nodes above it: the tensor is an input of one and the output of another
    }

    @Test
    void anActivationTheCallerHoldsKeepsItsValuesThroughLaterSteps() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] w0 = new float[64];
        for (int i = 0; i < w0.length; i++) w0[i] = (float) rng.nextDouble(-1, 1);
        Tensor w = Tensor.of(w0, 8, 8).requiresGrad(true);
        Tensor input = Tensor.of(w0.clone(), 8, 8);
        Tensor kept = null;
        float[] keptValues = null;
        for (int step = 0; step < 5; step++) { // a hand-written loop, as a GradientTape-style custom step
            Tensor hidden = input.matmul(w).tanh();
            Tensor loss = hidden.mul(hidden).sum();
            if (step == 0) {
                kept = hidden;
                keptValues = hidden.toFloatArray();
            }
            w.zeroGrad();
            loss.backward();
            try (var scope = NoGrad.scope()) {
                w.subInPlace(w.grad().mul(0.01)); // the update writes the weight in place, never an activation
            }
        }
        assertArrayEquals(keptValues, kept.toFloatArray(), 0f, "an activation held across steps changed");
    }
}
