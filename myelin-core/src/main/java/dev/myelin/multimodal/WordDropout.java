package dev.myelin.multimodal;

import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Word dropout for token-id sequences, a text augmentation: each non-padding token is dropped with
 * probability {@code rate}, the kept ones move left in order and the row is padded with 0 again, so a
 * masked mean over the row sees a shorter description ("a photo of a sneaker" may become "photo sneaker").
 * A row keeps at least one token (its first kept draw, else its first token): an all-padding row would
 * make a masked mean 0/0.
 *
 * <p>Shapes: {@code ids [n, T]} (0 = padding) to {@code [n, T]}.
 */
public final class WordDropout {
    private WordDropout() {}

    /** The ids with words dropped; see the class comment. */
    public static Tensor apply(Tensor ids, double rate, RandomGenerator rng) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("word dropout rate must be in [0, 1), got " + rate);
        if (ids.rank() != 2) throw new IllegalArgumentException("word dropout needs token ids of shape [n, length], got " + ids.shape());
        int n = ids.dim(0), t = ids.dim(1);
        double[] in = ids.toDoubleArray();
        double[] out = new double[in.length];
        for (int r = 0; r < n; r++) {
            int kept = 0, first = -1;
            for (int j = 0; j < t; j++) {
                double id = in[r * t + j];
                if (id == 0) continue;
                if (first < 0) first = j;
                if (rng.nextDouble() >= rate) out[r * t + kept++] = id;
            }
            if (kept == 0 && first >= 0) out[r * t] = in[r * t + first];
        }
        return Tensor.of(out, n, t).to(ids.dtype());
    }
}
