package dev.myelin.compress.bf16;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.ConvPatches;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@link Conv2D} with a bfloat16 kernel, for inference: the input's patches (im2col, zero padding) times the
 * kernel as {@code [kh·kw·in, filters]} in float32 with float32 accumulation ({@link Bf16KernelLayer}).
 * Same geometry as Conv2D: strides, SAME or VALID padding, dilation.
 *
 * <p>Shapes: input {@code [batch, height, width, inChannels]}, output {@code [batch, outH, outW, filters]}
 * ({@link ConvOptions#outputSize}).
 *
 * <p>Weights: {@code kernel [kh, kw, inChannels, filters]} (bfloat16 values), {@code bias [filters]}.
 */
public final class Bf16Conv2D extends Bf16KernelLayer {
    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private final ConvOptions options;

    /** The configuration: Conv2D's geometry, activation and bias. */
    public record Config(LayerSettings layer, int filters, int kernelH, int kernelW, ConvOptions options, Activation activation, boolean useBias)
            implements LayerConfig {}

    public Bf16Conv2D(int filters, int kernelH, int kernelW, ConvOptions options, Activation activation, boolean useBias) {
        super("bf16_conv2d", activation, useBias);
        if (filters <= 0 || kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("Bf16Conv2D filters and kernel size must be positive, got filters=" + filters + ", kernelSize=(" + kernelH + ", " + kernelW + ")");
        }
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static Bf16Conv2D fromConfig(Config config) {
        Bf16Conv2D c = new Bf16Conv2D(config.filters(), config.kernelH(), config.kernelW(), config.options(), config.activation(), config.useBias());
        c.settings(config.layer());
        return c;
    }

    @Override
    public Config config() {
        return new Config(settings(), filters, kernelH, kernelW, options, activation(), useBias());
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
        int rows = MemoryCheck.elementCount("Bf16Conv2D '" + name() + "' patches", p.batch(), p.outH(), p.outW());
        MemoryCheck.requireAvailable("Bf16Conv2D '" + name() + "' patches of " + rows + " x " + depth + " floats", ((long) rows * depth + (long) rows * filters) * 8);
        float[] patches = new float[Math.multiplyExact(rows, depth)];
        p.gather(x.toFloatArray(), patches, (at, n) -> {}); // outside the image the patch keeps the array's zeros (zero padding)
        return Tensor.of(affine(patches, rows, x.backend()), p.batch(), p.outH(), p.outW(), filters);
    }
}
