package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.gan.GAN;
import dev.myelin.gan.GanModels;
import dev.myelin.losses.Loss;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.optim.Adam;
import dev.myelin.train.FitOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.example.userlayers.KeepingLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Activations handed back to the {@link BufferPool} by the library's own loops (a training step's scope, a forward
 * pass without a graph): with every array handed out unzeroed NaN-filled first, and arrays pooled from 64 elements
 * up, training, evaluation and prediction give bit for bit what they give without the pool; a stale reference to a
 * released activation throws instead of reading another tensor's values; what user code may keep is left alone.
 */
class ActivationPoolTest {
    @BeforeEach
    void smallArraysToo() {
        BufferPool.setMinElements(64);
        BufferPool.setInferenceReuseEnabled(true); // the graph-free passes' release is tested here too
        BufferPool.clear();
    }

    @AfterEach
    void restore() {
        BufferPool.setInferenceReuseEnabled(!"false".equalsIgnoreCase(System.getProperty("myelin.pool.inference", "true")));
        BufferPool.setPoison(false);
        BufferPool.setEnabled(true);
        BufferPool.clear();
        BufferPool.setMinElements(BufferPool.DEFAULT_MIN_ELEMENTS);
    }

    /** What one run produced: every weight after fit, then evaluate's values and predict's output. */
    private record Run(List<float[]> values, long released) {}

    @Test
    void mlpWithDropout() {
        sameWithAndWithoutPool(() -> new Sequential(
                new Dense(64, Activation.RELU).inputShape(20),
                new Dropout(0.2),
                new Dense(64, Activation.RELU),
                new Dense(5, Activation.SOFTMAX)), 20);
    }

    @Test
    void cnnWithBatchNormAndDropout() {
        sameWithAndWithoutPool(() -> new Sequential(
                new Conv2D(8, 3, Activation.RELU).padding(Padding.SAME).inputShape(12, 12, 3),
                new BatchNormalization(),
                new MaxPooling2D(2),
                new Dropout(0.25),
                new Conv2D(16, 3),
                new BatchNormalization(),
                new ActivationLayer(Activation.RELU),
                new GlobalAveragePooling2D(),
                new Dense(5, Activation.SOFTMAX)), 12, 12, 3);
    }

    @Test
    void stackedLstm() {
        sameWithAndWithoutPool(() -> new Sequential(
                new LSTM(16).returnSequences(true).inputShape(10, 8),
                new LSTM(12),
                new Dense(5, Activation.SOFTMAX)), 10, 8);
    }

    /** A skip connection (a value read by two layers), a dropout that returns its input in inference, a softmax layer remembering its logits. */
    @Test
    void functionalModelWithASkipConnection() {
        sameWithAndWithoutPool(() -> {
            SymbolicTensor in = Input.of(20);
            SymbolicTensor h = new Dense(32, Activation.RELU).apply(in);
            SymbolicTensor h2 = new Dense(32).apply(h);
            SymbolicTensor sum = new ActivationLayer(Activation.RELU).apply(new Add().apply(h, h2));
            SymbolicTensor dropped = new Dropout(0.3).apply(sum);
            SymbolicTensor logits = new Dense(5).apply(dropped);
            return new Model(in, new ActivationLayer(Activation.SOFTMAX).apply(logits));
        }, 20);
    }

    @Test
    void ganSteps() {
        List<Run> runs = new ArrayList<>();
        for (boolean pool : new boolean[] {false, true}) {
            BufferPool.setEnabled(pool);
            BufferPool.setPoison(pool);
            long before = BufferPool.activationsReleased();
            GAN gan = new GAN(GanModels.denseGenerator().seed(11), GanModels.denseDiscriminator().seed(12)).seed(13).compile();
            Tensor real = Tensor.rand(rng(3), 64, 784).mul(2.0).sub(1.0);
            gan.fit(real, FitOptions.epochs(2).batchSize(32).seed(4).verbose(0));
            List<float[]> values = new ArrayList<>();
            for (Parameter p : gan.generator().weights()) values.add(p.value().toFloatArray());
            for (Parameter p : gan.discriminator().weights()) values.add(p.value().toFloatArray());
            values.add(gan.generate(gan.sampleLatent(8)).toFloatArray());
            runs.add(new Run(values, BufferPool.activationsReleased() - before));
        }
        assertSame(runs);
    }

    private static void sameWithAndWithoutPool(java.util.function.Supplier<Model> build, int... sampleShape) {
        List<Run> runs = new ArrayList<>();
        for (boolean pool : new boolean[] {false, true}) {
            BufferPool.setEnabled(pool);
            BufferPool.setPoison(pool);
            runs.add(trainEvaluatePredict(build.get(), sampleShape));
        }
        assertSame(runs);
    }

    private static void assertSame(List<Run> runs) {
        Run off = runs.get(0), on = runs.get(1);
        assertEquals(0, off.released(), "the pool off releases nothing");
        assertTrue(on.released() > 0, "activations went back to the pool");
        assertEquals(off.values().size(), on.values().size());
        for (int i = 0; i < off.values().size(); i++) assertArrayEquals(off.values().get(i), on.values().get(i), "value " + i);
    }

    private static Run trainEvaluatePredict(Model model, int... sampleShape) {
        long before = BufferPool.activationsReleased();
        RandomGenerator rng = rng(21);
        int n = 96;
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Tensor x = Tensor.rand(rng, shape);
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) labels[i] = rng.nextInt(5);
        Tensor y = Tensor.of(labels, n);
        model.seed(5);
        model.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, dev.myelin.metrics.Metric.ACCURACY);
        model.fit(x, y, FitOptions.epochs(2).batchSize(32).seed(3).verbose(0).validationSplit(0.25));
        List<float[]> values = new ArrayList<>();
        for (Parameter p : model.weights()) values.add(p.value().toFloatArray());
        var eval = model.evaluate(x, y, 24);
        double[] evalValues = eval.values().values().stream().mapToDouble(Double::doubleValue).toArray();
        float[] ev = new float[evalValues.length];
        for (int i = 0; i < ev.length; i++) ev[i] = (float) evalValues[i];
        values.add(ev);
        values.add(model.predict(x, 40).toFloatArray());
        return new Run(values, BufferPool.activationsReleased() - before);
    }

    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    @Test
    void aStaleReferenceToAReleasedActivationThrows() {
        Tensor w = Tensor.rand(rng(1), 16, 32).requiresGrad(true);
        Tensor x = Tensor.rand(rng(2), 8, 16);
        Tensor h;
        Tensor kept;
        try (var step = BufferPool.scope()) {
            h = x.matmul(w).tanh(); // an activation the step saw in its graph
            Tensor other = x.matmul(w).exp();
            kept = other.detach(); // a second tensor on its storage: not exclusive, never released
            h.add(other).square().sum().backward();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, h::toFloatArray);
        assertTrue(e.getMessage().contains("buffer pool") && e.getMessage().contains("backward pass of the step"), e.getMessage());
        for (float v : kept.toFloatArray()) assertTrue(v > 0f, "the detached activation survives");
        assertEquals(16 * 32, w.grad().toFloatArray().length, "a leaf's gradient is not an activation");
        assertEquals(16 * 32, w.toFloatArray().length, "nor is the leaf");
    }

    /**
     * A dense layer's gradient rule reads its input and output gradient through views, not through reshaped or
     * transposed tensors (a second tensor on the storage keeps an array out of the pool): the input activation of a
     * dense layer fed a rank-3 tensor (a Transformer's feed-forward) goes back when the step ends, and its gradients
     * are those of the composed product.
     */
    @Test
    void aDenseLayersInputGoesBackToThePool() {
        Tensor w1 = Tensor.rand(rng(1), 16, 32).requiresGrad(true);
        Tensor w2 = Tensor.rand(rng(2), 32, 8).requiresGrad(true);
        Tensor x = Tensor.rand(rng(3), 2, 4, 16);
        Tensor h;
        try (var step = BufferPool.scope()) {
            h = x.dense(w1, null, dev.myelin.backend.UnaryOp.RELU);
            h.dense(w2, null, null).square().sum().backward();
        }
        assertThrows(IllegalStateException.class, h::toFloatArray, "the second layer's input went back to the pool");
        Tensor v1 = Tensor.of(w1.toFloatArray(), 16, 32).requiresGrad(true), v2 = Tensor.of(w2.toFloatArray(), 32, 8).requiresGrad(true);
        x.matmul(v1).relu().matmul(v2).square().sum().backward();
        assertArrayEquals(v1.grad().toFloatArray(), w1.grad().toFloatArray());
        assertArrayEquals(v2.grad().toFloatArray(), w2.grad().toFloatArray());
    }

    /**
     * The scratch gradients of the encoder's rules go back to the pool once read: a dense layer's relu-masked output
     * gradient (a Transformer's feed-forward, 8 MB a step at B32 T128 ff512) and layer normalization's contiguous copy
     * of a strided output gradient (the broadcast one of {@code sum()}). Counted as the arrays of their length that
     * wait in the pool after the step; the gradients are those of the composed formula.
     */
    @Test
    void aDenseLayersReluMaskedGradientGoesBackToThePool() {
        Tensor w1 = Tensor.rand(rng(1), 16, 96).requiresGrad(true);
        Tensor w2 = Tensor.rand(rng(2), 96, 24).requiresGrad(true);
        Tensor x = Tensor.rand(rng(3), 2, 5, 16);
        BufferPool.clear();
        try (var step = BufferPool.scope()) {
            x.dense(w1, null, dev.myelin.backend.UnaryOp.RELU).dense(w2, null, null).sum().backward();
        }
        // [2, 5, 96]: the hidden activation, its gradient and the relu-masked gradient (the rule's scratch)
        assertEquals(3, waiting(2 * 5 * 96));
        Tensor v1 = Tensor.of(w1.toFloatArray(), 16, 96).requiresGrad(true), v2 = Tensor.of(w2.toFloatArray(), 96, 24).requiresGrad(true);
        x.matmul(v1).relu().matmul(v2).sum().backward();
        assertArrayEquals(v1.grad().toFloatArray(), w1.grad().toFloatArray());
        assertArrayEquals(v2.grad().toFloatArray(), w2.grad().toFloatArray());
    }

    /** Layer normalization's contiguous copy of a strided output gradient goes back to the pool once read (see above). */
    @Test
    void layerNormsCopyOfAStridedGradientGoesBackToThePool() {
        Tensor h = Tensor.rand(rng(4), 4, 7, 24); // no input gradient: no later array of its length takes the copy's
        Tensor gamma = Tensor.rand(rng(5), 24).requiresGrad(true), beta = Tensor.rand(rng(6), 24).requiresGrad(true);
        BufferPool.clear();
        try (var step = BufferPool.scope()) {
            h.mul(2f).layerNorm(gamma, beta, 1e-5).sum().backward();
        }
        // [4, 7, 24]: the scaled input, the normalized output and the copy of sum()'s broadcast gradient (the rule's scratch)
        assertEquals(3, waiting(4 * 7 * 24));
    }

    /** How many arrays of {@code length} wait in the pool (taking them out). */
    private static int waiting(int length) {
        int n = 0;
        while (BufferPool.storage(length, false) != null) n++;
        return n;
    }

    /**
     * A model built lazily by its first call inside a step: its weights are made in the scope, and the moving
     * statistics of a BatchNormalization in inference mode (which do not require gradients) are inputs of the
     * graph, yet they are kept.
     */
    @Test
    void weightsBuiltInsideAStepAreKept() {
        Sequential model = new Sequential(new Dense(128, Activation.RELU), new BatchNormalization(), new Dense(16));
        model.seed(2);
        Tensor x = Tensor.rand(rng(5), 8, 20);
        long before = BufferPool.activationsReleased();
        try (var step = BufferPool.scope()) {
            model.call(x, false).square().sum().backward();
        }
        assertTrue(BufferPool.activationsReleased() > before, "the step released its activations");
        for (Parameter p : model.weights()) {
            assertTrue(p.value().toFloatArray().length > 0, p.name());
            if (p.trainable()) assertTrue(p.grad().toFloatArray().length > 0, p.name());
        }
    }

    /** A tensor made in a step but held beyond it (a weight, a layer's state) is kept; the same tensor unkept goes back. */
    @Test
    void aKeptTensorSurvivesItsStep() {
        Tensor w = Tensor.rand(rng(1), 16, 32).requiresGrad(true);
        Tensor[] constants = new Tensor[2];
        try (var step = BufferPool.scope()) {
            for (int i = 0; i < 2; i++) constants[i] = Tensor.zeros(8, 32).add(i + 1f); // inputs that need no gradient
            BufferPool.keep(constants[0]);
            Tensor.rand(rng(2), 8, 16).matmul(w).mul(constants[0]).mul(constants[1]).sum().backward();
        }
        for (float v : constants[0].toFloatArray()) assertEquals(1f, v);
        assertThrows(IllegalStateException.class, constants[1]::toFloatArray, "the unkept one went back to the pool");
    }

    @Test
    void switchedOffNothingIsReleased() {
        BufferPool.setActivationsEnabled(false);
        try {
            Run run = trainEvaluatePredict(new Sequential(new Dense(64, Activation.RELU).inputShape(20), new Dense(5)), 20);
            assertEquals(0, run.released());
        } finally {
            BufferPool.setActivationsEnabled(true);
        }
    }

    @Test
    void outsideAScopeNothingIsReleased() {
        long before = BufferPool.activationsReleased();
        Tensor w = Tensor.rand(rng(1), 16, 32).requiresGrad(true);
        Tensor h = Tensor.rand(rng(2), 8, 16).matmul(w).tanh();
        h.square().sum().backward(); // a custom loop: the caller may hold h
        assertEquals(8 * 32, h.toFloatArray().length);
        assertEquals(before, BufferPool.activationsReleased());
    }

    /** A user's layer may keep what it sees: its input and its output are never released; the library's layers' are. */
    @Test
    void whatAUserLayerSeesIsNeverReleased() {
        KeepingLayer keeping = new KeepingLayer();
        Sequential model = new Sequential(
                new Dense(32, Activation.RELU).inputShape(20),
                new Dense(32),
                keeping,
                new Dense(16, Activation.RELU),
                new Dense(16),
                new Dense(5));
        model.seed(1);
        Tensor x = Tensor.rand(rng(4), 8, 20);
        long before = BufferPool.activationsReleased();
        Tensor out = model.predict(x, 8);
        assertTrue(BufferPool.activationsReleased() - before >= 2, "the library's layer outputs went back");
        assertEquals(1, keeping.seen.size());
        assertEquals(8 * 32, keeping.seen.get(0).toFloatArray().length, "the user layer's input is intact");
        assertEquals(8 * 5, out.toFloatArray().length);
        assertEquals(8 * 20, x.toFloatArray().length, "the model input is the caller's");
    }

    /** Graph-free passes hand their dead outputs back unless switched off ({@code -Dmyelin.pool.inference=false}). */
    @Test
    void graphFreePassesReleaseNothingWhenSwitchedOff() {
        BufferPool.setInferenceReuseEnabled(false);
        Sequential model = new Sequential(new Dense(32, Activation.RELU).inputShape(20), new Dense(32), new Dense(32), new Dense(5));
        model.seed(1);
        long before = BufferPool.activationsReleased();
        model.predict(Tensor.rand(rng(4), 8, 20), 8);
        assertEquals(before, BufferPool.activationsReleased());
        BufferPool.setInferenceReuseEnabled(true);
        model.predict(Tensor.rand(rng(4), 8, 20), 8);
        assertTrue(BufferPool.activationsReleased() - before >= 2, "switched on, the pass releases its dead outputs");
    }

    @Test
    void aScopeClosedOnAnotherThreadOrOutOfOrderIsAnError() {
        var outer = BufferPool.scope();
        var inner = BufferPool.scope();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
        try (var s = NoGrad.scope()) {
            assertTrue(!BufferPool.inScope());
        }
    }
}
