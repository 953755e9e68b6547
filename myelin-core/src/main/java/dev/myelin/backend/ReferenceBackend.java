package dev.myelin.backend;

/**
 * The scalar reference implementation of every kernel, for any element type: the definition other
 * backends are tested against. Values are read and written as doubles through {@link Storage#get} and
 * {@link Storage#set}, so float32 results are computed in double precision and rounded once.
 *
 * <p>Also the fallback of faster backends for element types or layouts they do not specialize.
 */
public class ReferenceBackend implements Backend {

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public Storage allocate(DType dtype, int length) {
        return switch (dtype) {
            case FLOAT32 -> new FloatStorage(new float[length]);
            case FLOAT64 -> new DoubleStorage(new double[length]);
        };
    }

    @Override
    public Storage upload(float[] data) {
        return new FloatStorage(data.clone());
    }

    @Override
    public Storage upload(double[] data) {
        return new DoubleStorage(data.clone());
    }

    @Override
    public void download(View src, float[] dst) {
        checkLength(src, dst.length);
        if (src.storage() instanceof FloatStorage fs && src.isContiguous()) {
            System.arraycopy(fs.data(), src.offset(), dst, 0, dst.length);
        } else {
            copy(src, View.contiguous(new FloatStorage(dst), src.shape()));
        }
    }

    @Override
    public void download(View src, double[] dst) {
        checkLength(src, dst.length);
        if (src.storage() instanceof DoubleStorage ds && src.isContiguous()) {
            System.arraycopy(ds.data(), src.offset(), dst, 0, dst.length);
        } else {
            copy(src, View.contiguous(new DoubleStorage(dst), src.shape()));
        }
    }

    private static void checkLength(View src, int length) {
        if (src.size() != length) {
            throw new IllegalArgumentException("download: the array has " + length + " elements, the view " + src.size());
        }
    }

    @Override
    public void copy(View src, View dst) {
        Odometer it = new Odometer(dst.shape(), dst, src);
        for (int n = dst.size(); n > 0; n--) {
            dst.storage().set(it.pos[0], src.storage().get(it.pos[1]));
            it.next();
        }
    }

    @Override
    public void fill(View dst, double value) {
        Odometer it = new Odometer(dst.shape(), dst);
        for (int n = dst.size(); n > 0; n--) {
            dst.storage().set(it.pos[0], value);
            it.next();
        }
    }

    @Override
    public void unary(UnaryOp op, double p, double q, View x, View out) {
        Odometer it = new Odometer(out.shape(), out, x);
        for (int n = out.size(); n > 0; n--) {
            out.storage().set(it.pos[0], op.apply(x.storage().get(it.pos[1]), p, q));
            it.next();
        }
    }

    @Override
    public void binary(BinaryOp op, View a, View b, View out) {
        Odometer it = new Odometer(out.shape(), out, a, b);
        for (int n = out.size(); n > 0; n--) {
            out.storage().set(it.pos[0], op.apply(a.storage().get(it.pos[1]), b.storage().get(it.pos[2])));
            it.next();
        }
    }

    @Override
    public void where(View cond, View a, View b, View out) {
        Odometer it = new Odometer(out.shape(), out, cond, a, b);
        for (int n = out.size(); n > 0; n--) {
            boolean c = cond.storage().get(it.pos[1]) != 0;
            out.storage().set(it.pos[0], c ? a.storage().get(it.pos[2]) : b.storage().get(it.pos[3]));
            it.next();
        }
    }

    @Override
    public void reduce(ReduceOp op, View x, View out) {
        double init = switch (op) {
            case SUM -> 0.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
        fill(out, init);
        // Walk x in order; out's reduced axes get stride 0 so each x element lands on its output slot.
        int[] outStrides = broadcastStrides(out, x.shape());
        View target = new View(out.storage(), x.shape(), outStrides, out.offset());
        Odometer it = new Odometer(x.shape(), x, target);
        Storage so = out.storage();
        for (int n = x.size(); n > 0; n--) {
            double v = x.storage().get(it.pos[0]);
            int o = it.pos[1];
            double acc = so.get(o);
            so.set(o, switch (op) {
                case SUM -> acc + v;
                case MAX -> Double.isNaN(v) || v > acc ? v : acc;
                case MIN -> Double.isNaN(v) || v < acc ? v : acc;
            });
            it.next();
        }
    }

    @Override
    public void argReduce(ReduceOp op, View x, int axis, View out) {
        int len = x.shape()[axis];
        int stride = x.strides()[axis];
        Odometer it = new Odometer(out.shape(), out, x);
        for (int n = out.size(); n > 0; n--) {
            int best = 0;
            double bestValue = x.storage().get(it.pos[1]);
            for (int i = 1; i < len && !Double.isNaN(bestValue); i++) {
                double v = x.storage().get(it.pos[1] + i * stride);
                boolean better = op == ReduceOp.MAX ? v > bestValue : v < bestValue;
                if (better || Double.isNaN(v)) {
                    best = i;
                    bestValue = v;
                }
            }
            out.storage().set(it.pos[0], best);
            it.next();
        }
    }

    @Override
    public void softmax(View x, View out, boolean log) {
        int last = x.rank() - 1;
        int len = x.shape()[last];
        int xs = x.strides()[last];
        int os = out.strides()[last];
        int[] rows = x.shape().clone();
        rows[last] = 1;
        Odometer it = new Odometer(rows, x, out);
        for (int n = product(rows); n > 0; n--) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) max = Math.max(max, x.storage().get(it.pos[0] + i * xs));
            double sum = 0;
            for (int i = 0; i < len; i++) sum += Math.exp(x.storage().get(it.pos[0] + i * xs) - max);
            double logSum = Math.log(sum);
            for (int i = 0; i < len; i++) {
                double z = x.storage().get(it.pos[0] + i * xs) - max;
                out.storage().set(it.pos[1] + i * os, log ? z - logSum : Math.exp(z) / sum);
            }
            it.next();
        }
    }

    @Override
    public void matmul(View a, View b, View out) {
        int batch = out.shape()[0];
        int m = out.shape()[1];
        int n = out.shape()[2];
        int k = a.shape()[2];
        for (int bi = 0; bi < batch; bi++) {
            int aBase = a.offset() + bi * a.strides()[0];
            int bBase = b.offset() + bi * b.strides()[0];
            int oBase = out.offset() + bi * out.strides()[0];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += a.storage().get(aBase + i * a.strides()[1] + p * a.strides()[2])
                                * b.storage().get(bBase + p * b.strides()[1] + j * b.strides()[2]);
                    }
                    out.storage().set(oBase + i * out.strides()[1] + j * out.strides()[2], s);
                }
            }
        }
    }

    @Override
    public void indexSelect(View x, int axis, int[] indices, View out) {
        for (int i = 0; i < indices.length; i++) {
            copy(slice(x, axis, indices[i]), slice(out, axis, i));
        }
    }

    @Override
    public void indexAdd(View src, int axis, int[] indices, View dst) {
        for (int i = 0; i < indices.length; i++) {
            View d = slice(dst, axis, indices[i]);
            binary(BinaryOp.ADD, d, slice(src, axis, i), d);
        }
    }

    @Override
    public void conv2d(View input, View kernel, Conv2dSpec spec, View out) {
        int[] is = input.shape(), ks = kernel.shape(), os = out.shape();
        for (int b = 0; b < os[0]; b++) {
            for (int y = 0; y < os[1]; y++) {
                for (int x = 0; x < os[2]; x++) {
                    for (int o = 0; o < os[3]; o++) {
                        double s = 0;
                        for (int i = 0; i < ks[0]; i++) {
                            int iy = y * spec.strideH() + i * spec.dilationH() - spec.padTop();
                            if (iy < 0 || iy >= is[1]) continue;
                            for (int j = 0; j < ks[1]; j++) {
                                int ix = x * spec.strideW() + j * spec.dilationW() - spec.padLeft();
                                if (ix < 0 || ix >= is[2]) continue;
                                for (int c = 0; c < ks[2]; c++) {
                                    s += get(input, b, iy, ix, c) * get(kernel, i, j, c, o);
                                }
                            }
                        }
                        set(out, s, b, y, x, o);
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardInput(View gradOut, View kernel, Conv2dSpec spec, View gradInput) {
        fill(gradInput, 0);
        int[] is = gradInput.shape(), ks = kernel.shape(), os = gradOut.shape();
        for (int b = 0; b < os[0]; b++) {
            for (int y = 0; y < os[1]; y++) {
                for (int x = 0; x < os[2]; x++) {
                    for (int i = 0; i < ks[0]; i++) {
                        int iy = y * spec.strideH() + i * spec.dilationH() - spec.padTop();
                        if (iy < 0 || iy >= is[1]) continue;
                        for (int j = 0; j < ks[1]; j++) {
                            int ix = x * spec.strideW() + j * spec.dilationW() - spec.padLeft();
                            if (ix < 0 || ix >= is[2]) continue;
                            for (int c = 0; c < ks[2]; c++) {
                                double s = 0;
                                for (int o = 0; o < os[3]; o++) s += get(gradOut, b, y, x, o) * get(kernel, i, j, c, o);
                                set(gradInput, get(gradInput, b, iy, ix, c) + s, b, iy, ix, c);
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardKernel(View input, View gradOut, Conv2dSpec spec, View gradKernel) {
        int[] is = input.shape(), ks = gradKernel.shape(), os = gradOut.shape();
        for (int i = 0; i < ks[0]; i++) {
            for (int j = 0; j < ks[1]; j++) {
                for (int c = 0; c < ks[2]; c++) {
                    for (int o = 0; o < ks[3]; o++) {
                        double s = 0;
                        for (int b = 0; b < os[0]; b++) {
                            for (int y = 0; y < os[1]; y++) {
                                int iy = y * spec.strideH() + i * spec.dilationH() - spec.padTop();
                                if (iy < 0 || iy >= is[1]) continue;
                                for (int x = 0; x < os[2]; x++) {
                                    int ix = x * spec.strideW() + j * spec.dilationW() - spec.padLeft();
                                    if (ix < 0 || ix >= is[2]) continue;
                                    s += get(input, b, iy, ix, c) * get(gradOut, b, y, x, o);
                                }
                            }
                        }
                        set(gradKernel, s, i, j, c, o);
                    }
                }
            }
        }
    }

    @Override
    public void pool2d(PoolMode mode, View input, Pool2dSpec spec, View out) {
        int[] is = input.shape(), os = out.shape();
        for (int b = 0; b < os[0]; b++) {
            for (int y = 0; y < os[1]; y++) {
                for (int x = 0; x < os[2]; x++) {
                    for (int c = 0; c < os[3]; c++) {
                        double acc = mode == PoolMode.MAX ? Double.NEGATIVE_INFINITY : 0;
                        int count = 0;
                        for (int i = 0; i < spec.poolH(); i++) {
                            int iy = y * spec.strideH() + i - spec.padTop();
                            if (iy < 0 || iy >= is[1]) continue;
                            for (int j = 0; j < spec.poolW(); j++) {
                                int ix = x * spec.strideW() + j - spec.padLeft();
                                if (ix < 0 || ix >= is[2]) continue;
                                double v = get(input, b, iy, ix, c);
                                acc = mode == PoolMode.MAX ? (v > acc || Double.isNaN(v) ? v : acc) : acc + v;
                                count++;
                            }
                        }
                        set(out, mode == PoolMode.MAX ? acc : acc / Math.max(count, 1), b, y, x, c);
                    }
                }
            }
        }
    }

    @Override
    public void pool2dBackward(PoolMode mode, View input, View out, View gradOut, Pool2dSpec spec, View gradInput) {
        fill(gradInput, 0);
        int[] is = input.shape(), os = out.shape();
        for (int b = 0; b < os[0]; b++) {
            for (int y = 0; y < os[1]; y++) {
                for (int x = 0; x < os[2]; x++) {
                    for (int c = 0; c < os[3]; c++) {
                        double g = get(gradOut, b, y, x, c);
                        double target = get(out, b, y, x, c);
                        int count = 0;
                        for (int pass = mode == PoolMode.MAX ? 1 : 0; pass < 2; pass++) {
                            for (int i = 0; i < spec.poolH(); i++) {
                                int iy = y * spec.strideH() + i - spec.padTop();
                                if (iy < 0 || iy >= is[1]) continue;
                                for (int j = 0; j < spec.poolW(); j++) {
                                    int ix = x * spec.strideW() + j - spec.padLeft();
                                    if (ix < 0 || ix >= is[2]) continue;
                                    if (pass == 0) {
                                        count++; // average: first pass counts the valid positions
                                    } else if (mode == PoolMode.AVERAGE) {
                                        set(gradInput, get(gradInput, b, iy, ix, c) + g / count, b, iy, ix, c);
                                    } else {
                                        double v = get(input, b, iy, ix, c);
                                        if (v == target || (Double.isNaN(v) && Double.isNaN(target))) {
                                            set(gradInput, get(gradInput, b, iy, ix, c) + g, b, iy, ix, c);
                                            i = spec.poolH(); // first maximum only
                                            break;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- helpers shared with subclasses ----

    /** The sub-view at {@code index} along {@code axis}, keeping the axis with size 1. */
    protected static View slice(View v, int axis, int index) {
        int[] shape = v.shape().clone();
        shape[axis] = 1;
        return new View(v.storage(), shape, v.strides(), v.offset() + index * v.strides()[axis]);
    }

    /** Strides that read {@code small} (same rank, 1 on some axes) at the positions of {@code bigShape}. */
    protected static int[] broadcastStrides(View small, int[] bigShape) {
        int[] s = new int[bigShape.length];
        for (int i = 0; i < s.length; i++) s[i] = small.shape()[i] == 1 ? 0 : small.strides()[i];
        return s;
    }


    protected static int product(int[] shape) {
        int p = 1;
        for (int d : shape) p *= d;
        return p;
    }

    private static double get(View v, int i0, int i1, int i2, int i3) {
        int[] s = v.strides();
        return v.storage().get(v.offset() + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3]);
    }

    private static void set(View v, double value, int i0, int i1, int i2, int i3) {
        int[] s = v.strides();
        v.storage().set(v.offset() + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3], value);
    }

    /**
     * Walks a shape in row-major order, keeping the storage position of the current element in each of
     * several views that share that shape.
     */
    protected static final class Odometer {
        private final int[] shape;
        private final int[] index;
        private final int[][] strides;
        /** Current storage position in each view. */
        public final int[] pos;

        public Odometer(int[] shape, View... views) {
            this.shape = shape;
            this.index = new int[shape.length];
            this.strides = new int[views.length][];
            this.pos = new int[views.length];
            for (int v = 0; v < views.length; v++) {
                strides[v] = views[v].strides();
                pos[v] = views[v].offset();
            }
        }

        /** Advances to the next element. */
        public void next() {
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    for (int v = 0; v < pos.length; v++) pos[v] += strides[v][d];
                    return;
                }
                index[d] = 0;
                for (int v = 0; v < pos.length; v++) pos[v] -= strides[v][d] * (shape[d] - 1);
            }
        }
    }

    @Override
    public void adamUpdate(View w, View g, View m, View v, double alpha, double beta1, double beta2, double epsilon) {
        Storage ws = w.storage(), gs = g.storage(), ms = m.storage(), vs = v.storage();
        boolean single = w.dtype() == DType.FLOAT32;
        int n = w.size();
        for (int i = 0; i < n; i++) {
            double gi = gs.get(g.offset() + i);
            double mi = ms.get(m.offset() + i), vi = vs.get(v.offset() + i);
            if (single) { // round each step to float32 as the float32 kernels do
                mi = (float) (mi + (float) ((float) (gi - mi) * (float) (1 - beta1)));
                vi = (float) (vi + (float) ((float) ((float) (gi * gi) - vi) * (float) (1 - beta2)));
                double step = (float) ((float) (mi * (float) alpha) / (float) ((float) Math.sqrt(vi) + (float) epsilon));
                ws.set(w.offset() + i, (float) (ws.get(w.offset() + i) - step));
            } else {
                mi = mi + (gi - mi) * (1 - beta1);
                vi = vi + (gi * gi - vi) * (1 - beta2);
                ws.set(w.offset() + i, ws.get(w.offset() + i) - mi * alpha / (Math.sqrt(vi) + epsilon));
            }
            ms.set(m.offset() + i, mi);
            vs.set(v.offset() + i, vi);
        }
    }
}
