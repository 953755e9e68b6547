package dev.myelin.compress.bf16;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Bf16Gemm;
import dev.myelin.backend.DType;
import dev.myelin.io.Safetensors;
import dev.myelin.io.StoredWeightTypes;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.init.Zeros;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The common part of {@link Bf16Dense} and {@link Bf16Conv2D}: {@code y = activation(x · widen(K) + bias)}
 * with a bfloat16 kernel {@code K [depth, channels]} and a float32 bias, the product in float32 with float32
 * accumulation ({@link Bf16Gemm}, the backend's {@link Backend#bf16Gemm}).
 *
 * <p>Weights (all non-trainable: the layer is for inference): {@code kernel} (values that bfloat16 holds
 * exactly, kept as float32 tensors like every weight and stored as BF16 in model files: half the bytes) and,
 * with a bias, {@code bias [channels]} (float32). The kernel's bfloat16 bits are prepared once and prepared
 * again when the kernel is written (loading, {@link #setFloatWeights}).
 */
public abstract class Bf16KernelLayer extends Layer implements StoredWeightTypes {
    private final Activation activation;
    private final boolean useBias;
    private Parameter kernel;
    private Parameter bias;
    private Prepared prepared;

    /** The kernel's bfloat16 bits and the bias, for the weights' versions. */
    private record Prepared(short[] kernel, float[] bias, int kernelVersion, int biasVersion) {}

    protected Bf16KernelLayer(String baseName, Activation activation, boolean useBias) {
        super(baseName);
        this.activation = Objects.requireNonNull(activation, "activation");
        this.useBias = useBias;
    }

    public Activation activation() {
        return activation;
    }

    public boolean useBias() {
        return useBias;
    }

    /** The kernel, bfloat16 values as float32 (null before building). */
    public Parameter kernel() {
        return kernel;
    }

    /** The bias (null before building or without a bias). */
    public Parameter bias() {
        return bias;
    }

    /** Kernels are stored as BF16: half of float32's bytes. */
    @Override
    public Safetensors.DType storedType(String shortName) {
        return "kernel".equals(shortName) ? Safetensors.DType.BF16 : null;
    }

    /** Creates the weights for a kernel of {@code kernelShape} whose last axis has {@code channels}. */
    protected final void createWeights(Shape kernelShape, int channels, RandomGenerator rng) {
        if (dtype() != DType.FLOAT32) throw new IllegalArgumentException("layer '" + name() + "': bf16 layers run in float32, got dtype " + dtype());
        kernel = addWeight("kernel", kernelShape, new Zeros(), rng, false, null);
        if (useBias) bias = addWeight("bias", Shape.of(channels), new Zeros(), rng, false, null);
    }

    /**
     * Sets the weights from a float kernel of this layer's kernel shape (rounded to bfloat16: nearest, ties to
     * even, as {@link Safetensors} writes BF16) and a float bias (null without one). The layer must be built.
     */
    public void setFloatWeights(Tensor floatKernel, Tensor floatBias) {
        if (kernel == null) throw new IllegalStateException("layer '" + name() + "' is not built");
        if (!floatKernel.shape().equals(kernel.value().shape())) {
            throw new IllegalArgumentException("layer '" + name() + "': kernel of shape " + kernel.value().shape() + " expected, got " + floatKernel.shape());
        }
        if ((floatBias != null) != useBias) throw new IllegalArgumentException("layer '" + name() + "': " + (useBias ? "a bias is needed" : "the layer has no bias"));
        try (var g = NoGrad.scope()) {
            kernel.value().assign(roundedToBf16(floatKernel));
            if (useBias) bias.value().assign(floatBias.to(DType.FLOAT32).reshape(bias.value().shape().toArray()));
        }
    }

    /** {@code t}'s values rounded to the nearest bfloat16 (ties to even), as float32. */
    public static Tensor roundedToBf16(Tensor t) {
        return Safetensors.Entry.of("kernel", t, Safetensors.DType.BF16).toTensor().reshape(t.shape().toArray());
    }

    /**
     * The affine part for {@code rows} rows of input {@code x [rows, depth]} (row-major floats):
     * {@code [rows, channels]}.
     */
    protected final float[] affine(float[] x, int rows, Backend backend) {
        Prepared p = prepared();
        int channels = kernel.value().dim(-1), depth = p.kernel.length / channels;
        float[] y = new float[Math.multiplyExact(rows, channels)];
        backend.bf16Gemm().multiply(x, p.kernel, y, rows, depth, channels);
        if (useBias) {
            for (int r = 0, o = 0; r < rows; r++) {
                for (int c = 0; c < channels; c++, o++) y[o] += p.bias[c];
            }
        }
        return y;
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
        int kv = version(kernel), bv = version(bias);
        if (p != null && p.kernelVersion == kv && p.biasVersion == bv) return p;
        float[] values = kernel.value().toFloatArray();
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            int raw = Float.floatToRawIntBits(values[i]);
            if ((raw & 0xFFFF) != 0) {
                throw new IllegalStateException("layer '" + name() + "': kernel value " + values[i] + " at index " + i + " is not a bfloat16 value");
            }
            bits[i] = (short) (raw >>> 16);
        }
        p = new Prepared(bits, useBias ? bias.value().toFloatArray() : null, kv, bv);
        prepared = p;
        return p;
    }
}
