package dev.myelin.bench;

import dev.myelin.backend.Backends;
import dev.myelin.models.Sequential;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.util.List;
import java.util.Locale;

/**
 * What a library user sees in the first seconds of training (issue #13): one seed model trained from the JVM's
 * start for {@code seconds}, with the time per step in each second of the JVM's life and the JIT compilers'
 * milliseconds in it. The other benches wait for the JIT ({@link JitActivity}); this one shows the wait: on 2 cores
 * the dense GAN at batch 32 steps at 30-50 ms in its second second, 5-10 ms while C2 compiles (a compiler thread
 * busy the whole second on one of the 2 cores), and settles at 3-4 ms after 8-10 s. Same models, data and steps
 * as {@link ModelBench}.
 *
 * <pre>
 * WarmupBench [--model gan|mlp|cnn|cnn-cifar|lstm] [--batch 32] [--seconds 20] [--threads 2] [--json]
 * </pre>
 */
public final class WarmupBench {
    private WarmupBench() {}

    public static int run(List<String> args) {
        String name = "gan";
        int batch = 32;
        double seconds = 20;
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (!option.equals("--json") && i + 1 >= args.size()) throw new IllegalArgumentException(option + " needs a value");
            switch (option) {
                case "--model" -> name = args.get(++i);
                case "--batch" -> batch = positive(option, args.get(++i));
                case "--seconds" -> seconds = positiveNumber(option, args.get(++i));
                case "--threads" -> Backends.setThreads(positive(option, args.get(++i)));
                case "--json" -> json = true;
                default -> throw new IllegalArgumentException("unknown option " + option
                        + " (usage: [--model gan|mlp|cnn|cnn-cifar|lstm] [--batch B] [--seconds S] [--threads T] [--json])");
            }
        }
        Runnable step = name.equals("gan")
                ? ModelBench.ganStep(ModelBench.seedGan(), ModelBench.makeGanPool(), batch, losses -> {})
                : trainingStep(ModelBench.seedModel(name), batch);
        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        double ready = runtime.getUptime() / 1e3;
        // Per second of the JVM's life: steps ended in it, their time, the JIT's milliseconds in it.
        int buckets = (int) Math.ceil(seconds) + 1;
        int[] steps = new int[buckets];
        double[] stepSeconds = new double[buckets];
        long[] jitMs = new long[buckets];
        long jitBefore = jitTimed ? jit.getTotalCompilationTime() : 0;
        int bucket = (int) ready;
        double firstStepEnd = -1;
        while (true) {
            long t0 = System.nanoTime();
            step.run();
            double took = (System.nanoTime() - t0) / 1e9;
            double now = runtime.getUptime() / 1e3;
            if (firstStepEnd < 0) firstStepEnd = now;
            int b = (int) now;
            if (b != bucket) { // the JIT's time is read once per second: the bean's call is not free
                long jitNow = jitTimed ? jit.getTotalCompilationTime() : 0;
                if (bucket < buckets) jitMs[bucket] += jitNow - jitBefore;
                jitBefore = jitNow;
                bucket = b;
            }
            if (b >= buckets - 1 || now >= seconds) break;
            steps[b]++;
            stepSeconds[b] += took;
        }
        StringBuilder rows = new StringBuilder();
        if (!json) {
            System.out.printf(Locale.ROOT, "%s, batch %d, %d threads: model and data ready %.2f s, first step ended %.2f s after the JVM's start%n",
                    name, batch, Backends.threads(), ready, firstStepEnd);
            System.out.printf(Locale.ROOT, "%10s %7s %10s %8s%n", "second", "steps", "ms/step", "JIT ms");
        }
        for (int s = (int) ready; s < buckets - 1 && s < seconds; s++) {
            double ms = steps[s] == 0 ? Double.NaN : stepSeconds[s] * 1e3 / steps[s];
            if (json) {
                rows.append(rows.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "{\"second\":%d,\"steps\":%d,\"ms_per_step\":%.3f,\"jit_ms\":%d}",
                        s, steps[s], steps[s] == 0 ? -1.0 : ms, jitMs[s]));
            } else {
                System.out.printf(Locale.ROOT, "%4d-%-4d s %7d %10.2f %8d%n", s, s + 1, steps[s], ms, jitMs[s]);
            }
        }
        if (json) {
            System.out.printf(Locale.ROOT, "{\"model\":\"%s\",\"batch\":%d,\"threads\":%d,\"ready_s\":%.3f,\"first_step_end_s\":%.3f,\"seconds\":[%s]}%n",
                    name, batch, Backends.threads(), ready, firstStepEnd, rows);
        }
        return 0;
    }

    /** The value of {@code option}: a whole number above 0 where {@code int} is asked for, else a finite number above 0. */
    private static int positive(String option, String value) {
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v > 0) || v != Math.rint(v) || v > Integer.MAX_VALUE) throw new IllegalArgumentException(option + " must be a whole number above 0, got " + value);
        return (int) v;
    }

    private static double positiveNumber(String option, String value) {
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number above 0, got '" + value + "'");
        }
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(option + " must be a number above 0, got " + value);
        return v;
    }

    /** {@link ModelBench}'s training step of a seed model on its synthetic pool for the model's input shape. */
    private static Runnable trainingStep(Sequential model, int batch) {
        return ModelBench.trainingStep(model, ModelBench.makePool(model.inputs().get(0).shape().toArray()), batch, loss -> {});
    }
}
