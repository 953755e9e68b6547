package dev.myelin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor exports every package of the public API, keeps the CPU kernels
 * internal, and offers the CPU backend as a {@code ServiceLoader} provider.
 */
class ModuleDescriptorTest {
    private static final Set<String> INTERNAL = Set.of("dev.myelin.backend.cpu");

    private static ModuleDescriptor descriptor() throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("target", "classes", "module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void exportsEveryPublicPackageAndNotTheKernels() throws IOException {
        ModuleDescriptor d = descriptor();
        assertEquals("dev.myelin.core", d.name());
        Set<String> exported = d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> packages;
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java", "dev"))) {
            packages = files.filter(p -> p.toString().endsWith(".java"))
                    .map(p -> Path.of("src", "main", "java").relativize(p.getParent()).toString().replace('/', '.'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> expected = new TreeSet<>(packages);
        expected.removeAll(INTERNAL);
        assertEquals(expected, exported, "exports = every source package but the internal ones");
        for (String internal : INTERNAL) assertFalse(exported.contains(internal), internal + " must stay internal");
    }

    @Test
    void providesTheCpuBackendThroughServiceLoader() throws IOException {
        ModuleDescriptor d = descriptor();
        assertTrue(d.uses().contains("dev.myelin.backend.Backend"), d.uses().toString());
        var provides = d.provides().stream().filter(p -> p.service().equals("dev.myelin.backend.Backend")).findFirst().orElseThrow();
        assertEquals(java.util.List.of("dev.myelin.backend.cpu.CpuBackend"), provides.providers());
        // the class-path route (META-INF/services) names the same providers
        assertEquals(provides.providers(), Files.readAllLines(Path.of("src", "main", "resources", "META-INF", "services", "dev.myelin.backend.Backend"))
                .stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
    }

    @Test
    void theVectorApiIsOptionalAtRunTime() throws IOException {
        var vector = descriptor().requires().stream().filter(r -> r.name().equals("jdk.incubator.vector")).findFirst().orElseThrow();
        assertTrue(vector.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC), "requires static jdk.incubator.vector");
    }
}
