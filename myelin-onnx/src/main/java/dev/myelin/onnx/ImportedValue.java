package dev.myelin.onnx;

import dev.myelin.nn.SymbolicTensor;

/** A value of the graph being imported: a constant, zeros of some shape, or a tensor Myelin computes. */
sealed interface ImportedValue {
    /** A constant (an initializer, a {@code Constant} node or a bound input). */
    record Constant(float[] data, long[] dims) implements ImportedValue {}

    /** Zeros made by {@code ConstantOfShape} (the initial state of a recurrent layer). */
    record Zeros() implements ImportedValue {}

    /** The first {@code rows} rows of a constant table ({@code Slice} on axis 0 from 0), read by an {@code Expand} of positions. */
    record FirstRows(Constant table, int rows) implements ImportedValue {}

    /** The shape of a computed tensor ({@code Shape}), read by an {@code Expand} of a position table. */
    record ShapeOf(Computed of) implements ImportedValue {}

    /**
     * How a tensor Myelin computes relates to the ONNX tensor of the same name:
     * <ul>
     *   <li>{@code PLAIN}: the same tensor;</li>
     *   <li>{@code CHANNELS_FIRST}: ONNX {@code [N, C, H, W]}, Myelin {@code [N, H, W, C]};</li>
     *   <li>{@code CHANNELS_FIRST_1D}: ONNX {@code [N, C, T]}, Myelin {@code [N, T, C]} (a sequence between 1-D convolutions);</li>
     *   <li>{@code FLAT_CHANNELS_FIRST}: ONNX flattened {@code [N, C·H·W]} in C, H, W order, Myelin in H, W, C order;</li>
     *   <li>{@code TIME_MAJOR}: ONNX {@code [T, N, F]}, Myelin {@code [N, T, F]};</li>
     *   <li>{@code RNN_Y}: ONNX's recurrent {@code Y [T, 1, N, U]}, Myelin {@code [N, T, U]};</li>
     *   <li>{@code RNN_STATE}: ONNX's {@code Y_h [1, N, U]}, Myelin {@code [N, U]};</li>
     *   <li>{@code IDS}: integer ids cast from a Myelin float tensor (Gather's indices);</li>
     *   <li>{@code MASK}: an ONNX bool graph input, Myelin a float input of 0 (false) and 1 (true); read only as
     *       an attention mask ({@link AttentionImport}), any other reader is refused.</li>
     * </ul>
     */
    enum Layout { PLAIN, CHANNELS_FIRST, CHANNELS_FIRST_1D, FLAT_CHANNELS_FIRST, TIME_MAJOR, RNN_Y, RNN_STATE, IDS, MASK }

    /** A tensor Myelin computes; {@code chw} is the image {@code [C, H, W]} before flattening, for {@code FLAT_CHANNELS_FIRST}. */
    record Computed(SymbolicTensor tensor, Layout layout, int[] chw) implements ImportedValue {
        Computed(SymbolicTensor tensor, Layout layout) {
            this(tensor, layout, null);
        }
    }
}
