package dev.myelin.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded edits to a parsed JSON tree for the fuzz test: values replaced by odd ones, keys and list items removed. */
final class JsonMutations {
    private JsonMutations() {}

    /** A deep copy of a parsed JSON tree whose maps and lists can be changed. */
    static Object mutableCopy(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) out.put((String) e.getKey(), mutableCopy(e.getValue()));
            return out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) out.add(mutableCopy(o));
            return out;
        }
        return node;
    }

    /** Changes {@code count} random values of the tree in place; returns what it did. */
    @SuppressWarnings("unchecked")
    static String mutate(Object tree, SplittableRandom r, int count) {
        StringBuilder did = new StringBuilder();
        for (int c = 0; c < count; c++) {
            List<Object[]> slots = new ArrayList<>(); // {container, key or index, path}
            collect(tree, "", slots);
            if (slots.isEmpty()) return did.toString();
            Object[] slot = slots.get(r.nextInt(slots.size()));
            Object value = replacement(r);
            boolean remove = r.nextInt(6) == 0;
            if (slot[0] instanceof Map<?, ?> m) {
                if (remove) ((Map<String, Object>) m).remove((String) slot[1]);
                else ((Map<String, Object>) m).put((String) slot[1], value);
            } else {
                List<Object> l = (List<Object>) slot[0];
                if (remove) l.remove((int) (Integer) slot[1]);
                else l.set((Integer) slot[1], value);
            }
            if (remove) did.append("removed ").append(slot[2]).append("; ");
            else did.append(slot[2]).append(" = ").append(value instanceof String s ? "\"" + s + "\"" : value).append("; ");
        }
        return did.toString();
    }

    private static void collect(Object node, String path, List<Object[]> slots) {
        if (node instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                String p = path + "/" + e.getKey();
                slots.add(new Object[] {m, e.getKey(), p});
                collect(e.getValue(), p, slots);
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                String p = path + "[" + i + "]";
                slots.add(new Object[] {l, i, p});
                collect(l.get(i), p, slots);
            }
        }
    }

    private static Object replacement(SplittableRandom r) {
        return switch (r.nextInt(15)) {
            case 0 -> null;
            case 1 -> 0L;
            case 2 -> -1L;
            case 3 -> 1L + r.nextInt(5);
            case 4 -> (long) Integer.MAX_VALUE + 7;
            case 5 -> 1L << 40;
            case 6 -> 0.5;
            case 7 -> -3.25e300;
            case 8 -> true;
            case 9 -> "";
            case 10 -> "Dense";
            case 11 -> "same";
            case 12 -> new ArrayList<>(Arrays.asList(null, 2L, 3L));
            case 13 -> "hard_sigmoid";
            default -> new LinkedHashMap<>(Map.of("class_name", "Sequential"));
        };
    }
}
