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
     * Resamples one HWC image starting at {@code base} of {@code src} into {@code dst} (same layout) with
     * zeros outside and bilinear interpolation: {@link #affine(float[], float[], int, int, int, int, double,
     * double, double, double, double, double, FillMode, float, Interpolation)} in {@code CONSTANT} mode with
     * fill value 0.
     */
    static void affine(float[] src, float[] dst, int base, int h, int w, int c,
                       double a0, double a1, double a2, double b0, double b1, double b2) {
        affine(src, dst, base, h, w, c, a0, a1, a2, b0, b1, b2, FillMode.CONSTANT, 0f, Interpolation.BILINEAR);
    }

    /**
     * Resamples one HWC image starting at {@code base} of {@code src} into {@code dst} (same layout), as
     * TensorFlow's {@code ImageProjectiveTransformV3}: output pixel (x, y) — x the column, y the row — takes
     * the input at {@code (ix, iy) = (a0·x + a1·y + a2, b0·x + b1·y + b2)}, each coordinate first mapped into
     * the image by {@code fill} ({@link FillMode#map}), then interpolated: bilinearly from its four
     * neighbours, or from the nearest pixel. A neighbour outside the image reads {@code fillValue} (only
     * {@code CONSTANT} mode leaves coordinates outside); a point with all four neighbours outside is
     * {@code fillValue}. At integer coordinates the result is the input value exactly.
     */
    static void affine(float[] src, float[] dst, int base, int h, int w, int c,
                       double a0, double a1, double a2, double b0, double b1, double b2,
                       FillMode fill, float fillValue, Interpolation interpolation) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double ix = fill.map(a0 * x + a1 * y + a2, w);
                double iy = fill.map(b0 * x + b1 * y + b2, h);
                int o = base + (y * w + x) * c;
                if (interpolation == Interpolation.NEAREST) {
                    long nx = roundHalfAway(ix), ny = roundHalfAway(iy);
                    boolean in = nx >= 0 && ny >= 0 && nx < w && ny < h;
                    int p = base + (int) ((ny * w + nx) * c);
                    for (int ch = 0; ch < c; ch++) dst[o + ch] = in ? src[p + ch] : fillValue;
                    continue;
                }
                if (!(ix > -1 && iy > -1 && ix < w && iy < h)) { // all four neighbours outside (or NaN)
                    for (int ch = 0; ch < c; ch++) dst[o + ch] = fillValue;
                    continue;
                }
                double fx = Math.floor(ix), fy = Math.floor(iy);
                int x0 = (int) fx, y0 = (int) fy, x1 = x0 + 1, y1 = y0 + 1;
                float wx1 = (float) (ix - fx), wx0 = 1f - wx1;
                float wy1 = (float) (iy - fy), wy0 = 1f - wy1;
                boolean in00 = y0 >= 0 && x0 >= 0, in01 = y0 >= 0 && x1 < w;
                boolean in10 = y1 < h && x0 >= 0, in11 = y1 < h && x1 < w;
                int p00 = base + (y0 * w + x0) * c, p01 = p00 + c, p10 = p00 + w * c, p11 = p10 + c;
                for (int ch = 0; ch < c; ch++) {
                    float v00 = in00 ? src[p00 + ch] : fillValue, v01 = in01 ? src[p01 + ch] : fillValue;
                    float v10 = in10 ? src[p10 + ch] : fillValue, v11 = in11 ? src[p11 + ch] : fillValue;
                    float top = wx0 * v00 + wx1 * v01;
                    float bottom = wx0 * v10 + wx1 * v11;
                    dst[o + ch] = wy0 * top + wy1 * bottom;
                }
            }
        }
    }

    /** C's {@code round}: halves away from zero (NaN as a point outside). */
    private static long roundHalfAway(double v) {
        if (Double.isNaN(v)) return -1;
        return v < 0 ? -(long) Math.floor(-v + 0.5) : (long) Math.floor(v + 0.5);
    }

    /** Clips every value of {@code v} to {@code [low, high]} in place. */
    static void clip(float[] v, float low, float high) {
        for (int i = 0; i < v.length; i++) v[i] = Math.min(Math.max(v[i], low), high);
    }

    /** Checks a value range {@code [low, high]} for the colour augmentations; {@code who} names the caller. */
    static void checkValueRange(String who, double low, double high) {
        if (!(Double.isFinite(low) && Double.isFinite(high) && low < high)) {
            throw new IllegalArgumentException(who + ": value_range must be finite with low < high, got [" + low + ", " + high + "]");
        }
    }
}
