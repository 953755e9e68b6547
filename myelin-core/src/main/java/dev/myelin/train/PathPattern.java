package dev.myelin.train;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file name with placeholders, the subset of Python's {@code str.format} that Keras's {@code ModelCheckpoint}
 * filepaths use: {@code {epoch}} (1-based), any log key ({@code {val_loss}}), each with an optional format
 * {@code [0][width][.precision][d|f|e]} ({@code {epoch:02d}}, {@code {val_loss:.4f}}); a doubled brace
 * stands for a brace. A value without a format is written as Java's shortest round-tripping decimal.
 * Parsed once, so a malformed pattern is refused when the callback is made.
 */
final class PathPattern {
    private static final Pattern SPEC = Pattern.compile("(0?)([0-9]*)(?:\\.([0-9]+))?([dfe]?)");

    /** Literal text (key null) or a placeholder. */
    private record Part(String text, String key, String format, boolean integer) {}

    private final String pattern;
    private final List<Part> parts;

    PathPattern(String pattern) {
        this.pattern = pattern;
        this.parts = parse(pattern);
    }

    private static List<Part> parse(String pattern) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '}') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '}') {
                    literal.append('}');
                    i++;
                    continue;
                }
                throw new IllegalArgumentException("file pattern '" + pattern + "': single '}' at position " + i + " (write '}}' for a brace)");
            }
            if (c != '{') {
                literal.append(c);
                continue;
            }
            if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '{') {
                literal.append('{');
                i++;
                continue;
            }
            int end = pattern.indexOf('}', i);
            if (end < 0) throw new IllegalArgumentException("file pattern '" + pattern + "': '{' at position " + i + " is not closed");
            String field = pattern.substring(i + 1, end);
            if (!literal.isEmpty()) {
                parts.add(new Part(literal.toString(), null, null, false));
                literal.setLength(0);
            }
            parts.add(placeholder(pattern, field));
            i = end;
        }
        if (!literal.isEmpty()) parts.add(new Part(literal.toString(), null, null, false));
        return List.copyOf(parts);
    }

    private static Part placeholder(String pattern, String field) {
        int colon = field.indexOf(':');
        String key = colon < 0 ? field : field.substring(0, colon);
        if (key.isEmpty() || key.contains("{")) {
            throw new IllegalArgumentException("file pattern '" + pattern + "': placeholder '{" + field + "}' needs a name, such as {epoch} or {val_loss}");
        }
        if (colon < 0) return new Part(null, key, null, false);
        String spec = field.substring(colon + 1);
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException("file pattern '" + pattern + "': format '" + spec + "' of '{" + key
                    + "}' is not supported; use [0][width][.precision][d|f|e], such as {epoch:02d} or {" + key + ":.4f}");
        }
        boolean integer = m.group(4).equals("d");
        if (integer && m.group(3) != null) {
            throw new IllegalArgumentException("file pattern '" + pattern + "': format '" + spec + "' of '{" + key + "}': an integer ('d') has no precision");
        }
        String type = m.group(4).isEmpty() ? (m.group(3) == null ? "" : "f") : m.group(4);
        if (type.isEmpty()) { // a width alone: the shortest decimal, right-aligned as Python aligns numbers
            return new Part(null, key, (m.group(1).isEmpty() ? " " : "0") + m.group(2), false);
        }
        String precision = m.group(3) == null ? "" : "." + m.group(3);
        return new Part(null, key, "%" + m.group(1) + m.group(2) + precision + type, integer);
    }

    /**
     * The file name for {@code epoch} (0-based; written 1-based as Keras) and {@code logs}.
     *
     * @throws IllegalArgumentException naming a placeholder whose key is not in the logs, and the keys that are
     */
    String format(int epoch, Map<String, Double> logs) {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p.key == null) {
                out.append(p.text);
                continue;
            }
            Object value;
            if (p.key.equals("epoch")) {
                value = (long) epoch + 1;
            } else {
                Double v = logs.get(p.key);
                if (v == null) {
                    TreeSet<String> keys = new TreeSet<>(logs.keySet());
                    keys.add("epoch");
                    throw new IllegalArgumentException("ModelCheckpoint file pattern '" + pattern + "' names '{" + p.key
                            + "}', which is not in the logs; available: " + keys
                            + (p.key.startsWith("val_") ? " (validation values need validationSplit or validationData)" : ""));
                }
                value = v;
            }
            out.append(render(p, value));
        }
        return out.toString();
    }

    private String render(Part p, Object value) {
        if (p.format == null) return value.toString();
        if (!p.format.startsWith("%")) { // pad character, then width
            String text = value.toString();
            int width = p.format.length() == 1 ? 0 : Integer.parseInt(p.format.substring(1));
            return String.valueOf(p.format.charAt(0)).repeat(Math.max(0, width - text.length())) + text;
        }
        if (p.integer) {
            if (value instanceof Double d) {
                if (d != Math.rint(d) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException("ModelCheckpoint file pattern '" + pattern + "': '{" + p.key + "}' has an integer format but the value is " + d);
                }
                value = d.longValue();
            }
            return String.format(Locale.ROOT, p.format, value);
        }
        double d = value instanceof Long l ? l : (Double) value;
        return String.format(Locale.ROOT, p.format, d);
    }

    /**
     * The folder every file of this pattern is written to, or null when the folder itself holds a placeholder
     * ({@code run-{epoch}/model.myelin}) and so changes from file to file.
     */
    Path fixedFolder() {
        int lastSlash = Math.max(pattern.lastIndexOf('/'), pattern.lastIndexOf(File.separatorChar));
        String folder = lastSlash < 0 ? "" : pattern.substring(0, lastSlash + 1);
        if (folder.indexOf('{') >= 0 || folder.indexOf('}') >= 0) return null;
        return Path.of(folder.isEmpty() ? "." : folder);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
