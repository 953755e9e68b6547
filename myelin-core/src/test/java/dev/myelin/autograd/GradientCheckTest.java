package dev.myelin.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.tensor.ConvOptions;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.PoolOptions;
import dev.myelin.tensor.Shape;
import dev.myelin.backend.UnaryOp;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.TensorAssert;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A finite-difference gradient check (float64) for every differentiable operation, driven by one table
 * of op cases: adding an op here enrolls it. Inputs are drawn away from kinks (|x| >= 0.2) and, where
 * an op needs it, from its domain.
 */
class GradientCheckTest {

    /** How inputs are drawn: values in ±[0.2, 2.2], positive, or an arbitrary distinct permutation. */
    enum Domain { AWAY_FROM_ZERO, POSITIVE, DISTINCT }

    record OpCase(String name, Function<Tensor[], Tensor> f, Domain domain, int[]... shapes) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static OpCase op(String name, Function<Tensor[], Tensor> f, int[]... shapes) {
        return new OpCase(name, f, Domain.AWAY_FROM_ZERO, shapes);
    }

    private static OpCase op(String name, Domain d, Function<Tensor[], Tensor> f, int[]... shapes) {
        return new OpCase(name, f, d, shapes);
    }

    private static int[] s(int... dims) {
        return dims;
    }

    static Stream<OpCase> cases() {
        return Stream.of(
                // element-wise binary, with broadcasting
                op("add", t -> t[0].add(t[1]), s(3, 4), s(3, 4)),
                op("add broadcast row", t -> t[0].add(t[1]), s(3, 4), s(4)),
                op("add broadcast col", t -> t[0].add(t[1]), s(3, 1), s(2, 1, 4)),
                op("sub broadcast", t -> t[0].sub(t[1]), s(2, 3), s(2, 1)),
                op("mul", t -> t[0].mul(t[1]), s(2, 3), s(2, 3)),
                op("mul broadcast", t -> t[0].mul(t[1]), s(4, 1, 3), s(5, 1)),
                op("div broadcast", t -> t[0].div(t[1]), s(2, 3), s(3)),
                op("pow tensor", Domain.POSITIVE, t -> t[0].pow(t[1]), s(2, 3), s(2, 3)),
                op("pow scalar", Domain.POSITIVE, t -> t[0].pow(2.5), s(2, 3)),
                op("pow scalar int", t -> t[0].pow(3), s(5)),
                op("maximum", Domain.DISTINCT, t -> t[0].maximum(t[1]), s(3, 4), s(3, 4)),
                op("minimum broadcast", Domain.DISTINCT, t -> t[0].minimum(t[1]), s(3, 4), s(4)),
                op("where", t -> Tensor.where(t[0].gt(0), t[0].mul(t[1]), t[1].exp()), s(3, 4), s(4)),
                op("scalar ops", t -> t[0].add(1.5).mul(-2.0).sub(0.25).div(3.0), s(4)),
                // element-wise unary
                op("neg", t -> t[0].neg(), s(2, 3)),
                op("exp", t -> t[0].exp(), s(2, 3)),
                op("log", Domain.POSITIVE, t -> t[0].log(), s(2, 3)),
                op("log1p", Domain.POSITIVE, t -> t[0].log1p(), s(2, 3)),
                op("sqrt", Domain.POSITIVE, t -> t[0].sqrt(), s(2, 3)),
                op("rsqrt", Domain.POSITIVE, t -> t[0].rsqrt(), s(2, 3)),
                op("reciprocal", Domain.POSITIVE, t -> t[0].reciprocal(), s(2, 3)),
                op("abs", t -> t[0].abs(), s(2, 3)),
                op("square", t -> t[0].square(), s(2, 3)),
                op("relu", t -> t[0].relu(), s(2, 3)),
                op("leakyRelu", t -> t[0].leakyRelu(0.2), s(2, 3)),
                op("elu", t -> t[0].elu(1.3), s(2, 3)),
                op("gelu", t -> t[0].gelu(), s(2, 3)),
                op("geluTanh", t -> t[0].geluTanh(), s(2, 3)),
                op("sigmoid", t -> t[0].sigmoid(), s(2, 3)),
                op("softplus", t -> t[0].softplus(), s(2, 3)),
                op("tanh", t -> t[0].tanh(), s(2, 3)),
                op("clamp", t -> t[0].clamp(-1.0, 0.9), s(3, 4)),
                op("sign (zero gradient)", t -> t[0].sign().mul(t[0]), s(5)),
                // reductions
                op("sum all", t -> t[0].sum(), s(3, 4)),
                op("sum axis", t -> t[0].sum(1), s(2, 3, 4)),
                op("sum axes keepDims", t -> t[0].sum(new int[] {0, 2}, true), s(2, 3, 4)),
                op("mean", t -> t[0].mean(new int[] {-1}, false), s(3, 5)),
                op("max axis", Domain.DISTINCT, t -> t[0].max(1), s(3, 4)),
                op("min all", Domain.DISTINCT, t -> t[0].min(), s(3, 4)),
                op("variance", t -> t[0].variance(new int[] {1}, true), s(3, 5)),
                op("logSumExp", t -> t[0].logSumExp(new int[] {1}, false), s(3, 5)),
                op("softmax last", t -> t[0].softmax(-1), s(3, 5)),
                op("softmax axis 0", t -> t[0].softmax(0), s(3, 5)),
                op("logSoftmax", t -> t[0].logSoftmax(-1), s(2, 3, 4)),
                // linear algebra
                op("matmul", t -> t[0].matmul(t[1]), s(3, 4), s(4, 5)),
                op("matmul batched broadcast", t -> t[0].matmul(t[1]), s(2, 1, 3, 4), s(3, 4, 2)),
                op("matmul sequence by matrix (one GEMM)", t -> t[0].matmul(t[1]), s(2, 3, 4), s(4, 5)),
                op("matmul strided sequence by matrix", t -> t[0].transpose(0, 1).matmul(t[1]), s(3, 2, 4), s(4, 5)),
                op("matmul transposed views", t -> t[0].mT().matmul(t[1].mT()), s(4, 3), s(5, 4)),
                op("matmul vector", t -> t[0].matmul(t[1]), s(4), s(4, 3)),
                op("matmul matrix-vector", t -> t[0].matmul(t[1]), s(2, 4), s(4)),
                // one column of output (a Dense layer of one unit): the CPU's matrix-vector path, forward and kernel gradient
                op("matmul to one column", t -> t[0].matmul(t[1]), s(19, 37), s(37, 1)),
                op("matmul transposed to one column", t -> t[0].mT().matmul(t[1]), s(37, 19), s(37, 1)),
                // movement
                op("reshape", t -> t[0].reshape(4, -1).mul(t[0].reshape(4, 3)), s(2, 6)),
                op("permute", t -> t[0].permute(2, 0, 1), s(2, 3, 4)),
                op("transpose then reshape", t -> t[0].transpose(0, 1).reshape(-1), s(3, 4)),
                op("slice with step", t -> t[0].slice(1, 1, 7, 2), s(3, 8)),
                op("expand", t -> t[0].expand(3, 2, 4), s(2, 1)),
                op("squeeze unsqueeze", t -> t[0].squeeze(1).unsqueeze(0), s(3, 1, 2)),
                op("contiguous", t -> t[0].transpose(0, 1).contiguous(), s(3, 4)),
                op("concat", t -> Tensor.concat(List.of(t[0], t[1]), 1), s(2, 3), s(2, 2)),
                op("stack", t -> Tensor.stack(List.of(t[0], t[1]), 0), s(2, 3), s(2, 3)),
                op("split", t -> t[0].split(new int[] {1, 3}, 1).get(1).mul(2.0), s(2, 4)),
                op("indexSelect repeats", t -> t[0].indexSelect(0, new int[] {2, 0, 2, 1}), s(3, 4)),
                op("take (embedding)", t -> t[0].take(0, Tensor.of(new float[] {1, 0, 1, 2}, 2, 2)), s(3, 4)),
                op("indexSelect into a shape", t -> t[0].indexSelect(0, new int[] {2, 0, 2, 1}, Shape.of(2, 2, 4)), s(3, 4)),
                op("indexAdd", t -> t[0].indexAdd(1, new int[] {0, 2, 0}, t[1]), s(2, 4), s(2, 3)),
                op("pad", t -> t[0].pad(new int[][] {{1, 0}, {2, 1}}, 0.5), s(2, 3)),
                // convolution and pooling
                op("conv2d valid", t -> t[0].conv2d(t[1], ConvOptions.defaults()), s(2, 5, 5, 2), s(3, 3, 2, 3)),
                op("conv2d same stride 2", t -> t[0].conv2d(t[1], ConvOptions.defaults().strides(2).padding(Padding.SAME)),
                        s(1, 6, 5, 3), s(3, 2, 3, 2)),
                op("conv2d dilation", t -> t[0].conv2d(t[1], ConvOptions.defaults().dilation(2)), s(1, 7, 7, 1), s(2, 3, 1, 2)),
                op("conv2d with bias", t -> t[0].conv2d(t[1], t[2], ConvOptions.defaults().padding(Padding.SAME)),
                        s(2, 5, 4, 2), s(3, 3, 2, 3), s(3)),
                op("conv2d with bias and relu", t -> t[0].conv2dRelu(t[1], t[2], ConvOptions.defaults().strides(2).padding(Padding.SAME)),
                        s(2, 5, 6, 2), s(3, 3, 2, 3), s(3)),
                op("dense", t -> t[0].dense(t[1], t[2], null), s(2, 3, 5), s(5, 4), s(4)),
                op("dense with relu", t -> t[0].dense(t[1], t[2], UnaryOp.RELU), s(3, 5), s(5, 7), s(7)),
                op("dense with tanh, no bias", t -> t[0].dense(t[1], null, UnaryOp.TANH), s(2, 2, 3), s(3, 4)),
                op("maxPool2d", Domain.DISTINCT, t -> t[0].maxPool2d(PoolOptions.of(2)), s(2, 4, 5, 3)),
                op("maxPool2d same", Domain.DISTINCT, t -> t[0].maxPool2d(PoolOptions.of(3).strides(2).padding(Padding.SAME)), s(1, 5, 5, 2)),
                op("avgPool2d same", t -> t[0].avgPool2d(PoolOptions.of(2).padding(Padding.SAME)), s(1, 5, 3, 2)),
                // fused attention (float32: the CPU backend's flash kernel; float64: the composed default)
                op("attention", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], null, false, 0.5), s(2, 2, 3, 4), s(2, 2, 5, 4), s(2, 2, 5, 3)),
                op("attention causal masked", t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2],
                        Tensor.of(new float[] {1, 1, 0, 1, 1, 1, 0, 1, 1, 0}, 2, 1, 1, 5), true, 0.5), s(2, 1, 4, 3), s(2, 1, 5, 3), s(2, 1, 5, 2)),
                op("packed self-attention", t -> Tensor.packedSelfAttention(t[0], 2, 3, null, true, 0.5), s(2, 4, 2 * (2 * 3 + 2))),
                // a composite: a tensor used twice accumulates both contributions
                op("reuse", t -> t[0].mul(t[0]).add(t[0].sigmoid()), s(3))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(OpCase c) {
        SplittableRandom rng = new SplittableRandom(c.name().hashCode());
        Tensor[] inputs = new Tensor[c.shapes().length];
        for (int i = 0; i < inputs.length; i++) inputs[i] = draw(rng, c.domain(), c.shapes()[i]);
        GradCheck.check(c.f(), inputs);
    }

    /**
     * The same ops in float32 (the fast CPU kernels) give the float64 gradients to float32 accuracy.
     * Inputs are scaled to the float32 grid first so both runs see identical values.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void float32GradientsMatchFloat64(OpCase c) {
        SplittableRandom rng = new SplittableRandom(c.name().hashCode());
        Tensor[] in64 = new Tensor[c.shapes().length];
        Tensor[] in32 = new Tensor[in64.length];
        for (int i = 0; i < in64.length; i++) {
            Tensor drawn = draw(rng, c.domain(), c.shapes()[i]);
            in32[i] = Tensor.of(drawn.toFloatArray(), c.shapes()[i]).requiresGrad(true);
            in64[i] = in32[i].detach().to(DType.FLOAT64).requiresGrad(true);
        }
        Tensor out64 = c.f().apply(in64);
        Tensor out32 = c.f().apply(in32);
        assertEquals(DType.FLOAT32, out32.dtype(), "float32 inputs give a float32 result");
        TensorAssert.assertAllClose(out32, out64, 1e-5, 1e-5);
        Tensor w = Tensor.of(new SplittableRandom(7).doubles(out64.size(), -1, 1).toArray(), out64.shape().toArray());
        out64.mul(w).sum().backward();
        out32.mul(w.to(DType.FLOAT32)).sum().backward();
        for (int i = 0; i < in64.length; i++) {
            if (in64[i].grad() == null) continue;
            TensorAssert.assertAllClose(in32[i].grad(), in64[i].grad(), 1e-4, 1e-5);
        }
    }

    private static Tensor draw(SplittableRandom rng, Domain domain, int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (domain) {
                case AWAY_FROM_ZERO -> (rng.nextBoolean() ? 1 : -1) * rng.nextDouble(0.2, 2.2);
                case POSITIVE -> rng.nextDouble(0.3, 2.5);
                case DISTINCT -> (i - n / 2.0) * 0.37 + rng.nextDouble(0, 0.05);
            };
        }
        if (domain == Domain.DISTINCT) { // shuffle so maxima are not in sorted positions
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
        }
        return Tensor.of(v, shape);
    }
}
