package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, -0.25E-2], \"b\": {\"c\": null, \"d\": true, \"e\": false},"
                + " \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1L, -2L, 3.5, 1000.0, -0.0025), m.get("a"));
        Map<?, ?> b = (Map<?, ?>) m.get("b");
        assertTrue(b.containsKey("c"));
        assertNull(b.get("c"));
        assertEquals(true, b.get("d"));
        assertEquals(false, b.get("e"));
        assertEquals("q\"\\/\b\f\n\r\té", m.get("s"));
        assertEquals(List.of("a", "b", "s"), List.copyOf(m.keySet()), "key order is kept");
        assertEquals(List.of(), Json.parse("[]"));
        assertEquals(Map.of(), Json.parse("{}"));
        assertEquals(9_223_372_036_854_775_807L, Json.parse("9223372036854775807"));
        assertEquals(1e19, Json.parse("10000000000000000000"), "an integer beyond long becomes a double");
        assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) Json.parse("[1]")).add(2), "parsed trees are read-only");
    }

    @Test
    void writesWhatItReads() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("units", 10);
        m.put("rate", 0.5);
        m.put("seed", null);
        m.put("shape", Arrays.asList(null, 28, 28L));
        m.put("name", "a \"b\"\n\u0001");
        m.put("nested", Map.of("ok", true));
        m.put("empty", Map.of());
        String text = Json.write(m);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals(10L, back.get("units"));
        assertEquals(0.5, back.get("rate"));
        assertNull(back.get("seed"));
        assertEquals(Arrays.asList(null, 28L, 28L), back.get("shape"));
        assertEquals("a \"b\"\n\u0001", back.get("name"));
        assertEquals(Map.of("ok", true), back.get("nested"));
        assertEquals(text, Json.write(back));
        assertTrue(text.startsWith("{\n  \"units\": 10,\n  \"rate\": 0.5,"), text);
    }

    @Test
    void refusesMalformedTextWithLineAndColumn() {
        assertError("", "line 1:1", "end of input");
        assertError("{\"a\": 1,}", "line 1:9", "string key");
        assertError("[1, 2,]", "line 1:7", "expected a value");
        assertError("{\"a\": 1\n  \"b\": 2}", "line 2:3", "expected ',' or '}'");
        assertError("[1 2]", "line 1:4", "expected ',' or ']'");
        assertError("{\"a\": 1, \"a\": 2}", "line 1:10", "duplicate key \"a\"");
        assertError("{'a': 1}", "line 1:2", "string key");
        assertError("[01]", "line 1:3", "leading zero");
        assertError("[1.]", "line 1:4", "digit after '.'");
        assertError("[1e]", "line 1:4", "exponent");
        assertError("[-]", "line 1:3", "digit");
        assertError("[NaN]", "line 1:2", "expected a value");
        assertError("[nul]", "line 1:2", "expected a value");
        assertError("\"abc", "line 1:5", "unterminated string");
        assertError("\"a\tb\"", "line 1:3", "control character");
        assertError("\"\\x\"", "line 1:3", "invalid escape");
        assertError("\"\\u12G4\"", "line 1:4", "\\u escape");
        assertError("{} {}", "line 1:4", "after the JSON value");
        assertError("// comment\n{}", "line 1:1", "unexpected '/'");
        assertError("[1e999]", "line 1:2", "out of range");
        assertError("{\"a\" 1}", "line 1:6", "expected ':'");
    }

    @Test
    void limitsDepthAndSize() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertError(deep, "line 1:" + (Json.MAX_DEPTH + 1), "nesting deeper than " + Json.MAX_DEPTH);
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertEquals(1, ((List<?>) Json.parse(ok)).size());
        var e = assertThrows(JsonException.class, () -> Json.parse(" ".repeat(Json.MAX_CHARS + 1)));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
        assertThrows(JsonException.class, () -> Json.parse(null));
    }

    @Test
    void refusesValuesJsonCannotHold() {
        var e = assertThrows(JsonException.class, () -> Json.write(List.of(Double.NaN)));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.write(Map.of(1, 2)));
        assertTrue(e.getMessage().contains("keys must be strings"), e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.write(new Object()));
        assertTrue(e.getMessage().contains("cannot write"), e.getMessage());
    }

    private static void assertError(String text, String where, String what) {
        var e = assertThrows(JsonException.class, () -> Json.parse(text), text);
        assertTrue(e.getMessage().startsWith(where + ": ") && e.getMessage().contains(what), "for " + text + ": " + e.getMessage());
    }
}
