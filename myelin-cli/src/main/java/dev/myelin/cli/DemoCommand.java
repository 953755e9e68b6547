package dev.myelin.cli;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.Backends;
import dev.myelin.backend.cpu.Parallel;
import dev.myelin.tensor.Tensor;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job, for now: trains a two-layer network on generated data with the tensor API alone
 * (no layers or optimizers yet) and prints the loss falling.
 *
 * <p>Data: points in 2-D on three interleaved spirals, a classic task a linear model cannot solve.
 * Model: {@code softmax(relu(x·W1 + b1)·W2 + b2)} with glorot-uniform weights, trained by full-batch
 * gradient descent with momentum on the cross-entropy.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a two-layer network on generated spiral data and print the loss falling.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "300", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--hidden", defaultValue = "64", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--lr", defaultValue = "0.5", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Kernel threads (default: MYELIN_NUM_THREADS or all cores).")
    Integer threads;

    @Override
    public Integer call() {
        if (threads != null) Parallel.setThreads(threads);
        PrintStream out = System.out;
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        int perClass = 200, classes = 3;
        Tensor[] data = spirals(rng, perClass, classes);
        Tensor x = data[0], targets = Tensor.oneHot(data[1], classes);

        Tensor w1 = glorot(rng, 2, hidden), b1 = Tensor.zeros(hidden).requiresGrad(true);
        Tensor w2 = glorot(rng, hidden, classes), b2 = Tensor.zeros(classes).requiresGrad(true);
        List<Tensor> params = List.of(w1, b1, w2, b2);
        List<Tensor> velocity = params.stream().map(Tensor::zerosLike).toList();

        out.printf("Myelin demo: 2-layer network (2 -> %d -> %d) on %d spiral points, backend %s, %d thread(s)%n",
                hidden, classes, perClass * classes, Backends.defaultBackend().name(), Parallel.threads());
        long start = System.nanoTime();
        double firstLoss = Double.NaN, loss = Double.NaN;
        for (int step = 1; step <= epochs; step++) {
            Tensor logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
            Tensor lossT = logits.logSoftmax(-1).mul(targets).sum(1).mean().neg();
            lossT.backward();
            loss = lossT.item();
            if (step == 1) firstLoss = loss;
            try (var scope = NoGrad.scope()) {
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i), v = velocity.get(i);
                    v.mulInPlace(0.9).addInPlace(p.grad());   // v = 0.9·v + g
                    p.subInPlace(v.mul(lr));                  // p = p − lr·v
                    p.zeroGrad();
                }
            }
            if (step == 1 || step % Math.max(1, epochs / 10) == 0) {
                out.printf("step %4d  loss %.4f  accuracy %.4f%n", step, loss, accuracy(logits, data[1]));
            }
        }
        double acc;
        try (var scope = NoGrad.scope()) {
            acc = accuracy(x.matmul(w1).add(b1).relu().matmul(w2).add(b2), data[1]);
        }
        out.printf("loss %.4f -> %.4f in %.2f s%n", firstLoss, loss, (System.nanoTime() - start) / 1e9);
        out.printf("train accuracy: %.4f%n", acc);
        return loss < firstLoss ? 0 : 1;
    }

    private static Tensor glorot(RandomGenerator rng, int in, int out) {
        double limit = Math.sqrt(6.0 / (in + out));
        return Tensor.uniform(rng, -limit, limit, in, out).requiresGrad(true);
    }

    private static double accuracy(Tensor logits, Tensor labels) {
        return logits.detach().argmax(1).eq(labels).mean().item();
    }

    /** {@code classes} spiral arms of {@code n} noisy points each: [x [n·classes, 2], labels [n·classes]]. */
    static Tensor[] spirals(RandomGenerator rng, int n, int classes) {
        float[] xs = new float[n * classes * 2];
        float[] ys = new float[n * classes];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < n; i++) {
                double r = (double) i / n;
                double theta = c * 2 * Math.PI / classes + 4.0 * r + rng.nextGaussian() * 0.2;
                int row = c * n + i;
                xs[2 * row] = (float) (r * Math.sin(theta));
                xs[2 * row + 1] = (float) (r * Math.cos(theta));
                ys[row] = c;
            }
        }
        return new Tensor[] {Tensor.of(xs, n * classes, 2), Tensor.of(ys, n * classes)};
    }
}
