package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.myelin.nn.recurrent.Embedding;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#zeroGrad}: a leaf's gradient that no code read ({@link Tensor#grad()} never returned it) goes back to
 * the {@link BufferPool}, and the next backward pass's gradients, written into that array, are bit for bit those of
 * fresh arrays; a gradient that was read stays with whoever holds it, its values untouched by later passes.
 */
class UnreadGradReleaseTest {
    @BeforeEach
    void smallArraysToo() {
        BufferPool.setMinElements(64);
        BufferPool.clear();
        BufferPool.setPoison(true); // a reused array handed out unzeroed holds NaN until written
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

    /** Global average pooling's backward into an input leaf: the gradient is a broadcast the leaf copies. */
    private static void poolBackward(Tensor x, Tensor w) {
        x.mean(new int[] {1, 2}, false).mul(w).sum().backward();
    }

    @Test
    void anUnreadInputGradientGoesBackAndTheNextOneIsBitIdentical() {
        Tensor x = Tensor.rand(rng(1), 4, 6, 6, 8).requiresGrad(true);
        Tensor w = Tensor.rand(rng(2), 8);
        BufferPool.setEnabled(false);
        poolBackward(x, w);
        float[] expected = x.grad().toFloatArray();
        x.zeroGrad();
        BufferPool.setEnabled(true);

        long before = BufferPool.gradsReleased();
        for (int pass = 0; pass < 3; pass++) {
            poolBackward(x, w);
            x.zeroGrad(); // unread: back to the pool
        }
        assertEquals(before + 3, BufferPool.gradsReleased());
        poolBackward(x, w); // takes a released array
        assertArrayEquals(expected, x.grad().toFloatArray());
    }

    @Test
    void aGradientThatWasReadStaysWithItsHolder() {
        Tensor x = Tensor.rand(rng(3), 4, 6, 6, 8).requiresGrad(true);
        poolBackward(x, Tensor.rand(rng(4), 8));
        Tensor held = x.grad();
        float[] values = held.toFloatArray();
        long before = BufferPool.gradsReleased();
        x.zeroGrad();
        assertNull(x.grad());
        assertEquals(before, BufferPool.gradsReleased());
        poolBackward(x, Tensor.rand(rng(5), 8)); // other values; must not land in the held gradient's array
        x.zeroGrad();
        assertArrayEquals(values, held.toFloatArray());
    }

    @Test
    void anEmbeddingTableGradientIsZeroedWhenItsArrayIsReused() {
        Embedding e = new Embedding(50, 16); // 800 elements
        e.build(Shape.of(7), new SplittableRandom(7));
        float[] ids = {3, 3, 0, 49, 3, 12, 12, 5, 0, 0, 44, 3, 7, 8};
        Tensor x = Tensor.of(ids, 2, 7);
        Tensor table = e.embeddings().value();
        BufferPool.setEnabled(false);
        e.call(x, true).square().sum().backward();
        float[] expected = table.grad().toFloatArray();
        table.zeroGrad();
        BufferPool.setEnabled(true);

        long before = BufferPool.gradsReleased();
        e.call(x, true).square().sum().backward();
        table.zeroGrad(); // unread: back to the pool, where the poison fills it with NaN
        assertEquals(before + 1, BufferPool.gradsReleased());
        e.call(x, true).square().sum().backward(); // the scatter-add's zeros come from the backend's fill
        assertArrayEquals(expected, table.grad().toFloatArray());
    }
}
