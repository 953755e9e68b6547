package dev.myelin.nn.layers;

import dev.myelin.backend.DType;
import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.RandomStream;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout, as Keras: in training each element is zeroed with probability {@code rate} and the
 * kept ones are scaled by {@code 1 / (1 − rate)}, so the expected output equals the input; at inference
 * the layer is the identity.
 *
 * <p>Randomness: the layer owns a generator, seeded from the build generator (so a seeded model is
 * repeatable) or from {@link #seed(long)}; {@link #randomState()} captures it so a resumed run draws the
 * same masks.
 *
 * <p>Shapes: output shape = input shape.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new Dropout(0.5).seed(42)}.
 */
public final class Dropout extends Layer {
    private final double rate;
    private Long seed;
    private RandomStream generator;

    /** Dropout's configuration: Keras's {@code rate} and {@code seed} (null: drawn from the build generator). */
    public record Config(LayerSettings layer, double rate, Long seed) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static Dropout fromConfig(Config config) {
        Dropout l = config.seed() == null ? new Dropout(config.rate()) : new Dropout(config.rate()).seed(config.seed());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), rate, seed);
    }

    /** @param rate the fraction of elements to drop, in {@code [0, 1)} */
    public Dropout(double rate) {
        super("dropout");
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("Dropout rate must be in [0, 1), got rate=" + rate);
        this.rate = rate;
    }

    /** Seeds the layer's own generator (instead of drawing a seed from the build generator); set before building. */
    public Dropout seed(long value) {
        if (isBuilt()) throw new IllegalStateException("layer '" + name() + "' is already built; set its seed before building");
        this.seed = value;
        return this;
    }

    public double rate() {
        return rate;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        long s = seed != null ? seed : rng != null ? rng.nextLong() : RandomGenerator.getDefault().nextLong();
        generator = RandomStream.seeded(s);
    }

    /** The mask generator's state (null before the layer is built). */
    @Override
    public long[] randomState() {
        return generator == null ? null : generator.state();
    }

    @Override
    public void restoreRandomState(long[] state) {
        restoreStream(generator, state);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (!training || rate == 0) return x;
        int[] shape = x.shape().toArray();
        // float32: the scaled mask drawn in one pass (the same draws and values as the bernoulli mask times the scale)
        Tensor mask = x.dtype() == DType.FLOAT32
                ? Tensor.bernoulliScaled(generator, 1.0 - rate, 1.0 / (1.0 - rate), shape)
                : Tensor.bernoulli(generator, 1.0 - rate, shape).to(x.dtype()).mul(1.0 / (1.0 - rate));
        return x.mul(mask);
    }
}
