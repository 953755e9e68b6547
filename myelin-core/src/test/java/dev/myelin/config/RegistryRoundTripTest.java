package dev.myelin.config;

import dev.myelin.io.Json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.losses.BinaryCrossentropy;
import dev.myelin.losses.CategoricalCrossentropy;
import dev.myelin.losses.Huber;
import dev.myelin.losses.Loss;
import dev.myelin.losses.MeanAbsoluteError;
import dev.myelin.losses.MeanSquaredError;
import dev.myelin.losses.SparseCategoricalCrossentropy;
import dev.myelin.metrics.AUC;
import dev.myelin.metrics.Accuracy;
import dev.myelin.metrics.BinaryAccuracy;
import dev.myelin.metrics.CategoricalAccuracy;
import dev.myelin.metrics.Mean;
import dev.myelin.metrics.Metric;
import dev.myelin.metrics.Precision;
import dev.myelin.metrics.Recall;
import dev.myelin.metrics.SparseCategoricalAccuracy;
import dev.myelin.metrics.SparseTopKCategoricalAccuracy;
import dev.myelin.metrics.TopKCategoricalAccuracy;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.Regularizer;
import dev.myelin.nn.init.Constant;
import dev.myelin.nn.init.GlorotNormal;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.HeNormal;
import dev.myelin.nn.init.HeUniform;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.LecunNormal;
import dev.myelin.nn.init.LecunUniform;
import dev.myelin.nn.init.Ones;
import dev.myelin.nn.init.Orthogonal;
import dev.myelin.nn.init.RandomNormal;
import dev.myelin.nn.init.RandomUniform;
import dev.myelin.nn.init.TruncatedNormal;
import dev.myelin.nn.init.VarianceScaling;
import dev.myelin.nn.init.Zeros;
import dev.myelin.nn.regularizers.L1;
import dev.myelin.nn.regularizers.L1L2;
import dev.myelin.nn.regularizers.L2;
import dev.myelin.optim.Adagrad;
import dev.myelin.optim.Adam;
import dev.myelin.optim.AdamW;
import dev.myelin.optim.CosineDecay;
import dev.myelin.optim.ExponentialDecay;
import dev.myelin.optim.LearningRateSchedule;
import dev.myelin.optim.Optimizer;
import dev.myelin.optim.PiecewiseConstantDecay;
import dev.myelin.optim.RMSprop;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Initializers, regularizers, activations, optimizers, schedules, losses and metrics survive
 * object → config → JSON text → config → object, and behave the same afterwards. Each registry's classes
 * must all have a case here.
 */
class RegistryRoundTripTest {
    private static <T> T roundTrip(Registry<T> registry, T value) {
        Object config = registry.config(value);
        String json = Json.write(registry.toJson(value));
        Object parsed = Json.parse(json);
        assertEquals(config, registry.configFromJson(parsed), registry.kind() + " config -> JSON -> config: " + json);
        T copy = registry.fromJson(parsed);
        assertEquals(config, registry.config(copy), registry.kind() + " rebuilt from " + json);
        return copy;
    }

    private static void assertCovers(Registry<?> registry, List<?> cases) {
        TreeSet<String> covered = new TreeSet<>();
        for (Object c : cases) covered.add(c.getClass().getSimpleName());
        assertEquals(registry.classNames(), covered, "each registered " + registry.kind() + " needs a case here");
    }

    @Test
    void initializersGiveTheSameValuesFromTheSameSeed() {
        List<Initializer> cases = List.of(new Zeros(), new Ones(), new Constant(0.3), new GlorotUniform(), new GlorotNormal(),
                new HeUniform(), new HeNormal(), new LecunUniform(), new LecunNormal(), new RandomNormal(0.1, 0.2),
                new RandomUniform(-0.3, 0.4), new TruncatedNormal(0.5, 0.1), new Orthogonal(2.0),
                new VarianceScaling(3.0, VarianceScaling.Mode.FAN_OUT, VarianceScaling.Distribution.UNTRUNCATED_NORMAL));
        assertCovers(Registries.INITIALIZERS, cases);
        for (Initializer i : cases) {
            Initializer copy = roundTrip(Registries.INITIALIZERS, i);
            Shape shape = Shape.of(3, 4, 5);
            assertArrayEquals(i.create(shape, DType.FLOAT32, new SplittableRandom(9)).toDoubleArray(),
                    copy.create(shape, DType.FLOAT32, new SplittableRandom(9)).toDoubleArray(), i.toString());
        }
        assertEquals(new HeNormal(), Registries.INITIALIZERS.fromJson("he_normal"), "Keras's string shortcut");
    }

    @Test
    void regularizersGiveTheSamePenalty() {
        List<Regularizer> cases = List.of(new L1(0.2), new L2(0.3), new L1L2(0.1, 0.05));
        assertCovers(Registries.REGULARIZERS, cases);
        Tensor w = Tensor.of(new double[] {1, -2, 3}, 3);
        for (Regularizer r : cases) {
            assertEquals(r.penalty(w).item(), roundTrip(Registries.REGULARIZERS, r).penalty(w).item(), r.toString());
        }
        assertEquals(new L2(), Registries.REGULARIZERS.fromJson("l2"));
    }

    @Test
    void activationsRoundTripByKerasName() {
        Tensor x = Tensor.of(new double[] {-2, -0.5, 0, 0.5, 2}, 5);
        for (Activation a : Activation.values()) {
            String json = Json.write(a.kerasName());
            Activation back = Activation.of((String) Json.parse(json));
            assertEquals(a, back, json);
            assertArrayEquals(a.apply(x).toDoubleArray(), back.apply(x).toDoubleArray(), a.kerasName());
        }
    }

    @Test
    void schedulesGiveTheSameRates() {
        List<LearningRateSchedule> cases = List.of(new ExponentialDecay(0.1, 100, 0.5, true),
                new CosineDecay(0.01, 50, 0.1, 0.05, 10), new CosineDecay(0.01, 50),
                PiecewiseConstantDecay.of(new long[] {10, 20}, 0.1, 0.01, 0.001));
        assertCovers(Registries.SCHEDULES, cases);
        for (LearningRateSchedule s : cases) {
            LearningRateSchedule copy = roundTrip(Registries.SCHEDULES, s);
            for (long step : new long[] {0, 5, 10, 15, 25, 60, 200}) assertEquals(s.rate(step), copy.rate(step), s + " at step " + step);
        }
    }

    @Test
    void optimizersKeepTheirHyperparametersAndTakeTheSameStep() {
        List<Supplier<Optimizer>> cases = List.of(
                () -> new SGD(0.1).momentum(0.9).nesterov(true).clipNorm(1.0),
                () -> new Adam(3e-4).beta1(0.8).beta2(0.99).epsilon(1e-6).amsgrad(true).weightDecay(0.01),
                () -> new AdamW(0.002, 0.1).globalClipNorm(0.5).learningRateSchedule(new ExponentialDecay(0.01, 10, 0.9)),
                () -> new RMSprop(0.01).rho(0.8).momentum(0.5).epsilon(1e-5).centered(true).clipValue(0.1),
                () -> new Adagrad(0.05).initialAccumulatorValue(0.2).epsilon(1e-6)
                        .learningRateSchedule(new CosineDecay(0.1, 20, 0.0, 0.2, 5)));
        assertCovers(Registries.OPTIMIZERS, cases.stream().map(Supplier::get).toList());
        for (Supplier<Optimizer> make : cases) {
            Optimizer original = make.get();
            Optimizer copy = roundTrip(Registries.OPTIMIZERS, original);
            assertNotSame(original, copy);
            assertEquals(original.getClass(), copy.getClass());
            double[] a = step(original), b = step(copy);
            assertArrayEquals(a, b, original.toString());
        }
        assertInstanceOf(Adam.class, Registries.OPTIMIZERS.fromJson("adam"), "Keras's string shortcut");
    }

    @Test
    void aScheduledOptimizerWritesItsScheduleAsLearningRateAsKeras3() {
        Optimizer adam = new Adam().learningRateSchedule(new CosineDecay(0.01, 50, 0.1, 0.05, 10));
        Map<?, ?> json = (Map<?, ?>) Json.parse(Json.write(Registries.OPTIMIZERS.toJson(adam)));
        Map<?, ?> lr = (Map<?, ?>) ((Map<?, ?>) json.get("config")).get("learning_rate");
        assertEquals("keras.optimizers.schedules", lr.get("module"), "learning_rate: " + lr);
        assertEquals("CosineDecay", lr.get("class_name"));
        Map<?, ?> cfg = (Map<?, ?>) lr.get("config");
        assertEquals(0.01, ((Number) cfg.get("initial_learning_rate")).doubleValue());
        assertEquals(50, ((Number) cfg.get("decay_steps")).longValue());
        assertEquals(0.05, ((Number) cfg.get("warmup_target")).doubleValue());
        Optimizer copy = Registries.OPTIMIZERS.fromJson(json);
        assertEquals(adam.learningRateSchedule(), copy.learningRateSchedule());
        assertEquals(adam.learningRate(), copy.learningRate());
    }

    /** Two updates of one weight with fixed gradients; the weight afterwards. */
    private static double[] step(Optimizer o) {
        Parameter p = Parameter.of("w", Tensor.of(new double[] {1, -2, 3, 0.5}, 4));
        for (int i = 0; i < 2; i++) o.applyGradients(List.of(Tensor.of(new double[] {0.3, -1.5, 2.0, 0.01 * i}, 4)), List.of(p));
        return p.value().toDoubleArray();
    }

    @Test
    void readsKerasOptimizerConfig() {
        Optimizer o = Registries.OPTIMIZERS.fromJson(Json.parse("""
                {"module": "keras.optimizers", "class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.0005,
                 "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false,
                 "ema_momentum": 0.99, "ema_overwrite_frequency": null, "loss_scale_factor": null,
                 "gradient_accumulation_steps": null, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false},
                 "registered_name": null}
                """));
        assertEquals(0.0005, o.learningRate());
        var e = assertThrows(IllegalArgumentException.class, () -> Registries.OPTIMIZERS.fromJson(Json.parse(
                "{\"class_name\": \"Adam\", \"config\": {\"use_ema\": true}}")));
        assertTrue(e.getMessage().contains("optimizer 'Adam'") && e.getMessage().contains("'use_ema'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Registries.OPTIMIZERS.fromJson(Json.parse(
                "{\"class_name\": \"SGD\", \"config\": {\"momentum\": 2}}")));
        assertTrue(e.getMessage().contains("momentum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Registries.OPTIMIZERS.fromJson(Json.parse(
                "{\"class_name\": \"Lion\", \"config\": {}}")));
        assertTrue(e.getMessage().contains("unknown optimizer type \"Lion\"") && e.getMessage().contains("RMSprop"), e.getMessage());
    }

    @Test
    void lossesComputeTheSameValue() {
        List<Loss> cases = List.of(new MeanSquaredError(), new MeanAbsoluteError(), new Huber(0.5), new BinaryCrossentropy(true, 0.1),
                new CategoricalCrossentropy(false, 0.2), new SparseCategoricalCrossentropy(true));
        assertCovers(Registries.LOSSES, cases);
        Tensor pred = Tensor.of(new double[] {0.2, 0.7, 0.1, 0.5, 0.25, 0.25}, 2, 3);
        Tensor oneHot = Tensor.of(new double[] {0, 1, 0, 1, 0, 0}, 2, 3);
        Tensor ids = Tensor.of(new double[] {1, 0}, 2);
        for (Loss l : cases) {
            Loss copy = roundTrip(Registries.LOSSES, l);
            Tensor y = l instanceof SparseCategoricalCrossentropy ? ids : oneHot;
            assertEquals(l.compute(y, pred).item(), copy.compute(y, pred).item(), l.toString());
        }
        assertEquals(Loss.MSE, Registries.LOSSES.fromJson("mse"));
        var e = assertThrows(IllegalArgumentException.class, () -> Registries.LOSSES.fromJson(Json.parse(
                "{\"class_name\": \"Huber\", \"config\": {\"reduction\": \"sum\"}}")));
        assertTrue(e.getMessage().contains("loss 'Huber'") && e.getMessage().contains("'reduction'"), e.getMessage());
    }

    @Test
    void metricsKeepTheirSettingsButNotTheirState() {
        List<Metric> cases = List.of(new Accuracy("acc"), new BinaryAccuracy(0.3), new CategoricalAccuracy(), new SparseCategoricalAccuracy(),
                new TopKCategoricalAccuracy(2), new SparseTopKCategoricalAccuracy(2, "top2"),
                new dev.myelin.metrics.MeanAbsoluteError("mae"), new dev.myelin.metrics.MeanSquaredError(), new Mean("loss"),
                new AUC(50), new Precision(0.7), new Recall(0.2, "r"));
        assertCovers(Registries.METRICS, cases);
        Tensor pred = Tensor.of(new double[] {0.2, 0.7, 0.1, 0.5, 0.25, 0.25}, 2, 3);
        Tensor oneHot = Tensor.of(new double[] {0, 1, 0, 1, 0, 0}, 2, 3);
        Tensor ids = Tensor.of(new double[] {1, 2}, 2);
        Tensor binary = Tensor.of(new double[] {1, 0}, 2);
        Tensor probs = Tensor.of(new double[] {0.6, 0.4}, 2);
        for (Metric m : cases) {
            Metric original = m.fresh();
            Metric copy = roundTrip(Registries.METRICS, m);
            assertEquals(m.name(), copy.name());
            boolean sparse = m instanceof SparseCategoricalAccuracy || m instanceof SparseTopKCategoricalAccuracy;
            boolean twoClass = m instanceof BinaryAccuracy || m instanceof AUC || m instanceof Precision || m instanceof Recall;
            Tensor y = sparse ? ids : twoClass ? binary : oneHot;
            Tensor p = twoClass ? probs : pred;
            original.update(y, p);
            copy.update(y, p);
            assertEquals(original.result(), copy.result(), m.toString());
        }
        assertEquals(Map.of("name", "accuracy", "dtype", "float32"),
                Registries.METRICS.toJson(Metric.ACCURACY).get("config"), "shared constants serialize as their fresh copies");
    }
}
