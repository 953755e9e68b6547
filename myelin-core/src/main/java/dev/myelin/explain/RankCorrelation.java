package dev.myelin.explain;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Spearman's rank correlation: Pearson's correlation of the ranks, with tied values given their average
 * rank (attribution maps tie often: a zero baseline gives every black pixel 0). 1 for the same order,
 * −1 for the reverse, about 0 for unrelated maps; 0 when either side is constant.
 */
public final class RankCorrelation {
    private RankCorrelation() {}

    /** Spearman's ρ of {@code a} and {@code b} (of equal length, at least 2). */
    public static double spearman(double[] a, double[] b) {
        if (a.length != b.length || a.length < 2) throw new IllegalArgumentException("spearman: need two arrays of the same length >= 2, got " + a.length + " and " + b.length);
        return pearson(ranks(a), ranks(b));
    }

    /** 1-based ranks, ties averaged. */
    static double[] ranks(double[] v) {
        Integer[] order = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[order[k]] = avg;
            i = j + 1;
        }
        return r;
    }

    private static double pearson(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }
}
