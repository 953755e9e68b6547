package dev.myelin.explain;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;

/**
 * Occlusion sensitivity (Zeiler and Fergus 2014): slide a patch of {@code baseline} values over the input
 * and record how much the target score drops,
 * <pre>  A[p] = mean over the patch positions P that cover p of ( score(x) − score(x with P set to baseline) )</pre>
 * (Captum's {@code Occlusion}: each patch's drop is given to every element it covers, averaged where
 * patches overlap; elements no patch covers get 0). Model-agnostic: forward passes only, no gradients.
 *
 * <p>Patches: for images {@code [n, h, w, c]} a {@code patch × patch} square over all channels, moved by
 * {@code stride} in both directions ({@code (h − patch) / stride + 1} positions a side), giving
 * {@code [n, h, w, 1]}; for sequences {@code [n, t, f]} a window of {@code patch} steps over all features
 * ({@code [n, t, 1]}); for tabular inputs {@code [n, f]} a window of {@code patch} features ({@code [n, f]}).
 *
 * <p>Batched: the occluded copies of a batch's examples go through the model together, at most
 * {@code maxRows} at a time.
 *
 * @param patch    the patch side (or window length), at least 1
 * @param stride   the step between patches, at least 1
 * @param baseline the value an occluded element takes (0: black for pixels scaled to [0, 1])
 * @param maxRows  the most occluded copies per forward pass
 */
public record Occlusion(int patch, int stride, double baseline, int maxRows) implements AttributionMethod {
    /** A {@code patch} square moved by {@code stride}, filled with {@code baseline}, 256 copies per pass. */
    public Occlusion(int patch, int stride, double baseline) {
        this(patch, stride, baseline, 256);
    }

    public Occlusion {
        if (patch < 1) throw new IllegalArgumentException("Occlusion: patch must be >= 1, got " + patch);
        if (stride < 1) throw new IllegalArgumentException("Occlusion: stride must be >= 1, got " + stride);
        if (maxRows < 1) throw new IllegalArgumentException("Occlusion: maxRows must be >= 1, got " + maxRows);
        if (!Double.isFinite(baseline)) throw new IllegalArgumentException("Occlusion: baseline must be finite, got " + baseline);
    }

    @Override
    public String name() {
        return "occlusion";
    }

    @Override
    public Attribution explainBatch(Model model, Tensor x, Target target, int offset) {
        Tensor input = x.detach().contiguous();
        int[] dims = input.shape().toArray();
        if (dims.length < 2 || dims.length > 4) throw new IllegalArgumentException("Occlusion: expected [n, features], [n, steps, features] or [n, h, w, c], got " + input.shape());
        int n = dims[0];
        // the occluded grid: rows × cols of cells, each cell holding `depth` values
        int rows = dims[1], cols = dims.length == 4 ? dims[2] : 1, depth = dims.length == 2 ? 1 : dims[dims.length - 1];
        boolean square = dims.length == 4;
        if (patch > rows || square && patch > cols) throw new IllegalArgumentException("Occlusion: patch " + patch + " is larger than the input " + input.shape());
        int py = (rows - patch) / stride + 1, px = square ? (cols - patch) / stride + 1 : 1;
        int positions = py * px, example = rows * cols * depth;
        int[] targets = target.resolve(Scores.values(model, input), offset);
        double[] full = Scores.selectedValues(model, input, targets);
        float[] src = input.toFloatArray();
        double[] sum = new double[n * rows * cols];
        int[] count = new int[rows * cols];
        for (int p = 0; p < positions; p++) forCells(p, px, square, cols, (cell) -> count[cell]++);
        int total = n * positions;
        int[] rowShape = dims.clone();
        for (int from = 0; from < total; from += maxRows) {
            int m = Math.min(maxRows, total - from);
            float[] data = new float[m * example];
            int[] rowTargets = new int[m];
            for (int r = 0; r < m; r++) {
                int i = (from + r) / positions, p = (from + r) % positions;
                System.arraycopy(src, i * example, data, r * example, example);
                int base = r * example;
                forCells(p, px, square, cols, (cell) -> java.util.Arrays.fill(data, base + cell * depth, base + (cell + 1) * depth, (float) baseline));
                rowTargets[r] = targets[i];
            }
            rowShape[0] = m;
            double[] occluded = Scores.selectedValues(model, Tensor.of(data, rowShape), rowTargets);
            for (int r = 0; r < m; r++) {
                int i = (from + r) / positions, p = (from + r) % positions;
                double drop = full[i] - occluded[r];
                forCells(p, px, square, cols, (cell) -> sum[i * rows * cols + cell] += drop);
            }
        }
        float[] out = new float[n * rows * cols];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < rows * cols; c++) out[i * rows * cols + c] = count[c] == 0 ? 0f : (float) (sum[i * rows * cols + c] / count[c]);
        }
        Tensor values = switch (dims.length) {
            case 2 -> Tensor.of(out, n, rows);
            case 3 -> Tensor.of(out, n, rows, 1);
            default -> Tensor.of(out, n, rows, cols, 1);
        };
        return new Attribution(values, targets);
    }

    private interface CellAction {
        void at(int cell);
    }

    /** Runs {@code action} on every cell ({@code row · cols + col}) of patch position {@code p}. */
    private void forCells(int p, int px, boolean square, int cols, CellAction action) {
        int y0 = (p / px) * stride, x0 = square ? (p % px) * stride : 0;
        int w = square ? patch : 1;
        for (int y = y0; y < y0 + patch; y++) for (int xx = x0; xx < x0 + w; xx++) action.at(y * cols + xx);
    }
}
