package dev.myelin.backend.cpu;

import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.Pool2dSpec;
import dev.myelin.backend.PoolMode;
import dev.myelin.backend.View;
import dev.myelin.tensor.DType;
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
                    if (max) maxWindow(x, src, w, c, y0, y1, x0, x1, y, dst);
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
        Parallel.forRange(n, b -> {
            int src = xOff + b * image, grad = dxOff + b * image;
            Arrays.fill(dx, grad, grad + image, 0f);
            for (int oy = 0; oy < oh; oy++) {
                int iy0 = oy * spec.strideH() - spec.padTop();
                int y0 = Math.max(0, iy0), y1 = Math.min(h, iy0 + spec.poolH());
                for (int ox = 0; ox < ow; ox++) {
                    int ix0 = ox * spec.strideW() - spec.padLeft();
                    int x0 = Math.max(0, ix0), x1 = Math.min(w, ix0 + spec.poolW());
                    int o = ((b * oh + oy) * ow + ox) * c;
                    if (max) maxWindowBackward(x, src, y, yOff + o, dy, dyOff + o, w, c, y0, y1, x0, x1, dx, grad);
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
