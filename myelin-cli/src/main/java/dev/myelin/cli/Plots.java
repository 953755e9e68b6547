package dev.myelin.cli;

import dev.myelin.train.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** PNG charts drawn with Java2D: training curves and a confusion matrix. Files are written atomically. */
final class Plots {
    private static final Color[] SERIES = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40)};

    private Plots() {}

    /** Two panels, loss and accuracy per epoch (training and validation when present). */
    static void curves(History history, String title, Path file) throws IOException {
        var all = history.asMap();
        List<String> lossKeys = new ArrayList<>(), accKeys = new ArrayList<>();
        for (String k : all.keySet()) {
            if (k.equals("loss") || k.equals("val_loss")) lossKeys.add(k);
            else if (k.endsWith("accuracy")) accKeys.add(k);
        }
        twoPanels(title, "loss", lossKeys, "accuracy", accKeys, all, file);
    }

    /** A GAN's losses: {@code d_loss} and {@code g_loss} per epoch, and the discriminator's accuracy. */
    static void ganCurves(History history, String title, Path file) throws IOException {
        var all = history.asMap();
        List<String> losses = new ArrayList<>(), acc = new ArrayList<>();
        for (String k : List.of("d_loss", "g_loss")) if (all.containsKey(k)) losses.add(k);
        if (all.containsKey("d_accuracy")) acc.add("d_accuracy");
        twoPanels(title, "loss (binary cross-entropy)", losses, "discriminator accuracy (real vs generated)", acc, all, file);
    }

    /** A titled chart with a left panel of {@code leftKeys} and, when {@code rightKeys} is not empty, a right one. */
    private static void twoPanels(String title, String leftLabel, List<String> leftKeys, String rightLabel, List<String> rightKeys,
                                  java.util.Map<String, List<Double>> all, Path file) throws IOException {
        int panelW = 520, h = 400;
        int panels = rightKeys.isEmpty() ? 1 : 2;
        BufferedImage img = canvas(panelW * panels, h);
        Graphics2D g = img.createGraphics();
        smooth(g);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 20, 24);
        panel(g, 0, 30, panelW, h - 30, leftLabel, leftKeys, all);
        if (panels == 2) panel(g, panelW, 30, panelW, h - 30, rightLabel, rightKeys, all);
        g.dispose();
        write(img, file);
    }

    private static void panel(Graphics2D g, int x0, int y0, int w, int h, String label, List<String> keys, java.util.Map<String, List<Double>> all) {
        int left = x0 + 60, right = x0 + w - 20, top = y0 + 20, bottom = y0 + h - 45;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        int epochs = 0;
        for (String k : keys) {
            for (double v : all.get(k)) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            epochs = Math.max(epochs, all.get(k).size());
        }
        if (!Double.isFinite(min)) {
            min = 0;
            max = 1;
        }
        if (max - min < 1e-9) {
            max += 0.5;
            min -= 0.5;
        }
        double pad = (max - min) * 0.08;
        min -= pad;
        max += pad;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        g.setColor(new Color(235, 235, 235));
        for (int i = 0; i <= 4; i++) {
            int y = bottom - (bottom - top) * i / 4;
            g.drawLine(left, y, right, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, right - left, bottom - top);
        for (int i = 0; i <= 4; i++) {
            int y = bottom - (bottom - top) * i / 4;
            String s = String.format(Locale.ROOT, "%.3f", min + (max - min) * i / 4);
            g.drawString(s, left - fm.stringWidth(s) - 6, y + 4);
        }
        int tick = Math.max(1, (epochs + 11) / 12); // at most about 12 epoch labels
        for (int e = 0; e < epochs; e++) {
            if ((e + 1) % tick != 0 && e != 0) continue;
            int x = epochs == 1 ? (left + right) / 2 : left + (right - left) * e / (epochs - 1);
            String s = String.valueOf(e + 1);
            g.drawString(s, x - fm.stringWidth(s) / 2, bottom + 16);
        }
        g.drawString("epoch", (left + right) / 2 - fm.stringWidth("epoch") / 2, bottom + 32);
        g.drawString(label, x0 + 8, top - 6);
        for (int s = 0; s < keys.size(); s++) {
            List<Double> v = all.get(keys.get(s));
            g.setColor(SERIES[s % SERIES.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            for (int e = 0; e < v.size(); e++) {
                if (!Double.isFinite(v.get(e))) continue;
                int x = v.size() == 1 ? (left + right) / 2 : left + (right - left) * e / (v.size() - 1);
                int y = (int) Math.round(bottom - (bottom - top) * (v.get(e) - min) / (max - min));
                if (px >= 0) g.drawLine(px, py, x, y);
                g.fillOval(x - 3, y - 3, 6, 6);
                px = x;
                py = y;
            }
            g.drawString(keys.get(s), right - 110, top + 18 + 16 * s);
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** A heat map of counts[true][predicted] with the counts written in the cells. */
    static void confusion(int[][] counts, List<String> classNames, String title, Path file) throws IOException {
        int k = counts.length;
        int cell = Math.max(28, Math.min(56, 560 / Math.max(1, k)));
        int left = 120, top = 60;
        BufferedImage img = canvas(left + cell * k + 30, top + cell * k + 110);
        Graphics2D g = img.createGraphics();
        smooth(g);
        int max = 1;
        for (int[] row : counts) for (int c : row) max = Math.max(max, c);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 20, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                double f = counts[t][p] / (double) max;
                g.setColor(new Color((int) (255 - 225 * f), (int) (255 - 170 * f), (int) (255 - 75 * f)));
                g.fillRect(left + p * cell, top + t * cell, cell, cell);
                g.setColor(f > 0.55 ? Color.WHITE : Color.BLACK);
                String s = String.valueOf(counts[t][p]);
                g.drawString(s, left + p * cell + (cell - fm.stringWidth(s)) / 2, top + t * cell + cell / 2 + 4);
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, cell * k, cell * k);
        for (int i = 0; i < k; i++) {
            String name = i < classNames.size() ? classNames.get(i) : String.valueOf(i);
            g.drawString(name, left - fm.stringWidth(name) - 6, top + i * cell + cell / 2 + 4);
            Graphics2D r = (Graphics2D) g.create();
            r.translate(left + i * cell + cell / 2 + 4, top + k * cell + 6);
            r.rotate(Math.PI / 2);
            r.drawString(name, 0, 0);
            r.dispose();
        }
        g.drawString("predicted", left + cell * k / 2 - 25, top + k * cell + 100);
        g.drawString("true", 10, top - 8);
        g.dispose();
        write(img, file);
    }

    private static BufferedImage canvas(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    private static void smooth(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        dev.myelin.io.PngWriter.writeImage(img, file);
    }
}
