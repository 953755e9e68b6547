package dev.myelin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package graph of myelin-core has no cycles: read from the sources (imports and fully qualified
 * references in code, comments and strings left out), its strongly connected components are single
 * packages. A failure names the packages of the cycle and one loop through them, with a file that makes
 * each step.
 */
class PackageCycleTest {

    /**
     * Cycles that exist today and are being removed elsewhere; each is an exact set of packages. EMPTY THIS
     * LIST once the branch that breaks the cycle is merged (the test then fails if a listed cycle is gone,
     * so the list cannot go stale).
     */
    private static final List<Set<String>> KNOWN_CYCLES = List.of();

    /** Packages that must never be part of a cycle, known or not. */
    private static final Set<String> ACYCLIC = Set.of(
            "dev.myelin.tensor", "dev.myelin.autograd", "dev.myelin.backend", "dev.myelin.backend.cpu");

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** A qualified name's package: lower-case segments after dev.myelin, up to the first upper-case one (or a wildcard). */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.myelin((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");

    @Test
    void packagesHaveNoCyclesBeyondTheKnownOnes() throws IOException {
        Graph graph = Graph.read(Path.of("src", "main", "java"));
        assertTrue(graph.edges.size() > 10, "read too few packages from src/main/java: " + graph.edges.keySet());
        List<Set<String>> cycles = graph.cycles();
        List<String> problems = new ArrayList<>();
        for (Set<String> cycle : cycles) {
            boolean touchesAcyclic = cycle.stream().anyMatch(ACYCLIC::contains);
            if (touchesAcyclic || !KNOWN_CYCLES.contains(cycle)) problems.add(graph.describe(cycle));
        }
        for (Set<String> known : KNOWN_CYCLES) {
            if (!cycles.contains(known)) problems.add("the known cycle " + new TreeSet<>(known) + " is gone: remove it from KNOWN_CYCLES");
        }
        if (!problems.isEmpty()) fail(String.join("\n", problems));
    }

    @Test
    void findsACycleAndNamesIt() {
        Graph g = new Graph();
        g.add("dev.myelin.a", "dev.myelin.b", "A.java");
        g.add("dev.myelin.b", "dev.myelin.c", "B.java");
        g.add("dev.myelin.c", "dev.myelin.a", "C.java");
        g.add("dev.myelin.c", "dev.myelin.d", "C.java");
        List<Set<String>> cycles = g.cycles();
        assertEquals(List.of(Set.of("dev.myelin.a", "dev.myelin.b", "dev.myelin.c")), cycles);
        String text = g.describe(cycles.get(0));
        assertTrue(text.contains("dev.myelin.a -> dev.myelin.b (A.java)") && text.contains("dev.myelin.c -> dev.myelin.a (C.java)"), text);
    }

    @Test
    void readsImportsAndInlineReferencesButNotComments() {
        Graph g = new Graph();
        g.scan("X.java", """
                package dev.myelin.x;
                import dev.myelin.y.Y;
                import static dev.myelin.z.Z.f;
                import dev.myelin.w.*;
                // dev.myelin.comment.C is only mentioned
                /** See {@link dev.myelin.javadoc.J}. */
                class X { Object o = new dev.myelin.backend.cpu.CpuBackend(); String s = "dev.myelin.string.S"; }
                """);
        assertEquals(Set.of("dev.myelin.y", "dev.myelin.z", "dev.myelin.w", "dev.myelin.backend.cpu"),
                g.edges.get("dev.myelin.x").keySet());
    }

    /** Package → package it references → one file that does. */
    private static final class Graph {
        final Map<String, Map<String, String>> edges = new TreeMap<>();

        static Graph read(Path sourceRoot) throws IOException {
            Graph g = new Graph();
            try (Stream<Path> files = Files.walk(sourceRoot)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    g.scan(sourceRoot.relativize(f).toString(), Files.readString(f));
                }
            }
            return g;
        }

        void scan(String file, String source) {
            String code = stripCommentsAndStrings(source);
            Matcher pm = PACKAGE.matcher(code);
            if (!pm.find()) return;
            String from = pm.group(1);
            edges.computeIfAbsent(from, k -> new TreeMap<>());
            Matcher m = REFERENCE.matcher(code);
            while (m.find()) add(from, "dev.myelin" + m.group(1), file);
        }

        void add(String from, String to, String file) {
            edges.computeIfAbsent(to, k -> new TreeMap<>());
            if (!from.equals(to)) edges.computeIfAbsent(from, k -> new TreeMap<>()).putIfAbsent(to, file);
        }

        /** Strongly connected components of more than one package (Tarjan), each sorted. */
        List<Set<String>> cycles() {
            Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
            ArrayDeque<String> stack = new ArrayDeque<>();
            Set<String> onStack = new TreeSet<>();
            List<Set<String>> result = new ArrayList<>();
            int[] counter = {0};
            for (String v : edges.keySet()) {
                if (!index.containsKey(v)) connect(v, index, low, stack, onStack, result, counter);
            }
            return result;
        }

        private void connect(String v, Map<String, Integer> index, Map<String, Integer> low, ArrayDeque<String> stack,
                             Set<String> onStack, List<Set<String>> result, int[] counter) {
            index.put(v, counter[0]);
            low.put(v, counter[0]++);
            stack.push(v);
            onStack.add(v);
            for (String w : edges.get(v).keySet()) {
                if (!index.containsKey(w)) {
                    connect(w, index, low, stack, onStack, result, counter);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (onStack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                Set<String> component = new TreeSet<>();
                String w;
                do {
                    w = stack.pop();
                    onStack.remove(w);
                    component.add(w);
                } while (!w.equals(v));
                if (component.size() > 1) result.add(component);
            }
        }

        /** The packages of a cycle and one loop through its first package, each step with a file that makes it. */
        String describe(Set<String> cycle) {
            String start = cycle.iterator().next();
            // breadth-first search inside the component for the shortest way back to start
            Map<String, String> parent = new LinkedHashMap<>();
            ArrayDeque<String> queue = new ArrayDeque<>(List.of(start));
            String last = null;
            while (!queue.isEmpty() && last == null) {
                String v = queue.poll();
                for (String w : edges.get(v).keySet()) {
                    if (!cycle.contains(w)) continue;
                    if (w.equals(start)) {
                        last = v;
                        break;
                    }
                    if (!parent.containsKey(w)) {
                        parent.put(w, v);
                        queue.add(w);
                    }
                }
            }
            List<String> loop = new ArrayList<>(List.of(start));
            for (String v = last; v != null && !v.equals(start); v = parent.get(v)) loop.add(1, v);
            loop.add(start);
            StringBuilder sb = new StringBuilder("package cycle " + cycle + ":");
            for (int i = 0; i + 1 < loop.size(); i++) {
                String a = loop.get(i), b = loop.get(i + 1);
                sb.append("\n  ").append(a).append(" -> ").append(b).append(" (").append(edges.get(a).get(b)).append(')');
            }
            return sb.toString();
        }

        /** The source with comments, string and character literals and text blocks blanked out. */
        private static String stripCommentsAndStrings(String s) {
            StringBuilder out = new StringBuilder(s.length());
            int i = 0, n = s.length();
            while (i < n) {
                char c = s.charAt(i);
                if (s.startsWith("//", i)) {
                    while (i < n && s.charAt(i) != '\n') i++;
                } else if (s.startsWith("/*", i)) {
                    int end = s.indexOf("*/", i + 2);
                    i = end < 0 ? n : end + 2;
                    out.append(' ');
                } else if (s.startsWith("\"\"\"", i)) {
                    int end = s.indexOf("\"\"\"", i + 3);
                    i = end < 0 ? n : end + 3;
                    out.append("\"\"");
                } else if (c == '"' || c == '\'') {
                    i++;
                    while (i < n && s.charAt(i) != c) i += s.charAt(i) == '\\' ? 2 : 1;
                    i++;
                    out.append(c).append(c);
                } else {
                    out.append(c);
                    i++;
                }
            }
            return out.toString();
        }
    }
}
