package dev.myelin.bench;

import dev.myelin.backend.Backends;
import dev.myelin.data.DataLoader;
import dev.myelin.data.Dataset;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.Normalization;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Padding;
import dev.myelin.train.Callback;
import dev.myelin.train.FitOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model-level measurement of issue #13: a small CNN of ordinary modern layers, not a seed model, trained
 * on the real Fashion-MNIST at batch 64, next to the same model in PyTorch
 * ({@code myelin-bench/scripts/torch_modern_cnn.py}, same layers, same initializers, same optimizer):
 * <pre>
 * 28x28x1 -> Conv2D 32 3x3 same -> BatchNorm -> ReLU
 *         -> Conv2D 64 3x3 stride 2 same -> BatchNorm -> ReLU          (14x14x64)
 *         -> Conv2D 64 3x3 same -> BatchNorm -> ReLU
 *         -> Conv2D 128 3x3 stride 2 same -> BatchNorm -> ReLU         (7x7x128)
 *         -> Dropout 0.3 -> GlobalAveragePooling2D -> Dense 10 softmax
 * </pre>
 * Adam (Keras defaults), sparse categorical cross-entropy, shuffled. Reported: seconds from the JVM's
 * start to the end of the first training step (and its phases: to the command, reading the data, building the
 * model, the first step itself; the CPU time used by then and the JIT compilers' share of it), the training time of
 * the steps after the first (and the time per full epoch it implies), test accuracy after the epochs, and the peak resident set size
 * ({@code VmHWM} of {@code /proc/self/status}), the heap bytes allocated per step by all threads and the
 * share of the training time the garbage collectors report.
 *
 * <pre>
 * CnnBench [--data DIR] [--epochs 1] [--batch 64] [--limit N] [--threads 2] [--json]
 * </pre>
 */
public final class CnnBench {
    private CnnBench() {}

    /** The model, built and compiled, seeded. */
    public static Sequential model(long seed) {
        Sequential m = new Sequential(
                new Conv2D(32, 3).padding(Padding.SAME).inputShape(28, 28, 1), new BatchNormalization(), relu(),
                new Conv2D(64, 3).strides(2).padding(Padding.SAME), new BatchNormalization(), relu(),
                new Conv2D(64, 3).padding(Padding.SAME), new BatchNormalization(), relu(),
                new Conv2D(128, 3).strides(2).padding(Padding.SAME), new BatchNormalization(), relu(),
                new Dropout(0.3), new GlobalAveragePooling2D(), new Dense(10, Activation.SOFTMAX));
        m.seed(seed);
        m.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return m;
    }

    private static ActivationLayer relu() {
        return new ActivationLayer(Activation.RELU);
    }

    public static int run(List<String> args) throws IOException {
        Path data = Path.of("/usr/share/datasets/fashion-mnist");
        int epochs = 1, batch = 64, limit = 0;
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--data" -> data = Path.of(args.get(++i));
                case "--epochs" -> epochs = Integer.parseInt(args.get(++i));
                case "--batch" -> batch = Integer.parseInt(args.get(++i));
                case "--limit" -> limit = Integer.parseInt(args.get(++i));
                case "--threads" -> Backends.setThreads(Integer.parseInt(args.get(++i)));
                case "--json" -> json = true;
                default -> throw new IllegalArgumentException("unknown option " + args.get(i)
                        + " (usage: [--data DIR] [--epochs N] [--batch B] [--limit N] [--threads T] [--json])");
            }
        }
        if (!Files.isDirectory(data)) {
            System.err.println("bench cnn: no Fashion-MNIST in " + data + " (apt-get install dataset-fashion-mnist, or --data DIR)");
            return 2;
        }
        // Where the time to the first step goes (issue #13's start-up goal): seconds from the JVM's start at each
        // phase's end. The first step itself is most of it: the Vector API kernels run unintrinsified (boxed
        // vectors, fallback lambdas) in the interpreter and C1 until C2 has compiled them, and the JIT's CPU time
        // beside it (printed) shows how much of the two cores compilation took.
        double atStart = uptimeSeconds();
        TrainTest tt = scaledToUnit(data);
        double atData = uptimeSeconds();
        Dataset train = tt.train(), test = tt.test();
        int fullTrainSize = train.size();
        if (limit > 0 && limit < train.size()) train = train.slice(0, limit);
        tt = null; // with --limit the full training set is garbage from here on
        Sequential model = model(42);
        double atModel = uptimeSeconds();

        long[] firstStepEnd = {0};
        long[] stepsAfterFirst = {0};
        long[] allocatedAtFirstStep = {0}; // bytes allocated by all threads (the kernels' workers too)
        long[] gcAtFirstStep = {0};
        double[] toFirstStep = {0}; // seconds from the JVM's start
        double[] processToFirstStep = {0}; // seconds from the process's start: the ./myelin launcher's own work too
        double[] atFirstBatch = {0};
        double[] jitAtFirstStep = {0}; // seconds the JIT compilers had worked (all compiler threads together)
        double[] cpuAtFirstStep = {0}; // CPU seconds of the whole process
        Callback clock = new Callback() {
            @Override
            public void onEpochBegin(int epoch) {
                if (atFirstBatch[0] == 0) atFirstBatch[0] = uptimeSeconds();
            }

            @Override
            public void onBatchEnd(int b, Map<String, Double> logs) {
                if (firstStepEnd[0] == 0) {
                    firstStepEnd[0] = System.nanoTime();
                    toFirstStep[0] = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
                    processToFirstStep[0] = processAgeSeconds();
                    allocatedAtFirstStep[0] = allocatedBytes();
                    gcAtFirstStep[0] = gcMillis();
                    jitAtFirstStep[0] = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() / 1e3;
                    cpuAtFirstStep[0] = processCpuSeconds();
                } else {
                    stepsAfterFirst[0]++;
                }
            }
        };
        // Batches come straight from the dataset's array: fit(train.x(), ...) would hold a second 188 MB copy of the
        // images beside the dataset's (Dataset.x() copies) for the whole run. Same batches, same order (seed 7).
        model.fit(DataLoader.of(train).batchSize(batch).shuffle(7), FitOptions.epochs(epochs).batchSize(batch).verbose(0).callbacks(clock));
        long t1 = System.nanoTime();
        long allocated = allocatedBytes() - allocatedAtFirstStep[0];
        long gcMs = gcMillis() - gcAtFirstStep[0];
        long trainingRss = peakRssKb(); // before the evaluation at batch 1000, whose activations are 16x a step's
        double accuracy = model.evaluate(test.x(), test.y(), 1000).get("accuracy");

        double rest = (t1 - firstStepEnd[0]) / 1e9;
        int stepsPerEpoch = (train.size() + batch - 1) / batch;
        double perStep = rest / Math.max(1, stepsAfterFirst[0]);
        double epochSeconds = perStep * ((fullTrainSize + batch - 1) / batch);
        long rss = peakRssKb();
        double mbPerStep = allocated / 1048576.0 / Math.max(1, stepsAfterFirst[0]);
        double gcShare = gcMs / 1e3 / Math.max(1e-9, rest);
        if (json) {
            System.out.printf(Locale.ROOT, "{\"peer\":\"myelin\",\"model\":\"modern-cnn\",\"batch\":%d,\"train_n\":%d,\"epochs\":%d,\"threads\":%d,"
                            + "\"to_first_step_s\":%.3f,\"ms_per_step\":%.3f,\"full_epoch_s\":%.2f,\"test_accuracy\":%.4f,\"peak_rss_mb\":%.1f,\"peak_rss_training_mb\":%.1f,"
                            + "\"allocated_mb_per_step\":%.2f,\"gc_share\":%.4f,\"process_to_first_step_s\":%.3f,"
                            + "\"to_command_s\":%.3f,\"data_s\":%.3f,\"model_s\":%.3f,\"first_step_s\":%.3f,\"cpu_to_first_step_s\":%.3f,"
                            + "\"jit_to_first_step_s\":%.3f}%n",
                    batch, train.size(), epochs, Backends.threads(), toFirstStep[0], perStep * 1e3, epochSeconds, accuracy, rss / 1024.0,
                    trainingRss / 1024.0, mbPerStep, gcShare, processToFirstStep[0], atStart, atData - atStart, atModel - atData,
                    toFirstStep[0] - atFirstBatch[0], cpuAtFirstStep[0], jitAtFirstStep[0]);
        } else {
            System.out.printf(Locale.ROOT, "modern CNN, Fashion-MNIST %d images x %d epoch(s), batch %d, %d threads (%d steps/epoch)%n",
                    train.size(), epochs, batch, Backends.threads(), stepsPerEpoch);
            System.out.printf(Locale.ROOT, "  JVM start to end of first step  %8.2f s%n", toFirstStep[0]);
            if (processToFirstStep[0] >= 0) {
                System.out.printf(Locale.ROOT, "  process start to first step     %8.2f s  (the launcher script's work too; the torch twin's figure)%n",
                        processToFirstStep[0]);
            }
            System.out.printf(Locale.ROOT, "    of which: to the command %.2f s, data %.2f s, model %.2f s, fit set-up %.2f s, first step %.2f s%n",
                    atStart, atData - atStart, atModel - atData, atFirstBatch[0] - atModel, toFirstStep[0] - atFirstBatch[0]);
            System.out.printf(Locale.ROOT, "    CPU used by then %.2f s (all threads), of which JIT compilers %.2f s%n", cpuAtFirstStep[0], jitAtFirstStep[0]);
            System.out.printf(Locale.ROOT, "  per step after the first        %8.2f ms  (full 60,000-image epoch: %.1f s)%n", perStep * 1e3, epochSeconds);
            System.out.printf(Locale.ROOT, "  test accuracy                   %8.4f%n", accuracy);
            System.out.printf(Locale.ROOT, "  peak RSS                        %8.1f MB  (%.1f MB by the end of training)%n", rss / 1024.0,
                    trainingRss / 1024.0);
            System.out.printf(Locale.ROOT, "  allocated per step              %8.2f MB  (GC %.1f%% of the training time)%n", mbPerStep, gcShare * 100);
        }
        return 0;
    }

    /**
     * Fashion-MNIST scaled to [0, 1] as it is read: the raw 0..255 images are never held beside the scaled ones
     * (as {@code Normalization.apply(Dataset)} would: a 188 MB copy), as the PyTorch twin keeps only the scaled data.
     */
    static TrainTest scaledToUnit(Path dir) throws IOException {
        return FashionMnist.load(dir, Normalization.scale(1 / 255.0));
    }

    /** Seconds since the JVM started. */
    static double uptimeSeconds() {
        return ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
    }

    /** CPU seconds this process has used (all threads), or 0 where the JVM cannot say. */
    static double processCpuSeconds() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e9 : 0;
    }

    /** Bytes allocated on the heap so far by every thread of the JVM, or 0 where the JVM cannot say. */
    static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                ? t.getTotalThreadAllocatedBytes() : 0;
    }

    /** Milliseconds the garbage collectors have spent so far (pauses and concurrent work, as the JVM counts them). */
    static long gcMillis() {
        long ms = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) ms += Math.max(0, gc.getCollectionTime());
        return ms;
    }

    /**
     * Seconds since this process started, as the torch twin measures it: the start time in clock ticks after boot
     * ({@code /proc/self/stat}, field 22) against the seconds since boot ({@code /proc/uptime}). The {@code myelin}
     * launcher {@code exec}s the JVM, so the process started with the launcher script and this counts its work too.
     * {@link ProcessHandle.Info#startInstant} is no substitute: it adds the boot time, which Linux gives in whole
     * seconds. Clock ticks are 100 per second ({@code USER_HZ}, fixed in Linux's user-space ABI). -1 where /proc is absent.
     */
    static double processAgeSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) is in parentheses and may hold spaces: count fields after its closing one
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long startTicks = Long.parseLong(fields[19]); // field 22 of the whole line
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0]);
            return uptime - startTicks / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux
        }
    }

    /** Peak resident set size of this process in KB ({@code VmHWM}), or -1 where /proc is absent. */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}
