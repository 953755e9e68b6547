package dev.myelin.backend.cpu;

import dev.myelin.backend.Bf16Gemm;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Conv2dSpec;
import dev.myelin.backend.DType;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.GemmLayout;
import dev.myelin.backend.Int8Gemm;
import dev.myelin.backend.Pool2dSpec;
import dev.myelin.backend.PoolMode;
import dev.myelin.backend.RecurrenceKernel;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;
import java.util.function.Supplier;

/**
 * The CPU backend: Vector API kernels for float32, multithreaded on {@link Parallel}'s pool. Element
 * types and layouts it does not specialize fall back to the {@link ReferenceBackend} it extends.
 */
public class CpuBackend extends ReferenceBackend {
    private final RecurrenceKernel recurrence = new CpuRecurrence(this);
    private final Int8Gemm int8Gemm = new Int8GemmKernel();
    private final Bf16Gemm bf16Gemm = new Bf16GemmKernel();

    @Override
    public String name() {
        return "cpu-vector";
    }

    /** Usable when the JVM has the Vector API module; the reference has priority 0. */
    @Override
    public String unavailableReason() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? null
                : "the Vector API is not available: start the JVM with --add-modules jdk.incubator.vector";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public int threads() {
        return Parallel.threads();
    }

    @Override
    public void setThreads(int n) {
        Parallel.setThreads(n);
    }

    @Override
    public <T> T onCallerThread(Supplier<T> work) {
        return Parallel.onCallerThread(work);
    }

    @Override
    public RecurrenceKernel recurrence(DType dtype) {
        return dtype == DType.FLOAT32 ? recurrence : null;
    }

    @Override
    public Int8Gemm int8Gemm() {
        return int8Gemm;
    }

    @Override
    public Bf16Gemm bf16Gemm() {
        return bf16Gemm;
    }

    // ---- element-wise, reductions, softmax: float32 Vector API kernels, the reference otherwise ----

    private static boolean allFloat32(View... views) {
        for (View v : views) {
            if (v.dtype() != DType.FLOAT32) return false;
        }
        return true;
    }

    @Override
    public void copy(View src, View dst) {
        if (allFloat32(src, dst)) ElementwiseKernels.copy(src, dst);
        else super.copy(src, dst);
    }

    @Override
    public void fill(View dst, double value) {
        if (allFloat32(dst)) ElementwiseKernels.fill(dst, value);
        else super.fill(dst, value);
    }

    @Override
    public void unary(UnaryOp op, double p, double q, View x, View out) {
        if (allFloat32(x, out)) ElementwiseKernels.unary(op, p, q, x, out);
        else super.unary(op, p, q, x, out);
    }

    @Override
    public void binary(BinaryOp op, View a, View b, View out) {
        if (allFloat32(a, b, out)) ElementwiseKernels.binary(op, a, b, out);
        else super.binary(op, a, b, out);
    }

    @Override
    public void where(View cond, View a, View b, View out) {
        if (allFloat32(cond, a, b, out)) ElementwiseKernels.where(cond, a, b, out);
        else super.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, View x, View out) {
        if (!allFloat32(x, out) || !ReductionKernels.reduce(op, x, out)) super.reduce(op, x, out);
    }

    @Override
    public void argReduce(ReduceOp op, View x, int axis, View out) {
        if (allFloat32(x, out) && x.shape()[axis] > 0) ReductionKernels.argReduce(op, x, axis, out);
        else super.argReduce(op, x, axis, out);
    }

    @Override
    public void softmax(View x, View out, boolean log) {
        if (allFloat32(x, out) && x.rank() > 0) SoftmaxKernels.softmax(x, out, log);
        else super.softmax(x, out, log);
    }

    @Override
    public boolean sparseSoftmaxCrossEntropy(View x, int[] classes, View picked, View stats) {
        if (!allFloat32(x, picked, stats) || !x.isContiguous() || !picked.isContiguous() || !stats.isContiguous()) return false;
        SoftmaxKernels.sparseCrossEntropy(x, classes, picked, stats);
        return true;
    }

    @Override
    public boolean softmaxWithStatistics(View x, View out, View stats) {
        if (!allFloat32(x, out, stats) || !x.isContiguous() || !out.isContiguous() || !stats.isContiguous()) return false;
        SoftmaxKernels.softmaxWithStatistics(x, out, stats);
        return true;
    }

    @Override
    public boolean sparseSoftmaxCrossEntropyGradient(View x, int[] classes, View stats, double s, View dx) {
        if (!allFloat32(x, stats, dx) || !x.isContiguous() || !stats.isContiguous() || !dx.isContiguous()) return false;
        SoftmaxKernels.sparseCrossEntropyGradient(x, classes, stats, (float) s, dx);
        return true;
    }

    // ---- end of element-wise, reductions, softmax ----

    @Override
    public void matmul(View a, View b, View out) {
        if (a.dtype() != DType.FLOAT32 || b.dtype() != DType.FLOAT32 || out.dtype() != DType.FLOAT32) {
            super.matmul(a, b, out);
            return;
        }
        GemmLayout la = GemmLayout.of(a);
        GemmLayout lb = GemmLayout.of(b);
        // empty products (m, n or k = 0) are not SGEMM's shapes: the reference writes the zeros, if any
        if (la == null || lb == null || out.strides()[2] != 1 || out.size() == 0 || a.shape()[2] == 0) {
            super.matmul(a, b, out);
            return;
        }
        int batch = out.shape()[0], m = out.shape()[1], n = out.shape()[2], k = a.shape()[2];
        float[] ad = ((FloatStorage) a.storage()).data(), bd = ((FloatStorage) b.storage()).data();
        float[] c = ((FloatStorage) out.storage()).data();
        for (int bi = 0; bi < batch; bi++) {
            Sgemm.sgemm(la.transposed(), lb.transposed(), m, n, k,
                    ad, a.offset() + bi * a.strides()[0], la.ld(),
                    bd, b.offset() + bi * b.strides()[0], lb.ld(),
                    c, out.offset() + bi * out.strides()[0], out.strides()[1], false);
        }
    }

    /**
     * One SGEMM whose blocks get their bias and rectifier ({@link Epilogue}) as soon as they are final, while in cache;
     * another activation (tanh) then runs as the element-wise kernel in place, with its values.
     */
    @Override
    public void matmulBias(View a, View b, View bias, UnaryOp activation, View out) {
        GemmLayout la = allFloat32(a, b, out) ? GemmLayout.of(a) : null;
        GemmLayout lb = la == null ? null : GemmLayout.of(b);
        boolean biasOk = bias == null || bias.dtype() == DType.FLOAT32 && bias.strides()[0] == 1;
        if (lb == null || !biasOk || out.shape()[0] != 1 || out.strides()[2] != 1 || out.size() == 0 || a.shape()[2] == 0) {
            super.matmulBias(a, b, bias, activation, out);
            return;
        }
        int m = out.shape()[1], n = out.shape()[2], k = a.shape()[2];
        boolean relu = activation == UnaryOp.RELU;
        Epilogue epilogue = Epilogue.of(bias == null ? null : ((FloatStorage) bias.storage()).data(), bias == null ? 0 : bias.offset(), relu);
        Sgemm.sgemm(la.transposed(), lb.transposed(), m, n, k,
                ((FloatStorage) a.storage()).data(), a.offset(), la.ld(),
                ((FloatStorage) b.storage()).data(), b.offset(), lb.ld(),
                ((FloatStorage) out.storage()).data(), out.offset(), out.strides()[1], epilogue);
        if (activation != null && !relu) unary(activation, 0, 0, out, out);
    }

    // ---- gather and scatter-add along an axis: float32, rows of one stride (IndexKernels) ----

    @Override
    public void indexSelect(View x, int axis, int[] indices, View out) {
        if (IndexKernels.supports(x, axis, out)) IndexKernels.select(x, axis, indices, out);
        else super.indexSelect(x, axis, indices, out);
    }

    @Override
    public void indexAdd(View src, int axis, int[] indices, View dst) {
        if (IndexKernels.supports(src, axis, dst)) IndexKernels.add(src, axis, indices, dst);
        else super.indexAdd(src, axis, indices, dst);
    }

    // ---- convolution and pooling: float32, contiguous views (Conv2dKernels, Pool2dKernels) ----

    @Override
    public void conv2d(View input, View kernel, Conv2dSpec spec, View out) {
        if (Conv2dKernels.supports(input, kernel, out)) Conv2dKernels.forward(input, kernel, spec, out);
        else super.conv2d(input, kernel, spec, out);
    }

    @Override
    public void conv2dBias(View input, View kernel, View bias, Conv2dSpec spec, View out) {
        if (Conv2dKernels.supports(input, kernel, out) && Conv2dKernels.supportsBias(bias, kernel)) {
            Conv2dKernels.forward(input, kernel, bias, spec, out);
        } else {
            super.conv2dBias(input, kernel, bias, spec, out);
        }
    }

    @Override
    public void conv2dBiasRelu(View input, View kernel, View bias, Conv2dSpec spec, View out) {
        if (Conv2dKernels.supports(input, kernel, out) && Conv2dKernels.supportsBias(bias, kernel)) {
            Conv2dKernels.forward(input, kernel, bias, spec, true, out);
        } else {
            super.conv2dBiasRelu(input, kernel, bias, spec, out);
        }
    }

    @Override
    public void conv2dBackwardInput(View gradOut, View kernel, Conv2dSpec spec, View gradInput) {
        if (Conv2dKernels.supports(gradInput, kernel, gradOut)) {
            Conv2dKernels.backwardInput(gradOut, kernel, spec, gradInput);
        } else {
            super.conv2dBackwardInput(gradOut, kernel, spec, gradInput);
        }
    }

    @Override
    public void conv2dBackwardKernel(View input, View gradOut, Conv2dSpec spec, View gradKernel) {
        if (Conv2dKernels.supports(input, gradKernel, gradOut)) {
            Conv2dKernels.backwardKernel(input, gradOut, spec, gradKernel);
        } else {
            super.conv2dBackwardKernel(input, gradOut, spec, gradKernel);
        }
    }

    @Override
    public void pool2d(PoolMode mode, View input, Pool2dSpec spec, View out) {
        if (Pool2dKernels.supports(input, out)) Pool2dKernels.forward(mode, input, spec, out);
        else super.pool2d(mode, input, spec, out);
    }

    @Override
    public void pool2dBackward(PoolMode mode, View input, View out, View gradOut, Pool2dSpec spec, View gradInput) {
        if (Pool2dKernels.supports(input, out, gradOut, gradInput)) {
            Pool2dKernels.backward(mode, input, out, gradOut, spec, gradInput);
        } else {
            super.pool2dBackward(mode, input, out, gradOut, spec, gradInput);
        }
    }

    // ---- attention: float32 (AttentionKernels, memory linear in the sequence length) ----

    @Override
    public void attention(View q, View k, View v, View mask, boolean causal, double scale, View out, View logsumexp) {
        if (AttentionKernels.supports(q, k, v, mask, out, logsumexp)) AttentionKernels.forward(q, k, v, mask, causal, scale, out, logsumexp);
        else super.attention(q, k, v, mask, causal, scale, out, logsumexp);
    }

    @Override
    public void attentionBackward(View q, View k, View v, View mask, boolean causal, double scale, View out, View logsumexp,
                                  View gradOut, View dq, View dk, View dv) {
        if (gradOut.dtype() == DType.FLOAT32 && AttentionKernels.supports(q, k, v, mask, out, logsumexp, dq, dk, dv)) {
            AttentionKernels.backward(q, k, v, mask, causal, scale, out, logsumexp, gradOut, dq, dk, dv);
        } else {
            super.attentionBackward(q, k, v, mask, causal, scale, out, logsumexp, gradOut, dq, dk, dv);
        }
    }

    // ---- batch normalization: float32, contiguous [rows, channels] (BatchNormKernels) ----

    @Override
    public void batchNormStatistics(View x, View mean, View variance) {
        if (BatchNormKernels.supports(x)) BatchNormKernels.statistics(x, mean, variance);
        else super.batchNormStatistics(x, mean, variance);
    }

    @Override
    public void batchNormApply(View x, View mean, View variance, View gamma, View beta, double epsilon, View y) {
        if (BatchNormKernels.supports(x, y)) BatchNormKernels.apply(x, mean, variance, gamma, beta, epsilon, false, y);
        else super.batchNormApply(x, mean, variance, gamma, beta, epsilon, y);
    }

    @Override
    public void batchNormApplyRelu(View x, View mean, View variance, View gamma, View beta, double epsilon, View y) {
        if (BatchNormKernels.supports(x, y)) BatchNormKernels.apply(x, mean, variance, gamma, beta, epsilon, true, y);
        else super.batchNormApplyRelu(x, mean, variance, gamma, beta, epsilon, y);
    }

    @Override
    public void batchNormBackward(View x, View dy, View mean, View variance, View gamma, double epsilon, boolean batchStatistics,
                                  View dx, View dgamma, View dbeta) {
        if (BatchNormKernels.supports(x, dy, dx)) {
            BatchNormKernels.backward(x, dy, null, mean, variance, gamma, epsilon, batchStatistics, dx, dgamma, dbeta);
        } else {
            super.batchNormBackward(x, dy, mean, variance, gamma, epsilon, batchStatistics, dx, dgamma, dbeta);
        }
    }

    @Override
    public void batchNormReluBackward(View x, View dy, View y, View mean, View variance, View gamma, double epsilon, boolean batchStatistics,
                                      View dx, View dgamma, View dbeta) {
        if (BatchNormKernels.supports(x, dy, y, dx)) {
            BatchNormKernels.backward(x, dy, y, mean, variance, gamma, epsilon, batchStatistics, dx, dgamma, dbeta);
        } else {
            super.batchNormReluBackward(x, dy, y, mean, variance, gamma, epsilon, batchStatistics, dx, dgamma, dbeta);
        }
    }

    // ---- layer normalization: float32, contiguous [rows, features] (LayerNormKernels) ----

    @Override
    public void layerNorm(View x, View gamma, View beta, double epsilon, View y, View mean, View rstd) {
        if (LayerNormKernels.supports(x, y)) LayerNormKernels.forward(x, gamma, beta, epsilon, y, mean, rstd);
        else super.layerNorm(x, gamma, beta, epsilon, y, mean, rstd);
    }

    @Override
    public void layerNormBackward(View x, View dy, View mean, View rstd, View gamma, View dx, View dgamma, View dbeta) {
        if (LayerNormKernels.supports(x, dy, dx)) LayerNormKernels.backward(x, dy, mean, rstd, gamma, dx, dgamma, dbeta);
        else super.layerNormBackward(x, dy, mean, rstd, gamma, dx, dgamma, dbeta);
    }

    @Override
    public void adamUpdate(View w, View g, View m, View v, double alpha, double beta1, double beta2, double epsilon) {
        if (!allFloat32(w, g, m, v)) {
            super.adamUpdate(w, g, m, v, alpha, beta1, beta2, epsilon);
            return;
        }
        OptimizerKernels.adam(((FloatStorage) w.storage()).data(), w.offset(), ((FloatStorage) g.storage()).data(), g.offset(),
                ((FloatStorage) m.storage()).data(), m.offset(), ((FloatStorage) v.storage()).data(), v.offset(), w.size(),
                (float) alpha, (float) (1 - beta1), (float) (1 - beta2), (float) epsilon);
    }

    // The other updates: float32 views (a slot may be absent: null) to OptimizerKernels, the composed default otherwise.

    @Override
    public void sgdUpdate(View w, View g, View m, double learningRate, double momentum, boolean nesterov) {
        if (!float32OrAbsent(w, g, m)) {
            super.sgdUpdate(w, g, m, learningRate, momentum, nesterov);
            return;
        }
        OptimizerKernels.sgd(data(w), w.offset(), data(g), g.offset(), data(m), offset(m), w.size(),
                (float) learningRate, (float) momentum, nesterov);
    }

    @Override
    public void rmspropUpdate(View w, View g, View v, View a, View m, double learningRate, double rho, double momentum, double epsilon) {
        if (!float32OrAbsent(w, g, v, a, m)) {
            super.rmspropUpdate(w, g, v, a, m, learningRate, rho, momentum, epsilon);
            return;
        }
        OptimizerKernels.rmsprop(data(w), w.offset(), data(g), g.offset(), data(v), v.offset(), data(a), offset(a), data(m), offset(m),
                w.size(), (float) learningRate, (float) rho, (float) (1 - rho), (float) momentum, (float) epsilon);
    }

    @Override
    public void adagradUpdate(View w, View g, View acc, double learningRate, double epsilon) {
        if (!allFloat32(w, g, acc)) {
            super.adagradUpdate(w, g, acc, learningRate, epsilon);
            return;
        }
        OptimizerKernels.adagrad(data(w), w.offset(), data(g), g.offset(), data(acc), acc.offset(), w.size(), (float) learningRate, (float) epsilon);
    }

    private static boolean float32OrAbsent(View... views) {
        for (View v : views) {
            if (v != null && v.dtype() != DType.FLOAT32) return false;
        }
        return true;
    }

    /** The float32 array under {@code v}, or null for an absent slot. */
    private static float[] data(View v) {
        return v == null ? null : ((FloatStorage) v.storage()).data();
    }

    private static int offset(View v) {
        return v == null ? 0 : v.offset();
    }
}
