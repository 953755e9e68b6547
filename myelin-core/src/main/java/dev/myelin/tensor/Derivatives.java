package dev.myelin.tensor;

import dev.myelin.autograd.GradMode;
import dev.myelin.backend.Conv2dSpec;
import dev.myelin.backend.DType;
import dev.myelin.backend.Pool2dSpec;
import dev.myelin.backend.PoolMode;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;
import java.util.Arrays;

/**
 * Every primitive's gradient rule, in one place. Each method returns the {@link Backward} that
 * {@link Tensor} attaches to an operation's result: given {@code g}, the gradient of
 * the loss with respect to that result, it returns the gradients with respect to the inputs, written
 * with ordinary tensor operations (which run unrecorded during backward). Broadcast inputs get their
 * gradient summed back to their own shape with {@link Tensor#sumTo}.
 */
final class Derivatives {
    private Derivatives() {}

    private static Tensor[] grads(Tensor... g) {
        return g;
    }

    // ---- movement ----

    static Backward identity() {
        return g -> grads(g);
    }

    static Backward reshape(Shape inputShape) {
        return g -> grads(g.reshape(inputShape));
    }

    /** permute(order): the gradient is permuted back by the inverse order. */
    static Backward permute(int[] order) {
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) inverse[order[i]] = i;
        return g -> grads(g.permute(inverse));
    }

    /** slice: the gradient lands in the sliced positions of a zero tensor of the input's shape. */
    static Backward slice(Shape inputShape, DType dtype, int axis, int start, int step) {
        return g -> {
            Tensor z = Tensor.allocate(g.backend(), dtype, inputShape);
            z.slice(axis, start, start + g.dim(axis) * step, step).assign(g);
            return grads(z);
        };
    }

    static Backward expand(Shape inputShape) {
        return g -> grads(g.sumTo(inputShape));
    }

    static Backward cast(DType inputType) {
        return g -> grads(g.to(inputType));
    }

    /** pad: the gradient is the unpadded interior. */
    static Backward pad(Shape inputShape, int[][] widths) {
        return g -> {
            Tensor inner = g;
            for (int i = 0; i < widths.length; i++) inner = inner.slice(i, widths[i][0], widths[i][0] + inputShape.dim(i));
            return grads(inner);
        };
    }

    /** concat: each input gets its slice of the gradient. */
    static Backward concat(int axis, int[] sizes) {
        return g -> {
            Tensor[] out = new Tensor[sizes.length];
            int pos = 0;
            for (int i = 0; i < sizes.length; i++) {
                out[i] = g.slice(axis, pos, pos + sizes[i]);
                pos += sizes[i];
            }
            return out;
        };
    }

    /** indexSelect: gradients of repeated picks add up at their source entry (scatter-add). */
    static Backward indexSelect(Shape inputShape, int axis, int[] indices) {
        return g -> {
            // scattered into one zero tensor in place: indexAdd would first copy the zeros (an embedding table's size)
            Tensor z = g.newZeros(inputShape);
            g.backend().indexAdd(g.view(), axis, indices, z.view());
            return grads(z);
        };
    }

    /** indexAdd(x, indices, source): x gets g; source gets g picked at the indices. */
    static Backward indexAdd(int axis, int[] indices) {
        return g -> grads(g, g.indexSelect(axis, indices));
    }

    // ---- element-wise ----

    static Backward add(Shape a, Shape b) {
        return g -> grads(g.sumTo(a), g.sumTo(b));
    }

    static Backward sub(Shape a, Shape b) {
        return g -> grads(g.sumTo(a), g.neg().sumTo(b));
    }

    /** d(ab) = b·da + a·db. */
    static Backward mul(Tensor a, Tensor b) {
        return g -> grads(g.mul(b).sumTo(a.shape()), g.mul(a).sumTo(b.shape()));
    }

    /** d(a/b) = da/b − a·db/b². */
    static Backward div(Tensor a, Tensor b) {
        return g -> grads(g.div(b).sumTo(a.shape()), g.mul(a).div(b.square()).neg().sumTo(b.shape()));
    }

    /** d(a^b) = b·a^(b−1)·da + a^b·ln(a)·db. */
    static Backward pow(Tensor a, Tensor b, Tensor y) {
        return g -> grads(g.mul(b).mul(a.pow(b.sub(1.0))).sumTo(a.shape()), g.mul(y).mul(a.log()).sumTo(b.shape()));
    }

    static Backward powScalar(Tensor x, double p) {
        return g -> grads(g.mul(x.pow(p - 1).mul(p)));
    }

    /** reluGrad(a, b) is linear in a with a mask fixed by b: the same mask for da, nothing for b. */
    static Backward reluGrad(Tensor a, Tensor b) {
        return g -> grads(g.reluGrad(b).sumTo(a.shape()), Tensor.zerosLike(b));
    }

    /** The winner takes the gradient; ties split it evenly. */
    static Backward maximum(Tensor a, Tensor b) {
        return g -> {
            Tensor wa = a.gt(b).add(a.eq(b).mul(0.5));
            return grads(g.mul(wa).sumTo(a.shape()), g.mul(wa.neg().add(1.0)).sumTo(b.shape()));
        };
    }

    static Backward minimum(Tensor a, Tensor b) {
        return g -> {
            Tensor wa = a.lt(b).add(a.eq(b).mul(0.5));
            return grads(g.mul(wa).sumTo(a.shape()), g.mul(wa.neg().add(1.0)).sumTo(b.shape()));
        };
    }

    static Backward where(Tensor cond, Shape a, Shape b) {
        return g -> {
            Tensor zero = Tensor.zerosLike(g);
            return grads(Tensor.where(cond, g, zero).sumTo(a), Tensor.where(cond, zero, g).sumTo(b));
        };
    }

    /** Rules of the unary kernels; {@code y} is the op's output. */
    static Backward unary(UnaryOp op, double p, double q, Tensor x, Tensor y) {
        return g -> grads(switch (op) {
            case NEG -> g.neg();
            case EXP -> g.mul(y);
            case LOG -> g.div(x);
            case LOG1P -> g.div(x.add(1.0));
            case SQRT -> g.div(y).mul(0.5);                         // 1 / (2√x)
            case RSQRT -> g.mul(y.pow(3)).mul(-0.5);                // −x^(−3/2) / 2
            case ABS -> g.mul(x.sign());
            case SIGN -> Tensor.zerosLike(g);
            case SQUARE -> g.mul(x).mul(2.0);
            case RECIPROCAL -> g.mul(y.square()).neg();
            case RELU -> g.reluGrad(x);
            case LEAKY_RELU -> g.mul(Tensor.where(x.gt(0), Tensor.onesLike(x), x.scalarLike(p)));
            case ELU -> g.mul(Tensor.where(x.gt(0), Tensor.onesLike(x), y.add(p)));  // α·eˣ = y + α
            case GELU -> g.mul(x.map(UnaryOp.GELU_DERIVATIVE, 0, 0));
            case GELU_TANH -> g.mul(x.map(UnaryOp.GELU_TANH_DERIVATIVE, 0, 0));
            case SIGMOID -> g.mul(y).mul(y.neg().add(1.0));          // σ(1 − σ)
            case SOFTPLUS -> g.mul(x.sigmoid());
            case TANH -> g.mul(y.square().neg().add(1.0));           // 1 − tanh²
            case CLAMP -> g.mul(x.map(UnaryOp.INSIDE, p, q));
            case POW_SCALAR, GELU_DERIVATIVE, GELU_TANH_DERIVATIVE, INSIDE ->
                    throw new UnsupportedOperationException("no gradient rule for " + op);
        });
    }

    // ---- reductions ----

    /** sum: the gradient is broadcast back over the reduced axes ({@code g} has them with size 1). */
    static Backward sum(Shape inputShape) {
        return g -> grads(g.expand(inputShape));
    }

    /** max / min: shared evenly among the elements equal to the extremum (as PyTorch's amax). */
    static Backward extremum(Tensor x, Tensor y) {
        return g -> {
            Tensor mask = x.eq(y);
            int[] axes = reducedAxes(x.shape(), y.shape());
            Tensor count = axes.length == 0 ? mask : mask.sum(axes, true);
            return grads(mask.mul(g.div(count)));
        };
    }

    private static int[] reducedAxes(Shape full, Shape kept) {
        int[] axes = new int[full.rank()];
        int n = 0;
        for (int i = 0; i < full.rank(); i++) if (kept.dim(i) == 1 && full.dim(i) != 1) axes[n++] = i;
        return Arrays.copyOf(axes, n);
    }

    /**
     * softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − softmax·Σ g (sums over the last axis).
     */
    static Backward softmax(Tensor y, boolean log) {
        return g -> {
            if (log) return grads(g.sub(y.exp().mul(g.sum(new int[] {-1}, true))));
            return grads(y.mul(g.sub(g.mul(y).sum(new int[] {-1}, true))));
        };
    }

    /**
     * loss = −(Σ_i ls[i, k_i]) / n ({@link Tensor#sparseSoftmaxCrossEntropy}, ls the saved log-softmax, {@code flat}
     * the picked positions): dx = −(exp(ls)·s) + onehot·s with s = (−g) / n, the same roundings as the
     * log-softmax, pick, mean and negation it replaces (Σ over a row of onehot·s is s exactly).
     */
    static Backward sparseSoftmaxCrossEntropy(Tensor logSoftmax, int[] flat) {
        return g -> {
            int n = flat.length;
            Tensor s = g.neg().div(n);
            Tensor dx = logSoftmax.exp().mul(s).neg();   // a fresh contiguous tensor: the picks are added in place
            View d = dx.view();
            View flatDx = new View(d.storage(), new int[] {dx.size()}, new int[] {1}, d.offset());
            g.backend().indexAdd(s.expand(n).contiguous().view(), 0, flat, flatDx);
            return grads(dx);
        };
    }

    /**
     * The same loss from a backend's fused kernel ({@link dev.myelin.backend.Backend#sparseSoftmaxCrossEntropy}, which
     * kept the row statistics {@code stats} instead of the log-softmax): dx = −(exp((x − m) − lse)·s) + onehot·s with
     * s = (−g) / n in one pass over the saved logits {@code x}, the roundings of the rule above.
     */
    static Backward sparseSoftmaxCrossEntropy(Tensor x, int[] classes, Tensor stats) {
        return g -> {
            double s = g.neg().div(classes.length).item();
            Tensor dx = Tensor.allocate(x.backend(), x.dtype(), x.shape(), false); // the kernel writes every element
            if (!x.backend().sparseSoftmaxCrossEntropyGradient(x.matrixView(), classes, stats.view(), s, dx.matrixView())) {
                throw new IllegalStateException("the backend computed sparse softmax cross-entropy fused but has no fused gradient for it");
            }
            return grads(dx);
        };
    }

    /**
     * out = softmax(q·kᵀ·scale + bias)·v ({@link Tensor#scaledDotProductAttention}): with P recomputed from
     * the saved per-row logsumexp, dv = Pᵀ·g, dS = P∘(g·vᵀ − rowsum(g∘out)), dq = scale·dS·k, dk = dSᵀ·(q·scale)
     * ({@link dev.myelin.backend.Backend#attentionBackward}). Only the gradients the graph needs are computed;
     * the mask is a constant.
     */
    static Backward attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor logsumexp) {
        return new Selective(3) {
            @Override
            public Tensor[] apply(Tensor g, boolean[] needed) {
                return Tensor.attentionBackward(q, k, v, mask, causal, scale, out, logsumexp, g, needed);
            }
        };
    }

    /** {@link Tensor#packedSelfAttention}: the gradient of its one input, the packed q, k and v. */
    static Backward packedSelfAttention(Tensor qkv, int heads, int keyDim, Tensor mask, boolean causal, double scale, Tensor out, Tensor logsumexp) {
        return g -> grads(Tensor.packedSelfAttentionBackward(qkv, heads, keyDim, mask, causal, scale, out, logsumexp, g));
    }

    // ---- normalization ----

    /**
     * Batch normalization over the last axis of {@code x} with per-feature mean and variance (the batch's own
     * when {@code batchStatistics}, else constants): inputs x, then gamma and beta when present; the fused
     * backward of {@link dev.myelin.backend.Backend#batchNormBackward} computes only the wanted gradients:
     * dbeta = Σ dy, dgamma = Σ dy·xhat, dx = a·dy − a/n·(dbeta + xhat·dgamma) (batch) or a·dy (constants),
     * with xhat = (x − mean)·invstd and a = gamma·invstd. With {@code reluOut} (the output of the rectified op), dy is
     * first masked by it as {@link #reluGrad} would (in the same pass, {@link dev.myelin.backend.Backend#batchNormReluBackward}).
     */
    static Backward batchNorm(Tensor x, Tensor mean, Tensor variance, Tensor gamma, boolean hasBeta, double epsilon, boolean batchStatistics,
                              Tensor reluOut) {
        int count = 1 + (gamma != null ? 1 : 0) + (hasBeta ? 1 : 0);
        int gammaAt = gamma != null ? 1 : -1, betaAt = hasBeta ? count - 1 : -1;
        return new Selective(count) {
            @Override
            public Tensor[] apply(Tensor g, boolean[] needed) {
                Tensor[] d = Tensor.batchNormBackward(x, g, reluOut, mean, variance, gamma, epsilon, batchStatistics,
                        needed[0], gammaAt >= 0 && needed[gammaAt], betaAt >= 0 && needed[betaAt]);
                Tensor[] out = new Tensor[count];
                out[0] = d[0];
                if (gammaAt >= 0) out[gammaAt] = d[1];
                if (betaAt >= 0) out[betaAt] = d[2];
                return out;
            }
        };
    }

    /**
     * y = layerNorm(x, gamma, beta) over the last axis, with the forward's per-row mean and rstd; the fused
     * backward of {@link dev.myelin.backend.Backend#layerNormBackward} computes only the wanted gradients:
     * dbeta = Σ_rows dy, dgamma = Σ_rows dy·xhat, dx = rstd·(g − mean_c(g) − xhat·mean_c(g·xhat)) with
     * xhat = (x − mean)·rstd and g = dy·gamma.
     */
    static Backward layerNorm(Tensor x, Tensor mean, Tensor rstd, Tensor gamma, boolean hasBeta) {
        int count = 1 + (gamma != null ? 1 : 0) + (hasBeta ? 1 : 0);
        int gammaAt = gamma != null ? 1 : -1, betaAt = hasBeta ? count - 1 : -1;
        return new Selective(count) {
            @Override
            public Tensor[] apply(Tensor g, boolean[] needed) {
                Tensor[] d = Tensor.layerNormBackward(x, g, mean, rstd, gamma,
                        needed[0], gammaAt >= 0 && needed[gammaAt], betaAt >= 0 && needed[betaAt]);
                Tensor[] out = new Tensor[count];
                out[0] = d[0];
                if (gammaAt >= 0) out[gammaAt] = d[1];
                if (betaAt >= 0) out[betaAt] = d[2];
                return out;
            }
        };
    }

    // ---- linear algebra, convolution, pooling ----

    /**
     * y = conv2d(x, K): dx = conv2dBackwardInput(g, K), dK = conv2dBackwardKernel(x, g). Only the gradients
     * the graph needs are computed: a first layer's input (data, no gradient) skips dx.
     */
    static Backward conv2d(Tensor x, Tensor kernel, Conv2dSpec spec) {
        return new Selective() {
            @Override
            public Tensor[] apply(Tensor g, boolean[] needed) {
                Tensor gc = needed[0] && needed[1] ? g.contiguousRaw() : g;   // one copy of a strided g, not two
                Tensor dx = needed[0] ? Tensor.conv2dBackwardInput(gc, kernel, x.shape(), spec) : null;
                Tensor dk = needed[1] ? Tensor.conv2dBackwardKernel(x, gc, kernel.shape(), spec) : null;
                if (gc != g) BufferPool.recycleScratch(gc, dx, dk); // the copy is this rule's scratch, read by both
                return grads(dx, dk);
            }
        };
    }

    /**
     * y = conv2d(x, K) + b (b along the last axis): dx and dK as {@link #conv2d}, db = g summed over all
     * axes but the last (the rule of the add it fuses). Only the gradients the graph needs are computed.
     */
    static Backward conv2dBias(Tensor x, Tensor kernel, Shape biasShape, Conv2dSpec spec) {
        return new Selective(3) {
            @Override
            public Tensor[] apply(Tensor g, boolean[] needed) {
                // One copy of a strided g for all the gradients that read it, the bias's sum included: summing a
                // broadcast g (a loss's sum() gives one) in place goes element by element through an index
                // gather, which took longer than the copy and a contiguous sum together (B32 28x28x32 -> 64 1x1:
                // 18% of forward + backward in a JFR profile).
                int readers = (needed[0] ? 1 : 0) + (needed[1] ? 1 : 0) + (needed[2] ? 1 : 0);
                // The copy is this rule's scratch: once every gradient has read it, its array goes back to the pool
                // (B128 14x14x64 -> 128 1x1: 12.8 MB, a fresh allocation every step before).
                Tensor gc = readers > 1 ? g.contiguousRaw() : g;
                Tensor dx = needed[0] ? Tensor.conv2dBackwardInput(gc, kernel, x.shape(), spec) : null;
                Tensor dk = needed[1] ? Tensor.conv2dBackwardKernel(x, gc, kernel.shape(), spec) : null;
                Tensor db = needed[2] ? gc.sumTo(biasShape) : null;
                if (gc != g) BufferPool.recycleScratch(gc, dx, dk, db);
                return grads(dx, dk, db);
            }
        };
    }

    /**
     * y = relu(conv2d(x, K) + b): the gradient masked where y is 0 ({@code g.reluGrad(y)}: y > 0 exactly where the
     * pre-activation is), then {@link #conv2dBias}'s rule. Only the gradients the graph needs are computed.
     */
    static Backward conv2dBiasRelu(Tensor x, Tensor kernel, Shape biasShape, Conv2dSpec spec, Tensor y) {
        Backward affine = conv2dBias(x, kernel, biasShape, spec);
        return new Selective(3) {
            @Override
            public Tensor[] apply(Tensor g, boolean[] needed) {
                Tensor dz = fromOutput(UnaryOp.RELU, g, y);
                Tensor[] grads = affine.apply(dz, needed);
                BufferPool.recycleScratch(dz, grads);
                return grads;
            }
        };
    }

    /**
     * y = act(x·W + b) over the last axis ({@link Tensor#dense}): the gradient through the activation from the output
     * ({@link #fromOutput}), then the rules of the composed ops it replaces, in their order: the bias gets its sum
     * over all but the last axis ({@link #add}), x and W the product's gradients on x as {@code [rows, in]}
     * ({@link #matmul} after {@code reshape}). Only the gradients the graph needs are computed.
     */
    static Backward dense(Tensor x, Tensor kernel, boolean hasBias, UnaryOp activation, Tensor y) {
        return new Selective(3) {
            @Override
            public Tensor[] apply(Tensor g, boolean[] needed) {
                Tensor dz = activation == null ? g : fromOutput(activation, g, y);
                // One contiguous copy of a strided dz (a loss's sum() hands back a broadcast one) for every gradient
                // that reads it, as conv2dBias does: summed in place for the bias, a broadcast goes element by element
                // through an index gather.
                boolean biasNeeded = hasBias && needed.length > 2 && needed[2];
                if ((needed[0] ? 1 : 0) + (needed[1] ? 1 : 0) + (biasNeeded ? 1 : 0) > 1) dz = dz.contiguousRaw();
                int in = kernel.shape().dim(0), units = kernel.shape().dim(1);
                int rows = x.size() / in;
                if (!GradMode.isEnabled() && dz.isContiguous() && dz.dtype() == x.dtype()) {
                    // the same products through views: no reshape or transpose of x or dz, each a second tensor on
                    // their storage, which would keep the input activation and the gradient out of BufferPool
                    Tensor dx = needed[0] ? Tensor.matrixProduct(dz, rows, units, false, kernel, in, units, true, x.shape()) : null;
                    Tensor dw = needed[1] ? Tensor.matrixProduct(x, rows, in, true, dz, rows, units, false, kernel.shape()) : null;
                    Tensor db = biasNeeded ? dz.sumTo(Shape.of(units)) : null;
                    // dz is this rule's own scratch when it made it (the activation's gradient, a contiguous copy):
                    // every product has read it, so its array goes back now (a Transformer's feed-forward: 8 MB a step)
                    if (dz != g) BufferPool.recycleScratch(dz, dx, dw, db);
                    return hasBias ? grads(dx, dw, db) : grads(dx, dw);
                }
                Tensor x2 = x.reshape(rows, in), dz2 = needed[0] || needed[1] ? dz.reshape(rows, units) : null;
                Tensor[] mm = matmul(x2, kernel).apply(dz2 == null ? dz : dz2, new boolean[] {needed[0], needed[1]});
                Tensor dx = mm[0] == null ? null : mm[0].reshape(x.shape());
                Tensor db = biasNeeded ? dz.sumTo(Shape.of(units)) : null;
                return hasBias ? grads(dx, mm[1], db) : grads(dx, mm[1]);
            }
        };
    }

    /**
     * {@code g · act'(x)} for an activation whose derivative is a function of its output y: relu ({@code g} where
     * {@code y > 0}, as where {@code x > 0}), and the output rules of {@link #unary} (sigmoid, tanh).
     */
    static Tensor fromOutput(UnaryOp activation, Tensor g, Tensor y) {
        return switch (activation) {
            case RELU -> g.reluGrad(y);
            case SIGMOID, TANH -> unary(activation, 0, 0, null, y).apply(g)[0];
            default -> throw new IllegalArgumentException("the gradient of " + activation + " needs its input, not only its output");
        };
    }

    /**
     * Transposed convolution y = conv2dBackwardInput(x, K): dx = conv2d(g, K) with the same geometry;
     * dK = conv2dBackwardKernel with g in the convolution's input place and x in its output-gradient place.
     * Only the gradients the graph needs are computed.
     */
    static Backward conv2dTranspose(Tensor x, Tensor kernel, Conv2dSpec spec) {
        return new Selective() {
            @Override
            public Tensor[] apply(Tensor g, boolean[] needed) {
                return grads(
                        needed[0] ? Tensor.conv2dForward(g, kernel, x.shape(), spec) : null,
                        needed[1] ? Tensor.conv2dBackwardKernel(g, x, kernel.shape(), spec) : null);
            }
        };
    }

    /**
     * C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC (transposes are views), summed over broadcast batch dims. Only the
     * gradients the graph needs are computed: a layer's input that is data (no gradient) skips dA, and a
     * frozen model's weights (a GAN's discriminator during the generator's update, through
     * {@link Graph#gradients}) skip dB.
     */
    static Backward matmul(Tensor a, Tensor b) {
        return new Selective() {
            @Override
            public Tensor[] apply(Tensor g, boolean[] needed) {
                return grads(
                        needed[0] ? g.matmul(b.mT()).sumTo(a.shape()) : null,
                        needed[1] ? a.mT().matmul(g).sumTo(b.shape()) : null);
            }
        };
    }

    /** A rule that looks at which inputs need a gradient; called without that information it computes all. */
    private abstract static class Selective implements Backward {
        private final int inputs;

        /** A rule for two inputs. */
        Selective() {
            this(2);
        }

        /** A rule for {@code inputs} inputs: without a selection, every gradient is computed. */
        Selective(int inputs) {
            this.inputs = inputs;
        }

        @Override
        public final Tensor[] apply(Tensor g) {
            boolean[] all = new boolean[inputs];
            Arrays.fill(all, true);
            return apply(g, all);
        }

        @Override
        public abstract Tensor[] apply(Tensor g, boolean[] needed);
    }

    static Backward pool2d(PoolMode mode, Tensor x, Tensor y, Pool2dSpec spec) {
        return g -> grads(Tensor.pool2dBackward(mode, x, y, g, spec));
    }
}
