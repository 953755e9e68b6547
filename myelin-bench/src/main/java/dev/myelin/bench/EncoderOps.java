package dev.myelin.bench;

import dev.myelin.backend.Backends;
import dev.myelin.backend.UnaryOp;
import dev.myelin.tensor.BufferPool;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * {@code bench attention --ops}: the operations one forward + backward pass of {@link AttentionBench}'s encoder layer
 * runs, each timed alone on inputs of its shapes, so that a pass's time can be split into its parts: the twelve
 * products (forward {@code x·W + b}, input gradient {@code g·Wᵀ}, weight gradient {@code xᵀ·g}, called as the
 * layer's {@code Tensor.dense} and its gradient rule call them, the transposes as views) with their GFLOPS, the fused
 * self-attention forward and forward + backward, the layer norms, the residual adds (two in the forward, two gradient
 * accumulations in the backward), the ReLU's gradient mask and the bias gradients' column sums. Each row's "x pass"
 * says how often one pass runs it (0: a part of another row, shown alone); the last rows compare the sum of the parts
 * with the layer's measured pass.
 *
 * <p>Inputs are hot in the caches here (the same tensors every call), unlike inside a pass, where an operand written
 * long before comes from memory. Outputs are timed two ways: "fresh", each call's output a new array (outside a step
 * scope nothing goes back to the pool, so the JVM hands out and zeroes a new one: for the 8 MB outputs a pass over
 * memory that made the large-output products look 25-30% slower than in a pass), and "pooled", each call inside
 * {@link BufferPool#scope} with its output released to the pool after it, as a training step's activations are, so
 * the next call writes a recycled array. A pass sits between the two: its recycled arrays were written earlier in
 * the step, not by the call before.
 */
final class EncoderOps {
    private EncoderOps() {}

    /**
     * One timed operation: its label, how many times one pass runs it, its flops (0: not a product) and the call, which
     * returns its output (null: a forward + backward whose step scope releases what it made).
     */
    private record Op(String name, int perPass, double flops, Supplier<Tensor> call) {
        Runnable fresh() {
            return call::get;
        }

        Runnable pooled() {
            return () -> {
                try (var step = BufferPool.scope()) {
                    Tensor out = call.get();
                    if (out != null) BufferPool.release(out);
                }
            };
        }
    }

    static int run(int[] batches, int[] seqs, BenchOptions o) {
        int savedThreads = Backends.threads();
        try {
            for (int t : o.threads()) {
                Backends.setThreads(t);
                for (int b : batches) for (int s : seqs) print(b, s, t, o);
            }
        } finally {
            Backends.setThreads(savedThreads);
        }
        return 0;
    }

    private static void print(int batch, int seq, int threads, BenchOptions o) {
        System.out.printf(Locale.ROOT, "%s, %d threads: each operation alone (ms: median of %d chunks)%n",
                AttentionBench.encoderName(batch, seq), threads, o.chunks());
        System.out.printf(Locale.ROOT, "%-44s %6s %10s %8s %10s %8s %10s%n", "operation", "x pass", "ms fresh", "GFLOPS",
                "ms pooled", "GFLOPS", "pooled/pass");
        double total = 0, gemm = 0, totalFresh = 0, gemmFresh = 0;
        for (Op op : ops(batch, seq)) {
            double fresh = ConvBench.time(op.fresh(), o.warmup(), o.chunks(), o.chunk()).medianMs();
            double ms = ConvBench.time(op.pooled(), o.warmup(), o.chunks(), o.chunk()).medianMs();
            System.out.printf(Locale.ROOT, "%-44s %6d %10.3f %8s %10.3f %8s %10.3f%n", op.name(), op.perPass(), fresh, gflops(op, fresh), ms,
                    gflops(op, ms), ms * op.perPass());
            total += ms * op.perPass();
            totalFresh += fresh * op.perPass();
            if (op.flops() > 0) {
                gemm += ms * op.perPass();
                gemmFresh += fresh * op.perPass();
            }
        }
        LayerCases.LayerRow layer = new LayerCases.LayerRow(new dev.myelin.nn.attention.TransformerEncoder(AttentionBench.FEED_FORWARD,
                AttentionBench.HEADS), batch, new int[] {seq, AttentionBench.WIDTH}, true, true);
        Runnable step = () -> {
            try (var scope = BufferPool.scope()) { // as bench attention's rows and Model.fit's steps
                layer.forwardBackward();
            }
        };
        double pass = ConvBench.time(step, o.warmup(), o.chunks(), o.chunk()).medianMs();
        String row = "%-44s %6s %10.3f %8s %10s %8s %10.3f%n";
        System.out.printf(Locale.ROOT, row, "products (the 12 rows with GFLOPS)", "", gemmFresh, "", "", "", gemm);
        System.out.printf(Locale.ROOT, row, "sum of the parts", "", totalFresh, "", "", "", total);
        System.out.printf(Locale.ROOT, "%-44s %6s %10s %8s %10s %8s %10.3f%n", "the layer's forward + backward (step scope)", "", "", "", "", "",
                pass);
    }

    private static String gflops(Op op, double ms) {
        return op.flops() > 0 ? String.format(Locale.ROOT, "%8.1f", op.flops() / ms / 1e6) : "";
    }

    private static List<Op> ops(int batch, int seq) {
        int n = batch * seq, d = AttentionBench.WIDTH, f = AttentionBench.FEED_FORWARD, h = AttentionBench.HEADS, dh = d / h;
        SplittableRandom rnd = new SplittableRandom(7);
        Tensor x = random(rnd, n, d), hidden = random(rnd, n, f), g = random(rnd, n, d), gHidden = random(rnd, n, f), gQkv = random(rnd, n, 3 * d);
        Tensor wQkv = random(rnd, d, 3 * d), bQkv = random(rnd, 3 * d), wOut = random(rnd, d, d), bOut = random(rnd, d);
        Tensor w1 = random(rnd, d, f), b1 = random(rnd, f), w2 = random(rnd, f, d), b2 = random(rnd, d);
        double mul = 2.0 * n;
        List<Op> ops = new ArrayList<>();
        String rows = n + "x";
        ops.add(new Op("fwd  qkv  [" + rows + d + "]·[" + d + "x" + 3 * d + "]+b", 1, mul * d * 3 * d, () -> x.dense(wQkv, bQkv, null)));
        ops.add(new Op("fwd  out  [" + rows + d + "]·[" + d + "x" + d + "]+b", 1, mul * d * d, () -> x.dense(wOut, bOut, null)));
        ops.add(new Op("fwd  ff1  [" + rows + d + "]·[" + d + "x" + f + "]+b, relu", 1, mul * d * f, () -> x.dense(w1, b1, UnaryOp.RELU)));
        ops.add(new Op("fwd  ff2  [" + rows + f + "]·[" + f + "x" + d + "]+b", 1, mul * f * d, () -> hidden.dense(w2, b2, null)));
        ops.add(new Op("dX   qkv  g[" + rows + 3 * d + "]·Wᵀ", 1, mul * d * 3 * d, () -> gQkv.matmul(wQkv.mT())));
        ops.add(new Op("dX   out  g[" + rows + d + "]·Wᵀ", 1, mul * d * d, () -> g.matmul(wOut.mT())));
        ops.add(new Op("dX   ff1  g[" + rows + f + "]·Wᵀ", 1, mul * d * f, () -> gHidden.matmul(w1.mT())));
        ops.add(new Op("dX   ff2  g[" + rows + d + "]·Wᵀ", 1, mul * f * d, () -> g.matmul(w2.mT())));
        ops.add(new Op("dW   qkv  xᵀ[" + d + "x" + n + "]·g", 1, mul * d * 3 * d, () -> x.mT().matmul(gQkv)));
        ops.add(new Op("dW   out  xᵀ[" + d + "x" + n + "]·g", 1, mul * d * d, () -> x.mT().matmul(g)));
        ops.add(new Op("dW   ff1  xᵀ[" + d + "x" + n + "]·g", 1, mul * d * f, () -> x.mT().matmul(gHidden)));
        ops.add(new Op("dW   ff2  hᵀ[" + f + "x" + n + "]·g", 1, mul * f * d, () -> hidden.mT().matmul(g)));
        Tensor qkv = random(rnd, batch, seq, 3 * d).requiresGrad(true), gAttended = random(rnd, batch, seq, d);
        double scale = 1 / Math.sqrt(dh);
        // the forward alone for reference: a pass runs it inside the next row, which is what the sum counts
        ops.add(new Op("self-attention forward (in the next row)", 0, 0, () -> Tensor.packedSelfAttention(qkv.detach(), h, dh, null, false, scale)));
        ops.add(new Op("self-attention forward + backward", 1, 0, () -> {
            Tensor.packedSelfAttention(qkv, h, dh, null, false, scale).backward(gAttended);
            qkv.zeroGrad();
            return null;
        }));
        Tensor y = random(rnd, batch, seq, d).requiresGrad(true), gamma = Tensor.ones(d).requiresGrad(true), beta = Tensor.zeros(d).requiresGrad(true);
        ops.add(new Op("layer norm forward + backward", 2, 0, () -> {
            y.layerNorm(gamma, beta, 1e-5).backward(gAttended);
            y.zeroGrad();
            gamma.zeroGrad();
            beta.zeroGrad();
            return null;
        }));
        ops.add(new Op("add [" + rows + d + "] (residuals, accumulations)", 4, 0, () -> x.add(g)));
        ops.add(new Op("relu gradient [" + rows + f + "]", 1, 0, () -> gHidden.reluGrad(hidden)));
        ops.add(new Op("bias gradient: column sums of [" + rows + f + "]", 1, 0, () -> gHidden.sum(0)));
        ops.add(new Op("bias gradient: column sums of [" + rows + 3 * d + "]", 1, 0, () -> gQkv.sum(0)));
        ops.add(new Op("bias gradient: column sums of [" + rows + d + "]", 2, 0, () -> g.sum(0)));
        return ops;
    }

    private static Tensor random(SplittableRandom rnd, int... shape) {
        int size = 1;
        for (int s : shape) size *= s;
        return Tensor.of(LayerCases.random(rnd, size), shape);
    }
}
