package dev.myelin.backend;

import java.util.Locale;

/**
 * Checks done before a size that came from outside (a file header, a layer argument, a shape) becomes an
 * allocation: element counts computed in {@code long} without overflow, the Java array limit, and the
 * memory the JVM can still give. A failed check is an {@link IllegalArgumentException} (or, through
 * {@link #shortfall}, an exception of the caller's choosing) whose message names what asked and how much
 * it would need, instead of an {@code OutOfMemoryError}, a {@code NegativeArraySizeException} or an index
 * that wrapped around.
 *
 * <p>Example:
 * <pre>{@code
 * int n = MemoryCheck.elementCount("Tensor.eye(" + size + ")", size, size);   // throws past 2^31 - 16
 * MemoryCheck.requireAvailable("Dense(2000000) weights", 784L * 2_000_000 * 4); // "... needs 6.3 GB ..."
 * }</pre>
 */
public final class MemoryCheck {
    /** The largest Java array the checks allow (the JVM refuses a few elements below Integer.MAX_VALUE). */
    public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 16;

    private MemoryCheck() {}

    /**
     * The product of {@code dims} as an array length.
     *
     * @throws IllegalArgumentException naming {@code what} when a dimension is negative or the product
     *     exceeds {@link #MAX_ARRAY_LENGTH}
     */
    public static int elementCount(String what, long... dims) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) throw new IllegalArgumentException(what + ": negative size " + d);
            if (d != 0 && count > MAX_ARRAY_LENGTH / d) {
                throw new IllegalArgumentException(what + ": " + describe(dims) + " elements exceed the largest array Java allows ("
                        + MAX_ARRAY_LENGTH + " elements)");
            }
            count *= d;
        }
        return (int) count;
    }

    /**
     * Throws when {@code bytes} more bytes cannot be had from the JVM's heap (its maximum size less what is
     * in use now, after one collection when it does not fit at first).
     *
     * @throws IllegalArgumentException "what needs 6.3 GB, but the JVM has 3.9 GB free (of 4.0 GB): ..."
     */
    public static void requireAvailable(String what, long bytes) {
        String problem = shortfall(what, bytes);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    /**
     * The message {@link #requireAvailable} would throw, or null when {@code bytes} fit: for callers that
     * throw a checked exception of their own (a reader's {@code IOException}).
     */
    public static String shortfall(String what, long bytes) {
        Runtime rt = Runtime.getRuntime();
        long max = rt.maxMemory();
        long free = max == Long.MAX_VALUE ? Long.MAX_VALUE : max - (rt.totalMemory() - rt.freeMemory());
        if (bytes <= free) return null;
        System.gc(); // garbage not yet collected may make room: ask once before refusing (a rare, failing path)
        free = max - (rt.totalMemory() - rt.freeMemory());
        if (bytes <= free) return null;
        return what + " needs " + bytes(bytes) + ", but the JVM has " + bytes(Math.max(free, 0)) + " free (of " + bytes(max)
                + "): raise the heap limit (-Xmx, for the myelin command through MYELIN_JAVA_OPTS) or use less data";
    }

    /** {@code bytes} for humans: "512 B", "3.2 MB", "6.3 GB" (powers of 1000, as disk sizes are written). */
    public static String bytes(long bytes) {
        if (bytes < 1000) return bytes + " B";
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String describe(long[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) sb.append(i == 0 ? "" : " × ").append(dims[i]);
        return sb.toString();
    }
}
