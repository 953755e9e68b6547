package dev.myelin.cli;

import dev.myelin.bench.AttentionBench;
import dev.myelin.bench.CnnBench;
import dev.myelin.bench.ConvBench;
import dev.myelin.bench.GemmBench;
import dev.myelin.bench.LayerBench;
import dev.myelin.bench.ModelBench;
import dev.myelin.bench.TrainingLoopBench;
import dev.myelin.bench.WarmupBench;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code myelin bench ...}: performance measurements. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure the speed of Myelin's kernels.",
        subcommands = {BenchCommand.Gemm.class, BenchCommand.Conv.class, BenchCommand.Loop.class, BenchCommand.Models.class,
                BenchCommand.Layers.class, BenchCommand.Cnn.class, BenchCommand.Attention.class, BenchCommand.Warmup.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code myelin bench gemm}: SGEMM GFLOPS, see {@link GemmBench}. */
    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = {"SGEMM throughput (GFLOPS): warm-up >= 1 s, then the median of 5 chunks of ~1 s per shape.",
                    "Shapes are MxNxK; ops: nn = A·B, tn = Aᵀ·B, nt = A·Bᵀ."})
    static final class Gemm implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Option(names = "--quick", description = "Shorter warm-up and chunks (rough figures).")
        boolean quick;

        @Option(names = "--threads", split = ",", paramLabel = "N", description = "Thread counts (default: 1,2).")
        List<Integer> threads;

        @Option(names = "--shapes", split = ",", paramLabel = "SHAPE",
                description = "N (square) or MxNxK shapes (default: 256, 512, 1024, 2048, 32x64x784, 128x128x800, 21632x32x9, 3872x64x288).")
        List<String> shapes;

        @Option(names = "--ops", split = ",", paramLabel = "OP", description = "nn, tn, nt (default: all).")
        List<String> ops;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>();
            if (json) args.add("--json");
            if (quick) args.add("--quick");
            if (threads != null) args.addAll(List.of("--threads", join(threads)));
            if (shapes != null) args.addAll(List.of("--shapes", join(shapes)));
            if (ops != null) args.addAll(List.of("--ops", join(ops)));
            return GemmBench.run(args);
        }

        private static String join(List<?> xs) {
            StringBuilder sb = new StringBuilder();
            for (Object x : xs) sb.append(sb.isEmpty() ? "" : ",").append(x);
            return sb.toString();
        }
    }

    /** {@code myelin bench loop}: allocation and GC cost of a training-like loop, see {@link TrainingLoopBench}. */
    @Command(name = "loop", mixinStandardHelpOptions = true,
            description = {"Steps/s, bytes allocated per step and GC share of a forward/backward/SGD loop (MLP and small CNN).",
                    "Compare collectors with MYELIN_JAVA_OPTS=-XX:+UseParallelGC (default: G1)."})
    static final class Loop implements Callable<Integer> {
        @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seconds", defaultValue = "5", description = "Timed seconds per model (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--model", defaultValue = "both", description = "mlp, cnn or both (default: ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--threads", description = "Kernel threads (default: MYELIN_NUM_THREADS or all cores).")
        Integer threads;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(List.of("--batch", String.valueOf(batch), "--seconds", String.valueOf(seconds), "--model", model));
            if (threads != null) args.addAll(List.of("--threads", String.valueOf(threads)));
            return TrainingLoopBench.run(args);
        }
    }

    /** {@code myelin bench conv}: conv2d forward and forward + backward times, see {@link ConvBench}. */
    @Command(name = "conv", mixinStandardHelpOptions = true,
            description = {"conv2d time (ms) on the seed models' layers, forward and forward + backward (input and",
                    "kernel gradients): warm-up, then the median of timed chunks."})
    static final class Conv implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Option(names = "--threads", split = ",", paramLabel = "N", description = "Thread counts (default: 1,2).")
        List<Integer> threads;

        @Option(names = "--case", paramLabel = "PREFIX", description = "Only the layers whose name starts with PREFIX.")
        String only;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>();
            if (json) args.add("--json");
            if (threads != null) args.addAll(List.of("--threads", Gemm.join(threads)));
            if (only != null) args.addAll(List.of("--case", only));
            return ConvBench.run(args);
        }
    }

    /** {@code myelin bench models}: training and inference samples/s of the seed models, see {@link ModelBench}. */
    @Command(name = "models", mixinStandardHelpOptions = true,
            description = {"Training (batch 32 and 128) and inference (batch 128) samples/s of the seed models MLP, CNN 28x28x1,",
                    "CNN 32x32x3 and the dense GAN (one D update on real+fake, one G update), with the protocol and synthetic data of ../shared/peers/torch/bench_torch.py."})
    static final class Models implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Option(names = "--models", split = ",", paramLabel = "NAME", description = "mlp, cnn, cnn-cifar, lstm, gan (default: all).")
        List<String> models;

        @Option(names = "--batches", split = ",", paramLabel = "B", description = "Training batch sizes (default: 32,128).")
        List<Integer> batches;

        @Option(names = "--target", description = "Timed seconds per measurement (default: 10).")
        Double target;

        @Option(names = "--warmup", description = "Warm-up seconds per measurement (default: 5).")
        Double warmup;

        @Option(names = "--threads", description = "Kernel threads (default: MYELIN_NUM_THREADS or all cores).")
        Integer threads;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>();
            if (json) args.add("--json");
            if (models != null) args.addAll(List.of("--models", Gemm.join(models)));
            if (batches != null) args.addAll(List.of("--batches", Gemm.join(batches)));
            if (target != null) args.addAll(List.of("--target", String.valueOf(target)));
            if (warmup != null) args.addAll(List.of("--warmup", String.valueOf(warmup)));
            if (threads != null) args.addAll(List.of("--threads", String.valueOf(threads)));
            return ModelBench.run(args);
        }
    }

    /** {@code myelin bench layers}: per-layer forward and forward + backward times, see {@link LayerBench}. */
    @Command(name = "layers", mixinStandardHelpOptions = true,
            description = {"Forward and forward + backward time (ms) of each layer in typical configurations, through the",
                    "public Layer API (call(x, training), sum().backward()), the loss and each optimizer's update:",
                    "warm-up >= 2 s, then the median of 5 chunks of ~0.2 s. Twin: myelin-bench/scripts/torch_layers.py.",
                    "The forward column hands each output back (BufferPool.release) as a PyTorch loop frees y when it",
                    "reassigns it, so the next output reuses its array; --fresh-outputs times fresh arrays instead.",
                    "Forward + backward runs in a step scope, as Model.trainStep does; --no-scope times it without."})
    static final class Layers implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Option(names = "--list", description = "Print the row labels and exit.")
        boolean list;

        @Option(names = "--threads", split = ",", paramLabel = "N", description = "Thread counts (default: 2).")
        List<Integer> threads;

        @Option(names = "--case", paramLabel = "PREFIX", description = "Only the rows whose label starts with PREFIX.")
        String only;

        @Option(names = "--fresh-outputs", description = "Forward column: a fresh array per output, none released (the former timing).")
        boolean freshOutputs;

        @Option(names = "--no-scope", description = "Forward + backward column: each pass without a BufferPool step scope, every output a "
                + "fresh array (the former timing; by default each pass runs in a step scope, as Model.trainStep runs it).")
        boolean noScope;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>();
            if (json) args.add("--json");
            if (freshOutputs) args.add("--fresh-outputs");
            if (noScope) args.add("--no-scope");
            if (list) args.add("--list");
            if (threads != null) args.addAll(List.of("--threads", Gemm.join(threads)));
            if (only != null) args.addAll(List.of("--case", only));
            return LayerBench.run(args);
        }
    }

    /** {@code myelin bench cnn}: a modern small CNN trained on Fashion-MNIST, see {@link CnnBench}. */
    @Command(name = "cnn", mixinStandardHelpOptions = true,
            description = {"Training speed, start-up time, accuracy and peak memory of a small CNN of ordinary modern layers",
                    "(same-padded and stride-2 Conv2D, BatchNormalization, Dropout, GlobalAveragePooling2D, Dense) on Fashion-MNIST",
                    "at batch 64. Twin: myelin-bench/scripts/torch_modern_cnn.py."})
    static final class Cnn implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder (default: /usr/share/datasets/fashion-mnist).")
        String data;

        @Option(names = "--epochs", description = "Epochs (default: 1).")
        Integer epochs;

        @Option(names = "--batch", description = "Batch size (default: 64).")
        Integer batch;

        @Option(names = "--limit", paramLabel = "N", description = "Train on the first N images only (the time per full epoch is extrapolated).")
        Integer limit;

        @Option(names = "--threads", description = "Kernel threads (default: MYELIN_NUM_THREADS or all cores).")
        Integer threads;

        @Override
        public Integer call() throws Exception {
            List<String> args = new ArrayList<>();
            if (json) args.add("--json");
            if (data != null) args.addAll(List.of("--data", data));
            if (epochs != null) args.addAll(List.of("--epochs", String.valueOf(epochs)));
            if (batch != null) args.addAll(List.of("--batch", String.valueOf(batch)));
            if (limit != null) args.addAll(List.of("--limit", String.valueOf(limit)));
            if (threads != null) args.addAll(List.of("--threads", String.valueOf(threads)));
            return CnnBench.run(args);
        }
    }

    /** {@code myelin bench attention}: a Transformer encoder layer's samples/s, see {@link AttentionBench}. */
    @Command(name = "attention", mixinStandardHelpOptions = true,
            description = {"Forward and forward + backward time (ms) and samples/s of a Transformer encoder layer (width 128,",
                    "4 heads, feed-forward 512, post-norm, relu) at each batch size and sequence length, and the heap bytes one",
                    "forward + backward allocates: warm-up >= 1 s, then the median of 5 chunks of ~0.2 s. Each forward + backward",
                    "runs in a step scope (BufferPool.scope(), as Model.fit's steps): its activations go back to the buffer pool.",
                    "Twin: myelin-bench/scripts/torch_attention.py."})
    static final class Attention implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Option(names = "--list", description = "Print the row labels and exit.")
        boolean list;

        @Option(names = "--seq", split = ",", paramLabel = "T", description = "Sequence lengths (default: 128,512).")
        List<Integer> seq;

        @Option(names = "--batch", split = ",", paramLabel = "B", description = "Batch sizes (default: 32).")
        List<Integer> batch;

        @Option(names = "--threads", split = ",", paramLabel = "N", description = "Thread counts (default: 2).")
        List<Integer> threads;

        @Option(names = "--kernels", description = "Also time the attention kernel alone, fused and composed.")
        boolean kernels;

        @Option(names = "--memory", description = "Skip the timing: print the bytes allocated by one pass and the peak resident memory.")
        boolean memory;

        @Option(names = "--case", paramLabel = "PREFIX", description = "Only the rows whose label starts with PREFIX.")
        String only;

        @Option(names = "--chunks", paramLabel = "N", description = "Timed chunks per row, the median reported (default: 5; more for A/B on a noisy machine).")
        Integer chunks;

        @Option(names = "--ops", description = {"Instead: each operation of the encoder's forward + backward timed alone (the 12 products",
                "with their GFLOPS, attention, layer norms, adds, bias sums), against the whole pass."})
        boolean ops;

        @Option(names = "--no-scope", description = {"Time forward + backward without a step scope (a custom loop that opens none):",
                "only gradients go back to the buffer pool, not activations."})
        boolean noScope;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>();
            if (json) args.add("--json");
            if (list) args.add("--list");
            if (chunks != null) args.addAll(List.of("--chunks", chunks.toString()));
            if (kernels) args.add("--kernels");
            if (noScope) args.add("--no-scope");
            if (memory) args.add("--memory");
            if (ops) args.add("--ops");
            if (seq != null) args.addAll(List.of("--seq", Gemm.join(seq)));
            if (batch != null) args.addAll(List.of("--batch", Gemm.join(batch)));
            if (threads != null) args.addAll(List.of("--threads", Gemm.join(threads)));
            if (only != null) args.addAll(List.of("--case", only));
            return AttentionBench.run(args);
        }
    }

    /** {@code myelin bench warmup}: the step time in each of a training run's first seconds, see {@link WarmupBench}. */
    @Command(name = "warmup", mixinStandardHelpOptions = true,
            description = {"The first seconds of training as a user sees them: a seed model trained from the JVM's start, the time per",
                    "step and the JIT's milliseconds in each second of the JVM's life (the other benches wait for the JIT)."})
    static final class Warmup implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Option(names = "--model", defaultValue = "gan", description = "gan, mlp, cnn, cnn-cifar or lstm (default: ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seconds", defaultValue = "20", description = "Seconds after the JVM's start to stop at (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--threads", description = "Kernel threads (default: MYELIN_NUM_THREADS or all cores).")
        Integer threads;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(List.of("--model", model, "--batch", String.valueOf(batch), "--seconds", String.valueOf(seconds)));
            if (json) args.add("--json");
            if (threads != null) args.addAll(List.of("--threads", String.valueOf(threads)));
            return WarmupBench.run(args);
        }
    }
}
