package dev.myelin.compress.quant;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.ConvPatches;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@link Conv2D} with an int8 kernel, for inference: the quantized input's patches (im2col, in bytes, the
 * padding filled with the zero point, which stands for 0) times the kernel as {@code [kh·kw·in, filters]}
 * in int8 × int8 → int32 ({@link QuantizedKernelLayer}). Same geometry as Conv2D: strides, SAME or VALID
 * padding, dilation.
 *
 * <p>Shapes: input {@code [batch, height, width, inChannels]}, output {@code [batch, outH, outW, filters]}
 * ({@link ConvOptions#outputSize}).
 *
 * <p>Weights: {@code kernel [kh, kw, inChannels, filters]} (int8 levels), {@code kernel_scale [filters]},
 * {@code bias [filters]}.
 */
public final class QuantizedConv2D extends QuantizedKernelLayer {
    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private final ConvOptions options;

    /** The configuration: Conv2D's geometry, activation, bias, and the input's quantization. */
    public record Config(LayerSettings layer, int filters, int kernelH, int kernelW, ConvOptions options, Activation activation, boolean useBias,
                         ActivationQuantization input) implements LayerConfig {}

    public QuantizedConv2D(int filters, int kernelH, int kernelW, ConvOptions options, Activation activation, boolean useBias, ActivationQuantization input) {
        super("quantized_conv2d", activation, useBias, input);
        if (filters <= 0 || kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("QuantizedConv2D filters and kernel size must be positive, got filters=" + filters + ", kernelSize=(" + kernelH + ", " + kernelW + ")");
        }
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static QuantizedConv2D fromConfig(Config config) {
        QuantizedConv2D c = new QuantizedConv2D(config.filters(), config.kernelH(), config.kernelW(), config.options(), config.activation(), config.useBias(), config.input());
        c.settings(config.layer());
        return c;
    }

    @Override
    public Config config() {
        return new Config(settings(), filters, kernelH, kernelW, options, activation(), useBias(), inputQuantization());
    }

    public int filters() {
        return filters;
    }

    public ConvOptions options() {
        return options;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 3) throw shapeError("input of shape [height, width, channels] (rank 3, without the batch dimension)", inputShape);
        int[] out = options.outputSize(inputShape.dim(0), inputShape.dim(1), kernelH, kernelW);
        if (out[0] <= 0 || out[1] <= 0) throw shapeError("an image at least as large as the " + kernelH + "x" + kernelW + " window with " + options.padding() + " padding", inputShape);
        return Shape.of(out[0], out[1], filters);
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        createWeights(Shape.of(kernelH, kernelW, inputShape.dim(2), filters), filters, rng);
    }

    @Override
    protected Tensor affineOf(Tensor x) {
        ConvPatches p = ConvPatches.of(options, kernelH, kernelW, x.dim(0), x.dim(1), x.dim(2), x.dim(3));
        int depth = p.depth();
        int rows = MemoryCheck.elementCount("QuantizedConv2D '" + name() + "' patches", p.batch(), p.outH(), p.outW());
        MemoryCheck.requireAvailable("QuantizedConv2D '" + name() + "' patches of " + rows + " x " + depth + " bytes", (long) rows * depth * 5 / 4 + (long) rows * filters * 8);
        byte[] patches = new byte[rows * depth];
        byte zero = (byte) inputQuantization().zeroPoint(); // zero padding is the zero point in the quantized input
        p.gather(quantizeInput(x), patches, (at, n) -> Arrays.fill(patches, at, at + n, zero));
        return Tensor.of(affine(patches, rows, x.backend()), p.batch(), p.outH(), p.outW(), filters);
    }
}
