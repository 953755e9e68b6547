package dev.myelin.data;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;

/**
 * An in-memory data set: features {@code x} of shape {@code [n, ...]} and targets {@code y} of shape
 * {@code [n, ...]}, row {@code i} of each belonging to sample {@code i}. Both are stored as float32;
 * class-id targets are {@code [n]} floats holding whole numbers (as the readers in this package return
 * them), one-hot or regression targets have more dimensions.
 *
 * <p>A dataset is immutable: {@link #take}, {@link #slice}, {@link #shuffled} and {@link #split} copy
 * the rows they keep into a new dataset. The data is copied once on the way in ({@link #of}); {@link #x()}
 * and {@link #y()} return new tensors, so writing into them never changes the dataset.
 *
 * <p>Shapes: {@code x [n, d1, d2, ...]}, {@code y [n, e1, ...]} (at least rank 1); images are
 * {@code [n, height, width, channels]}.
 *
 * <p>Example:
 * <pre>{@code
 * TrainTest data = FashionMnist.load(Path.of("data/fashion-mnist-subset"));
 * Dataset train = Normalization.scale(1 / 255.0).apply(data.train());
 * Dataset.Split parts = train.split(0.2);        // Keras validation_split: the LAST 20% validate
 * for (DataLoader.Batch b : DataLoader.of(parts.train()).batchSize(32).shuffle(42)) { ... }
 * }</pre>
 */
public final class Dataset {
    private final float[] x;
    private final int[] xShape;
    private final float[] y;
    private final int[] yShape;
    private final int n;
    private final int xRow;
    private final int yRow;

    /** Takes ownership of the arrays (no copy); callers in this package hand over fresh arrays. */
    Dataset(float[] x, int[] xShape, float[] y, int[] yShape) {
        if (xShape.length == 0 || yShape.length == 0) {
            throw new IllegalArgumentException("Dataset: x and y need a sample dimension first, got x "
                    + Arrays.toString(xShape) + " and y " + Arrays.toString(yShape));
        }
        if (xShape[0] != yShape[0]) {
            throw new IllegalArgumentException("Dataset: x has " + xShape[0] + " samples but y has " + yShape[0]
                    + " (the first dimensions must match; x " + Arrays.toString(xShape) + ", y " + Arrays.toString(yShape) + ")");
        }
        this.n = xShape[0];
        this.xShape = xShape.clone();
        this.yShape = yShape.clone();
        this.xRow = rowLength(xShape);
        this.yRow = rowLength(yShape);
        if (x.length != (long) n * xRow || y.length != (long) n * yRow) {
            throw new IllegalArgumentException("Dataset: data lengths " + x.length + " and " + y.length
                    + " do not match shapes " + Arrays.toString(xShape) + " and " + Arrays.toString(yShape));
        }
        this.x = x;
        this.y = y;
    }

    /**
     * A dataset holding a float32 copy of {@code x} and {@code y} (any dtype, any strides). Both need rank at
     * least 1 and the same first dimension; the message of the exception otherwise gives both counts.
     */
    public static Dataset of(Tensor x, Tensor y) {
        if (x.rank() == 0 || y.rank() == 0) {
            throw new IllegalArgumentException("Dataset: x and y need a sample dimension first, got x " + x.shape() + " and y " + y.shape());
        }
        if (x.dim(0) != y.dim(0)) {
            throw new IllegalArgumentException("Dataset: x has " + x.dim(0) + " samples but y has " + y.dim(0)
                    + " (the first dimensions must match; x " + x.shape() + ", y " + y.shape() + ")");
        }
        return new Dataset(x.toFloatArray(), x.shape().toArray(), y.toFloatArray(), y.shape().toArray());
    }

    private static int rowLength(int[] shape) {
        long r = 1;
        for (int i = 1; i < shape.length; i++) r *= shape[i];
        return (int) r;
    }

    /** Number of samples {@code n}. */
    public int size() {
        return n;
    }

    /** True when the dataset holds no samples. */
    public boolean isEmpty() {
        return n == 0;
    }

    /** The shape of {@code x}, {@code [n, ...]}. */
    public Shape xShape() {
        return Shape.of(xShape);
    }

    /** The shape of {@code y}, {@code [n, ...]}. */
    public Shape yShape() {
        return Shape.of(yShape);
    }

    /** The features, a new float32 tensor {@code [n, ...]} (a copy). */
    public Tensor x() {
        return Tensor.of(x, xShape);
    }

    /** The targets, a new float32 tensor {@code [n, ...]} (a copy). */
    public Tensor y() {
        return Tensor.of(y, yShape);
    }

    /** The first NaN or ±∞ of the features ("NaN at sample 3 (index [3, 0])"), or null. */
    String firstNonFiniteX() {
        return FiniteValues.firstNonFinite(x, n * sampleSize(xShape), Shape.of(xShape));
    }

    /** The first NaN or ±∞ of the targets, or null. */
    String firstNonFiniteY() {
        return FiniteValues.firstNonFinite(y, n * sampleSize(yShape), Shape.of(yShape));
    }

    private static int sampleSize(int[] shape) {
        int s = 1;
        for (int i = 1; i < shape.length; i++) s *= shape[i];
        return s;
    }

    /** The samples at {@code indices}, in that order (repeats allowed). */
    public Dataset take(int[] indices) {
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= n) {
                throw new IndexOutOfBoundsException("Dataset.take: index " + indices[i] + " at position " + i
                        + " is out of range [0, " + n + ")");
            }
        }
        float[] nx = new float[indices.length * xRow];
        float[] ny = new float[indices.length * yRow];
        gatherRows(x, xRow, indices, 0, indices.length, nx);
        gatherRows(y, yRow, indices, 0, indices.length, ny);
        return new Dataset(nx, withFirst(xShape, indices.length), ny, withFirst(yShape, indices.length));
    }

    /** Samples {@code from} (inclusive) to {@code to} (exclusive), in order. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > n || from > to) {
            throw new IndexOutOfBoundsException("Dataset.slice: [" + from + ", " + to + ") is not a range within [0, " + n + ")");
        }
        int m = to - from;
        return new Dataset(Arrays.copyOfRange(x, from * xRow, to * xRow), withFirst(xShape, m),
                Arrays.copyOfRange(y, from * yRow, to * yRow), withFirst(yShape, m));
    }

    /**
     * The first {@code count} samples and the rest, in order. Both parts must be non-empty:
     * {@code 0 < count < size()}.
     */
    public Split splitAt(int count) {
        if (count <= 0 || count >= n) {
            throw new IllegalArgumentException("Dataset.splitAt: count " + count + " must be in [1, " + (n - 1)
                    + "] so that both parts of the " + n + " samples are non-empty");
        }
        return new Split(slice(0, count), slice(count, n));
    }

    /**
     * Splits as Keras's {@code validation_split} does: the LAST {@code validationFraction} of the samples
     * (taken before any shuffling) become the validation part, the first
     * {@code floor(n · (1 − validationFraction))} the training part. The fraction must be in (0, 1) and
     * leave both parts non-empty.
     */
    public Split split(double validationFraction) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("Dataset.split: validationFraction must be in (0, 1), got " + validationFraction);
        }
        int at = (int) Math.floor(n * (1.0 - validationFraction));
        if (at <= 0 || at >= n) {
            throw new IllegalArgumentException("Dataset.split: " + n + " samples are not enough to split off a validation fraction of "
                    + validationFraction + " with both parts non-empty (the training part would have " + at + ")");
        }
        return splitAt(at);
    }

    /**
     * The samples in a random order: a Fisher–Yates permutation drawn from an {@code L64X128MixRandom}
     * seeded with {@code seed} (the same permutation {@link DataLoader} uses for epoch 0 with that seed).
     */
    public Dataset shuffled(long seed) {
        return take(Permutations.shuffled(n, Permutations.generator(seed)));
    }

    /** Two parts of a dataset: training and validation (or the first and second part of {@link #splitAt}). */
    public record Split(Dataset train, Dataset validation) {}

    @Override
    public String toString() {
        return "Dataset(n=" + n + ", x=" + Arrays.toString(xShape) + ", y=" + Arrays.toString(yShape) + ")";
    }

    // ---- package-private access for the loader and transforms (no copies) ----

    float[] xData() {
        return x;
    }

    float[] yData() {
        return y;
    }

    int[] xShapeArray() {
        return xShape.clone();
    }

    int[] yShapeArray() {
        return yShape.clone();
    }

    int xRowLength() {
        return xRow;
    }

    int yRowLength() {
        return yRow;
    }

    /** This dataset with features replaced by {@code newX} of the same shape (ownership passes). */
    Dataset withXData(float[] newX) {
        return new Dataset(newX, xShape, y, yShape);
    }

    static int[] withFirst(int[] shape, int first) {
        int[] s = shape.clone();
        s[0] = first;
        return s;
    }

    /** Copies rows {@code indices[from..to)} of {@code src} (rows of {@code row} floats) into {@code dst}, packed. */
    static void gatherRows(float[] src, int row, int[] indices, int from, int to, float[] dst) {
        if (row == 0) return;
        int d = 0;
        int i = from;
        while (i < to) {
            // Runs of consecutive indices (the unshuffled case) become one copy.
            int start = indices[i];
            int run = 1;
            while (i + run < to && indices[i + run] == start + run) run++;
            System.arraycopy(src, start * row, dst, d, run * row);
            d += run * row;
            i += run;
        }
    }
}
