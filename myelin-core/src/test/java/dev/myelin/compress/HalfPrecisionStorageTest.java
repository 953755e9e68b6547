package dev.myelin.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.Safetensors;
import dev.myelin.models.Model;
import dev.myelin.models.ModelFile;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Parameter;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BF16 and F16 weight files: half the size, read back to float32 within the type's rounding. */
class HalfPrecisionStorageTest {
    @TempDir
    Path folder;

    @Test
    void sixteenBitFilesLoadBackToFloat32WithinRounding() throws Exception {
        Sequential m = SeedModels.mlp();
        m.seed(4);
        m.build();
        Path plain = folder.resolve("f32.myelin");
        m.save(plain);
        for (Safetensors.DType type : List.of(Safetensors.DType.BF16, Safetensors.DType.F16)) {
            Path file = folder.resolve(type + ".myelin");
            HalfPrecisionStorage.save(m, file, type);
            double ratio = (double) Files.size(file) / Files.size(plain);
            assertTrue(ratio < 0.52, type + ": " + ratio);
            Safetensors.Contents weights = Safetensors.decode(ModelFile.read(file).entries().get("model.weights.safetensors"), "w");
            for (Safetensors.Entry e : weights.entries()) assertEquals(type, e.dtype(), e.name());
            Model loaded = Model.load(file);
            double relative = type == Safetensors.DType.BF16 ? 0x1p-8 : 0x1p-11; // half the spacing of 8 and 11 significant bits
            List<Parameter> before = m.weights(), after = loaded.weights();
            for (int w = 0; w < before.size(); w++) {
                float[] a = before.get(w).value().toFloatArray(), b = after.get(w).value().toFloatArray();
                assertEquals(dev.myelin.backend.DType.FLOAT32, after.get(w).value().dtype());
                for (int i = 0; i < a.length; i++) {
                    assertTrue(Math.abs(a[i] - b[i]) <= Math.abs(a[i]) * relative + 1e-7, type + " " + before.get(w).name() + "[" + i + "]: " + a[i] + " -> " + b[i]);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> HalfPrecisionStorage.save(m, folder.resolve("x"), Safetensors.DType.I8));
    }
}
