package dev.myelin.multimodal;

import dev.myelin.tensor.Tensor;

/**
 * The symmetric InfoNCE loss of CLIP (Radford et al. 2021): row {@code i} of the image and the text
 * embeddings is a matching pair, every other row of the batch is a negative.
 * <pre>
 *   I = normalize(image)   T = normalize(text)          (each row divided by its L2 norm)
 *   s = exp(min(logScale, ln 100))                      (the learned inverse temperature, clamped at 100 as CLIP)
 *   L = s · I · Tᵀ                                       ([B, B] logits)
 *   loss = ( CE(L, diag) + CE(Lᵀ, diag) ) / 2            (cross-entropy image→text over rows, text→image over columns)
 *        = −1/(2B) · Σ_i ( log softmax(L[i, :])[i] + log softmax(L[:, i])[i] )
 * </pre>
 * {@code normalize(x) = x / sqrt(Σ x² + 1e-12)} (the small constant keeps a zero row finite). The log scale
 * starts at {@link #INITIAL_LOG_SCALE} = {@code ln(1/0.07)}, CLIP's temperature 0.07; above
 * {@link #MAX_LOG_SCALE} its gradient is 0, as the clamp.
 *
 * <p>Shapes: {@code image [B, D]}, {@code text [B, D]} with {@code B ≥ 2}; {@code logScale} a one-element
 * tensor; the loss a scalar.
 *
 * <p>Example: {@code Tensor loss = InfoNce.loss(imageEncoder.call(x, true), textEncoder.call(ids, true), logScale.value());}
 */
public final class InfoNce {
    /** {@code ln(1/0.07)}: CLIP's initial log inverse temperature. */
    public static final double INITIAL_LOG_SCALE = Math.log(1 / 0.07);
    /** {@code ln 100}: the log scale is clamped here, so logits are at most 100 times a cosine. */
    public static final double MAX_LOG_SCALE = Math.log(100);
    private static final double NORM_EPSILON = 1e-12;

    private InfoNce() {}

    /** The scalar loss above. */
    public static Tensor loss(Tensor image, Tensor text, Tensor logScale) {
        Tensor logits = logits(image, text, logScale);
        int b = logits.dim(0);
        Tensor diagonal = Tensor.eye(b).to(logits.dtype());
        Tensor imageToText = logits.logSoftmax(1).mul(diagonal).sum();
        Tensor textToImage = logits.logSoftmax(0).mul(diagonal).sum();
        return imageToText.add(textToImage).mul(-0.5 / b);
    }

    /**
     * The {@code [B, B]} logits {@code s · normalize(image) · normalize(text)ᵀ}: row {@code i} scores image
     * {@code i} against every text.
     *
     * @throws IllegalArgumentException for embeddings that are not {@code [B, D]} of one shape, fewer than 2
     *                                  pairs, or a log scale that is not one element
     */
    public static Tensor logits(Tensor image, Tensor text, Tensor logScale) {
        check(image, text, logScale);
        Tensor scale = logScale.reshape(1, 1).clamp(Double.NEGATIVE_INFINITY, MAX_LOG_SCALE).exp();
        return normalize(image).matmul(normalize(text).mT()).mul(scale);
    }

    /** Each row divided by its L2 norm: {@code x / sqrt(Σ x² + 1e-12)}. Shapes: {@code [B, D]} to {@code [B, D]}. */
    public static Tensor normalize(Tensor x) {
        return x.mul(x.square().sum(new int[] {-1}, true).add(NORM_EPSILON).rsqrt());
    }

    private static void check(Tensor image, Tensor text, Tensor logScale) {
        if (image.rank() != 2 || text.rank() != 2) {
            throw new IllegalArgumentException("InfoNCE needs image and text embeddings of shape [pairs, dim], got " + image.shape() + " and " + text.shape());
        }
        if (image.dim(0) != text.dim(0)) {
            throw new IllegalArgumentException("InfoNCE needs one text per image: got " + image.dim(0) + " image and " + text.dim(0)
                    + " text embeddings (row i of each must be a matching pair)");
        }
        if (image.dim(1) != text.dim(1)) {
            throw new IllegalArgumentException("InfoNCE needs image and text embeddings of one width, got " + image.dim(1) + " and " + text.dim(1)
                    + " (project both to the same dimension)");
        }
        if (image.dim(0) < 2) {
            throw new IllegalArgumentException("InfoNCE needs at least 2 pairs in a batch (the other pairs are the negatives), got "
                    + image.dim(0) + "; use a batch size of 2 or more and drop a last batch of one");
        }
        if (logScale.size() != 1) throw new IllegalArgumentException("InfoNCE's log scale must be one value, got shape " + logScale.shape());
    }
}
