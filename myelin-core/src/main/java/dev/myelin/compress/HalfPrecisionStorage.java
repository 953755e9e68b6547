package dev.myelin.compress;

import dev.myelin.io.FileFormatException;
import dev.myelin.io.Safetensors;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.models.ModelFile;
import dev.myelin.train.SnapshotFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weight-only 16-bit storage: a model file whose float32 weights are stored as bfloat16 or IEEE float16
 * (half the bytes), and which {@link Model#load} reads back to float32 (the 16-bit values widen exactly;
 * the model then computes in float32 as before). Narrowing rounds to nearest, ties to even.
 *
 * <p>bfloat16 keeps float32's range with 8 significant bits (relative error at most 2^-8); float16 has
 * 11 (2^-11) but overflows beyond 65504 and loses values below 6·10^-8, so it suits weights that are
 * known to be small. Optimizer slots, if any, stay float32.
 */
public final class HalfPrecisionStorage {
    private HalfPrecisionStorage() {}

    /**
     * Saves {@code model} as {@link Model#save} does, with every F32 weight stored as {@code type} (BF16 or F16).
     *
     * @throws IllegalArgumentException when {@code type} is not BF16 or F16
     */
    public static void save(Model model, Path file, Safetensors.DType type) throws IOException {
        if (type != Safetensors.DType.BF16 && type != Safetensors.DType.F16) throw new IllegalArgumentException("16-bit storage is BF16 or F16, got " + type);
        Path stored = Files.createTempFile(file.toAbsolutePath().getParent(), ".stored-", ".myelin");
        try {
            model.save(stored);
            Map<String, byte[]> entries = new LinkedHashMap<>(ModelFile.read(stored).entries());
            entries.put(SnapshotFile.WEIGHTS, narrowed(entries.get(SnapshotFile.WEIGHTS), type, stored));
            ZipArchive.write(file, entries);
        } finally {
            Files.deleteIfExists(stored);
        }
    }

    private static byte[] narrowed(byte[] weights, Safetensors.DType type, Path source) throws FileFormatException {
        Safetensors.Contents contents = Safetensors.decode(weights, source + ": " + SnapshotFile.WEIGHTS);
        List<Safetensors.Entry> out = new ArrayList<>();
        for (Safetensors.Entry e : contents.entries()) {
            out.add(e.dtype() == Safetensors.DType.F32 ? Safetensors.Entry.of(e.name(), e.toTensor(), type) : e);
        }
        return Safetensors.encode(out, contents.metadata());
    }
}
