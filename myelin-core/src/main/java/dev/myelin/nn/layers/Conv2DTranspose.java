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
 * A transposed 2-D convolution (Keras's {@code Conv2DTranspose}, sometimes called deconvolution):
 * {@code y = activation(conv2dTranspose(x, kernel) + bias)}, the gradient of a {@link Conv2D} with respect
 * to its input, used to upsample in generators (strides 2 doubles the height and width).
 *
 * <p>Shapes: input {@code [batch, height, width, inChannels]}, output {@code [batch, outH, outW, filters]}
 * with Keras's sizes (no output padding):
 * <pre>
 *   VALID: outH = height·strideH + max(kh − strideH, 0)
 *   SAME:  outH = height·strideH
 * </pre>
 * likewise for the width. See {@link Tensor#conv2dTranspose} for the exact definition.
 *
 * <p>Weights: {@code kernel [kh, kw, filters, inChannels]} — Keras's layout, the reverse of Conv2D's last
 * two axes — glorot-uniform with Keras's fans ({@code fanIn = kh·kw·filters}, {@code fanOut = kh·kw·inChannels},
 * computed from the kernel shape as Keras does); {@code bias [filters]} (zeros). Parameters:
 * {@code kh·kw·filters·inChannels + filters}.
 *
 * <p>Example: {@code new Conv2DTranspose(64, 4).strides(2).padding(Padding.SAME)} on {@code [7, 7, 128]}
 * gives {@code [14, 14, 64]} with 131,136 parameters.
 */
public final class Conv2DTranspose extends KernelLayer<Conv2DTranspose> {
    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private ConvOptions options = ConvOptions.defaults();

    /** Conv2DTranspose's configuration: Keras's {@code filters}, {@code kernel_size}, {@code strides}, {@code padding} and the kernel settings (no dilation). */
    public record Config(LayerSettings layer, int filters, int kernelH, int kernelW, ConvOptions options, KernelSettings kernel)
            implements LayerConfig {}

    public Conv2DTranspose(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize, Activation.LINEAR);
    }

    public Conv2DTranspose(int filters, int kernelSize, Activation activation) {
        this(filters, kernelSize, kernelSize, activation);
    }

    public Conv2DTranspose(int filters, int kernelH, int kernelW, Activation activation) {
        super("conv2d_transpose", activation);
        if (filters <= 0) throw new IllegalArgumentException("Conv2DTranspose filters must be positive, got filters=" + filters);
        if (kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("Conv2DTranspose kernelSize must be positive, got kernelSize=(" + kernelH + ", " + kernelW + ")");
        }
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static Conv2DTranspose fromConfig(Config config) {
        ConvOptions o = config.options();
        if (o.dilationH() != 1 || o.dilationW() != 1) {
            throw new IllegalArgumentException("Conv2DTranspose supports no dilation, got dilation=(" + o.dilationH() + ", " + o.dilationW() + ")");
        }
        Conv2DTranspose c = new Conv2DTranspose(config.filters(), config.kernelH(), config.kernelW(), config.kernel().activation())
                .applyKernelSettings(config.kernel()).strides(o.strideH(), o.strideW()).padding(o.padding());
        c.settings(config.layer());
        return c;
    }

    @Override
    public Config config() {
        return new Config(settings(), filters, kernelH, kernelW, options, kernelSettings());
    }

    public Conv2DTranspose strides(int stride) {
        return strides(stride, stride);
    }

    public Conv2DTranspose strides(int strideH, int strideW) {
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("Conv2DTranspose strides must be positive, got strides=(" + strideH + ", " + strideW + ")");
        }
        options = new ConvOptions(strideH, strideW, options.padding(), 1, 1);
        return this;
    }

    public Conv2DTranspose padding(Padding value) {
        options = options.padding(Objects.requireNonNull(value, "padding"));
        return this;
    }

    public int filters() {
        return filters;
    }

    public int[] kernelSize() {
        return new int[] {kernelH, kernelW};
    }

    public ConvOptions options() {
        return options;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 3) throw shapeError("input of shape [height, width, channels] (rank 3, without the batch dimension)", inputShape);
        if (inputShape.dim(0) == 0 || inputShape.dim(1) == 0 || inputShape.dim(2) == 0) throw shapeError("non-empty height, width and channels", inputShape);
        int[] outSize = options.transposedOutputSize(inputShape.dim(0), inputShape.dim(1), kernelH, kernelW);
        return Shape.of(outSize[0], outSize[1], filters);
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        createKernelAndBias(Shape.of(kernelH, kernelW, filters, inputShape.dim(2)), filters, rng);
    }

    @Override
    public Tensor preActivation(Tensor x) {
        return addBias(x.conv2dTranspose(kernel().value(), options));
    }
}
