package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * CutMix (Yun et al. 2019), as Keras's {@code CutMix}: a rectangle of each image is replaced by the same
 * rectangle of another image of the batch, and the one-hot labels are mixed by area. Per batch it draws a
 * permutation {@code π} ({@link Permutations#shuffled}), then per image {@code λ ~ Beta(α, α)}, the box
 * {@code ch = floor(H·√(1 − λ))} rows by {@code cw = floor(W·√(1 − λ))} columns, and its top-left corner:
 * row {@code rng.nextInt(H − ch + 1)}, then column {@code rng.nextInt(W − cw + 1)} (the box lies inside the
 * image, as Keras 3's). The label weight is then the share of pixels the image kept:
 * <pre>
 *   y'_i = λ'_i·y_i + (1 − λ'_i)·y_π(i),   λ'_i = 1 − ch·cw / (H·W)
 * </pre>
 * computed from the whole-pixel box, so labels match the pixels exactly (Keras 3 mixes by the box's
 * real-valued area).
 *
 * <p>Labels must be one-hot rows {@code [batch, classes]}; class ids are refused, as by {@link MixUp}.
 *
 * <p>Shapes: {@code x [batch, height, width, channels]}, {@code y [batch, classes]} in and out.
 *
 * @param alpha the Beta distribution's parameter, > 0 (the paper's and keras_cv's default 1: λ uniform)
 */
public record CutMix(double alpha) implements Augmentation {

    public CutMix {
        if (!(alpha > 0 && Double.isFinite(alpha))) throw new IllegalArgumentException("CutMix: alpha must be > 0, got " + alpha);
    }

    /** CutMix with {@code Beta(alpha, alpha)} box areas. */
    public static CutMix of(double alpha) {
        return new CutMix(alpha);
    }

    /** Refuses: CutMix mixes labels too, so it needs the batch's targets. */
    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        throw new UnsupportedOperationException("CutMix mixes the labels too: use it in a DataLoader with one-hot targets "
                + "(augment(CutMix.of(" + alpha + "))) or call apply(batch, rng)");
    }

    @Override
    public DataLoader.Batch apply(DataLoader.Batch batch, RandomGenerator rng) {
        int[] d = Images.dims(batch.x(), "CutMix");
        int b = d[0], h = d[1], w = d[2];
        if (batch.ys().size() != 1) throw new IllegalArgumentException("CutMix needs one target per batch (one-hot labels), got " + batch.ys().size());
        LabelMixing.checkOneHot("CutMix", batch.y(), b);
        int[] partner = Permutations.shuffled(b, rng);
        int[][] boxes = new int[b][];
        for (int i = 0; i < b; i++) {
            double cut = Math.sqrt(1 - BetaSampler.beta(rng, alpha, alpha));
            int ch = (int) Math.floor(h * cut), cw = (int) Math.floor(w * cut);
            int top = rng.nextInt(h - ch + 1), left = rng.nextInt(w - cw + 1);
            boxes[i] = new int[] {top, left, ch, cw};
        }
        return cut(batch, partner, boxes);
    }

    /**
     * Image {@code i} with the box {@code boxes[i] = {top, left, height, width}} taken from image
     * {@code partner[i]}, labels mixed by the area kept (deterministic).
     */
    public static DataLoader.Batch cut(DataLoader.Batch batch, int[] partner, int[][] boxes) {
        Tensor x = batch.x(), y = batch.y();
        int[] d = Images.dims(x, "CutMix.cut");
        int b = d[0], h = d[1], w = d[2], c = d[3], image = h * w * c;
        LabelMixing.checkOneHot("CutMix", y, b);
        LabelMixing.checkPartners("CutMix.cut", b, partner, boxes.length);
        float[] src = x.toFloatArray(), dst = src.clone();
        double[] kept = new double[b];
        for (int i = 0; i < b; i++) {
            int top = boxes[i][0], left = boxes[i][1], bh = boxes[i][2], bw = boxes[i][3];
            if (top < 0 || left < 0 || bh < 0 || bw < 0 || top + bh > h || left + bw > w) {
                throw new IllegalArgumentException("CutMix.cut: box " + java.util.Arrays.toString(boxes[i]) + " (top, left, height, width) is not inside " + h + "x" + w);
            }
            for (int r = top; r < top + bh; r++) {
                int o = i * image + (r * w + left) * c;
                System.arraycopy(src, partner[i] * image + (r * w + left) * c, dst, o, bw * c);
            }
            kept[i] = 1 - (double) bh * bw / (h * w);
        }
        return new DataLoader.Batch(List.of(Tensor.of(dst, d).to(x.dtype())), List.of(LabelMixing.mix(y, partner, kept)));
    }
}
