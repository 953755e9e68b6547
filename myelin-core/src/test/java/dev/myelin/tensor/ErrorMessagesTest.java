package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input is refused with a message that names what was expected and what was received. */
class ErrorMessagesTest {

    private static void assertMessage(Executable e, String... parts) {
        RuntimeException ex = assertThrows(RuntimeException.class, e);
        for (String p : parts) assertTrue(ex.getMessage().contains(p), "message '" + ex.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void incompatibleBroadcastNamesBothShapes() {
        assertMessage(() -> Tensor.zeros(2, 3).add(Tensor.zeros(4)), "[2, 3]", "[4]", "broadcast");
    }

    @Test
    void matmulMismatchNamesBothShapes() {
        assertMessage(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)), "[2, 3]", "[4, 5]");
    }

    @Test
    void badReshape() {
        assertMessage(() -> Tensor.zeros(2, 3).reshape(4, 2), "[2, 3]", "[4, 2]");
        assertMessage(() -> Tensor.zeros(2, 3).reshape(-1, -1), "-1");
    }

    @Test
    void axisOutOfRange() {
        assertMessage(() -> Tensor.zeros(2, 3).sum(2), "axis 2", "[2, 3]");
        assertMessage(() -> Tensor.zeros(2, 3).permute(0, 0), "repeats");
    }

    @Test
    void dataLengthMismatch() {
        assertMessage(() -> Tensor.of(new float[5], 2, 3), "5", "[2, 3]");
    }

    @Test
    void indicesOutOfRange() {
        assertMessage(() -> Tensor.zeros(3, 2).indexSelect(0, new int[] {3}), "index 3", "[0, 3)");
        assertMessage(() -> Tensor.oneHot(Tensor.of(new float[] {1, 5}, 2), 4), "5.0", "[0, 4)");
        assertMessage(() -> Tensor.zeros(3, 2).take(0, Tensor.of(new float[] {0.5f}, 1)), "0.5");
    }

    @Test
    void convolutionShapes() {
        assertMessage(() -> Tensor.zeros(1, 5, 5, 3).conv2d(Tensor.zeros(3, 3, 2, 4), ConvOptions.defaults()), "3 channels", "expects 2");
        assertMessage(() -> Tensor.zeros(5, 5, 3).conv2d(Tensor.zeros(3, 3, 3, 4), ConvOptions.defaults()), "[5, 5, 3]");
        assertMessage(() -> Tensor.zeros(1, 2, 2, 1).conv2d(Tensor.zeros(3, 3, 1, 1), ConvOptions.defaults()), "smaller");
        assertMessage(() -> ConvOptions.defaults().strides(0), "strides");
    }

    @Test
    void concatShapes() {
        assertMessage(() -> Tensor.concat(List.of(Tensor.zeros(2, 3), Tensor.zeros(3, 3)), 1), "[2, 3]", "[3, 3]");
    }

    @Test
    void itemNeedsOneElement() {
        assertMessage(() -> Tensor.zeros(2).item(), "[2]");
    }
}
