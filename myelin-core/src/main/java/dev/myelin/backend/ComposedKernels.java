package dev.myelin.backend;

/**
 * The fused kernels of {@link Backend} written with its primitives only, so that a new backend is correct
 * from its first primitive and overrides a fused kernel only when it has a faster one. Correctness first:
 * these allocate temporaries through {@link Backend#allocate} and make several passes.
 *
 * <p>Convolution and pooling loop over the kernel (or window) taps. For tap {@code (i, j)} the input rows
 * it reads for output rows {@code y} are {@code y·stride + i·dilation − pad}; the outputs whose row stays
 * inside the input form one contiguous range ({@link Tap}), so a tap is one strided view of the input
 * and one of the output, with no padding buffer. Per tap, convolution copies the input view to a
 * contiguous {@code [rows, channels]} matrix (im2col of one tap) and runs one GEMM with the tap's
 * {@code [channels, filters]} kernel slice.
 */
final class ComposedKernels {
    private ComposedKernels() {}

    // ---- softmax ----

    static void softmax(Backend be, View x, View out, boolean log) {
        int[] shape = x.shape();
        int[] rowShape = shape.clone();
        rowShape[shape.length - 1] = 1;
        View max = allocate(be, x.dtype(), rowShape);
        be.reduce(ReduceOp.MAX, x, max);
        View z = allocate(be, x.dtype(), shape);
        be.binary(BinaryOp.SUB, x, broadcastRows(max, shape), z);
        View e = allocate(be, x.dtype(), shape);
        be.unary(UnaryOp.EXP, 0, 0, z, e);
        View sum = allocate(be, x.dtype(), rowShape);
        be.reduce(ReduceOp.SUM, e, sum);
        if (log) {
            be.unary(UnaryOp.LOG, 0, 0, sum, sum);
            be.binary(BinaryOp.SUB, z, broadcastRows(sum, shape), out);
        } else {
            be.binary(BinaryOp.DIV, e, broadcastRows(sum, shape), out);
        }
    }

    /** A {@code [..., 1]} contiguous view read at every position of {@code shape} (stride 0 on the last axis). */
    private static View broadcastRows(View rows, int[] shape) {
        int[] strides = rows.strides().clone();
        strides[strides.length - 1] = 0;
        return new View(rows.storage(), shape, strides, rows.offset());
    }

    // ---- convolution ----

    static void conv2d(Backend be, View input, View kernel, Conv2dSpec spec, View out) {
        be.fill(out, 0);
        int[] ks = kernel.shape();
        int filters = ks[3];
        for (int i = 0; i < ks[0]; i++) {
            for (int j = 0; j < ks[1]; j++) {
                Tap tap = Tap.of(spec, i, j, input.shape(), out.shape());
                if (tap == null) continue;
                View columns = contiguousMatrix(be, tap.ofInput(input));
                View product = allocate(be, out.dtype(), new int[] {1, tap.rows(), filters});
                be.matmul(columns, kernelSlice(kernel, i, j, false), product);
                View target = tap.ofOutput(out);
                be.binary(BinaryOp.ADD, target, reshape(product, target.shape()), target);
            }
        }
    }

    static void conv2dBackwardInput(Backend be, View gradOut, View kernel, Conv2dSpec spec, View gradInput) {
        be.fill(gradInput, 0);
        int[] ks = kernel.shape();
        int channels = ks[2];
        for (int i = 0; i < ks[0]; i++) {
            for (int j = 0; j < ks[1]; j++) {
                Tap tap = Tap.of(spec, i, j, gradInput.shape(), gradOut.shape());
                if (tap == null) continue;
                View g = contiguousMatrix(be, tap.ofOutput(gradOut));
                View product = allocate(be, gradInput.dtype(), new int[] {1, tap.rows(), channels});
                be.matmul(g, kernelSlice(kernel, i, j, true), product);
                // distinct outputs of one tap read distinct input positions, so this in-place add is element for element
                View target = tap.ofInput(gradInput);
                be.binary(BinaryOp.ADD, target, reshape(product, target.shape()), target);
            }
        }
    }

    static void conv2dBackwardKernel(Backend be, View input, View gradOut, Conv2dSpec spec, View gradKernel) {
        int[] ks = gradKernel.shape();
        int channels = ks[2];
        for (int i = 0; i < ks[0]; i++) {
            for (int j = 0; j < ks[1]; j++) {
                View target = kernelSlice(gradKernel, i, j, false);
                Tap tap = Tap.of(spec, i, j, input.shape(), gradOut.shape());
                if (tap == null) {
                    be.fill(target, 0);
                    continue;
                }
                View columns = contiguousMatrix(be, tap.ofInput(input));
                View columnsT = new View(columns.storage(), new int[] {1, channels, tap.rows()}, new int[] {0, 1, channels}, 0);
                be.matmul(columnsT, contiguousMatrix(be, tap.ofOutput(gradOut)), target);
            }
        }
    }

    /** Tap {@code (i, j)} of a {@code [kh, kw, c, f]} kernel as a {@code [1, c, f]} matrix, or its transpose. */
    private static View kernelSlice(View kernel, int i, int j, boolean transposed) {
        int[] ks = kernel.shape(), st = kernel.strides();
        int offset = kernel.offset() + i * st[0] + j * st[1];
        return transposed
                ? new View(kernel.storage(), new int[] {1, ks[3], ks[2]}, new int[] {0, st[3], st[2]}, offset)
                : new View(kernel.storage(), new int[] {1, ks[2], ks[3]}, new int[] {0, st[2], st[3]}, offset);
    }

    // ---- pooling ----

    static void pool2d(Backend be, PoolMode mode, View input, Pool2dSpec spec, View out) {
        boolean max = mode == PoolMode.MAX;
        be.fill(out, max ? Double.NEGATIVE_INFINITY : 0);
        for (int i = 0; i < spec.poolH(); i++) {
            for (int j = 0; j < spec.poolW(); j++) {
                Tap tap = Tap.of(spec, i, j, input.shape(), out.shape());
                if (tap == null) continue;
                View target = tap.ofOutput(out);
                be.binary(max ? BinaryOp.MAXIMUM : BinaryOp.ADD, target, tap.ofInput(input), target);
            }
        }
        if (!max) be.binary(BinaryOp.DIV, out, windowCounts(be, spec, input.shape(), out), out);
    }

    static void pool2dBackward(Backend be, PoolMode mode, View input, View out, View gradOut, Pool2dSpec spec, View gradInput) {
        be.fill(gradInput, 0);
        if (mode == PoolMode.AVERAGE) {
            View share = allocate(be, gradInput.dtype(), gradOut.shape());
            be.binary(BinaryOp.DIV, gradOut, windowCounts(be, spec, input.shape(), out), share);
            for (int i = 0; i < spec.poolH(); i++) {
                for (int j = 0; j < spec.poolW(); j++) {
                    Tap tap = Tap.of(spec, i, j, input.shape(), out.shape());
                    if (tap == null) continue;
                    View target = tap.ofInput(gradInput);
                    be.binary(BinaryOp.ADD, target, tap.ofOutput(share), target);
                }
            }
            return;
        }
        // max: each output's gradient goes to the first tap (row-major in the window) that holds the maximum
        View taken = allocate(be, gradInput.dtype(), out.shape());
        for (int i = 0; i < spec.poolH(); i++) {
            for (int j = 0; j < spec.poolW(); j++) {
                Tap tap = Tap.of(spec, i, j, input.shape(), out.shape());
                if (tap == null) continue;
                View x = tap.ofInput(input), y = tap.ofOutput(out), done = tap.ofOutput(taken);
                int[] shape = x.shape();
                DType type = gradInput.dtype();
                View hit = allocate(be, type, shape);
                View scratch = allocate(be, type, shape);
                be.binary(BinaryOp.EQ, x, y, hit);
                be.binary(BinaryOp.NE, x, x, scratch); // a NaN maximum matches a NaN input
                View yNaN = allocate(be, type, shape);
                be.binary(BinaryOp.NE, y, y, yNaN);
                be.binary(BinaryOp.MUL, scratch, yNaN, scratch);
                be.binary(BinaryOp.MAXIMUM, hit, scratch, hit);
                be.binary(BinaryOp.EQ, done, constant(be, type, 0, shape), scratch);
                be.binary(BinaryOp.MUL, hit, scratch, hit);
                be.binary(BinaryOp.MAXIMUM, done, hit, done);
                be.binary(BinaryOp.MUL, hit, tap.ofOutput(gradOut), hit);
                View target = tap.ofInput(gradInput);
                be.binary(BinaryOp.ADD, target, hit, target);
            }
        }
    }

    /**
     * How many window positions of each output fall inside the input (at least 1, so an empty window
     * averages to 0), as a view broadcast over batch and channels.
     */
    private static View windowCounts(Backend be, Pool2dSpec spec, int[] inputShape, View out) {
        int oh = out.shape()[1], ow = out.shape()[2];
        int[] one = {1, oh, ow, 1};
        View counts = allocate(be, out.dtype(), one);
        View ones = constant(be, out.dtype(), 1, one);
        for (int i = 0; i < spec.poolH(); i++) {
            for (int j = 0; j < spec.poolW(); j++) {
                Tap tap = Tap.of(spec, i, j, inputShape, one);
                if (tap == null) continue;
                View target = tap.ofOutput(counts);
                be.binary(BinaryOp.ADD, target, constant(be, out.dtype(), 1, target.shape()), target);
            }
        }
        be.binary(BinaryOp.MAXIMUM, counts, ones, counts);
        return new View(counts.storage(), out.shape(), new int[] {0, ow, 1, 0}, 0);
    }

    // ---- batch normalization over the rows of [rows, channels] ----

    static void batchNormStatistics(Backend be, View x, View mean, View variance) {
        int[] shape = x.shape();
        View sum = allocate(be, x.dtype(), new int[] {1, shape[1]});
        View rows = constant(be, x.dtype(), shape[0], sum.shape());
        be.reduce(ReduceOp.SUM, x, sum);
        be.binary(BinaryOp.DIV, sum, rows, asRow(mean));
        View centered = allocate(be, x.dtype(), shape);
        be.binary(BinaryOp.SUB, x, overRows(mean, shape), centered);
        be.unary(UnaryOp.SQUARE, 0, 0, centered, centered);
        be.reduce(ReduceOp.SUM, centered, sum);
        be.binary(BinaryOp.DIV, sum, rows, asRow(variance));
    }

    static void batchNormApply(Backend be, View x, View mean, View variance, View gamma, View beta, double epsilon, View y) {
        int[] shape = x.shape();
        be.binary(BinaryOp.SUB, x, overRows(mean, shape), y);
        be.binary(BinaryOp.MUL, y, overRows(batchNormScale(be, variance, gamma, epsilon), shape), y);
        if (beta != null) be.binary(BinaryOp.ADD, y, overRows(beta, shape), y);
    }

    static void batchNormBackward(Backend be, View x, View dy, View mean, View variance, View gamma, double epsilon,
                                  boolean batchStatistics, View dx, View dgamma, View dbeta) {
        int[] shape = x.shape(), row = {1, shape[1]};
        DType type = x.dtype();
        View a = batchNormScale(be, variance, gamma, epsilon);
        if (dgamma != null || dbeta != null || (dx != null && batchStatistics)) {
            View sumDy = allocate(be, type, row), sumDyXhat = allocate(be, type, row);
            be.reduce(ReduceOp.SUM, dy, sumDy);
            View xhat = allocate(be, type, shape), t = allocate(be, type, shape);
            be.binary(BinaryOp.SUB, x, overRows(mean, shape), xhat);
            be.binary(BinaryOp.MUL, xhat, overRows(batchNormScale(be, variance, null, epsilon), shape), xhat);
            be.binary(BinaryOp.MUL, dy, xhat, t);
            be.reduce(ReduceOp.SUM, t, sumDyXhat);
            if (dbeta != null) be.copy(sumDy, asRow(dbeta));
            if (dgamma != null) be.copy(sumDyXhat, asRow(dgamma));
            if (dx != null && batchStatistics) {
                // dx = a·(dy − (Σdy + xhat·Σdy·xhat) / n)
                be.binary(BinaryOp.MUL, xhat, overRows(sumDyXhat, shape), t);
                be.binary(BinaryOp.ADD, t, overRows(sumDy, shape), t);
                be.binary(BinaryOp.DIV, t, constant(be, type, shape[0], shape), t);
                be.binary(BinaryOp.SUB, dy, t, dx);
                be.binary(BinaryOp.MUL, dx, overRows(a, shape), dx);
                return;
            }
        }
        if (dx != null) be.binary(BinaryOp.MUL, dy, overRows(a, shape), dx);
    }

    static void batchNormReluBackward(Backend be, View x, View dy, View y, View mean, View variance, View gamma, double epsilon,
                                      boolean batchStatistics, View dx, View dgamma, View dbeta) {
        View masked = allocate(be, x.dtype(), x.shape());
        be.binary(BinaryOp.RELU_GRAD, dy, y, masked);
        be.batchNormBackward(x, masked, mean, variance, gamma, epsilon, batchStatistics, dx, dgamma, dbeta);
    }

    /** {@code gamma / sqrt(variance + epsilon)} as a {@code [1, channels]} row (gamma 1 when null). */
    private static View batchNormScale(Backend be, View variance, View gamma, double epsilon) {
        int[] row = {1, variance.shape()[0]};
        View s = allocate(be, variance.dtype(), row);
        be.binary(BinaryOp.ADD, asRow(variance), constant(be, variance.dtype(), epsilon, row), s);
        be.unary(UnaryOp.RSQRT, 0, 0, s, s);
        if (gamma != null) be.binary(BinaryOp.MUL, s, asRow(gamma), s);
        return s;
    }

    /** A {@code [channels]} (or {@code [1, channels]}) view as a {@code [1, channels]} row. */
    private static View asRow(View v) {
        return new View(v.storage(), new int[] {1, v.shape()[v.rank() - 1]}, new int[] {0, v.strides()[v.rank() - 1]}, v.offset());
    }

    /** A {@code [channels]} (or {@code [1, channels]}) view read at every row of {@code shape} {@code [rows, channels]}. */
    private static View overRows(View v, int[] shape) {
        return new View(v.storage(), shape, new int[] {0, v.strides()[v.rank() - 1]}, v.offset());
    }

    // ---- layer normalization over the features (last axis) of [rows, features] ----

    static void layerNorm(Backend be, View x, View gamma, View beta, double epsilon, View y, View mean, View rstd) {
        int[] shape = x.shape(), column = {shape[0], 1};
        DType type = x.dtype();
        View features = constant(be, type, shape[1], column), sum = allocate(be, type, column);
        be.reduce(ReduceOp.SUM, x, sum);
        be.binary(BinaryOp.DIV, sum, features, asColumn(mean));
        View centered = allocate(be, type, shape);
        be.binary(BinaryOp.SUB, x, overColumns(mean, shape), centered);
        be.unary(UnaryOp.SQUARE, 0, 0, centered, centered);
        be.reduce(ReduceOp.SUM, centered, sum);
        be.binary(BinaryOp.DIV, sum, features, sum);
        be.binary(BinaryOp.ADD, sum, constant(be, type, epsilon, column), sum);
        be.unary(UnaryOp.RSQRT, 0, 0, sum, asColumn(rstd));
        // y = (x − mean)·inv + beta, inv = gamma·rstd
        View inv = overColumns(rstd, shape);
        if (gamma != null) {
            inv = allocate(be, type, shape);
            be.binary(BinaryOp.MUL, overColumns(rstd, shape), overRows(gamma, shape), inv);
        }
        be.binary(BinaryOp.SUB, x, overColumns(mean, shape), y);
        be.binary(BinaryOp.MUL, y, inv, y);
        if (beta != null) be.binary(BinaryOp.ADD, y, overRows(beta, shape), y);
    }

    static void layerNormBackward(Backend be, View x, View dy, View mean, View rstd, View gamma, View dx, View dgamma, View dbeta) {
        int[] shape = x.shape(), column = {shape[0], 1}, row = {1, shape[1]};
        DType type = x.dtype();
        View xhat = allocate(be, type, shape), t = allocate(be, type, shape);
        be.binary(BinaryOp.SUB, x, overColumns(mean, shape), xhat);
        be.binary(BinaryOp.MUL, xhat, overColumns(rstd, shape), xhat);
        if (dbeta != null) be.reduce(ReduceOp.SUM, dy, asRow(dbeta));
        if (dgamma != null) {
            be.binary(BinaryOp.MUL, dy, xhat, t);
            be.reduce(ReduceOp.SUM, t, asRow(dgamma));
        }
        if (dx == null) return;
        // g = dy·gamma; dx = rstd·(g − Σg / n − xhat·Σ(g·xhat) / n), sums over the features
        View g = allocate(be, type, shape);
        if (gamma != null) be.binary(BinaryOp.MUL, dy, overRows(gamma, shape), g);
        else be.copy(dy, g);
        View features = constant(be, type, shape[1], column), sumG = allocate(be, type, column), sumGX = allocate(be, type, column);
        be.reduce(ReduceOp.SUM, g, sumG);
        be.binary(BinaryOp.DIV, sumG, features, sumG);
        be.binary(BinaryOp.MUL, g, xhat, t);
        be.reduce(ReduceOp.SUM, t, sumGX);
        be.binary(BinaryOp.DIV, sumGX, features, sumGX);
        be.binary(BinaryOp.MUL, xhat, overColumns(sumGX, shape), t);
        be.binary(BinaryOp.ADD, t, overColumns(sumG, shape), t);
        be.binary(BinaryOp.SUB, g, t, t);
        be.binary(BinaryOp.MUL, t, overColumns(rstd, shape), dx);
    }

    /** A {@code [rows]} (or {@code [rows, 1]}) view as a {@code [rows, 1]} column. */
    private static View asColumn(View v) {
        return new View(v.storage(), new int[] {v.shape()[0], 1}, new int[] {v.strides()[0], 0}, v.offset());
    }

    /** A {@code [rows]} (or {@code [rows, 1]}) view read at every column of {@code shape} {@code [rows, features]}. */
    private static View overColumns(View v, int[] shape) {
        return new View(v.storage(), shape, new int[] {v.strides()[0], 0}, v.offset());
    }

    // ---- optimizer update ----

    static void adamUpdate(Backend be, View w, View g, View m, View v, double alpha, double beta1, double beta2, double epsilon) {
        DType type = w.dtype();
        int[] shape = w.shape();
        View tmp = allocate(be, type, shape);
        View step = allocate(be, type, shape);
        // one rounding per operation, in the order of ReferenceBackend.adamUpdate
        be.binary(BinaryOp.SUB, g, m, tmp);
        be.binary(BinaryOp.MUL, tmp, constant(be, type, 1 - beta1, shape), tmp);
        be.binary(BinaryOp.ADD, m, tmp, m);
        be.binary(BinaryOp.MUL, g, g, tmp);
        be.binary(BinaryOp.SUB, tmp, v, tmp);
        be.binary(BinaryOp.MUL, tmp, constant(be, type, 1 - beta2, shape), tmp);
        be.binary(BinaryOp.ADD, v, tmp, v);
        be.binary(BinaryOp.MUL, m, constant(be, type, alpha, shape), step);
        be.unary(UnaryOp.SQRT, 0, 0, v, tmp);
        be.binary(BinaryOp.ADD, tmp, constant(be, type, epsilon, shape), tmp);
        be.binary(BinaryOp.DIV, step, tmp, step);
        be.binary(BinaryOp.SUB, w, step, w);
    }

    // The other updates round once per operation in the order of the tensor code in their optimizer class
    // (dev.myelin.optim), which the fused kernels reproduce; a constant is rounded to the weights' type first.

    static void sgdUpdate(Backend be, View w, View g, View m, double lr, double momentum, boolean nesterov) {
        DType type = w.dtype();
        int[] shape = w.shape();
        View lrG = allocate(be, type, shape);
        be.binary(BinaryOp.MUL, g, constant(be, type, lr, shape), lrG);
        if (m == null) {
            be.binary(BinaryOp.SUB, w, lrG, w);
            return;
        }
        View mu = constant(be, type, momentum, shape);
        be.binary(BinaryOp.MUL, m, mu, m);
        be.binary(BinaryOp.SUB, m, lrG, m);
        if (nesterov) {
            View step = allocate(be, type, shape);
            be.binary(BinaryOp.MUL, m, mu, step);
            be.binary(BinaryOp.SUB, step, lrG, step);
            be.binary(BinaryOp.ADD, w, step, w);
        } else {
            be.binary(BinaryOp.ADD, w, m, w);
        }
    }

    static void rmspropUpdate(Backend be, View w, View g, View v, View a, View m, double lr, double rho, double momentum, double epsilon) {
        DType type = w.dtype();
        int[] shape = w.shape();
        View rhoC = constant(be, type, rho, shape), oneMinusRho = constant(be, type, 1 - rho, shape);
        View d = allocate(be, type, shape);
        be.binary(BinaryOp.MUL, g, g, d);
        be.binary(BinaryOp.MUL, d, oneMinusRho, d);
        be.binary(BinaryOp.MUL, v, rhoC, v);
        be.binary(BinaryOp.ADD, v, d, v);
        if (a != null) {
            be.binary(BinaryOp.MUL, a, rhoC, a);
            be.binary(BinaryOp.MUL, g, oneMinusRho, d);
            be.binary(BinaryOp.ADD, a, d, a);
            be.binary(BinaryOp.MUL, a, a, d);
            be.binary(BinaryOp.SUB, v, d, d);   // v - a², as v + (-(a²)) rounds
        } else {
            be.copy(v, d);
        }
        be.binary(BinaryOp.ADD, d, constant(be, type, epsilon, shape), d);
        be.unary(UnaryOp.SQRT, 0, 0, d, d);
        View increment = allocate(be, type, shape);
        be.binary(BinaryOp.MUL, g, constant(be, type, lr, shape), increment);
        be.binary(BinaryOp.DIV, increment, d, increment);
        if (m != null) {
            be.binary(BinaryOp.MUL, m, constant(be, type, momentum, shape), m);
            be.binary(BinaryOp.ADD, m, increment, m);
            be.binary(BinaryOp.SUB, w, m, w);
        } else {
            be.binary(BinaryOp.SUB, w, increment, w);
        }
    }

    static void adagradUpdate(Backend be, View w, View g, View acc, double lr, double epsilon) {
        DType type = w.dtype();
        int[] shape = w.shape();
        View d = allocate(be, type, shape);
        be.binary(BinaryOp.MUL, g, g, d);
        be.binary(BinaryOp.ADD, acc, d, acc);
        be.binary(BinaryOp.ADD, acc, constant(be, type, epsilon, shape), d);
        be.unary(UnaryOp.SQRT, 0, 0, d, d);
        View step = allocate(be, type, shape);
        be.binary(BinaryOp.MUL, g, constant(be, type, lr, shape), step);
        be.binary(BinaryOp.DIV, step, d, step);
        be.binary(BinaryOp.SUB, w, step, w);
    }

    // ---- helpers ----

    /**
     * The outputs one kernel or window tap contributes to: output rows {@code [y0, y0 + ny)} and columns
     * {@code [x0, x0 + nx)}, reading input row {@code y·strideH + rowShift} and column
     * {@code x·strideW + colShift}.
     */
    private record Tap(int n, int y0, int ny, int x0, int nx, int strideH, int strideW, int rowShift, int colShift) {

        static Tap of(Conv2dSpec s, int i, int j, int[] inputShape, int[] outputShape) {
            return of(s.strideH(), s.strideW(), i * s.dilationH() - s.padTop(), j * s.dilationW() - s.padLeft(), inputShape, outputShape);
        }

        static Tap of(Pool2dSpec s, int i, int j, int[] inputShape, int[] outputShape) {
            return of(s.strideH(), s.strideW(), i - s.padTop(), j - s.padLeft(), inputShape, outputShape);
        }

        /** Null when no output of this tap reads inside the input. */
        private static Tap of(int strideH, int strideW, int rowShift, int colShift, int[] inputShape, int[] outputShape) {
            int y0 = firstInside(rowShift, strideH), y1 = Math.min(outputShape[1], endInside(inputShape[1], rowShift, strideH));
            int x0 = firstInside(colShift, strideW), x1 = Math.min(outputShape[2], endInside(inputShape[2], colShift, strideW));
            if (y1 <= y0 || x1 <= x0 || outputShape[0] == 0) return null;
            return new Tap(outputShape[0], y0, y1 - y0, x0, x1 - x0, strideH, strideW, rowShift, colShift);
        }

        /** The first y ≥ 0 with y·stride + shift ≥ 0. */
        private static int firstInside(int shift, int stride) {
            return shift >= 0 ? 0 : Math.ceilDiv(-shift, stride);
        }

        /** One past the last y with y·stride + shift < size (may be ≤ 0: none). */
        private static int endInside(int size, int shift, int stride) {
            int last = size - 1 - shift;
            return last < 0 ? 0 : last / stride + 1;
        }

        int rows() {
            return n * ny * nx;
        }

        /** The input positions this tap reads, as {@code [n, ny, nx, c]}. */
        View ofInput(View input) {
            int[] st = input.strides();
            int offset = input.offset() + (y0 * strideH + rowShift) * st[1] + (x0 * strideW + colShift) * st[2];
            return new View(input.storage(), new int[] {n, ny, nx, input.shape()[3]},
                    new int[] {st[0], st[1] * strideH, st[2] * strideW, st[3]}, offset);
        }

        /** The outputs this tap writes, as {@code [n, ny, nx, f]}. */
        View ofOutput(View out) {
            int[] st = out.strides();
            return new View(out.storage(), new int[] {n, ny, nx, out.shape()[3]}, st, out.offset() + y0 * st[1] + x0 * st[2]);
        }
    }

    /** A contiguous copy of a rank-4 view as a {@code [1, rows, last]} matrix. */
    private static View contiguousMatrix(Backend be, View v) {
        int[] shape = v.shape();
        int last = shape[shape.length - 1];
        View copy = allocate(be, v.dtype(), shape);
        be.copy(v, copy);
        int rows = last == 0 ? 0 : v.size() / last;
        return new View(copy.storage(), new int[] {1, rows, last}, new int[] {rows * last, last, 1}, 0);
    }

    /** A contiguous view read with another shape of the same size. */
    private static View reshape(View contiguous, int[] shape) {
        return new View(contiguous.storage(), shape, View.contiguousStrides(shape), contiguous.offset());
    }

    /** A new zero-filled contiguous view. */
    private static View allocate(Backend be, DType type, int[] shape) {
        int size = 1;
        for (int d : shape) size *= d;
        return View.contiguous(be.allocate(type, size), shape);
    }

    /** {@code value} read at every position of {@code shape} (one element, all strides 0). */
    private static View constant(Backend be, DType type, double value, int[] shape) {
        View one = allocate(be, type, new int[] {1});
        be.fill(one, value);
        return new View(one.storage(), shape, new int[shape.length], 0);
    }
}
