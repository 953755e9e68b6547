package dev.myelin.train;

import dev.myelin.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Saves the model at the end of every epoch, or only when a monitored value improved, as Keras's
 * {@code ModelCheckpoint} ({@code save_freq="epoch"}). The file name comes from a pattern with Keras's
 * placeholders: {@code {epoch}} (1-based, as Keras writes it), {@code {epoch:02d}}, and any log key with an
 * optional format ({@code {val_loss:.4f}}, {@code {accuracy:.3e}}; the formats are
 * {@code [0][width][.precision][d|f|e]}). A key missing from the logs is an error at the first save, naming
 * the key and the keys there are.
 *
 * <p>The whole model is saved ({@link Trainable#save}: architecture, weights, training state; a file that
 * {@code Model.load} reads), or with {@link #saveWeightsOnly} its weights alone ({@link Trainable#saveWeights}:
 * safetensors for {@code loadWeights}). Every write is atomic: a file of the pattern is either the previous
 * complete save or the new one, even when the process is killed in the middle.
 *
 * <p>With {@link #saveBestOnly}, a save happens only when {@code monitor} (default {@code "val_loss"})
 * improved on the best value this callback has seen ({@link Monitor#auto} picks the direction from the name
 * unless {@link #mode} sets it); a pattern without placeholders then always holds the best model. The
 * monitored key must be in the logs (Keras warns and skips; here it is an error naming the keys there are).
 * The best value lives in this object, as in Keras: it carries over to the next {@code fit} with the same
 * callback, and is not part of a {@link BackupAndRestore} backup (a run resumed in a new process starts
 * from the worst value again).
 *
 * <p>Example:
 * <pre>{@code
 * model.fit(x, y, FitOptions.epochs(20).validationSplit(0.1).callbacks(
 *         new ModelCheckpoint("checkpoints/fashion-{epoch:02d}-{val_loss:.4f}.myelin"),
 *         new ModelCheckpoint("best.myelin").monitor("val_accuracy").saveBestOnly(true).verbose(1)));
 * // Epoch 3: val_accuracy improved from 0.81230 to 0.83410, saving model to best.myelin
 * }</pre>
 */
public final class ModelCheckpoint implements Callback {
    private final PathPattern pattern;
    private String monitor = "val_loss";
    private Monitor mode;
    private boolean saveBestOnly;
    private boolean saveWeightsOnly;
    private int verbose;
    private PrintStream out = System.out;
    private Trainable model;
    private Double best; // null: nothing compared yet

    /**
     * A checkpoint written to {@code filepathPattern} after every epoch.
     *
     * @throws IllegalArgumentException when the pattern is malformed (an unclosed brace, an unsupported format)
     */
    public ModelCheckpoint(String filepathPattern) {
        this.pattern = new PathPattern(Objects.requireNonNull(filepathPattern, "filepathPattern"));
    }

    /** The log value {@link #saveBestOnly} compares ({@code "val_loss"} by default). */
    public ModelCheckpoint monitor(String key) {
        this.monitor = Objects.requireNonNull(key, "monitor");
        return this;
    }

    /** Whether lower or higher is better; by default {@link Monitor#auto} of the monitored name. */
    public ModelCheckpoint mode(Monitor value) {
        this.mode = Objects.requireNonNull(value, "mode");
        return this;
    }

    /** Saves only when the monitored value improved on the best so far (off by default). */
    public ModelCheckpoint saveBestOnly(boolean value) {
        this.saveBestOnly = value;
        return this;
    }

    /** Saves the weights alone, as safetensors for {@code loadWeights} (off by default: the whole model). */
    public ModelCheckpoint saveWeightsOnly(boolean value) {
        this.saveWeightsOnly = value;
        return this;
    }

    /** 1 prints a line per save (and per epoch without improvement, with {@link #saveBestOnly}); 0, the default, prints nothing. */
    public ModelCheckpoint verbose(int level) {
        if (level < 0 || level > 1) throw new IllegalArgumentException("ModelCheckpoint verbose must be 0 or 1, got " + level);
        this.verbose = level;
        return this;
    }

    /** Where verbose lines go (standard output by default). */
    public ModelCheckpoint printTo(PrintStream stream) {
        this.out = Objects.requireNonNull(stream, "stream");
        return this;
    }

    @Override
    public void onTrainBegin(Trainable m, TrainingPlan plan) {
        model = m;
        // A run killed while writing a checkpoint and resumed after its last epoch writes nothing more here,
        // so the next write would never sweep the dead writer's temporary file away: sweep it now.
        Path folder = pattern.fixedFolder();
        if (folder != null) AtomicFiles.removeLeftovers(folder);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Path file = Path.of(pattern.format(epoch, logs));
        if (!saveBestOnly) {
            if (verbose > 0) out.println("Epoch " + (epoch + 1) + ": saving model to " + file);
            save(file);
            return;
        }
        Double current = logs.get(monitor);
        if (current == null) {
            throw new IllegalArgumentException("ModelCheckpoint monitors '" + monitor + "', which is not in the logs " + logs.keySet()
                    + (monitor.startsWith("val_") ? " (validation values need validationSplit or validationData)" : ""));
        }
        if (monitorMode().improves(current, best(), 0)) {
            if (verbose > 0) {
                out.println("Epoch " + (epoch + 1) + ": " + monitor + " improved from " + python(best()) + " to " + python(current)
                        + ", saving model to " + file);
            }
            best = current;
            save(file);
        } else if (verbose > 0) {
            out.println("Epoch " + (epoch + 1) + ": " + monitor + " did not improve from " + python(best()));
        }
    }

    /** The best monitored value so far (the worst possible, +∞ or −∞, before the first save). */
    public double best() {
        return best != null ? best : monitorMode().worst();
    }

    private Monitor monitorMode() {
        return mode != null ? mode : Monitor.auto(monitor);
    }

    private void save(Path file) {
        try {
            if (saveWeightsOnly) model.saveWeights(file);
            else model.save(file);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint could not write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Python's {@code f"{v:.5f}"}, as Keras prints: {@code 0.41230}, {@code inf}. */
    private static String python(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return String.format(Locale.ROOT, "%.5f", v);
    }
}
