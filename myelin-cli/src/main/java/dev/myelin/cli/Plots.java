package dev.myelin.cli;

import dev.myelin.train.Evaluation;
import dev.myelin.train.History;
import dev.myelin.train.HistoryPlot;
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

/** PNG charts drawn with Java2D: a confusion matrix here, training curves through the library's {@link HistoryPlot}. Files are written atomically. */
final class Plots {
    private static final Color[] SERIES = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40)};

    private Plots() {}

    /** Loss and accuracy, per step and per epoch, training and validation, and the test result: see {@link HistoryPlot}. */
    static void curves(History history, Evaluation test, String title, Path file) throws IOException {
        HistoryPlot.of(history).title(title).test(test).write(file);
    }

    /** A GAN's losses: {@code d_loss} and {@code g_loss} per epoch, and the discriminator's accuracy. */
    static void ganCurves(History history, String title, Path file) throws IOException {
        var all = history.asMap();
        HistoryPlot plot = HistoryPlot.of(history).title(title);
        List<String> losses = new ArrayList<>();
        for (String k : List.of("d_loss", "g_loss")) if (all.containsKey(k)) losses.add(k);
        if (!losses.isEmpty()) plot.panel("loss (binary cross-entropy)", losses.toArray(String[]::new));
        if (all.containsKey("d_accuracy")) plot.panel("discriminator accuracy (real vs generated)", "d_accuracy");
        plot.write(file);
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
