package dev.myelin.explain;

/**
 * Perceptually uniform colour maps from matplotlib (van der Walt and Smith), as 9 anchor colours at
 * {@code 0, 1/8, …, 1} with linear interpolation in RGB between them: dark for 0, bright for 1, and
 * lightness rising steadily, so that a heat map reads the same in grey and to colour-blind eyes.
 */
public enum ColorMap {
    /** Purple, blue, green, yellow (matplotlib's default). */
    VIRIDIS(0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xfde725),
    /** Black, purple, red, orange, pale yellow. */
    INFERNO(0x000004, 0x1f0c48, 0x550f6d, 0x88226a, 0xba3655, 0xe35933, 0xf98e09, 0xf9cb35, 0xfcffa4);

    private final int[] anchors;

    ColorMap(int... anchors) {
        this.anchors = anchors;
    }

    /** The colour of {@code t} (clamped to [0, 1]; NaN as 0) as {@code {r, g, b}} in [0, 1]. */
    public double[] rgb(double t) {
        double u = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t)) * (anchors.length - 1);
        int i = Math.min((int) u, anchors.length - 2);
        double f = u - i;
        double[] out = new double[3];
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * c;
            double a = (anchors[i] >> shift & 0xff) / 255.0, b = (anchors[i + 1] >> shift & 0xff) / 255.0;
            out[c] = a + f * (b - a);
        }
        return out;
    }
}
