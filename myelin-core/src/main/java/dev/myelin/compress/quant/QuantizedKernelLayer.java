package dev.myelin.compress.quant;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.Backend;
import dev.myelin.backend.DType;
import dev.myelin.backend.Int8Gemm;
import dev.myelin.io.Safetensors;
import dev.myelin.io.StoredWeightTypes;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.init.Ones;
import dev.myelin.nn.init.Zeros;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The common part of {@link QuantizedDense} and {@link QuantizedConv2D}: {@code y = activation(affine(x))}
 * with an int8 kernel {@code K [depth, channels]}, its per-channel scales {@code s_w} and a float bias:
 * <pre>
 *   qx       = the input quantized per tensor (scale s_x, zero point z)       ({@link ActivationQuantization})
 *   acc[r,c] = Σ_p qx[r, p]·K[p, c]                                            (int8 × int8 → int32, exact)
 *   y[r,c]   = s_x·s_w[c]·(acc[r, c] − z·Σ_p K[p, c]) + bias[c]
 * </pre>
 * which is {@code x · dequantize(K) + bias} with {@code x} replaced by its quantized value.
 *
 * <p>Weights (all non-trainable: the layer is for inference): {@code kernel} (the levels, integers in
 * [−127, 127], stored as I8 in model files), {@code kernel_scale [channels]} and, with a bias,
 * {@code bias [channels]}. The kernel's bytes and column sums are prepared once and prepared again when
 * a weight is written (loading, {@link #setFloatWeights}).
 */
public abstract class QuantizedKernelLayer extends Layer implements StoredWeightTypes {
    private final Activation activation;
    private final boolean useBias;
    private final ActivationQuantization input;
    private Parameter kernel;
    private Parameter kernelScale;
    private Parameter bias;
    private Prepared prepared;

    /** The kernel as bytes, its column sums, {@code s_x·s_w[c]} and the bias, for the weights' versions. */
    private record Prepared(byte[] kernel, int[] columnSums, float[] multipliers, float[] bias, int kernelVersion, int scaleVersion, int biasVersion) {}

    protected QuantizedKernelLayer(String baseName, Activation activation, boolean useBias, ActivationQuantization input) {
        super(baseName);
        this.activation = Objects.requireNonNull(activation, "activation");
        this.useBias = useBias;
        this.input = Objects.requireNonNull(input, "input quantization");
    }

    public Activation activation() {
        return activation;
    }

    public boolean useBias() {
        return useBias;
    }

    /** How the input is quantized. */
    public ActivationQuantization inputQuantization() {
        return input;
    }

    /** The int8 levels (as float32 integers; null before building). */
    public Parameter kernel() {
        return kernel;
    }

    /** The per-channel scales (null before building). */
    public Parameter kernelScale() {
        return kernelScale;
    }

    /** The bias (null before building or without a bias). */
    public Parameter bias() {
        return bias;
    }

    /** Kernels are stored as I8: a quarter of float32's bytes. */
    @Override
    public Safetensors.DType storedType(String shortName) {
        return "kernel".equals(shortName) ? Safetensors.DType.I8 : null;
    }

    /** Creates the weights for a kernel of {@code kernelShape} whose last axis has {@code channels}. */
    protected final void createWeights(Shape kernelShape, int channels, RandomGenerator rng) {
        if (dtype() != DType.FLOAT32) throw new IllegalArgumentException("layer '" + name() + "': quantized layers run in float32, got dtype " + dtype());
        kernel = addWeight("kernel", kernelShape, new Zeros(), rng, false, null);
        kernelScale = addWeight("kernel_scale", Shape.of(channels), new Ones(), rng, false, null);
        if (useBias) bias = addWeight("bias", Shape.of(channels), new Zeros(), rng, false, null);
    }

    /**
     * Sets the weights from a float kernel of this layer's kernel shape (quantized per channel,
     * {@link ChannelQuantization}) and a float bias (null without one). The layer must be built.
     */
    public void setFloatWeights(Tensor floatKernel, Tensor floatBias) {
        if (kernel == null) throw new IllegalStateException("layer '" + name() + "' is not built");
        if (!floatKernel.shape().equals(kernel.value().shape())) {
            throw new IllegalArgumentException("layer '" + name() + "': kernel of shape " + kernel.value().shape() + " expected, got " + floatKernel.shape());
        }
        if ((floatBias != null) != useBias) throw new IllegalArgumentException("layer '" + name() + "': " + (useBias ? "a bias is needed" : "the layer has no bias"));
        int channels = kernelScale.value().dim(0);
        float[] w = floatKernel.toFloatArray();
        float[] scales = ChannelQuantization.scales(w, channels);
        byte[] q = ChannelQuantization.quantize(w, scales);
        float[] levels = new float[q.length];
        for (int i = 0; i < q.length; i++) levels[i] = q[i];
        try (var g = NoGrad.scope()) {
            kernel.value().assign(Tensor.of(levels, kernel.value().shape().toArray()));
            kernelScale.value().assign(Tensor.of(scales, channels));
            if (useBias) bias.value().assign(floatBias.to(DType.FLOAT32).reshape(channels));
        }
    }

    /**
     * The affine part for {@code rows} rows of quantized input {@code qx [rows, depth]}: {@code [rows, channels]}
     * as in the class comment.
     */
    protected final float[] affine(byte[] qx, int rows, Backend backend) {
        Prepared p = prepared();
        int channels = p.multipliers.length, depth = p.kernel.length / channels;
        int[] acc = new int[Math.multiplyExact(rows, channels)];
        Int8Gemm gemm = backend.int8Gemm();
        gemm.multiply(qx, p.kernel, acc, rows, depth, channels);
        float[] y = new float[acc.length];
        long z = input.zeroPoint();
        for (int r = 0, o = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, o++) {
                y[o] = (float) (acc[o] - z * p.columnSums[c]) * p.multipliers[c] + p.bias[c];
            }
        }
        return y;
    }

    /** The input values quantized (row-major, whatever the tensor's strides). */
    protected final byte[] quantizeInput(Tensor x) {
        float[] values = x.toFloatArray();
        byte[] q = new byte[values.length];
        input.quantize(values, q);
        return q;
    }

    @Override
    protected final Tensor forward(Tensor x, boolean training) {
        try (var g = NoGrad.scope()) {
            return activation.apply(affineOf(x));
        }
    }

    /** The layer's output before its activation. */
    protected abstract Tensor affineOf(Tensor x);

    private static int version(Parameter p) {
        return p == null ? 0 : p.value().view().storage().version();
    }

    private Prepared prepared() {
        if (kernel == null) throw new IllegalStateException("layer '" + name() + "' is not built");
        Prepared p = prepared;
        int kv = version(kernel), sv = version(kernelScale), bv = version(bias);
        if (p != null && p.kernelVersion == kv && p.scaleVersion == sv && p.biasVersion == bv) return p;
        float[] levels = kernel.value().toFloatArray();
        float[] scales = kernelScale.value().toFloatArray();
        int channels = scales.length;
        byte[] bytes = new byte[levels.length];
        int[] sums = new int[channels];
        for (int i = 0; i < levels.length; i++) {
            float v = levels[i];
            if (v != Math.rint(v) || v < -127 || v > 127) {
                throw new IllegalStateException("layer '" + name() + "': kernel value " + v + " at index " + i + " is not an int8 level in [-127, 127]");
            }
            bytes[i] = (byte) v;
            sums[i % channels] += (int) v;
        }
        float[] multipliers = new float[channels];
        for (int c = 0; c < channels; c++) multipliers[c] = (float) (input.scale() * scales[c]);
        float[] b = useBias ? bias.value().toFloatArray() : new float[channels];
        p = new Prepared(bytes, sums, multipliers, b, kv, sv, bv);
        prepared = p;
        return p;
    }
}
