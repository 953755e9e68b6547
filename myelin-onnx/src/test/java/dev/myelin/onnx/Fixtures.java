package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.onnx.proto.TensorProto;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The shared interop fixtures ({@code shared/fixtures/interop}, found above the working directory) and ONNX test-data tensors. */
final class Fixtures {
    private Fixtures() {}

    /** The fixtures folder; skips the calling test, saying why, when there is none. */
    static Path interop() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/fixtures/interop");
            if (Files.isDirectory(candidate)) return candidate;
        }
        assumeTrue(false, "skipped: no shared/fixtures/interop folder above " + dir + " (the interop fixtures are not in the repository)");
        return null;
    }

    /** A tensor from an ONNX test-data file ({@code input_0.pb}: one serialized TensorProto). */
    static Tensor tensor(Path file) throws IOException {
        TensorProto t = TensorProto.parse(Files.readAllBytes(file), file.toString());
        return Tensor.of(t.floats(), Arrays.stream(t.dims()).mapToInt(Math::toIntExact).toArray());
    }

    /** {@code [N, C, H, W]} to {@code [N, H, W, C]}. */
    static Tensor toChannelsLast(Tensor nchw) {
        return nchw.permute(0, 2, 3, 1).contiguous();
    }

    /**
     * Runs {@code myelin-onnx/scripts/SCRIPT} with Debian's {@code /usr/bin/python3} (PyTorch exports models with it)
     * and the arguments; skips the calling test, saying why, when python3, torch or onnx is missing or the script
     * takes more than 5 minutes, and fails it with the script's output when the script fails.
     */
    static void runPytorchScript(String script, Path... args) throws IOException, InterruptedException {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "skipped: no /usr/bin/python3 (Debian's python3-torch exports the PyTorch models)");
        Path here = Path.of("").toAbsolutePath();
        Path s = here.resolve("scripts").resolve(script);
        if (!Files.isRegularFile(s)) s = here.resolve("myelin-onnx/scripts").resolve(script);
        List<String> command = new ArrayList<>(List.of(python.toString(), s.toString()));
        for (Path a : args) command.add(a.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", "/usr/lib/x86_64-linux-gnu/openblas-openmp");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(300, TimeUnit.SECONDS), "skipped: the PyTorch export took more than 5 minutes");
        assumeTrue(!(p.exitValue() != 0 && log.contains("No module named")), "skipped: python3 lacks torch or onnx (install python3-torch, python3-onnx): " + log.strip());
        assertEquals(0, p.exitValue(), log);
    }
}
