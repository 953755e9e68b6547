package dev.myelin.onnx.proto;

import java.util.Arrays;

/** A growable list of {@code long}s (repeated int64 fields), without boxing. */
public final class LongList {
    private long[] values = new long[4];
    private int size;

    public void add(long v) {
        if (size == values.length) values = Arrays.copyOf(values, Math.max(8, size * 2));
        values[size++] = v;
    }

    public int size() {
        return size;
    }

    public long[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
