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
 * A 2-D convolution over channels-last images: {@code y = activation(conv2d(x, kernel) + bias)}, a
 * cross-correlation as in Keras and PyTorch.
 *
 * <p>Shapes: input {@code [batch, height, width, inChannels]}, output {@code [batch, outH, outW, filters]}.
 * With the dilated window {@code eh = dilationH·(kh − 1) + 1}: VALID gives
 * {@code outH = floor((height − eh) / strideH) + 1}, SAME gives {@code outH = ceil(height / strideH)}
 * (zero padding, the odd pixel at the bottom; likewise for the width).
 *
 * <p>Weights: {@code kernel [kh, kw, inChannels, filters]} (glorot-uniform with fans
 * {@code kh·kw·inChannels} and {@code kh·kw·filters}), {@code bias [filters]} (zeros), as Keras, so Keras
 * weights load unchanged. Parameters: {@code kh·kw·inChannels·filters + filters}.
 *
 * <p>Example: {@code new Conv2D(32, 3, Activation.RELU).padding(Padding.SAME)} on {@code [28, 28, 1]}
 * gives {@code [28, 28, 32]} with 320 parameters. As Keras, strides and dilation cannot both exceed 1.
 */
public final class Conv2D extends KernelLayer<Conv2D> {
    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private ConvOptions options = ConvOptions.defaults();

    /** Conv2D's configuration: Keras's {@code filters}, {@code kernel_size}, {@code strides}, {@code padding}, {@code dilation_rate} and the kernel settings. */
    public record Config(LayerSettings layer, int filters, int kernelH, int kernelW, ConvOptions options, KernelSettings kernel)
            implements LayerConfig {}

    /** {@code filters} output channels with a square {@code kernelSize × kernelSize} window, no activation. */
    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize, Activation.LINEAR);
    }

    public Conv2D(int filters, int kernelSize, Activation activation) {
        this(filters, kernelSize, kernelSize, activation);
    }

    public Conv2D(int filters, int kernelH, int kernelW) {
        this(filters, kernelH, kernelW, Activation.LINEAR);
    }

    public Conv2D(int filters, int kernelH, int kernelW, Activation activation) {
        super("conv2d", activation);
        if (filters <= 0) throw new IllegalArgumentException("Conv2D filters must be positive, got filters=" + filters);
        if (kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("Conv2D kernelSize must be positive, got kernelSize=(" + kernelH + ", " + kernelW + ")");
        }
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static Conv2D fromConfig(Config config) {
        ConvOptions o = config.options();
        Conv2D c = new Conv2D(config.filters(), config.kernelH(), config.kernelW(), config.kernel().activation())
                .applyKernelSettings(config.kernel()).strides(o.strideH(), o.strideW()).dilation(o.dilationH(), o.dilationW()).padding(o.padding());
        c.settings(config.layer());
        return c;
    }

    @Override
    public Config config() {
        return new Config(settings(), filters, kernelH, kernelW, options, kernelSettings());
    }

    public Conv2D strides(int stride) {
        return strides(stride, stride);
    }

    public Conv2D strides(int strideH, int strideW) {
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("Conv2D strides must be positive, got strides=(" + strideH + ", " + strideW + ")");
        }
        checkStridesWithDilation(strideH, strideW, options.dilationH(), options.dilationW());
        options = new ConvOptions(strideH, strideW, options.padding(), options.dilationH(), options.dilationW());
        return this;
    }

    public Conv2D padding(Padding value) {
        options = options.padding(Objects.requireNonNull(value, "padding"));
        return this;
    }

    /** Dilation rate (Keras's {@code dilation_rate}): the window samples every {@code rate}-th pixel. */
    public Conv2D dilation(int rate) {
        return dilation(rate, rate);
    }

    public Conv2D dilation(int rateH, int rateW) {
        if (rateH <= 0 || rateW <= 0) {
            throw new IllegalArgumentException("Conv2D dilation must be positive, got dilation=(" + rateH + ", " + rateW + ")");
        }
        checkStridesWithDilation(options.strideH(), options.strideW(), rateH, rateW);
        options = new ConvOptions(options.strideH(), options.strideW(), options.padding(), rateH, rateW);
        return this;
    }

    private static void checkStridesWithDilation(int sh, int sw, int dh, int dw) {
        if (Math.max(sh, sw) > 1 && Math.max(dh, dw) > 1) {
            throw new IllegalArgumentException("Conv2D: strides > 1 together with dilation > 1 is not supported (as in Keras), got strides=("
                    + sh + ", " + sw + ") and dilation=(" + dh + ", " + dw + ")");
        }
    }

    public int filters() {
        return filters;
    }

    /** The kernel's window, {@code {kh, kw}}. */
    public int[] kernelSize() {
        return new int[] {kernelH, kernelW};
    }

    /** Strides, padding and dilation. */
    public ConvOptions options() {
        return options;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 3) throw shapeError("input of shape [height, width, channels] (rank 3, without the batch dimension)", inputShape);
        if (inputShape.dim(2) == 0) throw shapeError("at least one input channel", inputShape);
        int eh = options.dilationH() * (kernelH - 1) + 1;
        int ew = options.dilationW() * (kernelW - 1) + 1;
        Padding p = options.padding();
        int[] outSize = options.outputSize(inputShape.dim(0), inputShape.dim(1), kernelH, kernelW);
        int oh = outSize[0], ow = outSize[1];
        if (oh <= 0 || ow <= 0) {
            String window = eh + "x" + ew + (eh != kernelH || ew != kernelW ? " (the " + kernelH + "x" + kernelW + " kernel dilated)" : "");
            throw shapeError("height and width of at least " + window + " with " + p + " padding", inputShape);
        }
        return Shape.of(oh, ow, filters);
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        createKernelAndBias(Shape.of(kernelH, kernelW, inputShape.dim(2), filters), filters, rng);
    }

    @Override
    public Tensor preActivation(Tensor x) {
        // conv2d with the bias fused: the same values and gradients as conv2d(...).add(bias), one pass fewer
        return useBias() ? x.conv2d(kernel().value(), bias().value(), options) : x.conv2d(kernel().value(), options);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        // relu(conv2d + bias) as one operation: the same values and gradients, one pass over the output and one
        // output-sized tensor fewer (the rectifier is applied to each part of the output while it is in cache)
        if (activation() == Activation.RELU && useBias()) return x.conv2dRelu(kernel().value(), bias().value(), options);
        return super.forward(x, training);
    }
}
