package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * MixUp (Zhang et al. 2018), as Keras's {@code MixUp(alpha)}: each image of a batch is blended with another
 * image of the same batch, and its one-hot label with that image's label in the same proportion. Per batch
 * it draws a permutation {@code π} ({@link Permutations#shuffled}), then per image {@code λ_i ~ Beta(α, α)}:
 * <pre>
 *   x'_i = λ_i·x_i + (1 − λ_i)·x_π(i)      y'_i = λ_i·y_i + (1 − λ_i)·y_π(i)
 * </pre>
 * (one λ per image, as Keras 3; the paper draws one per batch). Small α keeps most images nearly whole.
 *
 * <p>Labels must be one-hot (or soft) rows {@code [batch, classes]}, trained with
 * {@code CategoricalCrossentropy}; class ids are refused with a message saying to convert them with
 * {@code Tensor.oneHot(y, classes)}, as Keras (a mixed label is not a class id). Use it in a
 * {@link DataLoader} ({@code augment(MixUp.of(0.2))}), which passes the targets; {@link #apply(Tensor,
 * RandomGenerator)} alone, without labels, refuses.
 *
 * <p>Shapes: {@code x [batch, height, width, channels]}, {@code y [batch, classes]} in and out.
 *
 * @param alpha the Beta distribution's parameter, > 0 (Keras's default 0.2)
 */
public record MixUp(double alpha) implements Augmentation {

    public MixUp {
        if (!(alpha > 0 && Double.isFinite(alpha))) throw new IllegalArgumentException("MixUp: alpha must be > 0, got " + alpha);
    }

    /** MixUp with {@code Beta(alpha, alpha)} weights. */
    public static MixUp of(double alpha) {
        return new MixUp(alpha);
    }

    /** Refuses: MixUp mixes labels too, so it needs the batch's targets. */
    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        throw new UnsupportedOperationException("MixUp mixes the labels too: use it in a DataLoader with one-hot targets "
                + "(augment(MixUp.of(" + alpha + "))) or call apply(batch, rng)");
    }

    @Override
    public DataLoader.Batch apply(DataLoader.Batch batch, RandomGenerator rng) {
        Tensor x = batch.x();
        int b = Images.dims(x, "MixUp")[0];
        if (batch.ys().size() != 1) throw new IllegalArgumentException("MixUp needs one target per batch (one-hot labels), got " + batch.ys().size());
        LabelMixing.checkOneHot("MixUp", batch.y(), b);
        int[] partner = Permutations.shuffled(b, rng);
        double[] lambda = new double[b];
        for (int i = 0; i < b; i++) lambda[i] = BetaSampler.beta(rng, alpha, alpha);
        return mix(batch, partner, lambda);
    }

    /** Image and label {@code i} blended with {@code partner[i]} with weight {@code lambda[i]} on itself (deterministic). */
    public static DataLoader.Batch mix(DataLoader.Batch batch, int[] partner, double[] lambda) {
        Tensor x = batch.x(), y = batch.y();
        int[] d = Images.dims(x, "MixUp.mix");
        int b = d[0], image = d[1] * d[2] * d[3];
        LabelMixing.checkOneHot("MixUp", y, b);
        LabelMixing.checkPartners("MixUp.mix", b, partner, lambda.length);
        float[] src = x.toFloatArray(), dst = new float[src.length];
        for (int i = 0; i < b; i++) {
            float l = (float) lambda[i];
            int o = i * image, q = partner[i] * image;
            for (int k = 0; k < image; k++) dst[o + k] = l * src[o + k] + (1 - l) * src[q + k];
        }
        return new DataLoader.Batch(List.of(Tensor.of(dst, d).to(x.dtype())), List.of(LabelMixing.mix(y, partner, lambda)));
    }
}
