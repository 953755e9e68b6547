package dev.myelin.backend.naive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.backend.DType;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.PoolOptions;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Results live on their operands' backend, not on the default one: tensors made on the naive backend
 * (inside a {@link Backends#use} scope) keep producing naive tensors, and gradients, after the scope.
 */
class OperandBackendTest {
    private final NaiveBackend naive = new NaiveBackend();

    @Test
    void scopeChangesTheDefaultAndRestoresIt() {
        Backend before = Backends.defaultBackend();
        try (var scope = Backends.use(naive)) {
            assertSame(naive, Backends.defaultBackend());
            assertSame(naive, Tensor.zeros(2, 3).backend());
            assertSame(naive, Tensor.of(new float[] {1, 2}).backend());
            assertSame(naive, Tensor.scalar(1).backend());
        }
        assertSame(before, Backends.defaultBackend());
        assertNotSame(naive, Tensor.zeros(2).backend());
    }

    @Test
    void operationsAndGradientsStayOnTheOperandsBackend() {
        Tensor x, w;
        try (var scope = Backends.use(naive)) {
            x = Tensor.of(new float[] {1, -2, 3, 4, -5, 6, 7, 8, -9, 10, 11, 12, 13, -14, 15, 16}, 1, 4, 4, 1);
            w = Tensor.of(new float[] {0.5f, -1, 2, 0.25f}, 2, 2, 1, 1).requiresGrad(true);
        }
        Tensor y = x.conv2d(w, ConvOptions.defaults()).relu().maxPool2d(PoolOptions.of(2)).add(1.5).mul(x.sum());
        Tensor loss = y.softmax(-1).add(y.logSoftmax(-1)).mean();
        for (Tensor t : List.of(y, loss, Tensor.zerosLike(x), Tensor.onesLike(x), x.newZeros(Shape.of(3)), x.to(DType.FLOAT64))) {
            assertSame(naive, t.backend(), "result of an operation on naive tensors");
        }
        loss.backward();
        assertSame(naive, w.grad().backend());
        assertArrayEquals(new int[] {2, 2, 1, 1}, w.grad().shape().toArray());
        assertEquals(16, x.toFloatArray().length);
        assertEquals(-14.0, x.toDoubleArray()[13]);
    }
}
