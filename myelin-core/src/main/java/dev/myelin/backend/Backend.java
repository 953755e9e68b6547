package dev.myelin.backend;

import java.util.function.Supplier;

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
 *
 * <p>Two kinds of methods. The <b>primitives</b> (abstract) are what a new backend must write: allocation
 * and transfer to and from Java arrays, copy/fill, element-wise unary/binary/where with broadcasting
 * through strides, reductions, batched GEMM and gather/scatter-add. The <b>fused kernels</b> (convolution,
 * pooling, softmax, batch normalization, the optimizer updates) are default methods composed from the primitives by
 * {@code ComposedKernels}: correct on any backend, and overridden where a backend has something faster.
 * Optional capabilities ({@link #recurrence}) say "not offered" by default, and callers then take the
 * composed tensor path.
 *
 * <p>Backends are found with {@link java.util.ServiceLoader} (a line in
 * {@code META-INF/services/dev.myelin.backend.Backend}); {@link Backends} picks the usable one with the
 * highest {@link #priority}. A provider needs a public no-argument constructor that does not fail when
 * the backend cannot run here: it says so through {@link #unavailableReason}.
 *
 * <p>Example: a new backend is one class implementing the primitives over a {@link Storage} of its own,
 * plus the line {@code com.example.MyBackend} in {@code META-INF/services/dev.myelin.backend.Backend};
 * its test extends the conformance suite ({@code BackendConformanceTest}). The test-only
 * {@code NaiveBackend} is such a backend.
 */
public interface Backend {

    /** A short name, such as {@code "cpu-vector"}. */
    String name();

    // ---- discovery (defaults: always usable, neutral priority, one thread) ----

    /**
     * Why this backend cannot run in this JVM, phrased with the fix (for example a missing JVM module or
     * device), or null when it can.
     */
    default String unavailableReason() {
        return null;
    }

    /** Preference among usable backends: {@link Backends} picks the highest. The scalar reference has 0. */
    default int priority() {
        return 0;
    }

    /** How many threads this backend's kernels use. */
    default int threads() {
        return 1;
    }

    /** Sets how many threads this backend's kernels use (at least 1); backends without threads ignore it. */
    default void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }

    /**
     * Runs {@code work} with the kernels it calls on the calling thread only (other threads keep theirs), with the
     * same results as with all {@link #threads()}. {@link dev.myelin.train.Trainer} runs a JVM's first training step
     * so: its kernels run uncompiled, and a second thread running them too only takes the core the JIT compilers
     * need. Backends without threads just run it.
     */
    default <T> T onCallerThread(Supplier<T> work) {
        return work.get();
    }

    // ---- primitives ----

    /** A new zero-filled storage. */
    Storage allocate(DType dtype, int length);

    /** A new float32 storage holding a copy of {@code data}. */
    Storage upload(float[] data);

    /** A new float64 storage holding a copy of {@code data}. */
    Storage upload(double[] data);

    /** Writes the elements of {@code src} in row-major order into {@code dst} (length {@code src.size()}), converting to float. */
    void download(View src, float[] dst);

    /** Writes the elements of {@code src} in row-major order into {@code dst} (length {@code src.size()}), converting to double. */
    void download(View src, double[] dst);


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

    // ---- fused kernels: composed from the primitives by default ----

    /**
     * {@code out = activation(a · b + bias)}, Dense's affine map and activation as one kernel: {@link #matmul}'s
     * rank-3 views with a batch of one ({@code [1, m, k] · [1, k, n] -> [1, m, n]}), the bias {@code [n]} added along
     * the last axis (none when null), then {@code activation} (none when null; an op without parameters). The values
     * are those of {@link #matmul}, a broadcast {@link BinaryOp#ADD} and {@link #unary} in place, which is what this
     * default does; a backend may apply the bias and activation to each block of the product while it is in cache.
     */
    default void matmulBias(View a, View b, View bias, UnaryOp activation, View out) {
        matmul(a, b, out);
        if (bias != null) addAlongLastAxis(out, bias);
        if (activation != null) unary(activation, 0, 0, out, out);
    }

    /** Softmax (or log-softmax) over the last axis, computed stably (the row maximum is subtracted). */
    default void softmax(View x, View out, boolean log) {
        ComposedKernels.softmax(this, x, out, log);
    }

    /**
     * Sparse softmax cross-entropy's per-row terms in one pass over each row, when this backend has a fused
     * kernel for {@code x}'s type; false (nothing written) otherwise, and the caller composes the log-softmax:
     * <pre>
     *   m_i = max_j x[i, j],   lse_i = log Σ_j exp(x[i, j] − m_i),   picked_i = (x[i, k_i] − m_i) − lse_i
     * </pre>
     * {@code picked} is the log-softmax at each row's class, without the log-softmax matrix; {@code stats}
     * keeps {@code (m_i, lse_i)} for {@link #sparseSoftmaxCrossEntropyGradient}.
     *
     * <p>Shapes: {@code x [rows, C]} contiguous, {@code classes} one id in {@code [0, C)} per row (checked by
     * the caller), {@code picked [rows]}, {@code stats [rows, 2]}.
     */
    default boolean sparseSoftmaxCrossEntropy(View x, int[] classes, View picked, View stats) {
        return false;
    }

    /**
     * {@link #softmax} over a contiguous {@code x [rows, C]} that also writes each row's {@code (m_i, lse_i)} into
     * {@code stats [rows, 2]} exactly as {@link #sparseSoftmaxCrossEntropy} computes them, so that a sparse
     * cross-entropy of this softmax needs no second pass over the rows; false (nothing written) when this
     * backend has no such kernel for {@code x}'s type.
     */
    default boolean softmaxWithStatistics(View x, View out, View stats) {
        return false;
    }

    /**
     * The gradient of {@code −s·Σ_i picked_i} ({@link #sparseSoftmaxCrossEntropy}, whose {@code stats} it reads)
     * in one pass: {@code dx[i, j] = −(exp((x[i, j] − m_i) − lse_i)·s) + [j = k_i]·s}. False when this backend
     * has no fused kernel for {@code x}'s type. Shapes: {@code x, dx [rows, C]} contiguous, {@code stats [rows, 2]}.
     */
    default boolean sparseSoftmaxCrossEntropyGradient(View x, int[] classes, View stats, double s, View dx) {
        return false;
    }

    /** 2-D convolution, channels-last; see {@link Conv2dSpec} for the formula. */
    default void conv2d(View input, View kernel, Conv2dSpec spec, View out) {
        ComposedKernels.conv2d(this, input, kernel, spec, out);
    }

    /**
     * {@code out = conv2d(input, kernel) + bias}, the bias {@code [filters]} added along the last axis: the
     * same values as {@link #conv2d} followed by an element-wise add, which is what this default does (the
     * add in place on {@code out}); a backend may add the bias while the output is still in cache.
     */
    default void conv2dBias(View input, View kernel, View bias, Conv2dSpec spec, View out) {
        conv2d(input, kernel, spec, out);
        addAlongLastAxis(out, bias);
    }

    /** {@code out += bias} in place, the vector {@code bias} broadcast along the last axis of {@code out}. */
    private void addAlongLastAxis(View out, View bias) {
        int[] shape = out.shape();
        int[] strides = new int[shape.length];
        strides[shape.length - 1] = bias.strides()[0];
        binary(BinaryOp.ADD, out, new View(bias.storage(), shape, strides, bias.offset()), out);
    }

    /**
     * {@code out = relu(conv2d(input, kernel) + bias)}: the values of {@link #conv2dBias} followed by an element-wise
     * {@link UnaryOp#RELU}, which is what this default does (in place on {@code out}); a backend may apply both while
     * each part of the output is still in cache.
     */
    default void conv2dBiasRelu(View input, View kernel, View bias, Conv2dSpec spec, View out) {
        conv2dBias(input, kernel, bias, spec, out);
        unary(UnaryOp.RELU, 0, 0, out, out);
    }

    /** Gradient of {@link #conv2d} with respect to its input (also the transposed convolution). */
    default void conv2dBackwardInput(View gradOut, View kernel, Conv2dSpec spec, View gradInput) {
        ComposedKernels.conv2dBackwardInput(this, gradOut, kernel, spec, gradInput);
    }

    /** Gradient of {@link #conv2d} with respect to its kernel. */
    default void conv2dBackwardKernel(View input, View gradOut, Conv2dSpec spec, View gradKernel) {
        ComposedKernels.conv2dBackwardKernel(this, input, gradOut, spec, gradKernel);
    }

    /** Max or average pooling, channels-last; see {@link Pool2dSpec}. */
    default void pool2d(PoolMode mode, View input, Pool2dSpec spec, View out) {
        ComposedKernels.pool2d(this, mode, input, spec, out);
    }

    /**
     * Gradient of {@link #pool2d}: max pooling routes each output gradient to the first maximum of its
     * window (found again from {@code input} and {@code out}); average pooling spreads it evenly over
     * the window's valid positions.
     */
    default void pool2dBackward(PoolMode mode, View input, View out, View gradOut, Pool2dSpec spec, View gradInput) {
        ComposedKernels.pool2dBackward(this, mode, input, out, gradOut, spec, gradInput);
    }

    /**
     * Batch statistics of {@code x} {@code [rows, channels]} over its rows (batch normalization's training
     * pass): {@code mean[c] = Σ_r x[r, c] / rows} and the biased {@code variance[c] = Σ_r (x[r, c] − mean[c])² / rows}
     * (two passes, as Keras's {@code ops.moments}). Shapes: mean, variance {@code [channels]}.
     */
    default void batchNormStatistics(View x, View mean, View variance) {
        ComposedKernels.batchNormStatistics(this, x, mean, variance);
    }

    /**
     * Batch normalization of {@code x} {@code [rows, channels]} with per-channel statistics:
     * {@code y = (x − mean)·a + beta}, {@code a = gamma / sqrt(variance + epsilon)}; a null gamma is 1, a null
     * beta 0. Shapes: y as x; mean, variance, gamma, beta {@code [channels]}.
     */
    default void batchNormApply(View x, View mean, View variance, View gamma, View beta, double epsilon, View y) {
        ComposedKernels.batchNormApply(this, x, mean, variance, gamma, beta, epsilon, y);
    }

    /**
     * Gradients of {@link #batchNormApply} given {@code dy} (x's shape), with {@code invstd = 1 / sqrt(variance + epsilon)},
     * {@code a = gamma·invstd}, {@code xhat = (x − mean)·invstd}, n = rows:
     * <pre>
     *   dbeta = Σ_r dy            dgamma = Σ_r dy·xhat
     *   dx = a·dy − a/n·(dbeta + xhat·dgamma)   when the statistics are the batch's own (batchStatistics)
     *   dx = a·dy                                when they are constants (moving statistics)
     * </pre>
     * Any of dx, dgamma, dbeta may be null (not wanted); a null gamma is 1.
     */
    default void batchNormBackward(View x, View dy, View mean, View variance, View gamma, double epsilon, boolean batchStatistics,
                                   View dx, View dgamma, View dbeta) {
        ComposedKernels.batchNormBackward(this, x, dy, mean, variance, gamma, epsilon, batchStatistics, dx, dgamma, dbeta);
    }

    /**
     * Batch normalization then the rectifier, {@code y = relu(batchNormApply(x, ...))}, as one operation: the values of
     * {@link #batchNormApply} followed by {@link UnaryOp#RELU} (0 where the normalized value is ≤ 0, NaN kept).
     * Shapes as {@link #batchNormApply}.
     */
    default void batchNormApplyRelu(View x, View mean, View variance, View gamma, View beta, double epsilon, View y) {
        batchNormApply(x, mean, variance, gamma, beta, epsilon, y);
        unary(UnaryOp.RELU, 0, 0, y, y);
    }

    /**
     * Gradients of {@link #batchNormApplyRelu} given {@code dy}, the gradient of its output {@code y}: those of
     * {@link #batchNormBackward} for the gradient masked by the rectifier, {@code dy} where y is positive or NaN and 0
     * where {@code y ≤ 0} (as {@link BinaryOp#RELU_GRAD}). Shapes: x, dy, y, dx as x; the rest as batchNormBackward.
     */
    default void batchNormReluBackward(View x, View dy, View y, View mean, View variance, View gamma, double epsilon, boolean batchStatistics,
                                       View dx, View dgamma, View dbeta) {
        ComposedKernels.batchNormReluBackward(this, x, dy, y, mean, variance, gamma, epsilon, batchStatistics, dx, dgamma, dbeta);
    }

    /**
     * Layer normalization of each row of {@code x} {@code [rows, features]} over its features (Keras's
     * LayerNormalization on the last axis, in one operation):
     * <pre>
     *   mean[r] = Σ_c x[r, c] / n      variance[r] = Σ_c (x[r, c] − mean[r])² / n      (biased; n = features)
     *   rstd[r] = 1 / sqrt(variance[r] + epsilon)        inv = gamma[c]·rstd[r]
     *   y[r, c] = (x[r, c] − mean[r])·inv + beta[c]
     * </pre>
     * A null gamma is 1, a null beta 0. mean and rstd are written for {@link #layerNormBackward}.
     * Shapes: y as x; mean, rstd {@code [rows]}; gamma, beta {@code [features]}.
     */
    default void layerNorm(View x, View gamma, View beta, double epsilon, View y, View mean, View rstd) {
        ComposedKernels.layerNorm(this, x, gamma, beta, epsilon, y, mean, rstd);
    }

    /**
     * Gradients of {@link #layerNorm} given {@code dy} (x's shape) and the forward's mean and rstd, with
     * {@code xhat = (x − mean)·rstd} and {@code g = dy·gamma}, sums over the features (Σ_c) or the rows (Σ_r):
     * <pre>
     *   dbeta = Σ_r dy      dgamma = Σ_r dy·xhat      dx = rstd·(g − Σ_c g / n − xhat·Σ_c g·xhat / n)
     * </pre>
     * Any of dx, dgamma, dbeta may be null (not wanted); a null gamma is 1.
     */
    default void layerNormBackward(View x, View dy, View mean, View rstd, View gamma, View dx, View dgamma, View dbeta) {
        ComposedKernels.layerNormBackward(this, x, dy, mean, rstd, gamma, dx, dgamma, dbeta);
    }

    /**
     * One Adam step in place over contiguous views of one shape and type (the optimizer update fused into
     * one pass): {@code m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2); w -= alpha·m / (sqrt(v) + epsilon)}.
     */
    default void adamUpdate(View w, View g, View m, View v, double alpha, double beta1, double beta2, double epsilon) {
        ComposedKernels.adamUpdate(this, w, g, m, v, alpha, beta1, beta2, epsilon);
    }

    /**
     * One SGD step in place over contiguous views of one shape and type, with {@code lrG = g·lr}: without
     * momentum ({@code m} null) {@code w -= lrG}; with it {@code m = m·momentum - lrG}, then
     * {@code w += m}, or with Nesterov {@code w += m·momentum - lrG} (the new {@code m}).
     */
    default void sgdUpdate(View w, View g, View m, double learningRate, double momentum, boolean nesterov) {
        ComposedKernels.sgdUpdate(this, w, g, m, learningRate, momentum, nesterov);
    }

    /**
     * One RMSprop step in place over contiguous views of one shape and type:
     * {@code v = v·rho + g²·(1 - rho)}; centered ({@code a} not null) {@code a = a·rho + g·(1 - rho)} and
     * {@code d = v - a²}, otherwise {@code d = v}; {@code increment = g·lr / sqrt(d + epsilon)}; with momentum
     * ({@code m} not null) {@code m = m·momentum + increment; w -= m}, otherwise {@code w -= increment}.
     */
    default void rmspropUpdate(View w, View g, View v, View a, View m, double learningRate, double rho, double momentum, double epsilon) {
        ComposedKernels.rmspropUpdate(this, w, g, v, a, m, learningRate, rho, momentum, epsilon);
    }

    /**
     * One Adagrad step in place over contiguous views of one shape and type:
     * {@code acc += g²; w -= g·lr / sqrt(acc + epsilon)}.
     */
    default void adagradUpdate(View w, View g, View acc, double learningRate, double epsilon) {
        ComposedKernels.adagradUpdate(this, w, g, acc, learningRate, epsilon);
    }

    /**
     * Scaled dot-product attention, per batch b and head h:
     * <pre>
     *   s[i, j] = (q[i]·scale)·k[j] + (1 − keep[i, j])·(−1e9)     keep = mask[i, j] · (causal ? [j ≤ i + Tk − Tq] : 1)
     *   out[i]  = Σ_j softmax_j(s[i, ·])·v[j]                       logsumexp[i] = log Σ_j exp(s[i, j])
     * </pre>
     * The bias is Keras's for a masked softmax, so a row whose keys are all masked gets a (near) uniform
     * softmax over its −1e9-biased scores, never NaN. Causal masking is aligned bottom-right: the last
     * query sees every key (with Tq = Tk, the lower triangle). The default composes the primitives and
     * materialises the {@code Tq × Tk} scores; a backend may override it with a kernel that does not.
     *
     * <p>Shapes: q {@code [B, H, Tq, D]}, k {@code [B, H, Tk, D]}, v {@code [B, H, Tk, Dv]}, any strides;
     * mask null (all 1) or {@code [B, H, Tq, Tk]} broadcast through zero strides; out {@code [B, H, Tq, Dv]};
     * logsumexp null (not wanted) or {@code [B, H, Tq]}, what {@link #attentionBackward} needs.
     */
    default void attention(View q, View k, View v, View mask, boolean causal, double scale, View out, View logsumexp) {
        ComposedAttention.forward(this, q, k, v, mask, causal, scale, out, logsumexp);
    }

    /**
     * Gradients of {@link #attention} given {@code gradOut} (out's shape), from the forward's {@code out}
     * and {@code logsumexp} (the scores are recomputed, not stored), with P = exp(s − logsumexp):
     * <pre>
     *   dv = Pᵀ·gradOut     dS = P∘(gradOut·vᵀ − D),  D[i] = Σ_e gradOut[i, e]·out[i, e]
     *   dq = scale·dS·k     dk = dSᵀ·(q·scale)
     * </pre>
     * Any of dq, dk, dv may be null (not wanted); the mask gets no gradient. Shapes as {@link #attention}.
     */
    default void attentionBackward(View q, View k, View v, View mask, boolean causal, double scale, View out, View logsumexp,
                                   View gradOut, View dq, View dk, View dv) {
        ComposedAttention.backward(this, q, k, v, mask, causal, scale, out, logsumexp, gradOut, dq, dk, dv);
    }

    /**
     * The int8 × int8 → int32 matrix product of quantized layers ({@link Int8Gemm}): the scalar
     * {@link Int8Gemm#REFERENCE} by default; a backend returns a faster one that gives the same integers.
     */
    default Int8Gemm int8Gemm() {
        return Int8Gemm.REFERENCE;
    }

    /**
     * The float32 × bfloat16 → float32 matrix product of bf16-weight layers ({@link Bf16Gemm}): the scalar
     * {@link Bf16Gemm#REFERENCE} by default; a backend returns a faster one that gives the same floats.
     */
    default Bf16Gemm bf16Gemm() {
        return Bf16Gemm.REFERENCE;
    }

    // ---- optional capabilities ----

    /**
     * The fused recurrence (SimpleRNN, LSTM, GRU steps with a hand-written backward through time) for
     * tensors of {@code dtype}, or null when this backend does not offer one; recurrent layers then
     * compose the steps from tensor operations.
     */
    default RecurrenceKernel recurrence(DType dtype) {
        return null;
    }
}
