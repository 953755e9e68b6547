package dev.myelin.backend.cpu;

import dev.myelin.backend.View;

/**
 * How an element-wise kernel walks several views of one shape: as an outer loop over rows and an
 * inner run along the last dimension, after merging dimensions whose strides allow it in every view.
 * A contiguous {@code [32, 28, 28, 1]} becomes a single row of 25088 elements; {@code [n, c] + [c]}
 * stays {@code n} rows of {@code c} (the bias has outer stride 0); a transposed input keeps its large
 * inner stride and the kernel gathers it.
 *
 * <p>Work is split over {@link Parallel} by element ranges of a fixed size, so the split depends on
 * the shape only. Kernels driven by this class compute each element independently of the split,
 * which keeps their results identical for every thread count.
 */
final class RowLoop {
    /** Below this much work (elements × cost) a kernel runs on the calling thread. */
    static final long PARALLEL_MIN_WORK = 32_768;
    /** Work per task once a kernel runs in parallel. */
    static final long TASK_WORK = 16_384;

    /** One run of {@code len} elements along the inner dimension, starting at {@code pos[v]} in view v. */
    @FunctionalInterface
    interface Body {
        void run(int[] pos, int len, Scratch scratch);
    }

    /** The index range [from, to) of one task. */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    /** Per-task buffers for gathering strided operands, made on first use and reused by the task. */
    static final class Scratch {
        static final int BLOCK = 1024;
        private final float[][] buffers = new float[4][];

        float[] get(int which) {
            float[] b = buffers[which];
            if (b == null) buffers[which] = b = new float[BLOCK];
            return b;
        }

        float[] get(int which, int minLength) {
            float[] b = buffers[which];
            if (b == null || b.length < minLength) buffers[which] = b = new float[Math.max(minLength, BLOCK)];
            return b;
        }
    }

    private final int[] shape;
    private final int[][] strides;
    private final int[] offsets;
    private final int size;

    private RowLoop(int[] shape, int[][] strides, int[] offsets, int size) {
        this.shape = shape;
        this.strides = strides;
        this.offsets = offsets;
        this.size = size;
    }

    /** The loop over {@code shape}, which every view has (their own shapes are not consulted). */
    static RowLoop of(int[] shape, View... views) {
        int nv = views.length;
        int[] offsets = new int[nv];
        for (int v = 0; v < nv; v++) offsets[v] = views[v].offset();
        int size = 1;
        for (int d : shape) size *= d;
        // Merge from the innermost dimension outwards; size-1 dimensions vanish.
        int[] mShape = new int[Math.max(shape.length, 1)];
        int[][] mStrides = new int[nv][mShape.length];
        int r = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            int n = shape[d];
            if (n == 1) continue;
            boolean merge = r > 0;
            for (int v = 0; v < nv && merge; v++) {
                merge = views[v].strides()[d] == mStrides[v][r - 1] * mShape[r - 1];
            }
            if (merge) {
                mShape[r - 1] *= n;
            } else {
                mShape[r] = n;
                for (int v = 0; v < nv; v++) mStrides[v][r] = views[v].strides()[d];
                r++;
            }
        }
        if (r == 0) {   // a single element
            mShape[0] = 1;
            r = 1;
        }
        // Stored innermost-first above; flip to outermost-first.
        int[] outShape = new int[r];
        int[][] outStrides = new int[nv][r];
        for (int i = 0; i < r; i++) {
            outShape[i] = mShape[r - 1 - i];
            for (int v = 0; v < nv; v++) outStrides[v][i] = mStrides[v][r - 1 - i];
        }
        return new RowLoop(outShape, outStrides, offsets, size);
    }

    int size() {
        return size;
    }

    /** Length of the inner runs. */
    int inner() {
        return shape[shape.length - 1];
    }

    /** Number of merged dimensions. */
    int rank() {
        return shape.length;
    }

    /** Stride of view {@code v} along merged dimension {@code d}. */
    int stride(int v, int d) {
        return strides[v][d];
    }

    /** Offset of view {@code v}'s first element. */
    int offset(int v) {
        return offsets[v];
    }

    /** Stride of view {@code v} along the inner runs. */
    int innerStride(int v) {
        return strides[v][shape.length - 1];
    }

    /**
     * Calls {@code body} for every run, in parallel when {@code size × cost} is large; {@code cost} is
     * the work of one element relative to a plain copy.
     */
    void forEach(long cost, Body body) {
        if (size == 0) return;
        long work = size * Math.max(cost, 1);
        if (work < PARALLEL_MIN_WORK) {
            runRange(0, size, body);
            return;
        }
        long perTask = Math.max(1, TASK_WORK / Math.max(cost, 1));
        int tasks = (int) ((size + perTask - 1) / perTask);
        Parallel.forRange(tasks, t -> runRange(t * perTask, Math.min(size, (t + 1) * perTask), body));
    }

    /**
     * {@link #forEach}, with task boundaries where a kernel that vectorizes along the run (column sums) keeps whole
     * vectors: a run cut at any element would leave both pieces a scalar tail and unaligned vectors. A task takes whole
     * runs when a run is less than a task's work (GAP's 64-channel runs), else a multiple of {@code align} elements of
     * one run (a bias gradient's single run of 512 columns still goes to both threads).
     */
    void forEachWholeRuns(long cost, int align, Body body) {
        if (size == 0) return;
        long work = size * Math.max(cost, 1);
        if (work < PARALLEL_MIN_WORK) {
            runRange(0, size, body);
            return;
        }
        long run = inner(), raw = Math.max(1, TASK_WORK / Math.max(cost, 1));
        long unit = raw >= run ? run : align;
        long perTask = (raw + unit - 1) / unit * unit;
        int tasks = (int) ((size + perTask - 1) / perTask);
        Parallel.forRange(tasks, t -> runRange(t * perTask, Math.min(size, (t + 1) * perTask), body));
    }

    /** Calls {@code body} for every run on the calling thread. */
    void forEachSequential(Body body) {
        if (size > 0) runRange(0, size, body);
    }

    /**
     * Splits [0, size) into ranges of a fixed length that depends on {@code cost} (work per index) only,
     * and runs them, in parallel when the total work is large.
     */
    static void forRanges(int size, long cost, RangeBody body) {
        if (size == 0) return;
        long c = Math.max(cost, 1);
        if (size * c < PARALLEL_MIN_WORK) {
            body.run(0, size);
            return;
        }
        long perTask = Math.max(1, TASK_WORK / c);
        int tasks = (int) ((size + perTask - 1) / perTask);
        Parallel.forRange(tasks, t -> body.run((int) (t * perTask), (int) Math.min(size, (t + 1) * perTask)));
    }

    /** Runs the elements [from, to) in row-major order. */
    private void runRange(long from, long to, Body body) {
        int rank = shape.length, nv = offsets.length, last = rank - 1;
        int[] index = new int[rank];
        int[] pos = offsets.clone();
        long rest = from;
        for (int d = last; d >= 0; d--) {
            index[d] = (int) (rest % shape[d]);
            rest /= shape[d];
            for (int v = 0; v < nv; v++) pos[v] += index[d] * strides[v][d];
        }
        Scratch scratch = new Scratch();
        long left = to - from;
        while (left > 0) {
            int len = (int) Math.min(shape[last] - index[last], left);
            body.run(pos, len, scratch);
            left -= len;
            if (left == 0) return;
            // The run reached the end of its row: step to the start of the next one.
            index[last] += len;
            for (int v = 0; v < nv; v++) pos[v] += len * strides[v][last];
            for (int d = last; d > 0 && index[d] == shape[d]; d--) {
                index[d] = 0;
                index[d - 1]++;
                for (int v = 0; v < nv; v++) pos[v] += strides[v][d - 1] - shape[d] * strides[v][d];
            }
        }
    }
}
