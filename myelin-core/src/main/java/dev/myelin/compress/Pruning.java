package dev.myelin.compress;

import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.models.ModelFile;
import dev.myelin.nn.Parameter;
import dev.myelin.train.SnapshotFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What goes with {@link PruneCallback}: the sparsity reached, and compact files for pruned models.
 *
 * <p>Compact saving relies on the zip: model files store their entries uncompressed, where a pruned kernel
 * takes as many bytes as a dense one; {@link #saveCompressed} writes the entries deflated, and the runs of
 * zero bytes shrink to almost nothing (the seed CNN's weights at 90 % sparsity: 2,776 KB stored, 365 KB
 * deflated). The file is an ordinary model file ({@link Model#load} reads it) and needs no sparse format
 * of its own.
 */
public final class Pruning {
    private Pruning() {}

    /** The fraction of {@code p}'s entries that are exactly zero. */
    public static double sparsity(Parameter p) {
        float[] v = p.value().toFloatArray();
        int zeros = 0;
        for (float x : v) if (x == 0) zeros++;
        return v.length == 0 ? 0 : (double) zeros / v.length;
    }

    /** The fraction of zero entries over all of {@code weights} together. */
    public static double sparsity(List<Parameter> weights) {
        long zeros = 0, total = 0;
        for (Parameter p : weights) {
            long n = p.value().size();
            zeros += Math.round(sparsity(p) * n);
            total += n;
        }
        return total == 0 ? 0 : (double) zeros / total;
    }

    /**
     * Saves {@code model} for deployment, deflated: its metadata, config (compile settings included) and
     * weights, without the training state. The optimizer's slots are not sparse (Adam's would take twice
     * the weights' bytes) and a pruned model is trained no further; loaded, it is compiled with a fresh
     * optimizer. A model whose kernels are 90 % zeros takes several times fewer bytes. Loads with
     * {@link Model#load}.
     */
    public static void saveCompressed(Model model, Path file) throws IOException {
        Path stored = Files.createTempFile(file.toAbsolutePath().getParent(), ".stored-", ".myelin");
        try {
            model.save(stored);
            Map<String, byte[]> entries = new LinkedHashMap<>();
            for (var e : ModelFile.read(stored).entries().entrySet()) {
                if (!e.getKey().equals(SnapshotFile.STATE) && !e.getKey().startsWith("optimizer.")) entries.put(e.getKey(), e.getValue());
            }
            ZipArchive.write(file, entries, true);
        } finally {
            Files.deleteIfExists(stored);
        }
    }
}
