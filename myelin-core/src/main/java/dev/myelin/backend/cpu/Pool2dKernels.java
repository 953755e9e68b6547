package dev.myelin.backend.cpu;

import dev.myelin.backend.DType;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.Pool2dSpec;
import dev.myelin.backend.PoolMode;
import dev.myelin.backend.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * float32 2-D max and average pooling of the CPU backend, channels-last: input {@code [n, h, w, c]},
 * output {@code [n, oh, ow, c]} (geometry in {@link Pool2dSpec}). Same results as the reference: window
 * positions outside the input are skipped; a max is NaN when the window holds a NaN; the max gradient goes
 * to the first maximum of each window in row-major window order; an average divides by the number of
 * valid positions.
 *
 * <p>Channels are contiguous, so every kernel runs over them in vectors, with a scalar tail that does
 * the same per-element operations. The forward pass is parallel over output rows, the backward pass over
 * images (windows of one image may overlap, so their gradients add onto shared input positions).
 */
final class Pool2dKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Window reads per forward task, at least: small inputs make fewer tasks. */
    private static final int MIN_TASK_FLOATS = 1 << 12;

    private Pool2dKernels() {}

    /** True when the kernels handle these views: float32, rank 4, contiguous, same batch and channels. */
    static boolean supports(View... views) {
        for (View v : views) {
            if (v.dtype() != DType.FLOAT32 || v.rank() != 4 || !v.isContiguous()) return false;
        }
        int[] first = views[0].shape();
        for (View v : views) {
            if (v.shape()[0] != first[0] || v.shape()[3] != first[3]) return false;
        }
        return true;
    }

    private static float[] data(View v) {
        return ((FloatStorage) v.storage()).data();
    }

    /** Max or average pooling of {@code input} into {@code out}. */
    static void forward(PoolMode mode, View input, Pool2dSpec spec, View out) {
        int[] is = input.shape(), os = out.shape();
        int n = is[0], h = is[1], w = is[2], c = is[3], oh = os[1], ow = os[2];
        float[] x = data(input), y = data(out);
        int xOff = input.offset(), yOff = out.offset();
        int rows = n * oh, rowFloats = ow * c;
        if (rows == 0 || rowFloats == 0) return;
        int rowsPerTask = Math.max(1, MIN_TASK_FLOATS / Math.max(1, rowFloats * spec.poolH() * spec.poolW()));
        int tasks = (rows + rowsPerTask - 1) / rowsPerTask;
        boolean max = mode == PoolMode.MAX;
        Parallel.forRange(tasks, t -> {
            int end = Math.min(rows, (t + 1) * rowsPerTask);
            for (int r = t * rowsPerTask; r < end; r++) {
                int b = r / oh, oy = r % oh;
                int iy0 = oy * spec.strideH() - spec.padTop();
                int y0 = Math.max(0, iy0), y1 = Math.min(h, iy0 + spec.poolH());
                for (int ox = 0; ox < ow; ox++) {
                    int ix0 = ox * spec.strideW() - spec.padLeft();
                    int x0 = Math.max(0, ix0), x1 = Math.min(w, ix0 + spec.poolW());
                    int src = xOff + b * h * w * c, dst = yOff + (r * ow + ox) * c;
                    if (max && y1 - y0 == 2 && x1 - x0 == 2) max2x2(x, src + (y0 * w + x0) * c, w * c, c, y, dst);
                    else if (max) maxWindow(x, src, w, c, y0, y1, x0, x1, y, dst);
                    else averageWindow(x, src, w, c, y0, y1, x0, x1, y, dst);
                }
            }
        });
    }

    /** Max over rows [y0, y1) and columns [x0, x1) of the image at {@code src}, every channel. */
    private static void maxWindow(float[] x, int src, int w, int c, int y0, int y1, int x0, int x1,
                                  float[] y, int dst) {
        int bound = S.loopBound(c);
        int ch = 0;
        for (; ch < bound; ch += L) {
            FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    FloatVector v = FloatVector.fromArray(S, x, src + (iy * w + ix) * c + ch);
                    acc = acc.blend(v, v.compare(VectorOperators.GT, acc).or(v.test(VectorOperators.IS_NAN)));
                }
            }
            acc.intoArray(y, dst + ch);
        }
        for (; ch < c; ch++) {
            float acc = Float.NEGATIVE_INFINITY;
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    float v = x[src + (iy * w + ix) * c + ch];
                    if (v > acc || Float.isNaN(v)) acc = v;
                }
            }
            y[dst + ch] = acc;
        }
    }

    /**
     * {@link #maxWindow} for a whole 2 x 2 window whose top-left position is at {@code p} (rows {@code rowStride}
     * floats apart): the same comparisons in the same order, unrolled. The first position needs none: it
     * beats the initial -infinity unless it is -infinity itself, which it then equals.
     */
    private static void max2x2(float[] x, int p, int rowStride, int c, float[] y, int dst) {
        int p1 = p + c, p2 = p + rowStride, p3 = p2 + c;
        int bound = S.loopBound(c);
        int ch = 0;
        for (; ch < bound; ch += L) {
            // No helper method for the step: a vector passed to a method C2 does not inline is boxed.
            FloatVector acc = FloatVector.fromArray(S, x, p + ch);
            FloatVector v = FloatVector.fromArray(S, x, p1 + ch);
            acc = acc.blend(v, v.compare(VectorOperators.GT, acc).or(v.test(VectorOperators.IS_NAN)));
            v = FloatVector.fromArray(S, x, p2 + ch);
            acc = acc.blend(v, v.compare(VectorOperators.GT, acc).or(v.test(VectorOperators.IS_NAN)));
            v = FloatVector.fromArray(S, x, p3 + ch);
            acc = acc.blend(v, v.compare(VectorOperators.GT, acc).or(v.test(VectorOperators.IS_NAN)));
            acc.intoArray(y, dst + ch);
        }
        for (; ch < c; ch++) {
            float acc = x[p + ch];
            float v = x[p1 + ch];
            if (v > acc || Float.isNaN(v)) acc = v;
            v = x[p2 + ch];
            if (v > acc || Float.isNaN(v)) acc = v;
            v = x[p3 + ch];
            if (v > acc || Float.isNaN(v)) acc = v;
            y[dst + ch] = acc;
        }
    }

    /** Average over rows [y0, y1) and columns [x0, x1) (0 for an empty window), every channel. */
    private static void averageWindow(float[] x, int src, int w, int c, int y0, int y1, int x0, int x1,
                                      float[] y, int dst) {
        float count = Math.max(1, Math.max(0, y1 - y0) * Math.max(0, x1 - x0));
        int bound = S.loopBound(c);
        int ch = 0;
        for (; ch < bound; ch += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    acc = acc.add(FloatVector.fromArray(S, x, src + (iy * w + ix) * c + ch));
                }
            }
            acc.div(count).intoArray(y, dst + ch);
        }
        for (; ch < c; ch++) {
            float acc = 0f;
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) acc += x[src + (iy * w + ix) * c + ch];
            }
            y[dst + ch] = acc / count;
        }
    }

    /** Gradient of {@link #forward}: {@code gradInput} is overwritten. */
    static void backward(PoolMode mode, View input, View out, View gradOut, Pool2dSpec spec, View gradInput) {
        int[] is = input.shape(), os = out.shape();
        int n = is[0], h = is[1], w = is[2], c = is[3], oh = os[1], ow = os[2];
        float[] x = data(input), y = data(out), dy = data(gradOut), dx = data(gradInput);
        int xOff = input.offset(), yOff = out.offset(), dyOff = gradOut.offset(), dxOff = gradInput.offset();
        int image = h * w * c;
        if (n == 0 || image == 0) return;
        boolean max = mode == PoolMode.MAX;
        // Windows that do not overlap have each input position to themselves: a whole 2 x 2 max window then
        // stores its gradients (the one picked, zeros elsewhere) instead of adding them onto a zeroed image,
        // and the image needs no zeroing when the windows tile it exactly.
        boolean disjoint = spec.strideH() >= spec.poolH() && spec.strideW() >= spec.poolW();
        boolean store2x2 = max && disjoint && spec.poolH() == 2 && spec.poolW() == 2;
        boolean tiles = disjoint && spec.strideH() == spec.poolH() && spec.strideW() == spec.poolW()
                && spec.padTop() == 0 && spec.padLeft() == 0 && oh * spec.strideH() == h && ow * spec.strideW() == w;
        Parallel.forRange(n, b -> {
            int src = xOff + b * image, grad = dxOff + b * image;
            if (!(store2x2 && tiles)) Arrays.fill(dx, grad, grad + image, 0f);
            for (int oy = 0; oy < oh; oy++) {
                int iy0 = oy * spec.strideH() - spec.padTop();
                int y0 = Math.max(0, iy0), y1 = Math.min(h, iy0 + spec.poolH());
                for (int ox = 0; ox < ow; ox++) {
                    int ix0 = ox * spec.strideW() - spec.padLeft();
                    int x0 = Math.max(0, ix0), x1 = Math.min(w, ix0 + spec.poolW());
                    int o = ((b * oh + oy) * ow + ox) * c;
                    if (store2x2 && y1 - y0 == 2 && x1 - x0 == 2) {
                        int pos = (y0 * w + x0) * c;
                        max2x2Backward(x, src + pos, w * c, y, yOff + o, dy, dyOff + o, c, dx, grad + pos);
                    } else if (max) maxWindowBackward(x, src, y, yOff + o, dy, dyOff + o, w, c, y0, y1, x0, x1, dx, grad);
                    else averageWindowBackward(dy, dyOff + o, w, c, y0, y1, x0, x1, dx, grad);
                }
            }
        });
    }

    /** Adds each channel's gradient onto the first position of the window that equals the output. */
    private static void maxWindowBackward(float[] x, int src, float[] y, int yi, float[] dy, int dyi, int w, int c,
                                          int y0, int y1, int x0, int x1, float[] dx, int grad) {
        int bound = S.loopBound(c);
        int ch = 0;
        for (; ch < bound; ch += L) {
            FloatVector target = FloatVector.fromArray(S, y, yi + ch);
            FloatVector g = FloatVector.fromArray(S, dy, dyi + ch);
            VectorMask<Float> targetNaN = target.test(VectorOperators.IS_NAN);
            boolean anyNaN = targetNaN.anyTrue();
            VectorMask<Float> found = S.maskAll(false);
            // No data-dependent branches: every position gets a masked add (of nothing once all lanes are found).
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    int pos = (iy * w + ix) * c + ch;
                    FloatVector v = FloatVector.fromArray(S, x, src + pos);
                    VectorMask<Float> hit = v.compare(VectorOperators.EQ, target);
                    if (anyNaN) hit = hit.or(v.test(VectorOperators.IS_NAN).and(targetNaN));
                    hit = hit.andNot(found);
                    FloatVector.fromArray(S, dx, grad + pos).add(g, hit).intoArray(dx, grad + pos);
                    found = found.or(hit);
                }
            }
        }
        for (; ch < c; ch++) {
            float target = y[yi + ch];
            search:
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    int pos = (iy * w + ix) * c + ch;
                    float v = x[src + pos];
                    if (v == target || (Float.isNaN(v) && Float.isNaN(target))) {
                        dx[grad + pos] += dy[dyi + ch];
                        break search;
                    }
                }
            }
        }
    }

    /**
     * {@link #maxWindowBackward} for a whole 2 x 2 window of non-overlapping windows, top-left at {@code p}
     * in x and {@code d} in dx: each position gets the gradient if it is the first in window order that equals
     * the output (NaN matching NaN), else 0. Stores, no loads of dx, no data-dependent branch on the values
     * except for the NaN test, taken only when an output is NaN.
     */
    private static void max2x2Backward(float[] x, int p, int rowStride, float[] y, int yi, float[] dy, int dyi,
                                       int c, float[] dx, int d) {
        int o1 = c, o2 = rowStride, o3 = rowStride + c;
        FloatVector zero = FloatVector.zero(S);
        int bound = S.loopBound(c);
        int ch = 0;
        for (; ch < bound; ch += L) {
            FloatVector target = FloatVector.fromArray(S, y, yi + ch);
            FloatVector g = FloatVector.fromArray(S, dy, dyi + ch);
            FloatVector v0 = FloatVector.fromArray(S, x, p + ch);
            FloatVector v1 = FloatVector.fromArray(S, x, p + o1 + ch);
            FloatVector v2 = FloatVector.fromArray(S, x, p + o2 + ch);
            FloatVector v3 = FloatVector.fromArray(S, x, p + o3 + ch);
            VectorMask<Float> h0 = v0.compare(VectorOperators.EQ, target);
            VectorMask<Float> h1 = v1.compare(VectorOperators.EQ, target);
            VectorMask<Float> h2 = v2.compare(VectorOperators.EQ, target);
            VectorMask<Float> h3 = v3.compare(VectorOperators.EQ, target);
            VectorMask<Float> targetNaN = target.test(VectorOperators.IS_NAN);
            if (targetNaN.anyTrue()) {
                h0 = h0.or(v0.test(VectorOperators.IS_NAN).and(targetNaN));
                h1 = h1.or(v1.test(VectorOperators.IS_NAN).and(targetNaN));
                h2 = h2.or(v2.test(VectorOperators.IS_NAN).and(targetNaN));
                h3 = h3.or(v3.test(VectorOperators.IS_NAN).and(targetNaN));
            }
            VectorMask<Float> found = h0;
            h1 = h1.andNot(found);
            found = found.or(h1);
            h2 = h2.andNot(found);
            found = found.or(h2);
            h3 = h3.andNot(found);
            zero.blend(g, h0).intoArray(dx, d + ch);
            zero.blend(g, h1).intoArray(dx, d + o1 + ch);
            zero.blend(g, h2).intoArray(dx, d + o2 + ch);
            zero.blend(g, h3).intoArray(dx, d + o3 + ch);
        }
        for (; ch < c; ch++) {
            float target = y[yi + ch], g = dy[dyi + ch];
            boolean nan = Float.isNaN(target);
            float v0 = x[p + ch], v1 = x[p + o1 + ch], v2 = x[p + o2 + ch], v3 = x[p + o3 + ch];
            boolean h0 = v0 == target || (nan && Float.isNaN(v0));
            boolean h1 = !h0 && (v1 == target || (nan && Float.isNaN(v1)));
            boolean h2 = !h0 && !h1 && (v2 == target || (nan && Float.isNaN(v2)));
            boolean h3 = !h0 && !h1 && !h2 && (v3 == target || (nan && Float.isNaN(v3)));
            dx[d + ch] = h0 ? g : 0f;
            dx[d + o1 + ch] = h1 ? g : 0f;
            dx[d + o2 + ch] = h2 ? g : 0f;
            dx[d + o3 + ch] = h3 ? g : 0f;
        }
    }

    /** Adds each channel's gradient divided by the number of valid positions onto every one of them. */
    private static void averageWindowBackward(float[] dy, int dyi, int w, int c, int y0, int y1, int x0, int x1,
                                              float[] dx, int grad) {
        int count = Math.max(0, y1 - y0) * Math.max(0, x1 - x0);
        if (count == 0) return;
        int bound = S.loopBound(c);
        int ch = 0;
        for (; ch < bound; ch += L) {
            FloatVector g = FloatVector.fromArray(S, dy, dyi + ch).div((float) count);
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    int pos = grad + (iy * w + ix) * c + ch;
                    FloatVector.fromArray(S, dx, pos).add(g).intoArray(dx, pos);
                }
            }
        }
        for (; ch < c; ch++) {
            float g = dy[dyi + ch] / count;
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) dx[grad + (iy * w + ix) * c + ch] += g;
            }
        }
    }
}
