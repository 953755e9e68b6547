package dev.myelin.onnx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.onnx.proto.TensorProto;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

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
}
