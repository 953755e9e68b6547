package dev.myelin.train;

import dev.myelin.io.PngWriter;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training curves as a PNG, for a library user's {@link History} as for the {@code myelin} command.
 *
 * <p>One panel per quantity, side by side: the loss, then each metric (accuracy, AUC, ...), training and
 * validation ({@code val_}) in the same panel. The loss panel also draws every training step's own loss,
 * faint, and its exponential moving average, so a one-epoch run has a curve and not a dot; epoch values are
 * points at the end of their epoch. Axes have round ticks; accuracy-like metrics stay within [0, 1] and a
 * loss that is never negative starts at 0 or above. A test result, when given, is a red diamond at the right
 * edge with its value.
 *
 * <p>Example:
 * <pre>{@code
 * History h = model.fit(x, y, FitOptions.epochs(5).validationSplit(0.1));
 * HistoryPlot.of(h).title("Fashion-MNIST MLP").test(model.evaluate(xTest, yTest, 256)).write(Path.of("curves.png"));
 * }</pre>
 */
public final class HistoryPlot {
    private static final Color[] SERIES = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(148, 103, 189)};
    private static final Color TEST = new Color(214, 39, 40);
    private static final int PANEL_WIDTH = 520, HEIGHT = 460, MAX_PANELS = 3;

    private record Panel(String label, List<String> keys) {}

    private final History history;
    private final List<Panel> panels = new ArrayList<>();
    private String title = "training curves";
    private Map<String, Double> test = Map.of();

    private HistoryPlot(History history) {
        this.history = history;
    }

    /** A plot of {@code history} with the default panels (loss, then each metric) unless {@link #panel} chooses them. */
    public static HistoryPlot of(History history) {
        if (history == null) throw new IllegalArgumentException("HistoryPlot needs a History, got null");
        return new HistoryPlot(history);
    }

    public HistoryPlot title(String value) {
        this.title = value == null ? "" : value;
        return this;
    }

    /** Adds a panel titled {@code label} with the given history keys; an error names the keys the history has. */
    public HistoryPlot panel(String label, String... keys) {
        if (keys.length == 0) throw new IllegalArgumentException("panel '" + label + "' needs at least one history key");
        Map<String, List<Double>> all = history.asMap();
        for (String k : keys) {
            if (!all.containsKey(k)) throw new IllegalArgumentException("history has no '" + k + "' for panel '" + label + "'; it has " + all.keySet());
        }
        panels.add(new Panel(label, List.of(keys)));
        return this;
    }

    /** Marks a test result: each panel's training key ({@code loss}, {@code accuracy}, ...) found in {@code values}. */
    public HistoryPlot test(Map<String, Double> values) {
        this.test = values == null ? Map.of() : Map.copyOf(values);
        return this;
    }

    public HistoryPlot test(Evaluation evaluation) {
        return test(evaluation == null ? null : evaluation.values());
    }

    /** Draws and writes the PNG atomically. */
    public void write(Path file) throws IOException {
        PngWriter.writeImage(render(), file);
    }

    /** The chart as an image (what {@link #write} saves). */
    public BufferedImage render() {
        Map<String, List<Double>> all = history.asMap();
        List<Panel> chosen = panels.isEmpty() ? defaultPanels(all) : panels;
        int n = Math.max(1, chosen.size());
        BufferedImage img = new BufferedImage(PANEL_WIDTH * n, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 20, 24);
        if (chosen.isEmpty()) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString("no epochs were recorded", 60, HEIGHT / 2);
        }
        for (int p = 0; p < chosen.size(); p++) drawPanel(g, PANEL_WIDTH * p, 34, PANEL_WIDTH, HEIGHT - 34, chosen.get(p), all);
        g.dispose();
        return img;
    }

    /** The loss keys in one panel, then one panel per other metric with its {@code val_} twin; the learning rate is left out. */
    private static List<Panel> defaultPanels(Map<String, List<Double>> all) {
        Map<String, List<String>> byBase = new LinkedHashMap<>();
        for (String k : all.keySet()) {
            if (k.equals("learning_rate") || k.equals("lr")) continue;
            String base = k.startsWith("val_") ? k.substring(4) : k;
            if (base.endsWith("loss")) base = "loss";
            byBase.computeIfAbsent(base, b -> new ArrayList<>()).add(k);
        }
        List<Panel> out = new ArrayList<>();
        List<String> loss = byBase.remove("loss");
        if (loss != null) out.add(new Panel("loss", loss));
        for (var e : byBase.entrySet()) {
            if (out.size() == MAX_PANELS) break;
            out.add(new Panel(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static boolean isFraction(String key) {
        String base = key.startsWith("val_") ? key.substring(4) : key;
        return base.contains("accuracy") || base.equals("auc") || base.equals("precision") || base.equals("recall");
    }

    private void drawPanel(Graphics2D g, int x0, int y0, int w, int h, Panel panel, Map<String, List<Double>> all) {
        boolean withSteps = panel.keys().contains("loss") && !history.steps().isEmpty();
        List<String> legend = new ArrayList<>();
        List<Color> legendColors = new ArrayList<>();
        if (withSteps) {
            legend.add("loss per step (smoothed)");
            legendColors.add(SERIES[0]);
        }
        for (int s = 0; s < panel.keys().size(); s++) {
            String key = panel.keys().get(s);
            legend.add(withSteps && key.equals("loss") ? "loss (epoch mean)" : hasRunningSteps(key) ? key + " (running in epoch)" : key);
            legendColors.add(SERIES[s % SERIES.length]);
        }
        for (String key : panel.keys()) {
            Double t = test.get(key);
            if (t != null && Double.isFinite(t)) {
                legend.add(String.format(Locale.ROOT, "test %s %.4f", key, t));
                legendColors.add(TEST);
            }
        }
        int legendRows = (legend.size() + 1) / 2;
        int left = x0 + 64, right = x0 + w - 18, top = y0 + 24, bottom = y0 + h - 50 - 18 * legendRows;

        int epochs = 0;
        double low = Double.POSITIVE_INFINITY, high = Double.NEGATIVE_INFINITY;
        boolean fractions = true;
        for (String k : panel.keys()) {
            List<Double> v = all.get(k);
            epochs = Math.max(epochs, v.size());
            fractions &= isFraction(k);
            for (double d : v) {
                if (Double.isFinite(d)) {
                    low = Math.min(low, d);
                    high = Math.max(high, d);
                }
            }
            Double t = test.get(k);
            if (t != null && Double.isFinite(t)) {
                low = Math.min(low, t);
                high = Math.max(high, t);
            }
            if (hasRunningSteps(k)) {
                for (History.Step st : history.steps()) {
                    Double r = st.metrics().get(k);
                    if (r != null && Double.isFinite(r)) {
                        low = Math.min(low, r);
                        high = Math.max(high, r);
                    }
                }
            }
        }
        List<double[]> smoothed = withSteps ? smoothedSteps() : List.of();
        for (double[] s : smoothed) { // the raw steps are drawn clipped; the axis follows the smoothed curve
            low = Math.min(low, s[1]);
            high = Math.max(high, s[1]);
        }
        double floor = fractions ? 0 : low >= 0 ? 0 : Double.NEGATIVE_INFINITY;
        double ceiling = fractions ? 1 : Double.POSITIVE_INFINITY;
        AxisScale ys = AxisScale.of(low, high, 6, floor, ceiling);
        AxisScale xs = AxisScale.of(0, Math.max(1, epochs), 7, 0, Double.POSITIVE_INFINITY);
        if (xs.max() > epochs && epochs >= 1) xs = new AxisScale(0, Math.max(1, epochs), xs.step());

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double t : ys.ticks()) {
            int y = yPixel(ys, t, top, bottom);
            g.setColor(new Color(235, 235, 235));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String s = ys.label(t);
            g.drawString(s, left - fm.stringWidth(s) - 6, y + 4);
        }
        for (double t : xs.ticks()) {
            int x = xPixel(xs, t, left, right);
            g.setColor(new Color(235, 235, 235));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.DARK_GRAY);
            String s = xs.label(t);
            g.drawString(s, x - fm.stringWidth(s) / 2, bottom + 16);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString("epoch", (left + right) / 2 - fm.stringWidth("epoch") / 2, bottom + 32);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(panel.label(), x0 + 10, top - 8);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        var clip = g.getClip();
        g.clipRect(left, top, right - left + 1, bottom - top + 1);
        if (withSteps) {
            Color c = SERIES[0];
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
            g.setStroke(new BasicStroke(1f));
            polyline(g, history.steps().stream().map(s -> new double[] {s.epoch(), s.loss()}).toList(), xs, ys, left, right, top, bottom);
            g.setColor(c);
            g.setStroke(new BasicStroke(2f));
            polyline(g, smoothed, xs, ys, left, right, top, bottom);
        }
        List<List<double[]>> dots = new ArrayList<>();
        for (int s = 0; s < panel.keys().size(); s++) {
            String key = panel.keys().get(s);
            Color c = SERIES[s % SERIES.length];
            if (hasRunningSteps(key)) { // the running value within each epoch, faint, broken where an epoch starts
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 110));
                g.setStroke(new BasicStroke(1.2f));
                List<double[]> run = new ArrayList<>();
                for (History.Step st : history.steps()) {
                    Double v = st.metrics().get(key);
                    if (v == null || !Double.isFinite(v)) continue;
                    if (!run.isEmpty() && Math.ceil(st.epoch() - 1e-9) != Math.ceil(run.get(run.size() - 1)[0] - 1e-9)) {
                        polyline(g, run, xs, ys, left, right, top, bottom);
                        run.clear();
                    }
                    run.add(new double[] {st.epoch(), v});
                }
                polyline(g, run, xs, ys, left, right, top, bottom);
            }
            List<Double> v = all.get(key);
            List<double[]> points = new ArrayList<>();
            for (int e = 0; e < v.size(); e++) if (Double.isFinite(v.get(e))) points.add(new double[] {e + 1, v.get(e)});
            g.setColor(c);
            boolean stepsDrawn = withSteps && key.equals("loss");
            g.setStroke(stepsDrawn ? new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {4, 4}, 0) : new BasicStroke(2f));
            polyline(g, points, xs, ys, left, right, top, bottom);
            dots.add(points);
        }
        g.setStroke(new BasicStroke(1f));
        g.setClip(clip);
        for (int s = 0; s < dots.size(); s++) { // points on the frame stay whole
            g.setColor(SERIES[s % SERIES.length]);
            for (double[] p : dots.get(s)) g.fillOval(xPixel(xs, p[0], left, right) - 4, yPixel(ys, p[1], top, bottom) - 4, 8, 8);
        }
        for (String key : panel.keys()) {
            Double t = test.get(key);
            if (t == null || !Double.isFinite(t)) continue;
            int x = xPixel(xs, xs.max(), left, right), y = yPixel(ys, t, top, bottom);
            g.setColor(TEST);
            g.fillPolygon(new Polygon(new int[] {x, x + 7, x, x - 7}, new int[] {y - 7, y, y + 7, y}, 4));
        }
        for (int i = 0; i < legend.size(); i++) {
            int lx = left + (i % 2) * ((right - left) / 2), ly = bottom + 52 + 18 * (i / 2);
            g.setColor(legendColors.get(i));
            if (legendColors.get(i) == TEST) g.fillPolygon(new Polygon(new int[] {lx + 9, lx + 14, lx + 9, lx + 4}, new int[] {ly - 9, ly - 4, ly + 1, ly - 4}, 4));
            else g.fillRect(lx, ly - 5, 18, 3);
            g.setColor(Color.DARK_GRAY);
            g.drawString(legend.get(i), lx + 24, ly);
        }
    }

    private boolean hasRunningSteps(String key) {
        return !key.startsWith("val_") && !key.endsWith("loss") && !history.steps().isEmpty() && history.steps().get(0).metrics().containsKey(key);
    }

    /**
     * The steps' losses under a debiased exponential moving average (TensorBoard's smoothing) whose window is
     * about a twentieth of the run, between 1 and 50 steps.
     */
    private List<double[]> smoothedSteps() {
        List<History.Step> steps = history.steps();
        double window = Math.max(1, Math.min(50, steps.size() / 20.0));
        double keep = 1 - 1 / window, avg = 0, weight = 0;
        List<double[]> out = new ArrayList<>();
        for (History.Step s : steps) {
            if (!Double.isFinite(s.loss())) continue;
            avg = keep * avg + (1 - keep) * s.loss();
            weight = keep * weight + (1 - keep);
            out.add(new double[] {s.epoch(), avg / weight});
        }
        return out;
    }

    private static void polyline(Graphics2D g, List<double[]> points, AxisScale xs, AxisScale ys, int left, int right, int top, int bottom) {
        int px = Integer.MIN_VALUE, py = 0;
        for (double[] p : points) {
            int x = xPixel(xs, p[0], left, right), y = yPixel(ys, p[1], top, bottom);
            if (px != Integer.MIN_VALUE) g.drawLine(px, py, x, y);
            px = x;
            py = y;
        }
    }

    private static int xPixel(AxisScale xs, double v, int left, int right) {
        return (int) Math.round(left + (right - left) * xs.fraction(v));
    }

    private static int yPixel(AxisScale ys, double v, int top, int bottom) {
        double f = Math.max(-0.05, Math.min(1.05, ys.fraction(v))); // keep off-scale points near the frame
        return (int) Math.round(bottom - (bottom - top) * f);
    }
}
