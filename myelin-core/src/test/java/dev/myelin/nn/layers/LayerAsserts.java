package dev.myelin.nn.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.Layer;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.function.Executable;

/** Small helpers shared by the layer tests. */
final class LayerAsserts {
    private LayerAsserts() {}

    static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    /** Builds {@code layer} for {@code inputShape} (without batch) and returns it. */
    static <L extends Layer> L built(L layer, int... inputShape) {
        layer.build(Shape.of(inputShape), rng(7));
        return layer;
    }

    /** Sets {@code layer}'s dtype to float64, builds it for {@code inputShape} and returns it. */
    static <L extends Layer> L built64(L layer, int... inputShape) {
        layer.dtype(dev.myelin.backend.DType.FLOAT64);
        return built(layer, inputShape);
    }

    /** A float64 tensor of {@code shape} filled with {@code f(i)} for flat index i. */
    static Tensor filled(java.util.function.IntToDoubleFunction f, int... shape) {
        double[] v = new double[Shape.of(shape).size()];
        for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(i);
        return Tensor.of(v, shape);
    }

    static void assertMessage(Executable e, String... parts) {
        RuntimeException ex = assertThrows(RuntimeException.class, e);
        for (String p : parts) assertTrue(ex.getMessage().contains(p), "message '" + ex.getMessage() + "' lacks '" + p + "'");
    }
}
