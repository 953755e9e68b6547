package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GanCommandTest {
    private static Path subset() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("data/fashion-mnist-subset");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("data/fashion-mnist-subset not found");
    }

    private static GanCommand parse(String... args) {
        CommandLine cl = new CommandLine(new GanCommand());
        cl.parseArgs(args);
        return cl.getCommand();
    }

    @Test
    void denseWritesSampleGridsAndLossPlot(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, parse("--model", "dense", "--epochs", "2", "--limit", "128", "--batch-size", "64", "--seed", "3",
                "--out", out.toString(), "--data", subset().toString()).call());
        for (String f : new String[] {"gan-dense-samples.png", "gan-dense-epoch-001.png", "gan-dense-epoch-002.png", "gan-dense-losses.png"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        BufferedImage grid = ImageIO.read(out.resolve("gan-dense-samples.png").toFile());
        assertEquals(8 * (56 + 2) + 2, grid.getWidth(), "8 columns of 28x28 samples at scale 2 with 2-pixel borders");
    }

    @Test
    void saveWritesAGanFileThatLoadsAndGenerates(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gan.myelin");
        GanCommand command = parse("--model", "dense", "--epochs", "1", "--limit", "64", "--batch-size", "32", "--seed", "3",
                "--out", dir.resolve("out").toString(), "--data", subset().toString(), "--save", file.toString());
        assertEquals(0, command.call());
        dev.myelin.gan.GAN loaded = dev.myelin.gan.GAN.load(file);
        dev.myelin.tensor.Tensor z = dev.myelin.tensor.Tensor.zeros(2, loaded.generator().inputs().getFirst().shape().toArray()[0]);
        assertEquals(2, loaded.generate(z).dim(0));
        var err = assertThrows(IOException.class, () -> parse("--epochs", "1", "--out", dir.toString(), "--data", subset().toString(),
                "--save", dir.toString()).call());
        assertTrue(err.getMessage().contains("--save " + dir + " is a folder"), err.getMessage());
    }

    @Test
    void dcganRuns(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, parse("--model", "dcgan", "--filters", "8", "--epochs", "1", "--limit", "64", "--batch-size", "32",
                "--out", out.toString(), "--data", subset().toString()).call());
        assertTrue(Files.size(out.resolve("gan-dcgan-samples.png")) > 0);
    }

    @Test
    void badInputIsAClearError(@TempDir Path dir) throws IOException {
        var model = assertThrows(IllegalArgumentException.class, () -> parse("--model", "vae", "--out", dir.toString(), "--data", subset().toString()).call());
        assertTrue(model.getMessage().contains("dense or dcgan") && model.getMessage().contains("vae"), model.getMessage());
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        var out = assertThrows(IOException.class, () -> parse("--epochs", "1", "--limit", "64", "--out", file.resolve("sub").toString(),
                "--data", subset().toString()).call());
        assertTrue(out.getMessage().contains(file.toString()), out.getMessage());
    }
}
