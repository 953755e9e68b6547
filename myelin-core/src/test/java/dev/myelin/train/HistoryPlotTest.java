package dev.myelin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.Blobs;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryPlotTest {

    @Test
    void axisTicksAreRoundAndClamped() {
        AxisScale loss = AxisScale.of(0.213, 2.31, 6, 0, Double.POSITIVE_INFINITY);
        assertEquals(List.of(0.0, 0.5, 1.0, 1.5, 2.0, 2.5), loss.ticks());
        assertEquals("0.5", loss.label(0.5));
        assertEquals("2", AxisScale.of(0, 10, 6, 0, Double.POSITIVE_INFINITY).label(2));
        AxisScale accuracy = AxisScale.of(0.62, 0.97, 6, 0, 1);
        assertEquals(0.6, accuracy.min(), 1e-12);
        assertEquals(1.0, accuracy.max(), 1e-12); // rounded up to a tick, not past 1
        assertEquals(List.of(0.6, 0.7, 0.8, 0.9, 1.0), accuracy.ticks().stream().map(t -> Math.round(t * 10) / 10.0).toList());
        AxisScale nearOne = AxisScale.of(0.995, 1.0, 6, 0, 1);
        assertTrue(nearOne.max() <= 1.0 && nearOne.min() >= 0.98, nearOne.toString());
        AxisScale flat = AxisScale.of(0.5, 0.5, 6, 0, Double.POSITIVE_INFINITY);
        assertTrue(flat.min() < 0.5 && flat.max() > 0.5, flat.toString());
        assertEquals(2.5, AxisScale.niceStep(2.2), 1e-12);
        assertEquals(0.05, AxisScale.niceStep(0.031), 1e-12);
    }

    @Test
    void historyKeepsEveryStepsOwnLoss() {
        Tensor[] d = blobs(96, 1);
        Sequential m = classifier();
        History h = m.fit(d[0], d[1], FitOptions.epochs(2).batchSize(16).seed(3).verbose(0));
        List<History.Step> steps = h.steps();
        assertEquals(12, steps.size()); // 2 epochs x 6 steps
        assertEquals(1.0 / 6, steps.get(0).epoch(), 1e-12);
        assertEquals(1.0, steps.get(5).epoch(), 1e-12);
        assertEquals(2.0, steps.get(11).epoch(), 1e-12);
        double mean = 0;
        for (int i = 0; i < 6; i++) mean += steps.get(i).loss();
        assertEquals(h.get("loss").get(0), mean / 6, 1e-6); // equal batches: the epoch's loss is the steps' mean
    }

    @Test
    void aOneEpochRunDrawsACurveAndTheTestResult(@TempDir Path dir) throws Exception {
        Tensor[] d = blobs(480, 2);
        Sequential m = classifier();
        History h = m.fit(d[0], d[1], FitOptions.epochs(1).batchSize(16).seed(3).verbose(0).validationSplit(0.2));
        Path file = dir.resolve("curves.png");
        HistoryPlot.of(h).title("blobs").test(Map.of("loss", 0.4, "accuracy", 0.9)).write(file);
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(2 * 520, img.getWidth()); // loss and accuracy panels
        // The loss panel: the step curve (blue) spans most of the plot's width, not one dot.
        int blueColumns = 0;
        for (int x = 64; x < 520 - 18; x++) {
            for (int y = 34; y < img.getHeight() - 100; y++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
                if (b > 150 && r < 90 && g > 90 && g < 150) {
                    blueColumns++;
                    break;
                }
            }
        }
        assertTrue(blueColumns > 300, "the step curve covers " + blueColumns + " columns");
        // The test result is a red diamond in each panel.
        assertTrue(countRed(img, 0, 520) > 20 && countRed(img, 520, 1040) > 20, "no test marker");
    }

    @Test
    void panelsAreChosenByKeyAndUnknownKeysAreNamed() {
        Tensor[] d = blobs(48, 3);
        History h = classifier().fit(d[0], d[1], FitOptions.epochs(2).batchSize(16).seed(3).verbose(0));
        assertEquals(520, HistoryPlot.of(h).panel("only the loss", "loss").render().getWidth());
        var e = assertThrows(IllegalArgumentException.class, () -> HistoryPlot.of(h).panel("x", "val_loss"));
        assertTrue(e.getMessage().contains("val_loss") && e.getMessage().contains("accuracy"), e.getMessage());
    }

    @Test
    void libraryUsersPlotTheirHistory(@TempDir Path dir) throws Exception {
        Tensor[] d = blobs(48, 4);
        History h = classifier().fit(d[0], d[1], FitOptions.epochs(3).batchSize(16).seed(3).verbose(0));
        Path file = dir.resolve("sub/h.png");
        Files.createDirectories(file.getParent());
        h.plot(file);
        assertTrue(ImageIO.read(file.toFile()).getHeight() > 100);
    }

    private static int countRed(BufferedImage img, int from, int to) {
        int n = 0;
        for (int x = from; x < to; x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                int rgb = img.getRGB(x, y);
                if (((rgb >> 16) & 255) > 200 && ((rgb >> 8) & 255) < 60 && (rgb & 255) < 60) n++;
            }
        }
        return n;
    }

    private static Sequential classifier() {
        Sequential m = new Sequential(new Dense(16, Activation.RELU).inputShape(2), new Dense(3, Activation.SOFTMAX));
        m.seed(7);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return m;
    }

    private static Tensor[] blobs(int n, long seed) {
        return Blobs.of(n, seed);
    }
}
