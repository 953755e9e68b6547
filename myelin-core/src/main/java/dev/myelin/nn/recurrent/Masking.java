package dev.myelin.nn.recurrent;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Marks padded time steps, as Keras's {@code Masking}: a step whose features all equal {@code maskValue}
 * is masked. The output is the input with masked steps zeroed, carrying a {@code [batch, time]} mask that
 * the recurrent layers after it use (see {@link Masks}).
 *
 * <p>Shapes: input {@code [batch, time, features]}; output the same.
 *
 * <p>Example: {@code new Masking(0.0).inputShape(20, 3)}.
 */
public final class Masking extends Layer {
    private final double maskValue;

    /** Masking's configuration: Keras's {@code mask_value}. */
    public record Config(LayerSettings layer, double maskValue) implements LayerConfig {}

    /** A layer with {@code config}'s settings, unbuilt. */
    public static Masking fromConfig(Config config) {
        Masking l = new Masking(config.maskValue());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), maskValue);
    }

    public Masking(double maskValue) {
        super("masking");
        this.maskValue = maskValue;
    }

    public Masking() {
        this(0.0);
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 2) throw shapeError("a sequence of shape [batch, time, features]", inputShape);
        return inputShape;
    }

    @Override
    public void checkInput(Shape batchShape) {
        if (batchShape.rank() != 3 || batchShape.dim(2) != builtInputShape().dim(1)) {
            throw new IllegalArgumentException("layer '" + name() + "' (Masking) expected a sequence of shape [batch, time, "
                    + builtInputShape().dim(1) + "] but received " + batchShape);
        }
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor keep = x.ne(Tensor.scalar(x.dtype(), maskValue)).to(x.dtype()).max(new int[] {2}, false); // [batch, time]
        Tensor y = x.mul(keep.reshape(x.dim(0), x.dim(1), 1));
        return Masks.attach(y, keep);
    }
}
