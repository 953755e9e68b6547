package dev.myelin.explain;

import dev.myelin.io.PngWriter;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Heat maps of image attributions: a map per image scaled to [0, 1] ({@link #normalize}), drawn in a
 * {@link ColorMap} over the image in grey or colour ({@link #overlay}), and a grid of images × methods
 * written as one PNG ({@link #writeGrid}) with {@link PngWriter}.
 *
 * <p>Scaling: the heat of a pixel is the absolute attribution summed over its channels, divided by the
 * image's 99th percentile of that value and clipped to 1 (Captum's {@code visualize_image_attr} clips its
 * top 2% as outliers the same way), so one extreme pixel does not leave the rest of the map dark.
 * The sign is dropped: the maps show where the evidence is, not which way it points.
 */
public final class HeatMaps {
    /** The percentile that maps to full heat. */
    static final double CLIP_PERCENTILE = 99;

    private HeatMaps() {}

    /**
     * The heat {@code [n, h, w]} in [0, 1] of attributions {@code [n, h, w, c]} (see the class comment).
     * A map with no positive value is all 0.
     */
    public static Tensor normalize(Tensor attributions) {
        if (attributions.rank() != 4) throw new IllegalArgumentException("HeatMaps: expected image attributions [n, h, w, c], got " + attributions.shape());
        Tensor heat = attributions.detach().abs().sum(3).contiguous();
        int n = heat.dim(0), hw = heat.dim(1) * heat.dim(2);
        float[] v = heat.toFloatArray();
        for (int i = 0; i < n; i++) {
            float[] sorted = Arrays.copyOfRange(v, i * hw, (i + 1) * hw);
            Arrays.sort(sorted);
            double top = sorted[(int) Math.min(hw - 1, Math.ceil(CLIP_PERCENTILE / 100 * hw) - 1)];
            if (!(top > 0)) top = sorted[hw - 1];
            for (int p = i * hw; p < (i + 1) * hw; p++) v[p] = top > 0 ? (float) Math.min(1, v[p] / top) : 0f;
        }
        return Tensor.of(v, heat.dim(0), heat.dim(1), heat.dim(2));
    }

    /**
     * Images {@code [n, h, w, 1 or 3]} with values in {@code [low, high]}, as RGB {@code [n, h, w, 3]} in [0, 1] with
     * the heat {@code [n, h, w]} drawn over them: {@code (1 − alpha) · image + alpha · colour(heat)}.
     */
    public static Tensor overlay(Tensor images, double low, double high, Tensor heat, ColorMap map, double alpha) {
        if (images.rank() != 4 || (images.dim(3) != 1 && images.dim(3) != 3)) {
            throw new IllegalArgumentException("HeatMaps: expected images [n, h, w, 1 or 3], got " + images.shape());
        }
        if (heat.rank() != 3 || heat.dim(0) != images.dim(0) || heat.dim(1) != images.dim(1) || heat.dim(2) != images.dim(2)) {
            throw new IllegalArgumentException("HeatMaps: heat " + heat.shape() + " does not match images " + images.shape());
        }
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("HeatMaps: alpha must be in [0, 1], got " + alpha);
        if (!(low < high)) throw new IllegalArgumentException("HeatMaps: need low < high, got " + low + ", " + high);
        int n = images.dim(0), h = images.dim(1), w = images.dim(2), c = images.dim(3);
        float[] img = images.detach().contiguous().toFloatArray(), hv = heat.detach().contiguous().toFloatArray();
        float[] out = new float[n * h * w * 3];
        for (int p = 0; p < n * h * w; p++) {
            double[] col = map.rgb(hv[p]);
            for (int ch = 0; ch < 3; ch++) {
                double pixel = Math.max(0, Math.min(1, (img[p * c + (c == 1 ? 0 : ch)] - low) / (high - low)));
                out[p * 3 + ch] = (float) ((1 - alpha) * pixel + alpha * col[ch]);
            }
        }
        return Tensor.of(out, n, h, w, 3);
    }

    /**
     * Writes one PNG with a row per image: the image itself, then its heat map under each method's
     * attributions (the {@code [n, h, w, c]} of {@link Attribution#values()}) overlaid in {@code map} with
     * opacity {@code alpha}; every pixel drawn {@code scale × scale}.
     */
    public static void writeGrid(Tensor images, double low, double high, List<Tensor> attributions, ColorMap map, double alpha, int scale, Path file)
            throws IOException {
        int n = images.dim(0), h = images.dim(1), w = images.dim(2);
        int cols = 1 + attributions.size();
        float[] all = new float[n * cols * h * w * 3];
        Tensor plain = overlay(images, low, high, Tensor.zeros(n, h, w), map, 0);
        Tensor[] columns = new Tensor[cols];
        columns[0] = plain;
        for (int m = 0; m < attributions.size(); m++) columns[m + 1] = overlay(images, low, high, normalize(attributions.get(m)), map, alpha);
        int tile = h * w * 3;
        for (int m = 0; m < cols; m++) {
            float[] v = columns[m].toFloatArray();
            for (int i = 0; i < n; i++) System.arraycopy(v, i * tile, all, (i * cols + m) * tile, tile);
        }
        PngWriter.writeGrid(Tensor.of(all, n * cols, h, w, 3), cols, 0, 1, scale, file);
    }
}
