package dev.myelin.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer (RFC 8259) for configs, so the core needs no JSON library.
 *
 * <p>The tree: an object is a {@code Map<String, Object>} (insertion order kept, duplicate keys refused),
 * an array a {@code List<Object>}, a string a {@code String}, a number a {@code Long} when it is an integer
 * that fits, else a {@code Double}, {@code true}/{@code false} a {@code Boolean}, and {@code null} null.
 * Parsed maps and lists are unmodifiable.
 *
 * <p>Strict: no comments, trailing commas, single quotes, NaN or leading zeros; one value per text, with
 * only white space around it. Limits guard against hostile files: {@link #MAX_DEPTH} nested
 * arrays/objects and {@link #MAX_CHARS} characters. Errors are {@link JsonException}s giving
 * {@code line:column}.
 *
 * <p>Example: {@code Map<?, ?> m = (Map<?, ?>) Json.parse("{\"units\": 10}")} and
 * {@code Json.write(m)} gives {@code {"units": 10}}.
 */
public final class Json {
    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 64;
    /** Longest text accepted, in characters. */
    public static final int MAX_CHARS = 16 << 20;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value. */
    public static Object parse(String text) {
        if (text == null) throw new JsonException("JSON text is null");
        if (text.length() > MAX_CHARS) throw new JsonException("JSON text of " + text.length() + " characters exceeds the limit of " + MAX_CHARS);
        Json p = new Json(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) throw p.error("unexpected '" + text.charAt(p.pos) + "' after the JSON value");
        return value;
    }

    /**
     * Parses a file's (or zip entry's) bytes as strict UTF-8 JSON.
     *
     * @param source names the file or entry in messages, such as {@code "m.myelin: config.json"}
     * @throws FileFormatException when the bytes are not valid UTF-8 or not valid JSON, naming {@code source}
     */
    public static Object parseUtf8(byte[] bytes, String source) throws FileFormatException {
        String text = TextFiles.decodeUtf8(source, bytes);
        try {
            return parse(text);
        } catch (JsonException e) {
            throw new FileFormatException(source + ": " + e.getMessage(), e);
        }
    }

    /** Writes a tree (as {@link #parse} returns; any {@code Number}, {@code Map} with string keys or {@code List}) as indented JSON. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb, 0, 0);
        return sb.toString();
    }

    // ---- reading ----

    private Object value(int depth) {
        if (pos >= text.length()) throw error("unexpected end of input, expected a value");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected '" + c + "', expected a value");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        checkDepth(depth);
        pos++; // {
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("expected a string key in object");
            int keyLine = pos;
            String key = string();
            if (map.containsKey(key)) {
                pos = keyLine;
                throw error("duplicate key \"" + key + "\"");
            }
            skipWhitespace();
            expect(':');
            skipWhitespace();
            map.put(key, value(depth));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') return Collections.unmodifiableMap(map);
            if (c != ',') {
                pos--;
                throw error(c == 0 ? "unexpected end of input in object" : "expected ',' or '}' in object, got '" + c + "'");
            }
        }
    }

    private List<Object> array(int depth) {
        checkDepth(depth);
        pos++; // [
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') return Collections.unmodifiableList(list);
            if (c != ',') {
                pos--;
                throw error(c == 0 ? "unexpected end of input in array" : "expected ',' or ']' in array, got '" + c + "'");
            }
        }
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) {
                pos--;
                throw error("control character U+" + String.format("%04X", (int) c) + " in string (escape it)");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) throw error("unterminated escape in string");
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) throw error("incomplete \\u escape");
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(text.charAt(pos + i), 16);
                        if (d < 0) throw error("invalid \\u escape");
                        code = code * 16 + d;
                    }
                    pos += 4;
                    sb.append((char) code);
                }
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + e + "'");
                }
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
            if (Character.isDigit(peek())) throw error("leading zero in number");
        } else if (Character.isDigit(peek())) {
            while (Character.isDigit(peek())) pos++;
        } else {
            throw error("expected a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!Character.isDigit(peek())) throw error("expected a digit after '.'");
            while (Character.isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!Character.isDigit(peek())) throw error("expected a digit in the exponent");
            while (Character.isDigit(peek())) pos++;
        }
        String s = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException tooLarge) {
                // falls through to a double, as JavaScript reads it
            }
        }
        double d = Double.parseDouble(s);
        if (Double.isInfinite(d)) {
            pos = start;
            throw error("number " + s + " is out of range");
        }
        return d;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("unexpected '" + text.charAt(pos) + "', expected a value");
        pos += word.length();
        return value;
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void expect(char c) {
        if (peek() != c) throw error(peek() == 0 ? "unexpected end of input, expected '" + c + "'" : "expected '" + c + "', got '" + peek() + "'");
        pos++;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private JsonException error(String message) {
        int line = 1, column = 1;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new JsonException("line " + line + ":" + column + ": " + message);
    }

    // ---- writing ----

    private static void write(Object v, StringBuilder sb, int indent, int depth) {
        if (depth > MAX_DEPTH) throw new JsonException("cannot write JSON nested deeper than " + MAX_DEPTH + " levels");
        switch (v) {
            case null -> sb.append("null");
            case String s -> quote(s, sb);
            case Boolean b -> sb.append(b);
            case Double d -> sb.append(number(d));
            case Float f -> sb.append(number(f.doubleValue()));
            case Long l -> sb.append(l);
            case Integer i -> sb.append(i);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                String sep = "\n";
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String key)) throw new JsonException("JSON object keys must be strings, got " + e.getKey());
                    sb.append(sep).append("  ".repeat(indent + 1));
                    quote(key, sb);
                    sb.append(": ");
                    write(e.getValue(), sb, indent + 1, depth + 1);
                    sep = ",\n";
                }
                sb.append('\n').append("  ".repeat(indent)).append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(", ");
                    write(l.get(i), sb, indent, depth + 1);
                }
                sb.append(']');
            }
            default -> throw new JsonException("cannot write a " + v.getClass().getSimpleName() + " as JSON: " + v);
        }
    }

    private static String number(double d) {
        if (!Double.isFinite(d)) throw new JsonException("JSON has no " + d + "; only finite numbers can be written");
        return Double.toString(d);
    }

    /**
     * A JSON string as serde_json writes it (so that a safetensors header matches the reference writer's
     * bytes): short escapes for {@code " \\ \b \f \n \r \t}, a six-character escape (backslash, {@code u00},
     * two lowercase hex digits) for the other control characters, everything else as is.
     */
    static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
