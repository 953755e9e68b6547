package dev.myelin.text;

import java.util.Arrays;

/**
 * A hash map from a pair of non-negative ints to an int, without boxing: BPE looks a pair of token ids up
 * once per symbol when it trains and when it encodes. Open addressing with linear probing, at most half full.
 */
final class PairMap {
    private static final long EMPTY = -1L;
    private long[] keys;
    private int[] values;
    private int size;

    PairMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, EMPTY);
    }

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    static int left(long key) {
        return (int) (key >>> 32);
    }

    static int right(long key) {
        return (int) key;
    }

    int size() {
        return size;
    }

    /** The value of {@code (left, right)}, or -1. */
    int get(int left, int right) {
        long k = key(left, right);
        int mask = keys.length - 1;
        for (int i = slot(k, mask); ; i = (i + 1) & mask) {
            long found = keys[i];
            if (found == k) return values[i];
            if (found == EMPTY) return -1;
        }
    }

    /** Sets the value of {@code (left, right)} when absent; returns the value it now has. */
    int putIfAbsent(int left, int right, int value) {
        long k = key(left, right);
        int mask = keys.length - 1;
        int i = slot(k, mask);
        for (; ; i = (i + 1) & mask) {
            long found = keys[i];
            if (found == k) return values[i];
            if (found == EMPTY) break;
        }
        keys[i] = k;
        values[i] = value;
        if (++size * 2 > keys.length) grow();
        return value;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[keys.length];
        Arrays.fill(keys, EMPTY);
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] == EMPTY) continue;
            int i = slot(oldKeys[j], mask);
            while (keys[i] != EMPTY) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            values[i] = oldValues[j];
        }
    }

    private static int slot(long k, int mask) {
        long h = k * 0x9E3779B97F4A7C15L; // Fibonacci hashing: the high bits mix both ids
        return (int) (h >>> 32 ^ h) & mask;
    }
}
