package dev.myelin.backend;


/**
 * The line between tensors and hardware: a backend owns buffers and a small set of kernels over strided
 * {@link View}s. Everything above it (autograd, layers, training) is written once in terms of these.
 *
 * <p>Conventions for every kernel:
 * <ul>
 *   <li>Inputs may have any strides, including 0 for broadcast dimensions; shapes are already broadcast
 *       to the output's shape by the caller.</li>
 *   <li>Outputs are written, never read (unless the method says it accumulates). An output may be
 *       strided; for element-wise kernels it may alias an input element for element (in-place updates).</li>
 *   <li>Results must not depend on the number of threads.</li>
 * </ul>
 * {@link ReferenceBackend} defines the meaning of each kernel in plain scalar code.
 */
public interface Backend {

    /** A short name, such as {@code "cpu-vector"}. */
    String name();

    /** A new zero-filled storage. */
    Storage allocate(DType dtype, int length);

    /** Copies {@code src} into {@code dst} (same shape), converting the element type if they differ. */
    void copy(View src, View dst);

    /** Sets every element of {@code dst}. */
    void fill(View dst, double value);

    /** {@code out = op(x; p, q)} element-wise. */
    void unary(UnaryOp op, double p, double q, View x, View out);

    /** {@code out = op(a, b)} element-wise. */
    void binary(BinaryOp op, View a, View b, View out);

    /** {@code out = cond != 0 ? a : b} element-wise. */
    void where(View cond, View a, View b, View out);

    /**
     * Reduces {@code x} into {@code out}, which has the same rank with size 1 on each reduced axis. A sum
     * of an empty axis is 0; a max or min of an empty axis is an error raised by the caller.
     */
    void reduce(ReduceOp op, View x, View out);

    /**
     * Index of the maximum ({@code op == MAX}) or minimum along {@code axis}, first one on ties, written as
     * a float into {@code out} (same rank, size 1 on {@code axis}).
     */
    void argReduce(ReduceOp op, View x, int axis, View out);

    /** Softmax (or log-softmax) over the last axis, computed stably (the row maximum is subtracted). */
    void softmax(View x, View out, boolean log);

    /**
     * Batched matrix product {@code out[b] = a[b] · bMat[b]} for rank-3 views {@code [batch, m, k]},
     * {@code [batch, k, n]}, {@code [batch, m, n]}. Batch strides may be 0 (broadcast); a matrix whose
     * last two strides are swapped is a transposed operand and must be read without copying when the
     * backend can.
     */
    void matmul(View a, View b, View out);

    /** {@code out = x} indexed by {@code indices} along {@code axis} (out has {@code indices.length} there). */
    void indexSelect(View x, int axis, int[] indices, View out);

    /** {@code dst[..., indices[i], ...] += src[..., i, ...]} along {@code axis} (repeated indices add up). */
    void indexAdd(View src, int axis, int[] indices, View dst);

    /** 2-D convolution, channels-last; see {@link Conv2dSpec} for the formula. */
    void conv2d(View input, View kernel, Conv2dSpec spec, View out);

    /** Gradient of {@link #conv2d} with respect to its input (also the transposed convolution). */
    void conv2dBackwardInput(View gradOut, View kernel, Conv2dSpec spec, View gradInput);

    /** Gradient of {@link #conv2d} with respect to its kernel. */
    void conv2dBackwardKernel(View input, View gradOut, Conv2dSpec spec, View gradKernel);

    /** Max or average pooling, channels-last; see {@link Pool2dSpec}. */
    void pool2d(PoolMode mode, View input, Pool2dSpec spec, View out);

    /**
     * Gradient of {@link #pool2d}: max pooling routes each output gradient to the first maximum of its
     * window (found again from {@code input} and {@code out}); average pooling spreads it evenly over
     * the window's valid positions.
     */
    void pool2dBackward(PoolMode mode, View input, View out, View gradOut, Pool2dSpec spec, View gradInput);

    /**
     * One Adam step in place over contiguous views of one shape and type (the optimizer update fused into
     * one pass): {@code m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2); w -= alpha·m / (sqrt(v) + epsilon)}.
     */
    void adamUpdate(View w, View g, View m, View v, double alpha, double beta1, double beta2, double epsilon);
}
