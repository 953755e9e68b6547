package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code myelin example}: seeded runs repeat exactly, and --epochs is honoured and checked. */
class ExampleCommandTest {
    private static String accuracy(String out) {
        Matcher m = Pattern.compile("test accuracy: (\\S+)").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    @Test
    void theSameSeedGivesTheSameRunAndEpochsAreHonoured(@TempDir Path dir) throws Exception {
        Path data = TinyData.fashion(dir, 600, 200);
        TinyData.Result a = TinyData.run("example", "mlp", data.toString(), "--epochs", "2", "--seed", "3");
        TinyData.Result b = TinyData.run("example", "mlp", data.toString(), "--epochs", "2", "--seed", "3");
        assertEquals(0, a.status(), a.err());
        assertEquals(accuracy(a.out()), accuracy(b.out()), "same seed, different runs");
        assertTrue(a.out().contains("Epoch 2/2") && !a.out().contains("Epoch 3/"), a.out());
    }

    @Test
    void badEpochsAndExtraArgumentsAreOneLineErrors(@TempDir Path dir) throws Exception {
        TinyData.Result r = TinyData.run("example", "mlp", "--epochs", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--epochs"), r.err());
        r = TinyData.run("example", "mlp", dir.toString(), "7");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--epochs and --seed as options"), r.err());
    }
}
