package dev.myelin.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** Optimizer.state / restoreState: a restored optimizer continues bit-identically. */
class OptimizerStateTest {
    private static final List<Supplier<Optimizer>> OPTIMIZERS = List.of(
            () -> new SGD(0.1).momentum(0.9).nesterov(true),
            () -> new SGD(0.05).momentum(0.5),
            () -> new Adam(0.01).amsgrad(true),
            () -> new Adam(0.01),
            () -> new AdamW(0.01, 0.05),
            () -> new RMSprop(0.01).centered(true).momentum(0.3),
            () -> new Adagrad(0.1).initialAccumulatorValue(0.2),
            () -> new Adam(0.01).learningRateSchedule(new CosineDecay(0.02, 7, 0.1, 0.05, 2)).clipNorm(0.5),
            () -> new SGD(0.1).momentum(0.9).learningRateSchedule(new ExponentialDecay(0.1, 3, 0.5)).weightDecay(0.01));

    /** Weights [2, 3] and [3] updated each step, and [2] never (no gradient: no slots). */
    private static List<Parameter> params(long seed) {
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        return List.of(Parameter.of("dense/kernel", Tensor.normal(rng, 0, 1, 2, 3)), Parameter.of("dense/bias", Tensor.normal(rng, 0, 1, 3)),
                Parameter.of("frozen/bias", Tensor.normal(rng, 0, 1, 2)));
    }

    private static List<Parameter> copies(List<Parameter> ps) {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : ps) out.add(Parameter.of(p.name(), Tensor.of(p.value().toFloatArray(), p.value().shape().toArray())));
        return out;
    }

    /** Steps {@code from .. to-1}, each with gradients drawn from a generator seeded by the step. */
    private static void steps(Optimizer o, List<Parameter> ps, int from, int to) {
        for (int step = from; step < to; step++) {
            RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(1000 + step);
            List<Tensor> grads = new ArrayList<>();
            grads.add(Tensor.normal(rng, 0, 1, 2, 3));
            grads.add(Tensor.normal(rng, 0, 1, 3));
            grads.add(null);
            o.applyGradients(grads, ps);
        }
    }

    private static void assertSameBits(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what);
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), what + " element " + i + ": " + e[i] + " vs " + a[i]);
        }
    }

    private static void assertSameRun(Optimizer expected, List<Parameter> pe, Optimizer actual, List<Parameter> pa) {
        String what = expected.toString();
        assertEquals(expected.iterations(), actual.iterations(), what);
        assertEquals(Double.doubleToRawLongBits(expected.learningRate()), Double.doubleToRawLongBits(actual.learningRate()), what);
        for (int i = 0; i < pe.size(); i++) {
            assertSameBits(pe.get(i).value(), pa.get(i).value(), what + " weight " + pe.get(i).name());
            Map<String, Tensor> se = expected.slots(pe.get(i)), sa = actual.slots(pa.get(i));
            assertEquals(se.keySet(), sa.keySet(), what + " slots of " + pe.get(i).name());
            for (String k : se.keySet()) assertSameBits(se.get(k), sa.get(k), what + " slot " + pe.get(i).name() + "/" + k);
        }
    }

    @Test
    void everyOptimizerResumesBitIdenticallyFromItsState() {
        for (Supplier<Optimizer> make : OPTIMIZERS) {
            Optimizer original = make.get();
            List<Parameter> ps = params(3);
            steps(original, ps, 0, 4);
            Optimizer.State saved = original.state(ps);
            List<Parameter> resumedParams = copies(ps);
            steps(original, ps, 4, 9);

            Optimizer resumed = make.get();
            resumed.restoreState(saved, resumedParams);
            steps(resumed, resumedParams, 4, 9);
            assertSameRun(original, ps, resumed, resumedParams);
        }
    }

    @Test
    void stateIsKeyedByParameterAndSlotAndLeavesOutParametersNeverUpdated() {
        Optimizer adam = new Adam(0.01).amsgrad(true);
        List<Parameter> ps = params(4);
        steps(adam, ps, 0, 2);
        Optimizer.State s = adam.state(ps);
        assertEquals(List.of("dense/kernel/momentum", "dense/kernel/velocity", "dense/kernel/velocity_hat",
                "dense/bias/momentum", "dense/bias/velocity", "dense/bias/velocity_hat"), List.copyOf(s.slots().keySet()));
        assertEquals(2, s.iterations());
        assertEquals(0.01, s.learningRate());
        assertEquals(1.0, s.scheduleScale());
        // a copy: later steps leave it alone
        float[] before = s.slots().get("dense/bias/momentum").toFloatArray();
        steps(adam, ps, 2, 3);
        assertArrayEquals(before, s.slots().get("dense/bias/momentum").toFloatArray());
        // and the restored optimizer holds copies too
        Optimizer other = new Adam(0.01).amsgrad(true);
        other.restoreState(s, ps);
        steps(other, ps, 3, 4);
        assertArrayEquals(before, s.slots().get("dense/bias/momentum").toFloatArray());
    }

    @Test
    void aFreshOptimizerStateRoundTripsWithNoSlots() {
        List<Parameter> ps = params(5);
        Optimizer.State empty = new Adam().state(ps);
        assertTrue(empty.slots().isEmpty());
        assertEquals(0, empty.iterations());
        Optimizer used = new Adam();
        steps(used, ps, 0, 2);
        used.restoreState(empty, ps);
        assertEquals(0, used.iterations());
        assertTrue(used.slots(ps.get(0)).isEmpty(), "slots not in the state are dropped");
    }

    @Test
    void setLearningRateAndTheScheduleScaleAreRestored() {
        Supplier<Optimizer> scheduled = () -> new Adam().learningRateSchedule(new CosineDecay(0.1, 20));
        Optimizer original = scheduled.get();
        List<Parameter> ps = params(6);
        steps(original, ps, 0, 3);
        original.setLearningRate(original.learningRate() / 2); // as ReduceLROnPlateau
        Optimizer.State saved = original.state(ps);
        assertTrue(saved.scheduleScale() != 1.0);
        List<Parameter> resumedParams = copies(ps);
        steps(original, ps, 3, 8);
        Optimizer resumed = scheduled.get();
        resumed.restoreState(saved, resumedParams);
        steps(resumed, resumedParams, 3, 8);
        assertSameRun(original, ps, resumed, resumedParams);

        Optimizer constant = new SGD(0.1).momentum(0.9);
        steps(constant, ps, 0, 1);
        constant.setLearningRate(0.025);
        Optimizer other = new SGD(0.1).momentum(0.9);
        other.restoreState(constant.state(ps), copies(ps));
        assertEquals(0.025, other.learningRate());
    }

    @Test
    void restoreNamesTheFirstKeyThatDoesNotFit() {
        List<Parameter> ps = params(7);
        Map<String, Tensor> slots = new LinkedHashMap<>();
        slots.put("dense/kernel/momentum", Tensor.zeros(dev.myelin.backend.DType.FLOAT32, Shape.of(2, 3)));
        slots.put("conv/kernel/momentum", Tensor.zeros(dev.myelin.backend.DType.FLOAT32, Shape.of(2, 3)));
        Optimizer sgd = new SGD(0.1).momentum(0.9);
        steps(sgd, ps, 0, 1);
        var unknown = assertThrows(IllegalArgumentException.class, () -> sgd.restoreState(new Optimizer.State(5, 0.1, 1, slots), ps));
        assertTrue(unknown.getMessage().contains("'conv/kernel/momentum'"), unknown.getMessage());
        assertEquals(1, sgd.iterations(), "nothing changes when a check fails");

        var badShape = assertThrows(IllegalArgumentException.class, () -> sgd.restoreState(
                new Optimizer.State(5, 0.1, 1, Map.of("dense/bias/momentum", Tensor.zeros(dev.myelin.backend.DType.FLOAT32, Shape.of(4)))), ps));
        assertTrue(badShape.getMessage().contains("'dense/bias/momentum'") && badShape.getMessage().contains("[3]"), badShape.getMessage());
        var noSlash = assertThrows(IllegalArgumentException.class, () -> sgd.restoreState(
                new Optimizer.State(5, 0.1, 1, Map.of("momentum", Tensor.zeros(dev.myelin.backend.DType.FLOAT32, Shape.of(3)))), ps));
        assertTrue(noSlash.getMessage().contains("'momentum'"), noSlash.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Optimizer.State(-1, 0.1, 1, Map.of()));
    }
}
