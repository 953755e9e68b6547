package dev.myelin.optim;

import static dev.myelin.testing.TensorAssert.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.Dense;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The base class's bookkeeping: clipping, weight decay, skipping, learning rate, slots, arguments. */
class OptimizerTest {

    private static Parameter param(String name, float... values) {
        return Parameter.of(name, Tensor.of(values, values.length));
    }

    private static void setGrad(Parameter p, float... g) {
        p.value().zeroGrad();
        p.value().accumulateGrad(Tensor.of(g, p.value().shape().toArray()));
    }

    // ---- clipping (plain SGD with lr 1 and zero weights, so w = -clipped g) ----

    @Test
    void clipValueClampsEachElement() {
        Parameter p = param("p", 0, 0, 0, 0);
        setGrad(p, 0.3f, -2f, 1f, -0.5f);
        new SGD(1).clipValue(0.5).apply(List.of(p));
        assertValues(p.value(), new double[] {-0.3, 0.5, -0.5, 0.5}, 1e-7);
        assertValues(p.grad(), new double[] {0.3f, -2, 1, -0.5}, 0); // the parameter's gradient is left alone
    }

    @Test
    void clipNormRescalesEachTensorOnItsOwn() {
        Parameter big = param("big", 0, 0), small = param("small", 0, 0);
        setGrad(big, 3, 4);        // norm 5 -> rescaled to norm 2
        setGrad(small, 0.3f, 0.4f); // norm 0.5 -> unchanged
        new SGD(1).clipNorm(2).apply(List.of(big, small));
        assertValues(big.value(), new double[] {-1.2, -1.6}, 1e-6);
        assertValues(small.value(), new double[] {-0.3, -0.4}, 1e-7);
        assertValues(big.grad(), new double[] {3, 4}, 0);
    }

    @Test
    void globalClipNormRescalesAllTensorsTogether() {
        Parameter a = param("a", 0, 0), b = param("b", 0);
        setGrad(a, 3, 4);
        setGrad(b, 12); // global norm 13
        new SGD(1).globalClipNorm(1).apply(List.of(a, b));
        assertValues(a.value(), new double[] {-3.0 / 13, -4.0 / 13}, 1e-7);
        assertValues(b.value(), new double[] {-12.0 / 13}, 1e-7);
    }

    @Test
    void globalClipNormLeavesSmallGradientsAndCountsOnlyUpdatedParameters() {
        Parameter a = param("a", 0, 0);
        Dense frozen = frozenDense();
        Parameter kernel = frozen.weights().get(0);
        setGrad(a, 0.3f, 0.4f); // norm 0.5 <= 1
        kernel.value().zeroGrad();
        kernel.value().accumulateGrad(Tensor.full(DType.FLOAT32, kernel.value().shape(), 100));
        new SGD(1).globalClipNorm(1).apply(List.of(a, kernel));
        assertValues(a.value(), new double[] {-0.3, -0.4}, 1e-7);
    }

    @Test
    void globalClipNormOfAnInfiniteGradientIsNaN() {
        Parameter a = param("a", 0, 0);
        setGrad(a, Float.POSITIVE_INFINITY, 1);
        new SGD(1).globalClipNorm(1).apply(List.of(a));
        assertTrue(Double.isNaN(a.value().get(0)) && Double.isNaN(a.value().get(1)), a.value().toString());
    }

    @Test
    void onlyOneKindOfClippingAtATime() {
        Optimizer opt = new SGD().clipNorm(1);
        assertMessage(() -> opt.clipValue(0.5), "clipNorm", "clipValue");
        assertMessage(() -> opt.globalClipNorm(0.5), "clipNorm", "globalClipNorm");
        opt.clipNorm(0).clipValue(0.5);
        assertEquals(0.5, opt.clipValue());
        assertEquals(0.0, opt.clipNorm());
    }

    // ---- weight decay ----

    @Test
    void weightDecayShrinksWeightsBeforeTheUpdate() {
        Parameter p = param("p", 1, -2);
        setGrad(p, 0.2f, 0.4f);
        new SGD(0.1).weightDecay(0.5).apply(List.of(p));
        // w - w * 0.5 * 0.1 - 0.1 * g
        assertValues(p.value(), new double[] {0.95 - 0.02, -1.9 - 0.04}, 1e-6);
    }

    @Test
    void excludedParametersAreNotDecayed() {
        Parameter kernel = param("dense/kernel", 1, -2), bias = param("dense/bias", 1, -2);
        setGrad(kernel, 0.2f, 0.4f);
        setGrad(bias, 0.2f, 0.4f);
        new SGD(0.1).weightDecay(0.5).excludeFromWeightDecay("bias").apply(List.of(kernel, bias));
        assertValues(kernel.value(), new double[] {0.93, -1.94}, 1e-6);
        assertValues(bias.value(), new double[] {0.98, -2.04}, 1e-6);
    }

    // ---- skipped parameters ----

    private static Dense frozenDense() {
        Dense d = new Dense(2);
        d.build(Shape.of(3), RandomGenerator.of("L64X128MixRandom"));
        d.trainable(false);
        return d;
    }

    @Test
    void frozenAndGradientlessParametersAreUntouched() {
        Dense frozen = frozenDense();
        Parameter kernel = frozen.weights().get(0);
        double[] kernelBefore = kernel.value().toDoubleArray();
        kernel.value().accumulateGrad(Tensor.ones(3, 2));
        Parameter noGrad = param("noGrad", 1, 2);
        Parameter trained = param("trained", 1, 2);
        setGrad(trained, 1, 1);
        Optimizer opt = new Adam(0.1).weightDecay(0.5).clipNorm(0.1);

        for (int i = 0; i < 5; i++) opt.apply(List.of(kernel, noGrad, trained));

        assertArrayEquals(kernelBefore, kernel.value().toDoubleArray());
        assertValues(noGrad.value(), new double[] {1, 2}, 0);
        assertEquals(Map.of(), opt.slots(kernel));
        assertEquals(Map.of(), opt.slots(noGrad));
        assertTrue(trained.value().get(0) < 0.9, "the trainable parameter moved: " + trained.value());
        assertEquals(5, opt.iterations());
    }

    @Test
    void iterationsCountEvenWhenNothingIsUpdated() {
        Optimizer opt = new SGD();
        opt.apply(List.of(param("p", 1)));
        opt.apply(List.of());
        assertEquals(2, opt.iterations());
    }

    @Test
    void gradientOfTheWrongShapeIsRefused() {
        Parameter p = param("p", 1, 2);
        p.value().accumulateGrad(Tensor.ones(3));
        assertMessage(() -> new SGD().apply(List.of(p)), "'p'", "[3]", "[2]");
    }

    @Test
    void updatesAreNotRecordedInTheGraph() {
        Parameter p = param("p", 1, 2);
        setGrad(p, 1, 1);
        new Adam().apply(List.of(p));
        assertEquals(null, p.value().gradFn());
        assertTrue(p.value().requiresGrad());
    }

    // ---- slots ----

    @Test
    void slotsAreCreatedLazilyWithTheWeightsTypeAndShape() {
        Parameter p = Parameter.of("p", Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
        setGradDouble(p, 0.5, -1, 2, 0);
        Adam adam = new Adam(0.1);
        assertEquals(Map.of(), adam.slots(p));
        adam.apply(List.of(p));
        Map<String, Tensor> slots = adam.slots(p);
        assertEquals(List.of("momentum", "velocity"), new ArrayList<>(slots.keySet()));
        Tensor m = slots.get("momentum"), v = slots.get("velocity");
        assertEquals(DType.FLOAT64, m.dtype());
        assertEquals(Shape.of(2, 2), v.shape());
        assertValues(m, new double[] {0.05, -0.1, 0.2, 0}, 1e-15);       // (1 - beta1) g
        assertValues(v, new double[] {0.00025, 0.001, 0.004, 0}, 1e-15); // (1 - beta2) g²
        adam.amsgrad(true).apply(List.of(p));
        assertTrue(adam.slots(p).containsKey("velocity_hat"));
    }

    @Test
    void slotNamesFollowKeras() {
        assertEquals(List.of(), slotNames(new SGD()));
        assertEquals(List.of("momentum"), slotNames(new SGD().momentum(0.9)));
        assertEquals(List.of("velocity", "average_gradient", "momentum"), slotNames(new RMSprop().momentum(0.9).centered(true)));
        assertEquals(List.of("accumulator"), slotNames(new Adagrad()));
    }

    private static List<String> slotNames(Optimizer opt) {
        Parameter p = param("p", 1, 2);
        setGrad(p, 1, 1);
        opt.apply(List.of(p));
        return new ArrayList<>(opt.slots(p).keySet());
    }

    @Test
    void adagradAccumulatorStartsAtTheInitialValue() {
        Parameter p = param("p", 0, 0);
        setGrad(p, 1, 2);
        Adagrad opt = new Adagrad(1).initialAccumulatorValue(0.25);
        opt.apply(List.of(p));
        assertValues(opt.slots(p).get("accumulator"), new double[] {1.25, 4.25}, 1e-7);
        assertValues(p.value(), new double[] {-1 / Math.sqrt(1.25 + 1e-7), -2 / Math.sqrt(4.25 + 1e-7)}, 1e-6);
    }

    private static void setGradDouble(Parameter p, double... g) {
        p.value().zeroGrad();
        p.value().accumulateGrad(Tensor.of(g, p.value().shape().toArray()));
    }

    // ---- learning rate and schedules ----

    @Test
    void setLearningRateAppliesFromTheNextStep() {
        Parameter p = param("p", 0);
        setGrad(p, 1);
        Optimizer opt = new SGD(0.1);
        opt.apply(List.of(p));
        opt.setLearningRate(0.01);
        assertEquals(0.01, opt.learningRate());
        opt.apply(List.of(p));
        assertValues(p.value(), new double[] {-0.11}, 1e-7);
    }

    @Test
    void scheduleIsCalledWithTheIterationCountBeforeTheStep() {
        List<Long> seen = new ArrayList<>();
        Parameter p = param("p", 0);
        setGrad(p, 1);
        Optimizer opt = new SGD(5.0).learningRateSchedule(step -> {
            seen.add(step);
            return 0.1 * (step + 1);
        });
        for (int i = 0; i < 3; i++) opt.apply(List.of(p));
        assertEquals(List.of(0L, 1L, 2L), seen);
        assertValues(p.value(), new double[] {-(0.1 + 0.2 + 0.3)}, 1e-6);
    }

    @Test
    void piecewiseScheduleDrivesSgd() {
        Parameter p = param("p", 0);
        setGrad(p, 1);
        Optimizer opt = new SGD().learningRateSchedule(PiecewiseConstantDecay.of(new long[] {1}, 0.1, 0.01));
        double[] expected = {-0.1, -0.2, -0.21, -0.22}; // steps 0 and 1 use 0.1 (step <= boundary), then 0.01
        for (double e : expected) {
            opt.apply(List.of(p));
            assertValues(p.value(), new double[] {e}, 1e-6);
        }
    }

    @Test
    void setLearningRateScalesASchedule() {
        Optimizer opt = new SGD().learningRateSchedule(new ExponentialDecay(0.1, 1, 0.5));
        opt.apply(List.of());
        opt.apply(List.of());
        assertEquals(0.025, opt.learningRate(), 1e-15);
        opt.setLearningRate(0.0025); // a ReduceLROnPlateau by 10
        assertEquals(0.0025, opt.learningRate(), 1e-15);
        opt.apply(List.of());
        assertEquals(0.1 * 0.125 * 0.1, opt.learningRate(), 1e-15);
        opt.learningRateSchedule(null);
        assertEquals(0.01, opt.learningRate()); // back to the constant rate
    }

    @Test
    void setLearningRateRefusesToScaleAScheduleAtZero() {
        Optimizer opt = new SGD().learningRateSchedule(new CosineDecay(1.0, 1));
        opt.apply(List.of());
        assertEquals(0.0, opt.learningRate());
        assertMessage(() -> opt.setLearningRate(0.5), "0.5", "step 1");
        opt.setLearningRate(0); // no change needed
        assertEquals(0.0, opt.learningRate());
    }

    // ---- factories, defaults and arguments ----

    @Test
    void ofBuildsEachOptimizerWithKerasDefaults() {
        SGD sgd = assertInstanceOf(SGD.class, Optimizer.of("sgd"));
        assertEquals(0.01, sgd.learningRate());
        assertEquals(0.0, sgd.momentum());
        assertEquals(false, sgd.nesterov());

        Adam adam = assertInstanceOf(Adam.class, Optimizer.of("Adam"));
        assertEquals(Adam.class, adam.getClass());
        assertEquals(List.of(0.001, 0.9, 0.999, 1e-7), List.of(adam.learningRate(), adam.beta1(), adam.beta2(), adam.epsilon()));
        assertEquals(false, adam.amsgrad());
        assertEquals(0.0, adam.weightDecay());

        AdamW adamW = assertInstanceOf(AdamW.class, Optimizer.of("ADAMW"));
        assertEquals(List.of(0.001, 0.004, 1e-7), List.of(adamW.learningRate(), adamW.weightDecay(), adamW.epsilon()));

        RMSprop rms = assertInstanceOf(RMSprop.class, Optimizer.of(" rmsprop "));
        assertEquals(List.of(0.001, 0.9, 0.0, 1e-7), List.of(rms.learningRate(), rms.rho(), rms.momentum(), rms.epsilon()));
        assertEquals(false, rms.centered());

        Adagrad ada = assertInstanceOf(Adagrad.class, Optimizer.of("adagrad"));
        assertEquals(List.of(0.001, 0.1, 1e-7), List.of(ada.learningRate(), ada.initialAccumulatorValue(), ada.epsilon()));
    }

    @Test
    void ofRefusesUnknownNamesListingTheValidOnes() {
        assertMessage(() -> Optimizer.of("adamax"), "'adamax'", "sgd", "adam", "adamw", "rmsprop", "adagrad");
    }

    @Test
    void toStringShowsTheSettings() {
        assertEquals("SGD(learningRate=0.1, momentum=0.9, nesterov=true, clipNorm=1.0)",
                new SGD(0.1).momentum(0.9).nesterov(true).clipNorm(1).toString());
    }

    @Test
    void badArgumentsAreRefusedWithTheirNameAndValue() {
        assertMessage(() -> new SGD(-0.1), "learningRate", "-0.1");
        assertMessage(() -> new Adam(Double.NaN), "learningRate", "NaN");
        assertMessage(() -> new SGD().setLearningRate(-1), "learningRate", "-1.0");
        assertMessage(() -> new SGD().momentum(1.5), "momentum", "1.5");
        assertMessage(() -> new Adam().beta1(1.0), "beta1", "[0, 1)", "1.0");
        assertMessage(() -> new Adam().beta2(-0.1), "beta2", "-0.1");
        assertMessage(() -> new AdamW().beta1(1.5), "AdamW", "beta1", "1.5");
        assertMessage(() -> new Adam().epsilon(-1e-7), "epsilon", "-1.0E-7");
        assertMessage(() -> new AdamW(0.001, -0.1), "weightDecay", "-0.1");
        assertMessage(() -> new RMSprop().rho(1.0), "rho", "1.0");
        assertMessage(() -> new RMSprop().momentum(-0.5), "momentum", "-0.5");
        assertMessage(() -> new Adagrad().initialAccumulatorValue(-0.1), "initialAccumulatorValue", "-0.1");
        assertMessage(() -> new SGD().clipNorm(-1), "clipNorm", "-1.0");
        assertMessage(() -> new SGD().clipValue(Double.POSITIVE_INFINITY), "clipValue", "Infinity");
        assertMessage(() -> new SGD().weightDecay(-0.01), "weightDecay", "-0.01");
    }

    static void assertMessage(Executable e, String... parts) {
        RuntimeException ex = assertThrows(RuntimeException.class, e);
        for (String part : parts) {
            assertTrue(ex.getMessage().contains(part), "message '" + ex.getMessage() + "' lacks '" + part + "'");
        }
    }
}
