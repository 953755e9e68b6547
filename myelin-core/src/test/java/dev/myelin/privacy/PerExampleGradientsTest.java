package dev.myelin.privacy;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.losses.Loss;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.SimpleRNN;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Gradients;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Per-example gradients (float64) against the gradient of each example computed alone, for every supported layer. */
class PerExampleGradientsTest {
    private static final DType F64 = DType.FLOAT64;

    static Tensor randn(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble(-1, 1);
        return Tensor.of(v, shape);
    }

    static Tensor labels(long seed, int n, int classes) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(classes);
        return Tensor.of(v, n);
    }

    /**
     * Every weight's per-example gradient equals {@code Gradients.of(loss on example i alone)}; the squared
     * norms and a weighted sum agree with the same gradients.
     */
    static void assertEqualsOneByOne(Model model, Tensor x, Tensor y) {
        PerExampleGradients g = PerExampleGradients.compute(model, List.of(x), List.of(y));
        int batch = x.dim(0);
        assertEquals(batch, g.batchSize());
        List<Parameter> params = model.trainableWeights();
        assertEquals(params, g.parameters());
        Tensor norms = g.squaredNorms();
        double[] w = new double[batch];
        for (int i = 0; i < batch; i++) w[i] = 0.5 + i;
        Tensor[] weighted = new Tensor[params.size()];
        for (int i = 0; i < batch; i++) {
            Tensor loss = model.loss().compute(y.slice(0, i, i + 1), model.call(x.slice(0, i, i + 1), true));
            List<Tensor> alone = Gradients.of(loss, params);
            double normSquared = 0;
            for (int k = 0; k < params.size(); k++) {
                Parameter p = params.get(k);
                Tensor expected = alone.get(k) == null ? Tensor.zeros(F64, p.value().shape()) : alone.get(k);
                assertAllClose(g.of(p).slice(0, i, i + 1).reshape(p.value().shape()), expected, 1e-10, 1e-12);
                normSquared += expected.square().sum().item();
                Tensor scaled = expected.mul(w[i]);
                weighted[k] = weighted[k] == null ? scaled : weighted[k].add(scaled);
            }
            assertEquals(normSquared, norms.get(i), 1e-10 * Math.max(1, normSquared), "squared norm of example " + i);
        }
        for (int k = 0; k < params.size(); k++) {
            assertAllClose(g.weightedSum(params.get(k), Tensor.of(w, batch)), weighted[k], 1e-10, 1e-12);
        }
    }

    private static Model compiled(Model m, Loss loss) {
        m.seed(3);
        m.compile(new SGD(0.1), loss);
        return m;
    }

    @Test
    void denseMlp() {
        Sequential m = new Sequential(new Dense(7, Activation.TANH).dtype(F64).inputShape(5), new Dense(3, Activation.SOFTMAX).dtype(F64));
        assertEqualsOneByOne(compiled(m, Loss.SPARSE_CATEGORICAL_CROSSENTROPY), randn(1, 6, 5), labels(2, 6, 3));
    }

    @Test
    void denseOverTimeStepsSumsOverTheMiddleAxes() {
        // [batch, time, features]: xᵢᵀ·δᵢ summed over time; a bias-free layer too
        Sequential m = new Sequential(new Dense(3, Activation.TANH).dtype(F64).inputShape(4, 5), new Dense(2).useBias(false).dtype(F64),
                new Flatten(), new Dense(2).dtype(F64));
        assertEqualsOneByOne(compiled(m, Loss.MSE), randn(3, 5, 4, 5), randn(4, 5, 2));
    }

    @Test
    void smallCnnWithPaddingStridesAndDilation() {
        Sequential m = new Sequential(
                new Conv2D(3, 3, Activation.TANH).padding(Padding.SAME).strides(2).dtype(F64).inputShape(9, 7, 2),
                new Conv2D(4, 2, 3, Activation.TANH).dilation(2, 1).dtype(F64),
                new Conv2D(2, 1).dtype(F64),
                new Flatten(),
                new Dense(3, Activation.SOFTMAX).dtype(F64));
        assertEqualsOneByOne(compiled(m, Loss.SPARSE_CATEGORICAL_CROSSENTROPY), randn(5, 5, 9, 7, 2), labels(6, 5, 3));
    }

    @Test
    void conv2dInChunksMatchesOneChunk() {
        // more patch values than one chunk holds: the examples are split into several batched products
        Sequential m = new Sequential(new Conv2D(2, 3).padding(Padding.SAME).dtype(F64).inputShape(64, 64, 3), new MaxPooling2D(4),
                new Flatten(), new Dense(2).dtype(F64));
        int batch = 3;
        assertTrue((long) batch * 64 * 64 * 27 > LayerRules.UNFOLD_CHUNK / 64, "the case must not fit a chunk");
        assertEqualsOneByOne(compiled(m, Loss.MSE), randn(7, batch, 64, 64, 3), randn(8, batch, 2));
    }

    @Test
    void embeddingWithRepeatedIdsAndASharedDense() {
        // ids repeat within an example (rows add up) and across examples; a Dense layer called twice sums both calls
        SymbolicTensor ids = Input.of(6);
        Embedding emb = new Embedding(11, 4);
        emb.dtype(F64);
        Dense shared = new Dense(4, Activation.TANH).dtype(F64);
        SymbolicTensor h = shared.apply(shared.apply(emb.apply(ids)));
        Model m = new Model(ids, new Dense(2).dtype(F64).apply(new Flatten().apply(h)));
        Tensor x = Tensor.of(new double[] {1, 1, 3, 0, 10, 1, 2, 3, 3, 3, 9, 4, 5, 5, 5, 5, 5, 5, 0, 7, 1, 8, 7, 2}, 4, 6);
        assertEqualsOneByOne(compiled(m, Loss.MSE), x, randn(9, 4, 2));
    }

    @Test
    void layerNormalizationOverTheLastAxisAndOverAnotherSumsOverTimeSteps() {
        // [batch, time, features] normalized over the features (summed over time), then over the time axis;
        // a LayerNormalization without beta; float64 runs the composed path
        Sequential m = new Sequential(new Dense(4, Activation.TANH).dtype(F64).inputShape(3, 5), new LayerNormalization().dtype(F64),
                new LayerNormalization().axis(1).epsilon(1e-2).dtype(F64), new LayerNormalization().center(false).dtype(F64),
                new Flatten(), new Dense(3, Activation.SOFTMAX).dtype(F64));
        assertEqualsOneByOne(compiled(m, Loss.SPARSE_CATEGORICAL_CROSSENTROPY), randn(12, 5, 3, 5), labels(13, 5, 3));
    }

    @Test
    void layerNormalizationInFloat32MatchesTheFusedKernelsGradient() {
        // float32 over the last axis runs the fused kernel: the rule's recomputed x̂ agrees to float32 rounding
        Sequential m = new Sequential(new Dense(6, Activation.TANH).inputShape(4), new LayerNormalization(), new Dense(2));
        compiled(m, Loss.MSE);
        Tensor x = randn(14, 3, 4).to(DType.FLOAT32), y = randn(15, 3, 2).to(DType.FLOAT32);
        PerExampleGradients g = PerExampleGradients.compute(m, List.of(x), List.of(y));
        List<Parameter> params = m.trainableWeights();
        for (int i = 0; i < 3; i++) {
            List<Tensor> alone = Gradients.of(m.loss().compute(y.slice(0, i, i + 1), m.call(x.slice(0, i, i + 1), true)), params);
            for (int k = 0; k < params.size(); k++) {
                assertAllClose(g.of(params.get(k)).slice(0, i, i + 1).reshape(params.get(k).value().shape()), alone.get(k), 1e-4, 1e-5);
            }
        }
    }

    @Test
    void frozenLayersAreLeftOutAndTheirInputsStillCount() {
        Dense frozen = new Dense(6, Activation.TANH).dtype(F64).inputShape(5);
        Sequential m = new Sequential(frozen, new Dense(2).dtype(F64));
        compiled(m, Loss.MSE);
        frozen.trainable(false);
        PerExampleGradients g = PerExampleGradients.compute(m, List.of(randn(10, 3, 5)), List.of(randn(11, 3, 2)));
        assertEquals(2, g.parameters().size());
        assertEqualsOneByOne(m, randn(10, 3, 5), randn(11, 3, 2));
    }

    @Test
    void batchNormalizationIsRefusedByName() {
        Sequential m = new Sequential(new Dense(4).inputShape(3), new BatchNormalization().name("bn"), new Dense(2));
        compiled(m, Loss.MSE);
        var e = assertThrows(IllegalArgumentException.class, () -> PerExampleGradients.compute(m, List.of(Tensor.zeros(2, 3)), List.of(Tensor.zeros(2, 2))));
        assertTrue(e.getMessage().contains("layer 'bn' (BatchNormalization)"), e.getMessage());
        assertTrue(e.getMessage().contains("trainable(false)"), e.getMessage());
    }

    @Test
    void otherWeightedLayersAreRefusedByName() {
        Sequential m = new Sequential(new Conv1D(3, 2).name("conv").inputShape(4, 2), new Flatten(), new Dense(2));
        compiled(m, Loss.MSE);
        var e = assertThrows(IllegalArgumentException.class, () -> PerExampleGradients.requireSupported(m));
        assertTrue(e.getMessage().contains("layer 'conv' (Conv1D)")
                && e.getMessage().contains("Dense, Conv2D, Embedding, LayerNormalization, SimpleRNN, LSTM and GRU"), e.getMessage());
        Sequential dropped = new Sequential(new LSTM(3).recurrentDropout(0.2).name("rnn").inputShape(4, 2), new Dense(2));
        compiled(dropped, Loss.MSE);
        var d = assertThrows(IllegalArgumentException.class, () -> PerExampleGradients.requireSupported(dropped));
        assertTrue(d.getMessage().contains("layer 'rnn' (LSTM)") && d.getMessage().contains("set both to 0"), d.getMessage());
    }

    @Test
    void simpleRnnLastOutputAndLstmSequenceGoingBackwardsSumOverTimeSteps() {
        Sequential m = new Sequential(new SimpleRNN(4).returnSequences(true).dtype(F64).inputShape(5, 3),
                new LSTM(3).goBackwards(true).returnSequences(true).dtype(F64), new SimpleRNN(2).useBias(false).dtype(F64),
                new Dense(3, Activation.SOFTMAX).dtype(F64));
        assertEqualsOneByOne(compiled(m, Loss.SPARSE_CATEGORICAL_CROSSENTROPY), randn(16, 4, 5, 3), labels(17, 4, 3));
    }

    @Test
    void gruWithResetAfterAndBeforeAndTanhGates() {
        Sequential m = new Sequential(new GRU(4).returnSequences(true).dtype(F64).inputShape(6, 3),
                new GRU(3).resetAfter(false).recurrentActivation(Activation.TANH).returnSequences(true).dtype(F64),
                new GRU(2).useBias(false).dtype(F64), new Dense(2).dtype(F64));
        assertEqualsOneByOne(compiled(m, Loss.MSE), randn(18, 5, 6, 3), randn(19, 5, 2));
    }

    @Test
    void recurrentLayersOverMaskedPaddingFromAnEmbedding() {
        // id 0 is padding: masked steps keep the state and get no gradient; examples have different lengths
        Embedding emb = new Embedding(7, 3).maskZero(true);
        emb.dtype(F64);
        Sequential m = new Sequential(emb.inputShape(5), new LSTM(4).returnSequences(true).dtype(F64), new GRU(3).dtype(F64),
                new Dense(2).dtype(F64));
        Tensor ids = Tensor.of(new double[] {3, 1, 4, 0, 0, 2, 6, 0, 0, 0, 5, 5, 5, 5, 1, 1, 2, 3, 4, 0}, 4, 5);
        assertEqualsOneByOne(compiled(m, Loss.MSE), ids, randn(20, 4, 2));
    }
}
