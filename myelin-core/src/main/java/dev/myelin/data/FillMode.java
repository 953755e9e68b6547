package dev.myelin.data;

/**
 * How a geometric augmentation ({@link RandomZoom}, ...) fills output pixels that read outside the input
 * image, as Keras's {@code fill_mode} (TensorFlow's {@code ImageProjectiveTransformV3}). For an input row
 * {@code a b c d}:
 * <ul>
 *   <li>{@link #REFLECT}: {@code (d c b a | a b c d | d c b a)}, reflecting about the edge of the last pixel;</li>
 *   <li>{@link #CONSTANT}: {@code (k k k k | a b c d | k k k k)} with the fill value {@code k};</li>
 *   <li>{@link #WRAP}: {@code (a b c d | a b c d | a b c d)};</li>
 *   <li>{@link #NEAREST}: {@code (a a a a | a b c d | d d d d)}.</li>
 * </ul>
 * The sample coordinate is mapped into the image first, then interpolated; in {@code CONSTANT} mode each
 * interpolation neighbour outside the image reads {@code k}.
 */
public enum FillMode {
    REFLECT, CONSTANT, WRAP, NEAREST;

    /**
     * {@code coord} mapped into {@code [0, len − 1]} by this mode (TensorFlow's {@code map_coordinate});
     * {@code CONSTANT} returns it unchanged.
     */
    double map(double coord, int len) {
        switch (this) {
            case REFLECT -> {
                if (len <= 1) return 0;
                double sz2 = 2.0 * len;
                if (coord < 0) {
                    coord = sz2 * (long) (-coord / sz2) + coord;
                    coord = coord < -len ? coord + sz2 : -coord - 1;
                } else if (coord > len - 1) {
                    coord -= sz2 * (long) (coord / sz2);
                    if (coord >= len) coord = sz2 - coord - 1;
                }
                return clamp(coord, len);
            }
            case WRAP -> {
                if (len <= 1) return 0;
                double sz = len - 1;
                if (coord < 0) coord += len * ((long) (-coord / sz) + 1);
                else if (coord > len - 1) coord -= len * (long) (coord / sz);
                return clamp(coord, len);
            }
            case NEAREST -> {
                return clamp(coord, len);
            }
            default -> {
                return coord;
            }
        }
    }

    private static double clamp(double v, int len) {
        return Math.min(Math.max(v, 0), len - 1);
    }
}
