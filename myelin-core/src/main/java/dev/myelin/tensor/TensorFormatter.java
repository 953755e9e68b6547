package dev.myelin.tensor;

import java.util.Locale;

/** Renders tensors like PyTorch, eliding the middle of long dimensions. */
final class TensorFormatter {
    private static final int EDGE = 3;
    private static final int FULL_LIMIT = 1000;

    private TensorFormatter() {}

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        boolean elide = t.size() > FULL_LIMIT;
        if (t.rank() == 0) {
            sb.append(number(t.item()));
        } else {
            appendDim(sb, t, new int[t.rank()], 0, elide, 7);
        }
        sb.append(", shape=").append(t.shape()).append(", dtype=").append(t.dtype());
        if (t.requiresGrad()) sb.append(t.gradFn() != null ? ", grad_fn=" + t.gradFn().op() : ", requires_grad=true");
        return sb.append(')').toString();
    }

    private static void appendDim(StringBuilder sb, Tensor t, int[] index, int d, boolean elide, int indent) {
        int n = t.dim(d);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (elide && n > 2 * EDGE && i == EDGE) {
                sb.append(d == t.rank() - 1 ? "..., " : "...,\n" + " ".repeat(indent + d + 1));
                i = n - EDGE - 1;
                continue;
            }
            index[d] = i;
            if (d == t.rank() - 1) {
                sb.append(number(t.get(index)));
            } else {
                appendDim(sb, t, index, d + 1, elide, indent);
            }
            if (i < n - 1) {
                sb.append(d == t.rank() - 1 ? ", " : ",\n" + " ".repeat(indent + d + 1));
            }
        }
        sb.append(']');
    }

    private static String number(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-4)) return String.format(Locale.ROOT, "%.4e", v);
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
