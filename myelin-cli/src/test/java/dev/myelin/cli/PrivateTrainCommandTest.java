package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code myelin train --dp-epsilon}: DP-SGD chooses the noise for the budget and prints what it spent. */
class PrivateTrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void trainsWithinTheBudgetAndPrintsTheSpentBudget() throws Exception {
        Path data = TinyData.fashion(dir, 200, 50);
        TinyData.Result r = TinyData.run("train", "--model", "mlp", "--data", data.toString(), "--epochs", "2", "--batch-size", "20",
                "--dp-epsilon", "3", "--dp-clip", "1.0", "--dp-delta", "1e-3", "--out", dir.resolve("out").toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("DP-SGD: noise multiplier") && r.out().contains("sampling rate q=0.1"), r.out());
        Matcher m = Pattern.compile("privacy spent: epsilon=([0-9.]+) at delta=0.00100000 \\(target 3").matcher(r.out());
        assertTrue(m.find(), r.out());
        double spent = Double.parseDouble(m.group(1));
        assertTrue(spent <= 3.0 && spent > 2.5, "spent " + spent);
        assertTrue(r.out().contains("epsilon") && r.out().contains("test accuracy:"), r.out());
    }

    @Test
    void privacyOptionsWithoutABudgetOrWithAnUnreachableOneSayWhy() throws Exception {
        Path data = TinyData.fashion(dir, 200, 50);
        TinyData.Result clipOnly = TinyData.run("train", "--model", "mlp", "--data", data.toString(), "--dp-clip", "0.5");
        assertEquals(2, clipOnly.status());
        assertTrue(clipOnly.err().contains("--dp-clip needs --dp-epsilon"), clipOnly.err());
        // every sample in every step (batch = N) for 100000 epochs: no noise multiplier up to 2000 meets the budget (it fails before training)
        TinyData.Result tiny = TinyData.run("train", "--model", "mlp", "--data", data.toString(), "--epochs", "100000", "--batch-size", "200",
                "--dp-epsilon", "0.000001", "--dp-delta", "1e-3", "--out", dir.resolve("out").toString());
        assertEquals(2, tiny.status(), tiny.err());
        assertTrue(tiny.err().contains("cannot be reached") && tiny.err().contains("allow a larger epsilon or delta"), tiny.err());
    }

    @Test
    void aBackedUpPrivateRunEndsAsWithoutABackupAndLeavesNone() throws Exception {
        // the backup holds the accountant (PrivateModelTest resumes a crashed run bit-identically); here: the CLI takes --backup
        Path data = TinyData.fashion(dir, 200, 50);
        String[] common = {"train", "--model", "mlp", "--data", data.toString(), "--epochs", "2", "--batch-size", "20", "--seed", "3",
                "--dp-epsilon", "3", "--dp-delta", "1e-3"};
        TinyData.Result plain = TinyData.run(common);
        Path backup = dir.resolve("backup");
        String[] withBackup = java.util.Arrays.copyOf(common, common.length + 2);
        withBackup[common.length] = "--backup";
        withBackup[common.length + 1] = backup.toString();
        TinyData.Result backedUp = TinyData.run(withBackup);
        assertEquals(0, backedUp.status(), backedUp.err());
        for (String pattern : new String[] {"privacy spent: (.*)", "test accuracy: (\\S+)", "test loss: (\\S+)"}) {
            Matcher a = Pattern.compile(pattern).matcher(plain.out()), b = Pattern.compile(pattern).matcher(backedUp.out());
            assertTrue(a.find() && b.find(), plain.out() + backedUp.out());
            assertEquals(a.group(1), b.group(1), pattern);
        }
        assertTrue(!java.nio.file.Files.exists(backup.resolve(dev.myelin.train.BackupAndRestore.FILE_NAME)), "a completed run deletes its backup");
    }
}
