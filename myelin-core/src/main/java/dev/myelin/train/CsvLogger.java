package dev.myelin.train;

import dev.myelin.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes one CSV row per epoch ({@code epoch,loss,...}), as Keras's {@code CSVLogger}. The file is
 * rewritten atomically after every epoch (a temporary file, then a rename), so a crash never leaves a
 * half-written row.
 */
public final class CsvLogger implements Callback {
    private final Path file;
    private final List<String> rows = new ArrayList<>();
    private List<String> keys;

    public CsvLogger(Path file) {
        this.file = file;
    }

    @Override
    public void onTrainBegin(Trainable model, TrainingPlan plan) {
        rows.clear();
        keys = null;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (keys == null) keys = List.copyOf(logs.keySet());
        StringBuilder row = new StringBuilder().append(epoch);
        for (String k : keys) {
            Double v = logs.get(k);
            row.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.6g", v));
        }
        rows.add(row.toString());
        write();
    }

    private void write() {
        StringBuilder sb = new StringBuilder("epoch");
        for (String k : keys) sb.append(',').append(k);
        sb.append('\n');
        for (String r : rows) sb.append(r).append('\n');
        try {
            AtomicFiles.write(file, out -> out.write(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write training log " + file + ": " + e.getMessage(), e);
        }
    }
}
