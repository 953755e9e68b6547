package dev.myelin.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.autograd.NoGrad;
import dev.myelin.io.Json;
import dev.myelin.config.Registries;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Input;
import dev.myelin.nn.Layer;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.Parameter;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Keras-style layer test harness: one {@link #run()} checks a layer's whole contract.
 *
 * <ol>
 *   <li>{@code outputShape} is pure (no weights before building); {@code build} creates the expected
 *       number of trainable and non-trainable weights (and parameters), with unique names prefixed by the
 *       layer's name, in float32; building again with the same shape does nothing;</li>
 *   <li>{@code call} in inference and training mode returns {@code [batch] + outputShape(inputShape)} in
 *       float32, finite, for the harness's batch size and for a batch of 1;</li>
 *   <li>a float64 finite-difference gradient check (a fresh layer with {@code dtype(FLOAT64)}), the output
 *       weighted by a fixed random tensor, with respect to the input and each trainable weight: every
 *       element for small tensors, random directions for large ones;</li>
 *   <li>one SGD step on {@code mean((y − target)²)} over the trainable weights lowers the loss;</li>
 *   <li>for a layer in {@link Registries#LAYERS}, the config round trip ({@link #checkConfigRoundTrip}).</li>
 * </ol>
 *
 * <pre>{@code
 * LayerTestHarness.of(() -> new Conv2D(4, 3)).inputShape(6, 6, 2)
 *         .expectOutputShape(4, 4, 4).expectWeights(2, 0).expectParams(76).run();
 * }</pre>
 *
 * <p>The gradient check and the SGD step call the layer in training mode unless {@link #training(boolean)}
 * says otherwise (a layer whose training output is random, as Dropout, must be checked in inference mode).
 */
public final class LayerTestHarness {
    private final Supplier<? extends Layer> factory;
    private Shape inputShape;
    private int batchSize = 3;
    private Shape expectedOutput;
    private int expectedTrainable = -1;
    private int expectedNonTrainable = -1;
    private long expectedParams = -1;
    private boolean training = true;
    private double learningRate = 0.01;
    private double rtol = 1e-5;
    private double atol = 1e-7;
    private long seed = 42;
    private int tokenIds;

    private LayerTestHarness(Supplier<? extends Layer> factory) {
        this.factory = factory;
    }

    /** A harness for layers made by {@code factory}, which must return a new, unbuilt layer each time. */
    public static LayerTestHarness of(Supplier<? extends Layer> factory) {
        return new LayerTestHarness(factory);
    }

    /** The input shape without the batch dimension (required). */
    public LayerTestHarness inputShape(int... dims) {
        this.inputShape = Shape.of(dims);
        return this;
    }

    public LayerTestHarness batchSize(int n) {
        this.batchSize = n;
        return this;
    }

    /** The expected output shape without the batch dimension. */
    public LayerTestHarness expectOutputShape(int... dims) {
        this.expectedOutput = Shape.of(dims);
        return this;
    }

    public LayerTestHarness expectWeights(int trainable, int nonTrainable) {
        this.expectedTrainable = trainable;
        this.expectedNonTrainable = nonTrainable;
        return this;
    }

    public LayerTestHarness expectParams(long count) {
        this.expectedParams = count;
        return this;
    }

    /** The mode of the gradient check and the SGD step (default true, training). */
    public LayerTestHarness training(boolean value) {
        this.training = value;
        return this;
    }

    public LayerTestHarness learningRate(double value) {
        this.learningRate = value;
        return this;
    }

    /** Tolerances of the gradient check (defaults 1e-5 and 1e-7). */
    public LayerTestHarness tolerance(double rtol, double atol) {
        this.rtol = rtol;
        this.atol = atol;
        return this;
    }

    /** Inputs are integer ids in {@code [0, vocabulary)} (for Embedding) instead of reals in [-2, 2). */
    public LayerTestHarness tokenIds(int vocabulary) {
        this.tokenIds = vocabulary;
        return this;
    }

    public LayerTestHarness seed(long value) {
        this.seed = value;
        return this;
    }

    /** Runs every check; fails with a message naming the layer and the check. */
    public void run() {
        assertNotNull(inputShape, "LayerTestHarness: set inputShape(...)");
        Layer layer = factory.get();
        String who = layer.toString();
        assertFalse(layer.isBuilt(), who + ": the factory must return an unbuilt layer");

        // 1. pure output shape, build, weights
        Shape out = layer.outputShape(inputShape);
        assertTrue(layer.weights().isEmpty(), who + ": outputShape must not create weights");
        if (expectedOutput != null) assertEquals(expectedOutput, out, who + ": outputShape(" + inputShape + ")");
        layer.build(inputShape, rng());
        assertTrue(layer.isBuilt(), who + ": built");
        assertEquals(inputShape, layer.builtInputShape(), who + ": builtInputShape");
        checkWeights(layer, who);
        int count = layer.weights().size();
        layer.build(inputShape, rng());
        assertEquals(count, layer.weights().size(), who + ": building again with the same shape must not add weights");

        // 2. call shapes, both modes, two batch sizes
        for (int batch : new int[] {batchSize, 1}) {
            for (boolean mode : new boolean[] {false, true}) {
                Tensor x = randomInput(batch, DType.FLOAT32, batch * 31L + (mode ? 1 : 0));
                Tensor y = layer.call(x, mode);
                assertEquals(withBatch(batch, out), y.shape(), who + ": call(x, " + mode + ") shape vs outputShape for batch " + batch);
                assertEquals(DType.FLOAT32, y.dtype(), who + ": output dtype");
                for (double v : y.toDoubleArray()) {
                    if (!Double.isFinite(v)) fail(who + ": call(x, " + mode + ") produced a non-finite value " + v);
                }
            }
        }

        // 3. float64 gradient check through the layer
        Layer layer64 = factory.get();
        layer64.dtype(DType.FLOAT64);
        layer64.build(inputShape, rng());
        for (Parameter p : layer64.weights()) assertEquals(DType.FLOAT64, p.value().dtype(), who + ": weight " + p.name() + " dtype after dtype(FLOAT64)");
        gradientCheck(layer64, who);

        // 4. one SGD step lowers a simple loss
        sgdStep(layer, who);

        // 5. layer -> config -> JSON -> config -> layer
        if (Registries.LAYERS.isRegistered(layer)) checkConfigRoundTrip();
    }

    /**
     * The config round trip: layer → config → JSON text → config gives an equal config, and the layer
     * rebuilt from the JSON, built for the same input shape and given the same weights, has the same config
     * and the same output (inference mode) as the original, bit for bit. Fails for a layer without config.
     */
    public void checkConfigRoundTrip() {
        assertNotNull(inputShape, "LayerTestHarness: set inputShape(...)");
        Layer layer = factory.get();
        String who = layer.toString();
        layer.build(inputShape, rng());
        LayerConfig config = layer.config();
        String json = Json.write(Registries.layerToJson(layer));
        Object parsed = Json.parse(json);
        assertEquals(config, Registries.LAYERS.configFromJson(parsed), who + ": config -> JSON -> config changed it; JSON: " + json);
        Layer copy = Registries.layerFromJson(parsed);
        assertEquals(layer.getClass(), copy.getClass(), who + ": class after the round trip");
        assertEquals(config, copy.config(), who + ": config of the layer rebuilt from JSON");
        assertEquals(inputShape, Registries.buildInputShape(parsed), who + ": build_config input shape");
        copy.build(inputShape, rng());
        assertEquals(layer.weights().size(), copy.weights().size(), who + ": weights of the rebuilt layer");
        try (var scope = NoGrad.scope()) {
            for (int i = 0; i < layer.weights().size(); i++) {
                Parameter p = layer.weights().get(i);
                Parameter q = copy.weights().get(i);
                assertEquals(p.name(), q.name(), who + ": weight names after the round trip");
                assertEquals(p.trainable(), q.trainable(), who + ": " + p.name() + " trainable after the round trip");
                q.value().assign(p.value());
            }
        }
        Tensor x = randomInput(batchSize, DType.FLOAT32, 5150);
        assertArrayEquals(layer.call(x, false).toDoubleArray(), copy.call(x, false).toDoubleArray(),
                who + ": output of the layer rebuilt from its config, with the same weights");
    }

    /**
     * The model-file round trip: a seeded {@link Sequential} of this one layer (for a {@link MergeLayer}, a
     * functional model calling it on its input twice), saved with
     * {@link Model#save} into {@code folder} and read back with {@link Model#load}, has the same
     * {@code summary()}, the same weights bit for bit, and the same predictions (inference mode) bit for bit.
     */
    public void checkSaveLoadRoundTrip(Path folder) throws IOException {
        assertNotNull(inputShape, "LayerTestHarness: set inputShape(...)");
        Layer layer = factory.get();
        String who = layer.toString();
        // a merge layer (MultiHeadAttention, say) cannot go in a Sequential: a functional model calls it on the input twice
        Model model;
        if (layer instanceof MergeLayer merge) {
            SymbolicTensor in = Input.of(inputShape.toArray());
            model = new Model(in, merge.apply(in, in));
            model.seed(seed);
        } else {
            model = new Sequential(layer.inputShape(inputShape.toArray())).seed(seed);
        }
        Path file = folder.resolve(layer.name() + ".myelin");
        model.save(file);
        Model loaded = Model.load(file);
        assertEquals(model.getClass(), loaded.getClass(), who + ": the loaded model's class");
        assertEquals(model.summary(), loaded.summary(), who + ": summary() after save and load");
        List<Parameter> before = model.weights(), after = loaded.weights();
        assertEquals(before.size(), after.size(), who + ": weights after save and load");
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).name(), after.get(i).name(), who + ": weight names after save and load");
            assertEquals(before.get(i).trainable(), after.get(i).trainable(), who + ": " + before.get(i).name() + " trainable after save and load");
            assertArrayEquals(before.get(i).value().toDoubleArray(), after.get(i).value().toDoubleArray(), who + ": " + before.get(i).name() + " after save and load");
        }
        Tensor x = randomInput(batchSize, DType.FLOAT32, 4242);
        assertArrayEquals(model.predict(x).toDoubleArray(), loaded.predict(x).toDoubleArray(), who + ": predictions after save and load");
    }

    private RandomGenerator rng() {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    private static Shape withBatch(int batch, Shape s) {
        int[] d = new int[s.rank() + 1];
        d[0] = batch;
        for (int i = 0; i < s.rank(); i++) d[i + 1] = s.dim(i);
        return Shape.of(d);
    }

    private Tensor randomInput(int batch, DType dtype, long salt) {
        Shape s = withBatch(batch, inputShape);
        SplittableRandom r = new SplittableRandom(seed * 7919 + salt);
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) v[i] = tokenIds > 0 ? r.nextInt(tokenIds) : r.nextDouble(-2, 2);
        return Tensor.of(v, s.toArray()).to(dtype);
    }

    private void checkWeights(Layer layer, String who) {
        if (expectedTrainable >= 0) assertEquals(expectedTrainable, layer.trainableWeights().size(), who + ": trainable weights " + layer.weights());
        if (expectedNonTrainable >= 0) {
            assertEquals(expectedNonTrainable, layer.nonTrainableWeights().size(), who + ": non-trainable weights " + layer.weights());
        }
        if (expectedParams >= 0) assertEquals(expectedParams, layer.countParams(), who + ": countParams");
        Set<String> names = new HashSet<>();
        for (Parameter p : layer.weights()) {
            assertTrue(names.add(p.name()), who + ": duplicate weight name " + p.name());
            assertTrue(p.name().startsWith(layer.name() + "/"), who + ": weight name " + p.name() + " should start with the layer name");
            assertEquals(DType.FLOAT32, p.value().dtype(), who + ": weight " + p.name() + " dtype");
            assertEquals(p.trainable(), p.value().requiresGrad(), who + ": weight " + p.name() + " requiresGrad should match trainable");
        }
    }

    /** Central differences of {@code sum(w ⊙ layer(x))} against backward, for x and each trainable weight. */
    private void gradientCheck(Layer layer, String who) {
        final double eps = 1e-6;
        Tensor x = randomInput(batchSize, DType.FLOAT64, 777).requiresGrad(true);
        Tensor y0 = layer.call(x, training);
        SplittableRandom r = new SplittableRandom(1234);
        double[] w = new double[y0.size()];
        for (int i = 0; i < w.length; i++) w[i] = r.nextDouble(-1, 1);
        Tensor weights = Tensor.of(w, y0.shape().toArray());
        y0.mul(weights).sum().backward();

        List<Tensor> targets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        targets.add(x);
        names.add("input");
        for (Parameter p : layer.trainableWeights()) {
            targets.add(p.value());
            names.add(p.name());
        }
        for (int t = 0; t < targets.size(); t++) {
            Tensor target = targets.get(t);
            assertNotNull(target.grad(), who + ": no gradient reached " + names.get(t));
            double[] analytic = target.grad().toDoubleArray();
            double[] original = target.toDoubleArray();
            int n = original.length;
            try (var scope = NoGrad.scope()) {
                if (n <= 200) {
                    double[] numeric = new double[n];
                    for (int j = 0; j < n; j++) {
                        double[] dir = new double[n];
                        dir[j] = 1;
                        numeric[j] = directional(layer, x, target, original, dir, weights, eps);
                    }
                    assertClose(analytic, numeric, rtol, atol, who + ": gradient w.r.t. " + names.get(t));
                } else {
                    for (int probe = 0; probe < 12; probe++) {
                        double[] dir = new double[n];
                        double dot = 0;
                        for (int j = 0; j < n; j++) {
                            dir[j] = r.nextDouble(-1, 1);
                            dot += dir[j] * analytic[j];
                        }
                        double numeric = directional(layer, x, target, original, dir, weights, eps);
                        assertClose(new double[] {dot}, new double[] {numeric}, rtol, atol * Math.sqrt(n),
                                who + ": directional gradient w.r.t. " + names.get(t) + " (probe " + probe + ")");
                    }
                }
                target.assign(Tensor.of(original, target.shape().toArray()));
            }
        }
    }

    private double directional(Layer layer, Tensor x, Tensor target, double[] original, double[] dir, Tensor weights, double eps) {
        double[] plus = original.clone(), minus = original.clone();
        for (int j = 0; j < plus.length; j++) {
            plus[j] += eps * dir[j];
            minus[j] -= eps * dir[j];
        }
        target.assign(Tensor.of(plus, target.shape().toArray()));
        double fPlus = layer.call(x, training).mul(weights).sum().item();
        target.assign(Tensor.of(minus, target.shape().toArray()));
        double fMinus = layer.call(x, training).mul(weights).sum().item();
        return (fPlus - fMinus) / (2 * eps);
    }

    private static void assertClose(double[] actual, double[] expected, double rtol, double atol, String what) {
        try {
            TensorAssert.assertAllClose(actual, expected, rtol, atol);
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
    }

    private void sgdStep(Layer layer, String who) {
        List<Parameter> params = layer.trainableWeights();
        if (params.isEmpty()) return;
        Tensor x = randomInput(batchSize, DType.FLOAT32, 4242);
        Shape outShape = withBatch(batchSize, layer.outputShape(inputShape));
        Tensor target = Tensor.uniform(new SplittableRandom(seed + 99), -1, 1, outShape.toArray());
        for (Parameter p : params) p.value().zeroGrad();
        Tensor loss = layer.call(x, training).sub(target).square().mean();
        double before = loss.item();
        loss.backward();
        try (var scope = NoGrad.scope()) {
            for (Parameter p : params) {
                assertNotNull(p.grad(), who + ": no gradient for " + p.name() + " after backward");
                p.value().subInPlace(p.grad().mul(learningRate));
            }
        }
        double after;
        try (var scope = NoGrad.scope()) {
            after = layer.call(x, training).sub(target).square().mean().item();
        }
        assertTrue(after < before, who + ": one SGD step (lr " + learningRate + ") should lower the loss, went " + before + " -> " + after);
    }
}
