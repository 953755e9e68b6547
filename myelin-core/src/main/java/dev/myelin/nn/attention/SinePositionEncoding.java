package dev.myelin.nn.attention;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Fixed sinusoidal position encodings ("Attention is all you need"), as keras-hub's
 * {@code SinePositionEncoding}: for position t and feature i of width D,
 * <pre>
 *   angle = t · max_wavelength^(−2·⌊i/2⌋ / D)
 *   output[b, t, i] = sin(angle) for even i,  cos(angle) for odd i
 * </pre>
 * to be added to the token embeddings. No weights and no length limit; the output depends on the input's
 * shape only.
 *
 * <p>Shapes: input {@code [batch, time, width]}, output the same.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code x = new Add().apply(tokens, new SinePositionEncoding().apply(tokens))}.
 */
public final class SinePositionEncoding extends Layer {
    private double maxWavelength = 10_000;

    public SinePositionEncoding() {
        super("sine_position_encoding");
    }

    /** SinePositionEncoding's configuration: keras-hub's {@code max_wavelength}. */
    public record Config(LayerSettings layer, double maxWavelength) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static SinePositionEncoding fromConfig(Config c) {
        SinePositionEncoding p = new SinePositionEncoding().maxWavelength(c.maxWavelength());
        p.settings(c.layer());
        return p;
    }

    @Override
    public Config config() {
        return new Config(settings(), maxWavelength);
    }

    /** The longest wavelength (default 10,000). */
    public SinePositionEncoding maxWavelength(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("SinePositionEncoding max_wavelength must be positive and finite, got max_wavelength=" + value);
        }
        this.maxWavelength = value;
        return this;
    }

    public double maxWavelength() {
        return maxWavelength;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 2) throw shapeError("input of shape [time, width] (rank 2, without the batch dimension)", inputShape);
        return inputShape;
    }

    /** Accepts any sequence length (the encoding has no table), with the built width. */
    @Override
    public void checkInput(Shape batchShape) {
        if (batchShape.rank() != 3 || batchShape.dim(2) != builtInputShape().dim(1)) {
            throw new IllegalArgumentException("layer '" + name() + "' expected input of shape [batch, time, " + builtInputShape().dim(1)
                    + "] but received " + batchShape);
        }
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int time = x.dim(1), width = x.dim(2);
        double[] table = new double[time * width];
        for (int t = 0; t < time; t++) {
            for (int i = 0; i < width; i++) {
                double angle = t * Math.pow(1.0 / maxWavelength, 2.0 * (i / 2) / width);
                table[t * width + i] = i % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
            }
        }
        return Tensor.of(table, 1, time, width).to(x.dtype()).expand(x.shape());
    }
}
