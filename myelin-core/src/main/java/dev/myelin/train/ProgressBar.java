package dev.myelin.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-style progress: on a terminal, a bar redrawn in place with the step count, ETA, time per step and
 * the running loss and metrics; at each epoch's end the final line stays. When output is not a terminal
 * (a log file, CI), only one plain line per epoch. Added by {@code fit} from {@code verbose}.
 *
 * <pre>
 * Epoch 1/5
 * 1875/1875 [==============================] 9s 5ms/step - loss: 0.4412 - accuracy: 0.8431 - val_loss: ...
 * </pre>
 */
public final class ProgressBar implements Callback {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean live;
    private int epochs;
    private int steps;
    private long epochStart;
    private long lastDraw;
    private int lastLength;

    /** @param live redraw a bar in place (a terminal) or print one line per epoch */
    public ProgressBar(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /** A bar on standard output, live only when it is a terminal and {@code linePerEpoch} is false. */
    public static ProgressBar forStdout(boolean linePerEpoch) {
        var console = System.console();
        boolean terminal = console != null && console.isTerminal();
        return new ProgressBar(System.out, terminal && !linePerEpoch);
    }

    @Override
    public void onTrainBegin(Trainable model, TrainingPlan plan) {
        epochs = plan.epochs();
        steps = plan.stepsPerEpoch();
    }

    @Override
    public void onEpochBegin(int epoch) {
        epochStart = System.nanoTime();
        lastDraw = 0;
        lastLength = 0;
        if (live) out.println("Epoch " + (epoch + 1) + "/" + epochs);
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        if (!live) return;
        long now = System.nanoTime();
        if (batch + 1 < steps && now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        String line = line(batch + 1, now, logs, false);
        out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        lastLength = line.length();
        out.flush();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        String line = line(steps, System.nanoTime(), logs, true);
        if (live) out.println("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        else out.println("Epoch " + (epoch + 1) + "/" + epochs + " - " + line);
        out.flush();
    }

    private String line(int done, long now, Map<String, Double> logs, boolean finished) {
        double elapsed = (now - epochStart) / 1e9;
        double perStep = elapsed / Math.max(1, done);
        StringBuilder sb = new StringBuilder();
        String count = String.valueOf(steps);
        sb.append(" ".repeat(count.length() - String.valueOf(done).length())).append(done).append('/').append(count).append(' ');
        if (live) {
            int filled = steps == 0 ? WIDTH : (int) ((long) WIDTH * done / steps);
            sb.append('[').append("=".repeat(filled));
            if (filled < WIDTH) sb.append('>').append(".".repeat(WIDTH - filled - 1));
            sb.append("] ");
        }
        if (finished) sb.append(seconds(elapsed)).append(' ');
        else sb.append("ETA ").append(seconds(perStep * (steps - done))).append(' ');
        if (perStep >= 1) sb.append(String.format(Locale.ROOT, "%.0fs/step", perStep));
        else if (perStep >= 1e-3) sb.append(String.format(Locale.ROOT, "%.0fms/step", perStep * 1e3));
        else sb.append(String.format(Locale.ROOT, "%.0fus/step", perStep * 1e6));
        for (var e : logs.entrySet()) {
            if (e.getKey().equals("batch_loss") || (!finished && e.getKey().startsWith("val_"))) continue;
            sb.append(" - ").append(e.getKey()).append(": ").append(format(e.getValue()));
        }
        return sb.toString();
    }

    private static String seconds(double s) {
        if (s < 60) return String.format(Locale.ROOT, "%.0fs", Math.ceil(s));
        return String.format(Locale.ROOT, "%d:%02d", (long) s / 60, (long) s % 60);
    }

    private static String format(double v) {
        if (v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) return String.format(Locale.ROOT, "%.4e", v);
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
