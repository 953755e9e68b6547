package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.optim.Adam;
import dev.myelin.train.FitOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The buffer pool's hazards: an array goes back only when nothing can reach it (a view, a detached tensor, a
 * hand-written rule's stash or the caller's own gradient keep it out), a stale reference fails loudly, the bound
 * holds, and training with the pool gives bit-identical weights to training without it.
 */
class BufferPoolTest {
    private static final int MIN = 4096; // the tests pool from 16 kB up, so that small tensors exercise it
    private static final int N = 2 * MIN + 3; // pooled, and not a multiple of 8

    @BeforeEach
    void smallArraysToo() {
        BufferPool.setMinElements(MIN);
    }

    @AfterEach
    void restore() {
        BufferPool.setEnabled(true);
        BufferPool.setLimitBytes(256L << 20);
        BufferPool.clear();
        BufferPool.setMinElements(BufferPool.DEFAULT_MIN_ELEMENTS);
    }

    /** Runs {@code body} as if inside a backward walk, so the tensors it allocates are stamped with that walk. */
    private static long inWalk(Runnable body) {
        long outer = BufferPool.beginWalk();
        long id = BufferPool.currentWalk();
        try {
            body.run();
        } finally {
            BufferPool.endWalk(outer);
        }
        return id;
    }

    @Test
    void anArrayWithALiveViewNeverGoesBack() {
        Tensor[] t = new Tensor[2];
        long walk = inWalk(() -> {
            t[0] = Tensor.zeros(N).add(1f);
            t[1] = t[0].reshape(1, N); // a view sharing the storage
        });
        assertFalse(BufferPool.recycle(t[0], walk), "a tensor with a view is not exclusive");
        assertFalse(BufferPool.recycle(t[1], walk), "nor is the view");
        assertEquals(0, BufferPool.heldBytes());
        Tensor other = Tensor.zeros(N).add(2f); // would take a pooled array if one had gone back
        assertEquals(1f, t[1].toFloatArray()[N - 1]);
        assertEquals(2f, other.toFloatArray()[0]);
    }

    @Test
    void detachedAndOutsideTensorsNeverGoBack() {
        Tensor[] t = new Tensor[1];
        long walk = inWalk(() -> t[0] = Tensor.zeros(N).add(1f));
        Tensor detached = t[0].detach();
        assertFalse(BufferPool.recycle(t[0], walk));
        Tensor outside = Tensor.zeros(N).add(1f); // allocated by no walk
        assertFalse(BufferPool.recycle(outside, walk));
        Tensor[] later = new Tensor[1];
        inWalk(() -> later[0] = Tensor.zeros(N));
        assertFalse(BufferPool.recycle(later[0], walk), "another walk's tensor");
        assertEquals(1f, detached.toFloatArray()[3]);
    }

    @Test
    void aRecycledArrayIsReusedAndItsOldTensorFailsLoudly() {
        Tensor[] t = new Tensor[1];
        long walk = inWalk(() -> t[0] = Tensor.zeros(N).add(5f));
        assertTrue(BufferPool.recycle(t[0], walk));
        assertEquals((long) N * Float.BYTES, BufferPool.heldBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t[0].toFloatArray());
        assertTrue(e.getMessage().contains("buffer pool"), e.getMessage());
        Tensor fresh = Tensor.zeros(N);
        assertEquals(0, BufferPool.heldBytes(), "the array was taken again");
        float[] v = fresh.toFloatArray();
        for (float f : v) assertEquals(0f, f, "a reused array is zero-filled for zeros()");
    }

    @Test
    void theBoundHolds() {
        BufferPool.setLimitBytes(3L * N * Float.BYTES);
        for (int i = 0; i < 10; i++) BufferPool.give(new float[N]);
        assertEquals(3L * N * Float.BYTES, BufferPool.heldBytes());
        BufferPool.give(new float[N + 1]);
        assertTrue(BufferPool.heldBytes() <= BufferPool.limitBytes());
        BufferPool.give(new float[MIN - 1]);
        assertEquals(3L * N * Float.BYTES, BufferPool.heldBytes(), "small arrays are not kept");
        BufferPool.setLimitBytes(0);
        BufferPool.give(new float[N]);
        assertEquals(0, BufferPool.heldBytes());
    }

    @Test
    void offKeepsNothing() {
        BufferPool.setEnabled(false);
        Tensor[] t = new Tensor[1];
        long walk = inWalk(() -> t[0] = Tensor.zeros(N));
        assertFalse(BufferPool.recycle(t[0], walk));
        assertEquals(0, BufferPool.heldBytes());
    }

    @Test
    void backwardFeedsThePoolAndTheCallersTensorsSurvive() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = random(r, 3, N).requiresGrad(true);
        Tensor h = x.mul(2f).tanh(); // an activation the caller holds
        float[] before = h.toFloatArray();
        Tensor seed = Tensor.onesLike(h).mul(0.5f);
        h.exp().add(h.square()).backward(Tensor.onesLike(h).mul(0.5f));
        assertTrue(BufferPool.heldBytes() > 0, "intermediate gradients went back");
        for (int i = 0; i < 8; i++) Tensor.zeros(3, N).add(7f); // take every pooled array again
        assertArrayEquals(before, h.toFloatArray(), "the caller's activation is untouched");
        assertNotNull(x.grad());
        assertEquals(3 * N, x.grad().toFloatArray().length);
        assertEquals(0.5f, seed.toFloatArray()[0]);
    }

    @Test
    void theMaskedGradientOfAFusedConvolutionAndReluGoesBackAndChangesNoBit() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = random(r, 2, 8, 8, 3);
        Tensor kernel = random(r, 3, 3, 3, 40).requiresGrad(true), bias = random(r, 40).requiresGrad(true);
        int outputs = 2 * 8 * 8 * 40; // > MIN: pooled
        x.conv2dRelu(kernel, bias, ConvOptions.defaults().padding(Padding.SAME)).square().sum().backward();
        // square's gradient (2y·1) and the rule's own masked copy of it (relu'·2y): both walk-made, both dead after.
        assertEquals(2L * outputs * Float.BYTES, BufferPool.heldBytes());
        float[] dk = kernel.grad().toFloatArray(), db = bias.grad().toFloatArray();

        BufferPool.setEnabled(false);
        Tensor k2 = Tensor.of(kernel.toFloatArray(), 3, 3, 3, 40).requiresGrad(true), b2 = Tensor.of(bias.toFloatArray(), 40).requiresGrad(true);
        x.conv2dRelu(k2, b2, ConvOptions.defaults().padding(Padding.SAME)).square().sum().backward();
        assertArrayEquals(k2.grad().toFloatArray(), dk);
        assertArrayEquals(b2.grad().toFloatArray(), db);
    }

    @Test
    void theContiguousCopyOfABroadcastGradientOfAConvolutionGoesBackAndChangesNoBit() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = random(r, 2, 8, 8, 3).requiresGrad(true);
        Tensor kernel = random(r, 1, 1, 3, 40).requiresGrad(true), bias = random(r, 40).requiresGrad(true);
        int outputs = 2 * 8 * 8 * 40; // > MIN: pooled
        // sum()'s gradient is a broadcast view: the rule copies it once for the three gradients that read it, and that
        // copy (walk-made, read by all three, held by none) is the only array left in the pool after the walk.
        x.conv2d(kernel, bias, ConvOptions.defaults()).sum().backward();
        assertEquals((long) outputs * Float.BYTES, BufferPool.heldBytes());
        float[] dx = x.grad().toFloatArray(), dk = kernel.grad().toFloatArray(), db = bias.grad().toFloatArray();
        BufferPool.clear();
        // without a bias (the rule of conv2d alone): likewise
        Tensor k1 = Tensor.of(kernel.toFloatArray(), 1, 1, 3, 40).requiresGrad(true);
        x.zeroGrad();
        x.conv2d(k1, ConvOptions.defaults()).sum().backward();
        assertEquals((long) outputs * Float.BYTES, BufferPool.heldBytes());
        assertArrayEquals(dk, k1.grad().toFloatArray());

        BufferPool.setEnabled(false);
        Tensor x2 = Tensor.of(x.toFloatArray(), 2, 8, 8, 3).requiresGrad(true);
        Tensor k2 = Tensor.of(kernel.toFloatArray(), 1, 1, 3, 40).requiresGrad(true), b2 = Tensor.of(bias.toFloatArray(), 40).requiresGrad(true);
        x2.conv2d(k2, b2, ConvOptions.defaults()).sum().backward();
        assertArrayEquals(x2.grad().toFloatArray(), dx);
        assertArrayEquals(k2.grad().toFloatArray(), dk);
        assertArrayEquals(b2.grad().toFloatArray(), db);
    }

    @Test
    void aHandWrittenRuleMayKeepItsGradient() {
        List<Tensor> stash = new ArrayList<>();
        Tensor x = Tensor.ones(N).requiresGrad(true);
        Tensor y;
        try (var s = NoGrad.scope()) {
            y = x.mul(3f);
        }
        y = Tensor.fusedResult("stash", y, g -> {
            stash.add(g);
            return new Tensor[] {g.mul(3f)};
        }, new Tensor[] {x});
        y.square().sum().backward(); // the gradient reaching the rule is 2y = 6, allocated by the walk
        for (int i = 0; i < 4; i++) Tensor.zeros(N).add(-1f);
        assertEquals(1, stash.size());
        for (float f : stash.get(0).toFloatArray()) assertEquals(6f, f);
        for (float f : x.grad().toFloatArray()) assertEquals(18f, f);
    }

    @Test
    void gradientsOfAReusedInputAddUpInPlaceAsBefore() {
        SplittableRandom r = new SplittableRandom(2);
        Tensor a = random(r, N), b = random(r, N), c = random(r, N);
        float[][] results = new float[2][];
        for (int run = 0; run < 2; run++) {
            BufferPool.setEnabled(run == 0);
            Tensor x = a.detach().requiresGrad(true);
            // x used four times, through rules that return fresh gradients, a shared one (add) and a view (reshape)
            Tensor y = x.mul(b).add(x.mul(c)).add(x.reshape(1, N).exp().reshape(N)).add(x.square());
            y.sum().backward();
            results[run] = x.grad().toFloatArray();
        }
        assertArrayEquals(results[1], results[0]);
        float[] av = a.toFloatArray(), bv = b.toFloatArray(), cv = c.toFloatArray();
        for (int i = 0; i < N; i += 97) {
            double want = bv[i] + cv[i] + Math.exp(av[i]) + 2.0 * av[i];
            assertEquals(want, results[0][i], 1e-5);
        }
    }

    @Test
    void aLeafTakesAnOwnedGradientWithoutACopy() {
        Tensor x = Tensor.ones(N).requiresGrad(true);
        Tensor y = x.mul(2f);
        y.square().sum().backward();
        Tensor g = x.grad();
        for (float f : g.toFloatArray()) assertEquals(8f, f);
        // a second backward accumulates in place into the adopted gradient
        x.mul(2f).square().sum().backward();
        assertSame(g, x.grad());
        for (float f : g.toFloatArray()) assertEquals(16f, f);
    }

    @Test
    void trainingWithThePoolGivesBitIdenticalWeights() {
        List<float[]> with = train(true);
        assertTrue(BufferPool.heldBytes() > 0, "training fed the pool");
        List<float[]> without = train(false);
        assertEquals(with.size(), without.size());
        for (int i = 0; i < with.size(); i++) assertArrayEquals(without.get(i), with.get(i), "weight " + i);
    }

    /**
     * Operations may allocate their results without the zero fill when the backend writes every element (the
     * backend's contract): with every such array NaN-filled first, training still gives the weights of a run
     * without the pool, bit for bit, through convolutions (same, strided, 1x1, with the fused bias and ReLU),
     * pooling, batch and layer normalization, dropout, dense layers, an LSTM and a Transformer encoder.
     */
    @Test
    void everyResultAllocatedWithoutTheZeroFillIsWrittenWhole() {
        try {
            for (int model = 0; model < 3; model++) {
                BufferPool.setPoison(false);
                List<float[]> without = model == 0 ? train(false) : trainMixed(model, false);
                BufferPool.setPoison(true);
                List<float[]> poisoned = model == 0 ? train(true) : trainMixed(model, true);
                assertEquals(without.size(), poisoned.size());
                for (int i = 0; i < without.size(); i++) assertArrayEquals(without.get(i), poisoned.get(i), "model " + model + " weight " + i);
            }
        } finally {
            BufferPool.setPoison(false);
        }
    }

    private static List<float[]> trainMixed(int which, boolean pool) {
        BufferPool.setEnabled(pool);
        var rng = RandomGeneratorFactory.of("L64X128MixRandom").create(13);
        float[] labels = new float[64];
        for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(4);
        Sequential model;
        Tensor x;
        if (which == 1) {
            x = Tensor.rand(rng, 64, 12, 12, 3);
            model = new Sequential(
                    new Conv2D(16, 3, Activation.RELU).padding(Padding.SAME).inputShape(12, 12, 3),
                    new Conv2D(24, 3).strides(2).padding(Padding.SAME),
                    new BatchNormalization(),
                    new dev.myelin.nn.layers.ActivationLayer(Activation.RELU),
                    new Conv2D(16, 1, Activation.TANH),
                    new dev.myelin.nn.layers.AveragePooling2D(2),
                    new dev.myelin.nn.layers.Dropout(0.25),
                    new dev.myelin.nn.layers.GlobalAveragePooling2D(),
                    new Dense(4, Activation.SOFTMAX));
        } else {
            x = Tensor.rand(rng, 64, 16, 24);
            model = new Sequential(
                    new dev.myelin.nn.recurrent.LSTM(24).returnSequences(true).inputShape(16, 24),
                    new dev.myelin.nn.attention.TransformerEncoder(48, 4),
                    new dev.myelin.nn.layers.LayerNormalization(),
                    new dev.myelin.nn.layers.GlobalAveragePooling1D(),
                    new Dense(4, Activation.SOFTMAX));
        }
        model.seed(5);
        model.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        model.fit(x, Tensor.of(labels, 64), FitOptions.epochs(2).batchSize(32).seed(3).verbose(0));
        List<float[]> out = new ArrayList<>();
        for (Parameter p : model.weights()) out.add(p.value().toFloatArray());
        return out;
    }

    private static List<float[]> train(boolean pool) {
        BufferPool.setEnabled(pool);
        var rng = RandomGeneratorFactory.of("L64X128MixRandom").create(11);
        Tensor x = Tensor.rand(rng, 96, 14, 14, 3);
        float[] labels = new float[96];
        for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(10);
        Sequential model = new Sequential(
                new Conv2D(16, 3, Activation.RELU).inputShape(14, 14, 3),
                new BatchNormalization(),
                new MaxPooling2D(2),
                new Flatten(),
                new Dense(64, Activation.RELU),
                new BatchNormalization(),
                new Dense(10, Activation.SOFTMAX));
        model.seed(5);
        model.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        model.fit(x, Tensor.of(labels, 96), FitOptions.epochs(2).batchSize(32).seed(3).verbose(0));
        List<float[]> out = new ArrayList<>();
        for (Parameter p : model.weights()) out.add(p.value().toFloatArray());
        return out;
    }

    @Test
    void operationsThatSkipTheZeroFillOverwriteADirtyArray() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = random(r, 3, 25, 27, 13); // 26325 elements
        Tensor table = random(r, 37, 129);
        int[] ids = new int[41];
        for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(37);
        int[] classes = new int[3 * 25 * 27];
        for (int i = 0; i < classes.length; i++) classes[i] = r.nextInt(13);
        Tensor gamma = random(r, 13), beta = random(r, 13);
        float[][][] results = new float[2][][];
        for (int run = 0; run < 2; run++) {
            BufferPool.setEnabled(run == 1);
            List<Tensor> outs = new ArrayList<>();
            for (int[] shape : new int[][] {{3, 25, 27, 13}, {3, 12, 13, 13}, {41, 129}}) {
                int n = 1;
                for (int d : shape) n *= d;
                for (int k = 0; k < 3; k++) {
                    float[] dirty = new float[n];
                    java.util.Arrays.fill(dirty, Float.NaN);
                    BufferPool.give(dirty);
                }
            }
            outs.add(x.softmax(-1));
            outs.add(x.logSoftmax(-1));
            outs.add(x.maxPool2d(PoolOptions.of(2)));
            outs.add(table.indexSelect(0, ids));
            outs.add(x.batchNormTraining(-1, gamma, beta, 1e-3).output());
            outs.add(x.sparseSoftmaxCrossEntropy(classes));
            results[run] = outs.stream().map(Tensor::toFloatArray).toArray(float[][]::new);
        }
        for (int i = 0; i < results[0].length; i++) assertArrayEquals(results[0][i], results[1][i], "result " + i);
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble(-1, 1);
        return Tensor.of(v, shape);
    }
}
