package dev.myelin.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.nn.Parameter;
import dev.myelin.tensor.BufferPool;
import dev.myelin.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-layer benchmark's rows run through the public API, and its labels are the PyTorch twin's. */
class LayerBenchTest {
    private static final Path TWIN = Path.of("scripts", "torch_layers.py");

    @Test
    void labelsAreUniqueAndCoverEveryLayerKind() {
        List<String> names = LayerCases.ALL.stream().map(LayerCases.Case::name).toList();
        assertEquals(names.size(), new HashSet<>(names).size(), "duplicate labels in " + names);
        for (String kind : List.of("conv2d 3x3 valid", "conv2d 3x3 same", "conv2d 1x1", " s2 ", " d2 ", "conv2dtranspose", "maxpool2",
                "avgpool2", "gap", "batchnorm train", "batchnorm infer", "dropout", "dense", "embedding", "lstm", "gru",
                "softmax+sparse_ce", "transformer_encoder", "optimizer sgd", "optimizer adam", "optimizer adamw", "optimizer rmsprop", "optimizer adagrad")) {
            assertTrue(names.stream().anyMatch(n -> n.contains(kind)), "no row for " + kind);
        }
    }

    @Test
    void everyRowRunsForwardAndBackwardAndLeavesNoGradient() {
        for (LayerCases.Case c : LayerCases.ALL) {
            LayerCases.Bench b = c.setup().get();
            b.forward();
            b.forwardBackward();
            b.forwardBackward();
            if (b instanceof LayerCases.LayerRow row) {
                assertTrue(row.layer().weights().stream().allMatch(p -> p.value().grad() == null), c.name() + ": gradients left behind");
                assertNull(row.input().grad(), c.name());
            }
            assertEquals(!c.name().startsWith("optimizer"), b.hasBackward(), c.name());
        }
    }

    @Test
    void optimizerRowsUpdateAMillionWeights() {
        LayerCases.OptimizerRow row = (LayerCases.OptimizerRow) LayerCases.ALL.stream()
                .filter(c -> c.name().startsWith("optimizer adam ")).findFirst().orElseThrow().setup().get();
        long n = row.parameters().stream().mapToLong(p -> p.value().size()).sum();
        assertEquals(1_068_810, n);
        Tensor w = row.parameters().get(0).value();
        float before = w.toFloatArray()[0];
        row.forward();
        assertFalse(before == w.toFloatArray()[0], "adam did not move the weight");
        for (Parameter p : row.parameters()) assertNull(p.grad(), "the update must not need grad(): " + p.name());
    }

    @Test
    void jsonHasOneRowPerCaseAndThreadCount() {
        String out = capture(List.of("--case", "dense B32", "--threads", "1,2", "--warmup", "0", "--chunks", "1", "--chunk", "0.001", "--json"));
        assertTrue(out.contains("\"benchmark\":\"layers\""), out);
        assertEquals(2, out.split("\"case\":\"dense B32 784 -> 128\"", -1).length - 1, out);
        assertTrue(out.contains("\"threads\":1") && out.contains("\"threads\":2"), out);
        String opt = capture(List.of("--case", "optimizer sgd ", "--threads", "1", "--warmup", "0", "--chunks", "1", "--chunk", "0.001", "--json"));
        assertTrue(opt.contains("\"forward_backward_ms\":null"), opt);
    }

    /** The forward column's pass hands a layer's output back, and the next pass takes that array again. */
    @Test
    void forwardReleasingHandsTheOutputBackToThePool() {
        LayerCases.Bench b = LayerCases.ALL.stream().filter(c -> c.name().startsWith("batchnorm infer B32 28x28x32"))
                .findFirst().orElseThrow().setup().get();
        BufferPool.clear();
        try {
            b.forward();
            assertEquals(0, BufferPool.heldBytes(), "the plain forward keeps nothing");
            b.forwardReleasing();
            long held = BufferPool.heldBytes();
            assertEquals(32L * 28 * 28 * 32 * Float.BYTES, held, "the output (3.2 MB) went back");
            b.forwardReleasing();
            assertEquals(held, BufferPool.heldBytes(), "the next output took it, and went back in turn");
        } finally {
            BufferPool.clear();
        }
        String fresh = capture(List.of("--case", "dense B32", "--threads", "1", "--warmup", "0", "--chunks", "1", "--chunk", "0.001", "--json", "--fresh-outputs"));
        assertTrue(fresh.contains("\"outputs\":\"fresh\""), fresh);
        String released = capture(List.of("--case", "dense B32", "--threads", "1", "--warmup", "0", "--chunks", "1", "--chunk", "0.001", "--json"));
        assertTrue(released.contains("\"outputs\":\"released\""), released);
    }

    /** By default the forward + backward pass runs in a step scope: its output goes back, and leaves no gradient. */
    @Test
    void forwardBackwardInAStepScopeHandsTheOutputBack() {
        LayerCases.Bench b = LayerCases.ALL.stream().filter(c -> c.name().startsWith("conv2d 3x3 valid s1 d1 B32 32x32x3"))
                .findFirst().orElseThrow().setup().get();
        BufferPool.clear();
        try {
            b.forwardBackward();
            long plain = BufferPool.heldBytes();
            b.forwardBackwardInStep();
            long output = 32L * 30 * 30 * 32 * Float.BYTES;
            assertEquals(plain + output, BufferPool.heldBytes(), "the output (3.7 MB) went back as well");
            b.forwardBackwardInStep();
            assertEquals(plain + output, BufferPool.heldBytes(), "the next pass took those arrays, and they went back in turn");
            LayerCases.LayerRow row = (LayerCases.LayerRow) b;
            assertTrue(row.layer().weights().stream().allMatch(p -> p.value().grad() == null), "gradients left behind");
        } finally {
            BufferPool.clear();
        }
        String scoped = capture(List.of("--case", "dense B32", "--threads", "1", "--warmup", "0", "--chunks", "1", "--chunk", "0.001", "--json"));
        assertTrue(scoped.contains("\"forward_backward\":\"step-scope\""), scoped);
        String plain = capture(List.of("--case", "dense B32", "--threads", "1", "--warmup", "0", "--chunks", "1", "--chunk", "0.001", "--json", "--no-scope"));
        assertTrue(plain.contains("\"forward_backward\":\"plain\""), plain);
    }

    @Test
    void badArgumentsAndUnknownCasesAreRefused() {
        assertEquals(2, LayerBench.run(List.of("--chunks", "0")));
        assertEquals(2, LayerBench.run(List.of("--threads", "x")));
        assertEquals(2, LayerBench.run(List.of("--case", "no such layer")));
        assertEquals(2, LayerBench.run(List.of("--frobnicate")));
    }

    /** The twin must print the same labels in the same order; checked where Debian's PyTorch is installed. */
    @Test
    void pytorchTwinHasTheSameRows() throws IOException, InterruptedException {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python) && Files.exists(TWIN), "no /usr/bin/python3 or twin script");
        Process check = new ProcessBuilder(python.toString(), "-c", "import torch").redirectErrorStream(true).start();
        check.getInputStream().readAllBytes();
        assumeTrue(check.waitFor(60, TimeUnit.SECONDS) && check.exitValue() == 0, "PyTorch is not installed");
        Process p = new ProcessBuilder(python.toString(), TWIN.toString(), "--list").start();
        String twin = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(capture(List.of("--list")), twin);
    }

    private static String capture(List<String> args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            assertEquals(0, LayerBench.run(args));
        } finally {
            System.setOut(saved);
        }
        String s = buf.toString(StandardCharsets.UTF_8);
        assertNotNull(s);
        return s;
    }
}
