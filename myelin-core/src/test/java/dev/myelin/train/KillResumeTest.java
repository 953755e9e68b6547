package dev.myelin.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.AtomicFiles;
import dev.myelin.io.Safetensors;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill test of BackupAndRestore: a training run in a child JVM (a seeded model with Dropout and Adam,
 * seeded shuffling, a validation split, a backup and two checkpoints) is killed with SIGKILL at a random
 * moment of its training, 20 times, and each time started again until it completes; every trial must end
 * bit-identical to one uninterrupted run: final weights (the safetensors bytes), optimizer slots, iteration
 * count, learning rate and random states, and the History. After every kill, whatever files are there are
 * whole: the backup reads as a snapshot, the checkpoints load as models. Temporary files a kill leaves are
 * removed by the next write of the same file, so none are left when a trial completes.
 */
class KillResumeTest {
    private static final int EPOCHS = 30;
    private static final int TRIALS = 20;
    private static final String TRAINING = "training";
    private static final String DONE = "done";
    private static final String EPOCH = "epoch ";

    @TempDir Path dir;

    // ---- the child: trains, and writes its results ----

    /**
     * {@code args[0]}: the run's folder. Prints {@value #TRAINING} when fit's loop starts (after a resume),
     * {@code epoch E} as each epoch begins, and {@value #DONE} at the end.
     */
    public static void main(String[] args) throws IOException {
        Path work = Path.of(args[0]);
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(2026);
        int n = 160;
        Tensor x = Tensor.normal(r, 0, 1, n, 12);
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) labels[i] = r.nextInt(4);
        Tensor y = Tensor.of(labels, n);
        Sequential model = new Sequential(new Dense(24, Activation.RELU).name("hidden").inputShape(12), new Dropout(0.3).name("drop"),
                new Dense(4, Activation.SOFTMAX).name("out"));
        model.seed(42);
        model.compile(new Adam(0.005), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        Callback started = new Callback() {
            @Override
            public void onTrainBegin(Trainable m, TrainingPlan plan) {
                System.out.println(TRAINING); // after BackupAndRestore resumed: the parent kills from here on
                System.out.flush();
            }

            @Override
            public void onEpochBegin(int epoch) {
                System.out.println(EPOCH + epoch);
                System.out.flush();
            }
        };
        History history = model.fit(x, y, FitOptions.epochs(EPOCHS).batchSize(32).seed(7).validationSplit(0.2).verbose(0).callbacks(
                new BackupAndRestore(work.resolve("backup")),
                new ModelCheckpoint(work.resolve("checkpoints/last.myelin").toString()),
                new ModelCheckpoint(work.resolve("checkpoints/best.myelin").toString()).saveBestOnly(true),
                started));
        model.saveWeights(work.resolve("out/final.safetensors"));
        SnapshotFile.write(work.resolve("out/final.snapshot"), model.snapshot());
        StringBuilder rows = new StringBuilder();
        for (var e : history.asMap().entrySet()) {
            rows.append(e.getKey());
            for (double v : e.getValue()) rows.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(v)));
            rows.append('\n');
        }
        AtomicFiles.write(work.resolve("out/history.txt"), out -> out.write(rows.toString().getBytes(StandardCharsets.UTF_8)));
        System.out.println(DONE);
    }

    // ---- the parent ----

    /** A started child whose stdout is read line by line. */
    private record Child(Process process, BufferedReader lines) {}

    private static Child start(Path work) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Files.createDirectories(work);
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), KillResumeTest.class.getName(), work.toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("stderr.txt").toFile())).start();
        return new Child(p, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    }

    /** Runs a child to the end and returns what it printed; fails with its stderr unless it completes. */
    private static List<String> runToEnd(Path work) throws IOException, InterruptedException {
        Child c = start(work);
        List<String> out = new ArrayList<>();
        for (String line; (line = c.lines.readLine()) != null; ) out.add(line);
        int rc = c.process.waitFor();
        if (rc != 0 || !out.contains(DONE)) {
            throw new AssertionError("the run in " + work + " ended with " + rc + ", output " + out + ", stderr:\n" + Files.readString(work.resolve("stderr.txt")));
        }
        return out;
    }

    private static List<Path> temporaryFiles(Path work) throws IOException {
        try (Stream<Path> s = Files.walk(work)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".myelin-tmp")).toList();
        }
    }

    /** What a completed run left: final weights' bytes, final state, History. */
    private record Result(byte[] weights, TrainingSnapshot state, String history) {
        static Result of(Path work) throws IOException {
            return new Result(Files.readAllBytes(work.resolve("out/final.safetensors")), SnapshotFile.read(work.resolve("out/final.snapshot")),
                    Files.readString(work.resolve("out/history.txt")));
        }
    }

    @Test
    void runsKilledAtRandomMomentsResumeToTheUninterruptedResult() throws Exception {
        long t0 = System.nanoTime();
        Path reference = dir.resolve("reference");
        Child ref = start(reference);
        assertEquals(TRAINING, ref.lines.readLine(), "the child reports that it trains");
        long trainStart = System.nanoTime();
        for (int e = 0; e < EPOCHS; e++) assertEquals(EPOCH + e, ref.lines.readLine());
        assertEquals(DONE, ref.lines.readLine());
        long trainMillis = Math.max(1, (System.nanoTime() - trainStart) / 1_000_000);
        long epochMillis = Math.max(1, trainMillis / EPOCHS);
        assertEquals(0, ref.process.waitFor());
        Result expected = Result.of(reference);
        assertEquals(EPOCHS, expected.history.lines().findFirst().orElseThrow().split(" ").length - 1, expected.history);
        assertFalse(Files.exists(reference.resolve("backup/" + BackupAndRestore.FILE_NAME)), "a completed run deletes its backup");

        SplittableRandom random = new SplittableRandom(10);
        int killedWhileRunning = 0, killedWithBackup = 0, temporaryLeftByKills = 0;
        List<Integer> backupEpochs = new ArrayList<>();
        List<String> killedAt = new ArrayList<>();
        for (int trial = 0; trial < TRIALS; trial++) {
            Path work = dir.resolve("trial-" + trial);
            Child c = start(work);
            assertEquals(TRAINING, c.lines.readLine(), "trial " + trial + ": the child reports that it trains");
            // a random moment of training, whatever the machine's speed: some time into (or just after) a random epoch,
            // which takes in the writes of the backup and checkpoints at its end
            String target = EPOCH + random.nextInt(EPOCHS);
            for (String line = c.lines.readLine(); !target.equals(line); line = c.lines.readLine()) {
                assertTrue(line != null && line.startsWith(EPOCH), "trial " + trial + ": the child said " + line + " before " + target);
            }
            Thread.sleep(random.nextLong(2 * epochMillis));
            if (c.process.isAlive()) killedWhileRunning++;
            c.process.destroyForcibly().waitFor(); // SIGKILL: no finally block, no shutdown hook runs
            killedAt.add(target.substring(EPOCH.length()));

            // whatever the moment, the files there are whole
            Path backup = work.resolve("backup/" + BackupAndRestore.FILE_NAME);
            int resumeAt = 0;
            if (Files.exists(backup)) {
                killedWithBackup++;
                resumeAt = SnapshotFile.read(backup).epochsDone();
                backupEpochs.add(resumeAt);
            }
            for (String name : List.of("last.myelin", "best.myelin")) {
                Path checkpoint = work.resolve("checkpoints/" + name);
                if (Files.exists(checkpoint)) Model.load(checkpoint);
            }
            if (Files.exists(work.resolve("out/final.safetensors"))) Safetensors.read(work.resolve("out/final.safetensors"));
            if (Files.exists(work.resolve("out/final.snapshot"))) SnapshotFile.read(work.resolve("out/final.snapshot"));
            temporaryLeftByKills += temporaryFiles(work).size();

            List<String> printed = runToEnd(work); // the same program again: it resumes from the backup
            assertEquals(List.of(TRAINING, resumeAt < EPOCHS ? EPOCH + resumeAt : DONE), printed.subList(0, 2),
                    "trial " + trial + ": the run goes on after the backup's epochs (and a from-scratch rerun would not prove anything)");
            Result actual = Result.of(work);
            assertArrayEquals(expected.weights, actual.weights, "trial " + trial + ": final weights file");
            ResumeTest.assertSameState(expected.state, actual.state);
            assertEquals(expected.history, actual.history, "trial " + trial + ": History");
            assertFalse(Files.exists(backup), "trial " + trial + ": the completed run deleted its backup");
            assertEquals(List.of(), temporaryFiles(work), "trial " + trial + ": the writes after the kill removed its temporary files");
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        System.out.println("KillResumeTest: " + TRIALS + " kills in " + seconds + " s (training " + trainMillis + " ms); " + killedWhileRunning
                + " while running (in epochs " + killedAt + "), " + killedWithBackup + " with a backup " + backupEpochs + ", " + temporaryLeftByKills + " temporary files left by kills");
        assertTrue(killedWhileRunning >= TRIALS * 3 / 4, "most kills should land while the child runs: " + killedWhileRunning + " of " + TRIALS);
        assertTrue(killedWithBackup >= TRIALS / 2, "most kills should land after some epochs: " + killedWithBackup + " of " + TRIALS + " " + backupEpochs);
    }
}
