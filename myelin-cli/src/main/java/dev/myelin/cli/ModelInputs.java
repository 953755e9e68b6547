package dev.myelin.cli;

import dev.myelin.models.Model;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;

/**
 * Data as a model's input: images reach a model whose input has the same number of values per sample in
 * another layout (the seed LSTM reads a 28×28×1 image as 28 time steps of 28 pixels), and data that do not
 * fit are refused before anything runs, naming both shapes.
 */
final class ModelInputs {
    private ModelInputs() {}

    /** The model's (first) input shape without the batch dimension. */
    static int[] inputShape(Model m) {
        if (m.inputs().isEmpty()) throw new IllegalArgumentException("model '" + m.name() + "' has no input shape");
        return m.inputs().getFirst().shape().toArray();
    }

    /** The number of classes of a classifier: the size of the (first) output's last axis. */
    static int numClasses(Model m) {
        int[] out = m.outputs().getFirst().shape().toArray();
        return out.length == 0 ? 1 : out[out.length - 1];
    }

    /**
     * {@code x} reshaped to the model's input when only the layout differs; any other mismatch is left for the
     * model's own shape error (what {@code train} wants: its JSON models may take any shape).
     */
    static Tensor reshapedIfSameSize(Model m, Tensor x) {
        if (m.inputs().isEmpty()) return x;
        int[] want = inputShape(m);
        if (x.rank() == want.length + 1 || x.dim(0) == 0 || x.size() / x.dim(0) != perSample(want)) return x;
        return reshaped(x, want);
    }

    /**
     * {@code x} as the model's input, reshaped when only the layout differs.
     *
     * @throws IllegalArgumentException naming {@code what} (the data), the data's sample shape and the model's input
     */
    static Tensor checked(Model m, Tensor x, String what, String modelDescription) {
        int[] want = inputShape(m);
        int[] have = Arrays.copyOfRange(x.shape().toArray(), 1, x.rank());
        if (Arrays.equals(have, want)) return x;
        if (x.dim(0) == 0 || x.size() / x.dim(0) != perSample(want)) {
            throw new IllegalArgumentException(what + " has samples of shape " + Shape.of(have) + " (" + perSample(have) + " values), but "
                    + modelDescription + " expects inputs of shape " + Shape.of(want) + " (" + perSample(want) + " values)");
        }
        return reshaped(x, want);
    }

    private static Tensor reshaped(Tensor x, int[] want) {
        int[] dims = new int[want.length + 1];
        dims[0] = x.dim(0);
        System.arraycopy(want, 0, dims, 1, want.length);
        return x.reshape(dims);
    }

    static long perSample(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
