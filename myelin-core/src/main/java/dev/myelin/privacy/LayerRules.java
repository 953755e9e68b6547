package dev.myelin.privacy;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.RecurrentLayer;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-example weight gradients of one layer call from its input {@code x} and the gradient {@code δ} of
 * each example's own loss with respect to the captured output (Opacus's "grad sampler" rules). Run with
 * recording off.
 */
final class LayerRules {
    /** Patch-matrix elements built at once for Conv2D (a chunk of examples at a time): 4 Mi values. */
    static final int UNFOLD_CHUNK = 1 << 22;

    private LayerRules() {}

    /** The per-example gradients of the weights of {@code capture}'s layer, by weight. */
    static Map<Parameter, ExampleGrad> of(ModelTrace.Capture capture, Tensor delta) {
        Map<Parameter, ExampleGrad> out = new LinkedHashMap<>();
        switch (capture.layer()) {
            case Dense d -> {
                Tensor[] g = dense(capture.input(), delta);
                put(out, d.kernel(), g[0]);
                if (d.bias() != null) put(out, d.bias(), g[1]);
            }
            case Conv2D c -> {
                Tensor[] g = conv2d(c, capture.input(), delta);
                put(out, c.kernel(), g[0]);
                if (c.bias() != null) put(out, c.bias(), g[1]);
            }
            case Embedding e -> out.put(e.embeddings(), embedding(e, capture.input(), delta));
            case RecurrentLayer<?> r -> recurrent(r, capture, delta, out);
            case LayerNormalization n -> {
                Tensor[] g = layerNormalization(n, capture.input(), delta);
                if (n.gamma() != null) put(out, n.gamma(), g[0]);
                if (n.beta() != null) put(out, n.beta(), g[1]);
            }
            default -> throw new IllegalStateException("no per-example rule for " + capture.layer());
        }
        return out;
    }

    private static void put(Map<Parameter, ExampleGrad> out, Parameter p, Tensor values) {
        if (p.trainable()) out.put(p, new ExampleGrad.Dense(values));
    }

    /**
     * Dense, {@code z = x·W + b}: {@code ∂ℓᵢ/∂W = xᵢᵀ·δᵢ} and {@code ∂ℓᵢ/∂b = Σₜ δᵢₜ}, one batched product.
     * Shapes: {@code x [batch, ..., in]}, {@code δ [batch, ..., units]} (the middle axes, such as time,
     * are summed over); results {@code [batch, in, units]}, {@code [batch, units]}.
     */
    static Tensor[] dense(Tensor x, Tensor delta) {
        int batch = x.dim(0), in = x.dim(-1), units = delta.dim(-1);
        int steps = batch == 0 || in == 0 ? 1 : x.size() / (batch * in);
        Tensor x3 = x.reshape(batch, steps, in);
        Tensor d3 = delta.reshape(batch, steps, units);
        return new Tensor[] {x3.transpose(1, 2).matmul(d3), d3.sum(new int[] {1}, false)};
    }

    /**
     * Conv2D: the kernel's gradient for example {@code i} is {@code Uᵢᵀ·δᵢ}, where {@code Uᵢ [positions,
     * kh·kw·in]} holds the input patch under each output position (im2col, in the kernel's
     * {@code [kh, kw, in]} order), and {@code δᵢ [positions, filters]}: a batched product over the
     * examples, built a chunk of examples at a time to bound the patch matrices' memory. Bias:
     * {@code Σ_positions δᵢ}. Shapes: {@code x [batch, h, w, in]}, {@code δ [batch, outH, outW, filters]};
     * results {@code [batch, kh, kw, in, filters]}, {@code [batch, filters]}.
     */
    static Tensor[] conv2d(Conv2D layer, Tensor x, Tensor delta) {
        int batch = x.dim(0), h = x.dim(1), w = x.dim(2), in = x.dim(3);
        int kh = layer.kernelSize()[0], kw = layer.kernelSize()[1];
        ConvOptions o = layer.options();
        int oh = delta.dim(1), ow = delta.dim(2), filters = delta.dim(3);
        int ekh = o.dilationH() * (kh - 1) + 1, ekw = o.dilationW() * (kw - 1) + 1;
        int top = o.padding().padBefore(h, ekh, o.strideH()), left = o.padding().padBefore(w, ekw, o.strideW());
        int bottom = Math.max(0, (oh - 1) * o.strideH() + ekh - h - top), right = Math.max(0, (ow - 1) * o.strideW() + ekw - w - left);
        Tensor padded = top + bottom + left + right == 0 ? x : x.pad(new int[][] {{0, 0}, {top, bottom}, {left, right}, {0, 0}}, 0);
        int positions = oh * ow, patch = kh * kw * in;
        MemoryCheck.requireAvailable("per-example gradients of layer '" + layer.name() + "' (Conv2D): " + batch + " kernels " + layer.kernel().value().shape(),
                (long) batch * patch * filters * x.dtype().bytes());
        int chunk = (int) Math.max(1, Math.min(batch, UNFOLD_CHUNK / Math.max(1L, (long) positions * patch)));
        List<Tensor> parts = new ArrayList<>();
        for (int from = 0; from < batch; from += chunk) {
            int to = Math.min(batch, from + chunk);
            Tensor patches = unfold(padded.slice(0, from, to), kh, kw, o, oh, ow).reshape(to - from, positions, patch);
            Tensor d = delta.slice(0, from, to).reshape(to - from, positions, filters);
            parts.add(patches.transpose(1, 2).matmul(d));
        }
        Tensor kernel = (parts.size() == 1 ? parts.get(0) : Tensor.concat(parts, 0)).reshape(batch, kh, kw, in, filters);
        return new Tensor[] {kernel, delta.sum(new int[] {1, 2}, false)};
    }

    /** {@code [n, oh, ow, kh·kw·in]}: tap {@code (i, j)} of every window, taps concatenated in the kernel's order. */
    private static Tensor unfold(Tensor padded, int kh, int kw, ConvOptions o, int oh, int ow) {
        List<Tensor> taps = new ArrayList<>(kh * kw);
        for (int i = 0; i < kh; i++) {
            int r = i * o.dilationH();
            Tensor rows = padded.slice(1, r, r + (oh - 1) * o.strideH() + 1, o.strideH());
            for (int j = 0; j < kw; j++) {
                int c = j * o.dilationW();
                taps.add(rows.slice(2, c, c + (ow - 1) * o.strideW() + 1, o.strideW()));
            }
        }
        return taps.size() == 1 ? taps.get(0).contiguous() : Tensor.concat(taps, 3);
    }

    /**
     * SimpleRNN, LSTM and GRU, from the input {@code x} (in processing order), the gradient {@code δ} of every
     * step's input projection {@code xp_t = x_t·W + b} and the steps' outputs (so the previous state
     * {@code h_{t−1}}, zeros before the first), summed over the time steps per example (Opacus's DPLSTM rule,
     * without unrolling the layer into Linear modules):
     * <pre>
     *   ∂ℓᵢ/∂W = Σₜ xᵢₜᵀ·δᵢₜ      ∂ℓᵢ/∂b = Σₜ δᵢₜ
     *   ∂ℓᵢ/∂U = Σₜ hᵢ,ₜ₋₁ᵀ·δᵢₜ    (SimpleRNN, LSTM: the recurrent product is added to xp_t, so its gradient is δ_t)
     * </pre>
     * GRU applies the reset gate {@code r_t} to part of the recurrent side: with {@code reset_after} the
     * recurrent product {@code h·U + b_rec} gets {@code [δ_z, δ_r, r_t·δ_h]} (so does {@code b_rec}, the bias's
     * second row); without it the candidate's block of {@code U} multiplies {@code r_t·h_{t−1}}, with gradient
     * {@code δ_h}. {@code r_t} is recomputed from {@code xp_t} and {@code h_{t−1}}. Masked steps have
     * {@code δ = 0}. Shapes: {@code x [batch, time, features]}, {@code δ [batch, time, G·units]}; results the
     * weights' shapes with a leading batch axis.
     */
    private static void recurrent(RecurrentLayer<?> layer, ModelTrace.Capture capture, Tensor delta, Map<Parameter, ExampleGrad> out) {
        Tensor x = capture.input(), sequence = capture.steps();
        int batch = x.dim(0), steps = x.dim(1), units = layer.units();
        Tensor previous = Tensor.concat(List.of(Tensor.zeros(sequence.dtype(), Shape.of(batch, 1, units)), sequence.slice(1, 0, steps - 1)), 1);
        put(out, layer.kernel(), dense(x, delta)[0]);
        Tensor biasGrad = delta.sum(new int[] {1}, false);
        if (!(layer instanceof GRU gru)) {
            put(out, layer.recurrentKernel(), dense(previous, delta)[0]);
            if (layer.bias() != null) put(out, layer.bias(), biasGrad);
            return;
        }
        Tensor u = layer.recurrentKernel().value(), xp = capture.output().detach();
        Tensor dzr = delta.slice(2, 0, 2 * units).contiguous(), dh = delta.slice(2, 2 * units, 3 * units).contiguous();
        Tensor xpReset = xp.slice(2, units, 2 * units);
        if (gru.resetAfter()) {
            Tensor inner = timeMajorProduct(previous, u);
            if (layer.bias() != null) inner = inner.add(layer.bias().value().slice(0, 1, 2).reshape(3 * units));
            Tensor reset = gru.recurrentActivation().apply(xpReset.add(inner.slice(2, units, 2 * units)));
            Tensor innerDelta = Tensor.concat(List.of(dzr, reset.mul(dh)), 2);
            put(out, layer.recurrentKernel(), dense(previous, innerDelta)[0]);
            if (layer.bias() != null) {
                put(out, layer.bias(), Tensor.stack(List.of(biasGrad, innerDelta.sum(new int[] {1}, false)), 1));
            }
        } else {
            Tensor reset = gru.recurrentActivation().apply(xpReset.add(timeMajorProduct(previous, u.slice(1, units, 2 * units).contiguous())));
            Tensor gates = dense(previous, dzr)[0], candidate = dense(reset.mul(previous), dh)[0];
            put(out, layer.recurrentKernel(), Tensor.concat(List.of(gates, candidate), 2));
            if (layer.bias() != null) put(out, layer.bias(), biasGrad);
        }
    }

    /** {@code h [batch, time, k] · w [k, n]} as one {@code [batch·time, k]} product: {@code [batch, time, n]}. */
    private static Tensor timeMajorProduct(Tensor h, Tensor w) {
        return h.reshape(h.dim(0) * h.dim(1), h.dim(2)).matmul(w).reshape(h.dim(0), h.dim(1), w.dim(1));
    }

    /** The bias added to a recurrent layer's input projection (GRU with reset_after: the bias's first row), or null. */
    static Tensor inputBias(RecurrentLayer<?> layer) {
        if (layer.bias() == null) return null;
        if (layer instanceof GRU g && g.resetAfter()) return layer.bias().value().slice(0, 0, 1).reshape(3 * layer.units());
        return layer.bias().value();
    }

    /**
     * LayerNormalization, {@code y = γ·x̂ + β} with {@code x̂ = (x − mean) / sqrt(variance + ε)} over the
     * layer's axis, each example on its own: {@code ∂ℓᵢ/∂γ = Σ δᵢ·x̂ᵢ} and {@code ∂ℓᵢ/∂β = Σ δᵢ}, summed over
     * every axis but the batch and the normalized one (time steps, positions). {@code x̂} is recomputed from
     * {@code x} (as the layer computes it; the fused float32 kernel's value agrees to rounding). Shapes:
     * {@code x}, {@code δ} {@code [batch, ...]}; results {@code [batch, features]} each.
     */
    static Tensor[] layerNormalization(LayerNormalization layer, Tensor x, Tensor delta) {
        int rank = x.rank(), axis = layer.axis() < 0 ? layer.axis() + rank : layer.axis();
        int[] axes = {axis};
        Tensor mean = x.mean(axes, true);
        Tensor normalized = x.sub(mean).mul(x.sub(mean).square().mean(axes, true).add(layer.epsilon()).rsqrt());
        Tensor[] perExample = new Tensor[2];
        Tensor[] sources = {delta.mul(normalized), delta};
        int batch = x.dim(0), features = x.dim(axis);
        for (int k = 0; k < 2; k++) {
            Tensor t = axis == rank - 1 ? sources[k] : sources[k].transpose(axis, rank - 1).contiguous();
            perExample[k] = t.reshape(batch, batch == 0 || features == 0 ? 1 : t.size() / (batch * features), features).sum(new int[] {1}, false);
        }
        return perExample;
    }

    /**
     * Embedding, {@code y[b, t] = E[ids[b, t]]}: example {@code b}'s gradient is {@code δ[b, t]} added into
     * row {@code ids[b, t]}, kept as the rows each example touched. Shapes: {@code ids [batch, ...]},
     * {@code δ [batch, ..., dim]}.
     */
    static ExampleGrad embedding(Embedding layer, Tensor ids, Tensor delta) {
        Shape table = layer.embeddings().value().shape();
        int[] row = ids.toIndexArray(table.dim(0), "layer '" + layer.name() + "' (Embedding)");
        int batch = ids.dim(0);
        int perExample = batch == 0 ? 0 : row.length / batch;
        int[] example = new int[row.length];
        for (int i = 0; i < row.length; i++) example[i] = i / perExample;
        return ExampleGrad.Rows.of(delta.reshape(row.length, table.dim(1)), example, row, table);
    }
}
