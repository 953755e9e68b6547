package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.FloatStorage;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.recurrent.Embedding;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BufferPool#release(Tensor)}: user code hands back a result it holds, and the next result of that length
 * takes its array, with values bit for bit those of fresh arrays; a released tensor throws naming the pool; a tensor
 * something else may still read (a view's storage, a weight, a leaf, an input or saved tensor of a recorded operation,
 * remembered logits, the caller's own data) is left alone.
 */
class UserReleaseTest {
    @BeforeEach
    void smallArraysToo() {
        BufferPool.setMinElements(64);
        BufferPool.clear();
    }

    @AfterEach
    void restore() {
        BufferPool.setPoison(false);
        BufferPool.setEnabled(true);
        BufferPool.clear();
        BufferPool.setMinElements(BufferPool.DEFAULT_MIN_ELEMENTS);
    }

    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    private static float[] array(Tensor t) {
        return ((FloatStorage) t.storageForPool()).data();
    }

    private static Layer built(Layer layer, int... dims) {
        layer.build(Shape.of(dims), new SplittableRandom(7));
        return layer;
    }

    /** The forward rows of the per-layer benchmark: a first convolution, a 1x1 convolution, batch norm in inference, an embedding. */
    private static List<Supplier<Layer>> layers() {
        return List.of(
                () -> built(new Conv2D(8, 3).padding(Padding.SAME), 10, 10, 1),
                () -> built(new Conv2D(16, 1), 6, 6, 8),
                () -> built(new BatchNormalization(), 6, 6, 8),
                () -> built(new Dense(24), 20));
    }

    private static Tensor input(Layer layer, int batch, long seed) {
        int[] in = layer.builtInputShape().toArray();
        int[] dims = new int[in.length + 1];
        dims[0] = batch;
        System.arraycopy(in, 0, dims, 1, in.length);
        return Tensor.rand(rng(seed), dims);
    }

    private static Tensor ids(int batch, int time, int vocab) {
        float[] v = new float[batch * time];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(vocab);
        return Tensor.of(v, batch, time);
    }

    /**
     * A lone layer call outside any step scope, recording a graph as the per-layer benchmark does (the weights require
     * gradients) and without one: its output is the last result, nothing reads it, so it may go back, and the next
     * call's output is that very array. (Dense's fused product saves its output for the activation's gradient, so
     * under a graph it stays: a recorded operation reads it.)
     */
    @Test
    void theNextCallOfALayerTakesTheReleasedArray() {
        List<Supplier<Layer>> all = new ArrayList<>(layers());
        all.add(() -> built(new Embedding(50, 16), 12));
        for (Supplier<Layer> make : all) {
            Layer layer = make.get();
            Tensor x = layer instanceof Embedding ? ids(4, 12, 50) : input(layer, 4, 1);
            for (boolean graph : new boolean[] {false, true}) {
                if (graph && layer instanceof Dense) continue;
                for (boolean training : new boolean[] {false, true}) {
                    if (training && layer instanceof BatchNormalization) continue; // train mode updates the moving statistics
                    Tensor y1 = call(layer, x, training, graph);
                    assertEquals(graph, y1.gradFn() != null, layer.name());
                    float[] a = array(y1);
                    long before = BufferPool.userReleased();
                    assertTrue(BufferPool.release(y1), layer.name() + (graph ? " with a graph" : ""));
                    assertEquals(before + 1, BufferPool.userReleased());
                    Tensor y2 = call(layer, x, training, graph);
                    assertSame(a, array(y2), layer.name() + ": the second output reuses the first one's array");
                    assertTrue(BufferPool.release(y2));
                    BufferPool.clear();
                }
            }
        }
    }

    private static Tensor call(Layer layer, Tensor x, boolean training, boolean graph) {
        if (graph) return layer.call(x, training);
        try (var s = NoGrad.scope()) {
            return layer.call(x, training);
        }
    }

    /** With every array handed out unzeroed NaN-filled first, a loop that releases its outputs gives bit for bit a fresh-array run. */
    @Test
    void aLoopThatReleasesGivesTheValuesOfFreshArrays() {
        for (Supplier<Layer> make : layers()) {
            List<float[]> runs = new ArrayList<>();
            for (boolean pool : new boolean[] {false, true}) {
                BufferPool.setEnabled(pool);
                BufferPool.setPoison(pool);
                Layer layer = make.get();
                List<Float> values = new ArrayList<>();
                for (int step = 0; step < 3; step++) {
                    Tensor y;
                    try (var s = NoGrad.scope()) {
                        y = layer.call(input(layer, 4, 10 + step), false);
                    }
                    for (float v : y.toFloatArray()) values.add(v);
                    assertEquals(pool, BufferPool.release(y), layer.name());
                }
                float[] all = new float[values.size()];
                for (int i = 0; i < all.length; i++) all[i] = values.get(i);
                runs.add(all);
            }
            assertArrayEquals(runs.get(0), runs.get(1), make.get().name());
        }
    }

    @Test
    void aReleasedTensorThrowsNamingThePool() {
        Tensor y = Tensor.rand(rng(1), 8, 16).matmul(Tensor.rand(rng(2), 16, 32));
        assertTrue(BufferPool.release(y));
        IllegalStateException e = assertThrows(IllegalStateException.class, y::toFloatArray);
        assertTrue(e.getMessage().contains("buffer pool") && e.getMessage().contains("BufferPool.release"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> y.add(1f));
        assertFalse(BufferPool.release(y), "a second release finds it gone");
    }

    /** What else may still read is refused, and stays readable. */
    @Test
    void whatSomethingElseMayReadIsLeftAlone() {
        Tensor x = Tensor.rand(rng(1), 8, 16);
        Tensor m = Tensor.rand(rng(2), 16, 32);
        List<Tensor> refused = new ArrayList<>();

        Tensor viewed = x.matmul(m);
        Tensor view = viewed.reshape(4, 64);
        refused.add(viewed); // a view shares its storage
        refused.add(view);
        Tensor detached = x.matmul(m);
        refused.add(detached.detach());
        refused.add(Tensor.of(new float[128], 8, 16)); // made from the caller's data
        refused.add(x.matmul(m).requiresGrad(true)); // a leaf that requires a gradient
        Parameter p = Parameter.of("w", Tensor.rand(rng(3), 16, 32));
        refused.add(p.value()); // a weight
        Tensor kept = x.matmul(m);
        BufferPool.keep(kept);
        refused.add(kept);
        Tensor logits = x.matmul(m);
        Tensor probabilities = logits.softmax(-1);
        refused.add(logits); // the softmax remembers them
        Tensor small = Tensor.rand(rng(4), 4, 4).mul(2f); // under the pool's smallest length
        refused.add(small);

        Tensor w = Tensor.rand(rng(5), 16, 32).requiresGrad(true);
        Tensor h = x.matmul(w); // an input of the recorded tanh
        Tensor t = h.tanh(); // saved by its own rule
        Tensor root = t.mul(m.sum()); // the last result of the graph: nothing reads it
        refused.add(h);
        refused.add(t);

        for (Tensor r : refused) {
            float[] before = r.toFloatArray();
            assertFalse(BufferPool.release(r), "refused: shape " + r.shape());
            assertArrayEquals(before, r.toFloatArray());
        }
        assertNotNull(probabilities.softmaxLogits());
        assertTrue(BufferPool.release(root), "the graph's last result goes");
        t.sum().backward(); // the graph through h and t is intact
        assertEquals(16 * 32, w.grad().toFloatArray().length);

        BufferPool.setEnabled(false);
        Tensor off = x.matmul(m);
        assertFalse(BufferPool.release(off), "the pool is off");
        assertEquals(8 * 32, off.toFloatArray().length);
    }

    /** A released array is not handed to a result of another length; the pool's bound is kept. */
    @Test
    void aReleasedArrayWaitsForItsLength() {
        Tensor y = Tensor.rand(rng(1), 8, 16).matmul(Tensor.rand(rng(2), 16, 32));
        float[] a = array(y);
        assertTrue(BufferPool.release(y));
        Tensor other = Tensor.rand(rng(3), 8, 16).matmul(Tensor.rand(rng(4), 16, 16));
        assertNotSame(a, array(other));
        Tensor same = Tensor.rand(rng(3), 8, 16).matmul(Tensor.rand(rng(4), 16, 32));
        assertSame(a, array(same));
    }
}
