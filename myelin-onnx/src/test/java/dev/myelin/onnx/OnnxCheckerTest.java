package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every exported test model passes {@code onnx.checker.check_model(full_check=True)} (which also runs ONNX's
 * shape inference), through Debian's {@code /usr/bin/python3} with {@code python3-onnx}; skipped, saying
 * why, where either is missing.
 */
class OnnxCheckerTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private static final String SCRIPT = """
            import sys, onnx
            bad = 0
            for path in sys.argv[1:]:
                try:
                    onnx.checker.check_model(onnx.load(path), full_check=True)
                    print("ok", path)
                except Exception as e:
                    bad += 1
                    print("FAILED", path, type(e).__name__, e)
            sys.exit(1 if bad else 0)
            """;

    static void assumeChecker() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PYTHON), "skipped: no " + PYTHON + " (install python3 and python3-onnx to run the ONNX checker)");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import onnx.checker").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "skipped: python3 cannot import onnx (install python3-onnx): " + out.strip());
    }

    @Test
    void everyExportedModelPassesTheFullCheck(@TempDir Path dir) throws Exception {
        assumeChecker();
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-c", SCRIPT));
        int i = 0;
        for (ExportCases.Case c : ExportCases.all()) {
            Path file = dir.resolve(String.format("%02d-%s.onnx", i++, c.name().replaceAll("[^A-Za-z0-9]+", "_")));
            OnnxExport.save(c.model().get(), file);
            command.add(file.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(120, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        assertEquals(command.size() - 3, out.lines().filter(l -> l.startsWith("ok ")).count(), out);
    }
}
