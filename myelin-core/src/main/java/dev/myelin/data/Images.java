package dev.myelin.data;

import dev.myelin.tensor.Tensor;

/** Shared pieces of the image augmentations: shape checks and the bilinear affine sampler. */
final class Images {
    private Images() {}

    /** Checks that {@code images} is {@code [batch, height, width, channels]}; {@code who} names the caller. */
    static int[] dims(Tensor images, String who) {
        if (images.rank() != 4) {
            throw new IllegalArgumentException(who + ": expected images [batch, height, width, channels], got shape " + images.shape());
        }
        return images.shape().toArray();
    }

    /**
     * Resamples one HWC image starting at {@code base} of {@code src} into {@code dst} (same layout): output
     * pixel (x, y) — x the column, y the row — takes the input at
     * {@code (ix, iy) = (a0·x + a1·y + a2, b0·x + b1·y + b2)}, interpolated bilinearly from its four
     * neighbours; a neighbour outside the image reads 0 (TensorFlow's {@code fill_mode="constant"}). At
     * integer coordinates the result is the input value exactly. {@code dst} must be zero where the image
     * goes (a fresh array).
     */
    static void affine(float[] src, float[] dst, int base, int h, int w, int c,
                       double a0, double a1, double a2, double b0, double b1, double b2) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double ix = a0 * x + a1 * y + a2;
                double iy = b0 * x + b1 * y + b2;
                if (!(ix > -1 && iy > -1 && ix < w && iy < h)) continue; // all four neighbours outside (or NaN)
                double fx = Math.floor(ix), fy = Math.floor(iy);
                int x0 = (int) fx, y0 = (int) fy, x1 = x0 + 1, y1 = y0 + 1;
                float wx1 = (float) (ix - fx), wx0 = 1f - wx1;
                float wy1 = (float) (iy - fy), wy0 = 1f - wy1;
                boolean in00 = y0 >= 0 && x0 >= 0, in01 = y0 >= 0 && x1 < w;
                boolean in10 = y1 < h && x0 >= 0, in11 = y1 < h && x1 < w;
                int p00 = base + (y0 * w + x0) * c, p01 = p00 + c, p10 = p00 + w * c, p11 = p10 + c;
                int o = base + (y * w + x) * c;
                for (int ch = 0; ch < c; ch++) {
                    float v00 = in00 ? src[p00 + ch] : 0f, v01 = in01 ? src[p01 + ch] : 0f;
                    float v10 = in10 ? src[p10 + ch] : 0f, v11 = in11 ? src[p11 + ch] : 0f;
                    float top = wx0 * v00 + wx1 * v01;
                    float bottom = wx0 * v10 + wx1 * v11;
                    dst[o + ch] = wy0 * top + wy1 * bottom;
                }
            }
        }
    }
}
