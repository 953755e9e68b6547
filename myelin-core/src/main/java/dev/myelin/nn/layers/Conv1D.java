package dev.myelin.nn.layers;

import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A 1-D convolution over channels-last sequences, as Keras's {@code Conv1D}:
 * {@code y[b, t, o] = activation(Σ_{i,c} x[b, t·stride + i·dilation − padLeft, c] · kernel[i, c, o] + bias[o])},
 * a cross-correlation where positions outside the sequence read as zero. It runs as the 2-D convolution
 * of a height-1 image ({@code [batch, 1, steps, channels]} with a {@code [1, k, channels, filters]} kernel),
 * so it shares that op's kernels and gradients.
 *
 * <p>Padding ({@link Padding1D}): VALID none; SAME {@code ceil(steps / stride)} outputs, the odd padding
 * position at the end (TensorFlow's rule); CAUSAL pads {@code dilation·(k − 1)} zeros at the start only,
 * so output {@code t} sees inputs up to {@code t} (WaveNet), as Keras.
 *
 * <p>Shapes: input {@code [batch, steps, inChannels]}, output {@code [batch, outSteps, filters]} with the
 * dilated window {@code e = dilation·(k − 1) + 1}: VALID {@code outSteps = floor((steps − e) / stride) + 1},
 * SAME and CAUSAL {@code outSteps = ceil(steps / stride)}. The number of steps may differ between calls
 * (as Keras's {@code None} time axis); the channels may not.
 *
 * <p>Weights: {@code kernel [k, inChannels, filters]} (glorot-uniform with fans {@code k·inChannels} and
 * {@code k·filters}), {@code bias [filters]} (zeros), Keras's layout, so Keras weights load unchanged.
 * Parameters: {@code k·inChannels·filters + filters}.
 *
 * <p>Example: {@code new Conv1D(4, 2, Activation.SIGMOID)} on {@code [16, 3]} gives {@code [15, 4]} with 28
 * parameters. As Keras, strides and dilation cannot both exceed 1.
 */
public final class Conv1D extends KernelLayer<Conv1D> {
    /** Keras's {@code padding} of Conv1D: {@code "valid"}, {@code "same"} or {@code "causal"}. */
    public enum Padding1D { VALID, SAME, CAUSAL }

    private final int filters;
    private final int kernelSize;
    private int strides = 1;
    private int dilation = 1;
    private Padding1D padding = Padding1D.VALID;

    /**
     * Conv1D's configuration: Keras's {@code filters}, {@code kernel_size}, {@code strides}, {@code padding},
     * {@code dilation_rate} and the kernel settings.
     */
    public record Config(LayerSettings layer, int filters, int kernelSize, int strides, Padding1D padding, int dilationRate,
                         KernelSettings kernel) implements LayerConfig {
        public Config {
            Objects.requireNonNull(padding, "padding");
            Objects.requireNonNull(kernel, "kernel");
        }
    }

    /** {@code filters} output channels with a window of {@code kernelSize} steps, no activation. */
    public Conv1D(int filters, int kernelSize) {
        this(filters, kernelSize, Activation.LINEAR);
    }

    public Conv1D(int filters, int kernelSize, Activation activation) {
        super("conv1d", activation);
        if (filters <= 0) throw new IllegalArgumentException("Conv1D filters must be positive, got filters=" + filters);
        if (kernelSize <= 0) throw new IllegalArgumentException("Conv1D kernelSize must be positive, got kernelSize=" + kernelSize);
        this.filters = filters;
        this.kernelSize = kernelSize;
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static Conv1D fromConfig(Config config) {
        Conv1D c = new Conv1D(config.filters(), config.kernelSize(), config.kernel().activation()).applyKernelSettings(config.kernel())
                .strides(config.strides()).dilation(config.dilationRate()).padding(config.padding());
        c.settings(config.layer());
        return c;
    }

    @Override
    public Config config() {
        return new Config(settings(), filters, kernelSize, strides, padding, dilation, kernelSettings());
    }

    public Conv1D strides(int value) {
        if (value <= 0) throw new IllegalArgumentException("Conv1D strides must be positive, got strides=" + value);
        checkStridesWithDilation(value, dilation);
        this.strides = value;
        return this;
    }

    /** Dilation rate (Keras's {@code dilation_rate}): the window samples every {@code rate}-th step. */
    public Conv1D dilation(int rate) {
        if (rate <= 0) throw new IllegalArgumentException("Conv1D dilation must be positive, got dilation=" + rate);
        checkStridesWithDilation(strides, rate);
        this.dilation = rate;
        return this;
    }

    public Conv1D padding(Padding1D value) {
        this.padding = Objects.requireNonNull(value, "padding");
        return this;
    }

    private static void checkStridesWithDilation(int stride, int rate) {
        if (stride > 1 && rate > 1) {
            throw new IllegalArgumentException("Conv1D: strides > 1 together with dilation > 1 is not supported (as in Keras), got strides="
                    + stride + " and dilation=" + rate);
        }
    }

    public int filters() {
        return filters;
    }

    public int kernelSize() {
        return kernelSize;
    }

    public int strides() {
        return strides;
    }

    public int dilation() {
        return dilation;
    }

    public Padding1D padding() {
        return padding;
    }

    /** Zeros CAUSAL padding puts before the first step: the dilated window minus one. */
    private int causalPad() {
        return dilation * (kernelSize - 1);
    }

    /** The 2-D convolution's options for the height-1 image; CAUSAL padding is applied before it, leaving VALID. */
    private ConvOptions options2d() {
        return new ConvOptions(1, strides, padding == Padding1D.SAME ? Padding.SAME : Padding.VALID, 1, dilation);
    }

    private int outputSteps(int steps) {
        int padded = padding == Padding1D.CAUSAL ? steps + causalPad() : steps;
        return options2d().outputSize(1, padded, 1, kernelSize)[1];
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 2) throw shapeError("input of shape [steps, channels] (rank 2, without the batch dimension)", inputShape);
        if (inputShape.dim(1) == 0) throw shapeError("at least one input channel", inputShape);
        int out = outputSteps(inputShape.dim(0));
        if (out <= 0) {
            int window = dilation * (kernelSize - 1) + 1;
            throw shapeError("at least " + window + " steps (the window" + (dilation > 1 ? " of " + kernelSize + " taps dilated by " + dilation : "")
                    + ") with VALID padding", inputShape);
        }
        return Shape.of(out, filters);
    }

    @Override
    public void checkInput(Shape batchShape) {
        int channels = builtInputShape().dim(1);
        if (batchShape.rank() != 3 || batchShape.dim(2) != channels) {
            throw new IllegalArgumentException("layer '" + name() + "' (Conv1D) expected input of shape [batch, steps, " + channels
                    + "] but received " + batchShape);
        }
        if (outputSteps(batchShape.dim(1)) <= 0) {
            throw new IllegalArgumentException("layer '" + name() + "' (Conv1D) expected at least " + (dilation * (kernelSize - 1) + 1)
                    + " steps with VALID padding but received " + batchShape);
        }
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        createKernelAndBias(Shape.of(kernelSize, inputShape.dim(1), filters), filters, rng);
    }

    @Override
    public Tensor preActivation(Tensor x) {
        Tensor in = padding == Padding1D.CAUSAL ? x.pad(new int[][] {{0, 0}, {causalPad(), 0}}, 0.0) : x;
        int batch = in.dim(0), steps = in.dim(1), channels = in.dim(2);
        Tensor kernel4 = kernel().value().reshape(1, kernelSize, channels, filters);
        Tensor y = in.reshape(batch, 1, steps, channels).conv2d(kernel4, options2d());
        return addBias(y.reshape(batch, y.dim(2), filters));
    }
}
