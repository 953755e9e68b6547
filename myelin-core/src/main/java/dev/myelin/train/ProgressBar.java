package dev.myelin.train;

import java.io.IOException;
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
    /** The narrowest bar worth drawing; below it the bar goes and only the numbers stay. */
    private static final int MIN_BAR = 8;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean live;
    private final int columns;
    private int epochs;
    private int steps;
    private long epochStart;
    private long lastDraw;
    private int lastLength;
    private int barWidth = WIDTH;

    /** @param live redraw a bar in place (a terminal) or print one line per epoch */
    public ProgressBar(PrintStream out, boolean live) {
        this(out, live, live ? terminalColumns() : 80);
    }

    /**
     * @param live    redraw a bar in place (a terminal) or print one line per epoch
     * @param columns the terminal's width: a live line never reaches it (a line that wraps cannot be redrawn
     *                in place), the bar shrinks first, then the line is cut
     */
    public ProgressBar(PrintStream out, boolean live, int columns) {
        if (columns < 20) throw new IllegalArgumentException("ProgressBar columns must be >= 20, got " + columns);
        this.out = out;
        this.live = live;
        this.columns = columns;
    }

    /**
     * The terminal's width: {@code COLUMNS} when the shell exports it, else what {@code stty size} says
     * of the controlling terminal, else 80.
     */
    static int terminalColumns() {
        String env = System.getenv("COLUMNS");
        if (env != null) {
            try {
                int c = Integer.parseInt(env.strip());
                if (c >= 20) return c;
            } catch (NumberFormatException ignored) {
                // fall through to stty
            }
        }
        if (System.console() == null || !java.nio.file.Files.isReadable(java.nio.file.Path.of("/dev/tty"))) return 80;
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new java.io.File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] rowsCols = new String(p.getInputStream().readAllBytes()).strip().split("\\s+");
            if (p.waitFor() == 0 && rowsCols.length == 2) return Math.max(20, Integer.parseInt(rowsCols[1]));
        } catch (IOException | NumberFormatException e) {
            // no stty, or no terminal: the default below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 80;
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
        barWidth = WIDTH;
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
        String count = String.valueOf(steps);
        String head = " ".repeat(count.length() - String.valueOf(done).length()) + done + '/' + count + ' ';
        StringBuilder tail = new StringBuilder();
        if (finished) tail.append(seconds(elapsed)).append(' ');
        else tail.append("ETA ").append(seconds(perStep * (steps - done))).append(' ');
        if (perStep >= 1) tail.append(String.format(Locale.ROOT, "%.0fs/step", perStep));
        else if (perStep >= 1e-3) tail.append(String.format(Locale.ROOT, "%.0fms/step", perStep * 1e3));
        else tail.append(String.format(Locale.ROOT, "%.0fus/step", perStep * 1e6));
        for (var e : logs.entrySet()) {
            if (e.getKey().equals("batch_loss") || (!finished && e.getKey().startsWith("val_"))) continue;
            tail.append(" - ").append(e.getKey()).append(": ").append(LogValues.format(e.getValue()));
        }
        if (!live) return head + tail;
        // Keep the line below the terminal's width: shrink the bar, drop it, then cut the metrics.
        // The bar only shrinks within an epoch, so it does not jitter as the numbers change length.
        int room = columns - 1 - head.length() - tail.length() - 3;
        int width = barWidth = Math.min(barWidth, room);
        StringBuilder sb = new StringBuilder(head);
        if (width >= MIN_BAR) {
            int filled = steps == 0 ? width : (int) ((long) width * done / steps);
            sb.append('[').append("=".repeat(filled));
            if (filled < width) sb.append('>').append(".".repeat(width - filled - 1));
            sb.append("] ");
        }
        sb.append(tail);
        if (sb.length() > columns - 1) sb.setLength(columns - 1);
        return sb.toString();
    }

    private static String seconds(double s) {
        if (s < 60) return String.format(Locale.ROOT, "%.0fs", Math.ceil(s));
        return String.format(Locale.ROOT, "%d:%02d", (long) s / 60, (long) s % 60);
    }
}
