package dev.myelin.cli;

import dev.myelin.data.Dataset;
import dev.myelin.examples.TransferLearning;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The classes picked with {@code --classes}: ranges and single ids, such as {@code 0-4}, {@code 5,7,9} or
 * {@code 0-2,8}, in the order given.
 *
 * <p>Example: {@code ClassSelection.parse("--classes", "5-9").ids()} is {@code [5, 6, 7, 8, 9]}.
 */
record ClassSelection(int[] ids) {
    private static final int MAX_ID = 9_999;

    /**
     * Reads {@code text}; a malformed list, an id out of {@code 0..9999}, or an id given twice is an error
     * naming {@code option}.
     */
    static ClassSelection parse(String option, String text) {
        String expected = "; expected class ids and ranges such as 0-4 or 5,7,9";
        Set<Integer> ids = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            String p = part.strip();
            String[] ends = p.split("-", -1);
            if (p.isEmpty() || ends.length > 2) throw new IllegalArgumentException(option + ": cannot read '" + text + "'" + expected);
            int from = id(option, text, ends[0], expected), to = ends.length == 2 ? id(option, text, ends[1], expected) : from;
            if (to < from) throw new IllegalArgumentException(option + ": the range " + p + " is empty (it goes down)" + expected);
            for (int c = from; c <= to; c++) {
                if (!ids.add(c)) throw new IllegalArgumentException(option + ": class " + c + " is given twice in '" + text + "'");
            }
        }
        return new ClassSelection(ids.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int id(String option, String text, String s, String expected) {
        try {
            int v = Integer.parseInt(s.strip());
            if (v < 0 || v > MAX_ID) throw new IllegalArgumentException(option + ": class " + v + " is out of range 0.." + MAX_ID + expected);
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": cannot read '" + text + "'" + expected, e);
        }
    }

    int size() {
        return ids.length;
    }

    /** The largest id. */
    int max() {
        return Arrays.stream(ids).max().orElseThrow();
    }

    /**
     * The samples of these classes, labels kept; {@code what} names the data in the error when none are left
     * or when an id is beyond the data's {@code numClasses}.
     */
    Dataset keep(Dataset all, int numClasses, String what) {
        checkWithin(numClasses, what);
        return nonEmpty(TransferLearning.only(all, ids), what);
    }

    /** The samples of these classes, relabelled {@code 0..size()-1} in the order given (for a new head). */
    Dataset relabel(Dataset all, int numClasses, String what) {
        checkWithin(numClasses, what);
        return nonEmpty(TransferLearning.classes(all, ids), what);
    }

    /** The names of these classes, by position, from the data set's {@code names} (empty when it has none). */
    List<String> names(List<String> names) {
        if (names.isEmpty()) return List.of();
        return Arrays.stream(ids).mapToObj(i -> i < names.size() ? names.get(i) : Integer.toString(i)).toList();
    }

    private void checkWithin(int numClasses, String what) {
        if (max() >= numClasses) {
            throw new IllegalArgumentException("--classes: class " + max() + " is not in " + what + ", whose labels are 0.." + (numClasses - 1));
        }
    }

    private Dataset nonEmpty(Dataset d, String what) {
        if (d.isEmpty()) throw new IllegalArgumentException("--classes " + this + ": " + what + " has no samples of these classes");
        return d;
    }

    @Override
    public String toString() {
        return Arrays.toString(ids).replace(" ", "").replace("[", "").replace("]", "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassSelection c && Arrays.equals(ids, c.ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }
}
