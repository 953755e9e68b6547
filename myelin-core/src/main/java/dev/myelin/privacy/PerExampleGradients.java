package dev.myelin.privacy;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Gradients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gradient of each example's loss with respect to every trainable weight of a compiled model, from one
 * forward and one backward pass over the whole batch (Opacus's per-sample gradients, not a loop over the
 * examples).
 *
 * <p>How: the forward pass keeps each weighted layer's input {@code x} and output {@code z} (see
 * {@code ModelTrace}); one backward pass gives {@code ∂L/∂z} for all of them at once. The compiled loss
 * is the mean of the examples' losses {@code L = (1/B) Σᵢ ℓᵢ}, and example {@code i}'s output depends on
 * no other example, so {@code δᵢ = B·∂L/∂zᵢ = ∂ℓᵢ/∂zᵢ}; each layer's rule turns {@code (xᵢ, δᵢ)} into the
 * weight gradient of example {@code i} for the whole batch at once:
 * <pre>
 *   Dense     ∂ℓᵢ/∂W = xᵢᵀ·δᵢ (summed over the middle axes of [B, T, F] inputs),  ∂ℓᵢ/∂b = Σₜ δᵢₜ
 *   Conv2D    ∂ℓᵢ/∂K = unfold(xᵢ)ᵀ·δᵢ (im2col patches, one batched product),    ∂ℓᵢ/∂b = Σ_positions δᵢ
 *   Embedding ∂ℓᵢ/∂E = δᵢₜ added into row idsᵢₜ (only the rows example i uses are kept)
 *   LayerNorm ∂ℓᵢ/∂γ = Σₜ δᵢₜ·x̂ᵢₜ,  ∂ℓᵢ/∂β = Σₜ δᵢₜ  (x̂: the input normalized over the layer's axis)
 *   Recurrent ∂ℓᵢ/∂W = Σₜ xᵢₜᵀ·δᵢₜ,  ∂ℓᵢ/∂U = Σₜ hᵢ,ₜ₋₁ᵀ·δᵢₜ,  ∂ℓᵢ/∂b = Σₜ δᵢₜ  (δ of each step's input projection;
 *             GRU's reset gate scales part of the recurrent side, see LayerRules)
 * </pre>
 * A layer called twice (shared) gets the sum of both calls. Layers without trainable weights (pooling,
 * Flatten, Dropout, activations, frozen layers) may appear anywhere; BatchNormalization in training mode
 * and other weighted layers are refused by name ({@link #requireSupported}).
 *
 * <p>Shapes: the gradients of a weight of shape {@code S} are {@code [batch, ...S]}.
 *
 * <p>Example: {@code PerExampleGradients g = PerExampleGradients.compute(model, List.of(x), List.of(y));
 * Tensor normsSquared = g.squaredNorms(); Tensor kernelGrads = g.of(dense.kernel());}
 */
public final class PerExampleGradients {
    private final int batch;
    private final double loss;
    private final List<Tensor> predictions;
    private final Map<Parameter, ExampleGrad> grads;

    private PerExampleGradients(int batch, double loss, List<Tensor> predictions, Map<Parameter, ExampleGrad> grads) {
        this.batch = batch;
        this.loss = loss;
        this.predictions = predictions;
        this.grads = grads;
    }

    /**
     * Runs {@code model} (compiled with a loss) on one batch in training mode and returns each example's
     * gradient of every trainable weight; the weights and their {@code grad()} are left alone.
     *
     * @throws IllegalArgumentException naming the first layer whose per-example gradient is not supported
     * @throws IllegalStateException    when the model is not compiled with a loss
     */
    public static PerExampleGradients compute(Model model, List<Tensor> xs, List<Tensor> ys) {
        Loss loss = model.loss();
        if (loss == null) throw new IllegalStateException("model '" + model.name() + "' is not compiled; per-example gradients need its loss");
        requireSupported(model);
        ModelTrace trace = ModelTrace.run(model, xs, true);
        if (ys.size() != trace.predictions.size()) {
            throw new IllegalArgumentException("model '" + model.name() + "' has " + trace.predictions.size() + " output(s) but received " + ys.size() + " target(s)");
        }
        Tensor total = null;
        for (int i = 0; i < ys.size(); i++) {
            Tensor l = loss.compute(ys.get(i), trace.predictions.get(i));
            total = total == null ? l : total.add(l);
        }
        int batch = xs.get(0).dim(0);
        List<Tensor> outputs = new ArrayList<>();
        for (ModelTrace.Capture c : trace.captures) outputs.add(c.output());
        List<Tensor> outputGrads = outputs.isEmpty() || !total.requiresGrad() ? List.of() : Gradients.ofTensors(total, outputs);
        Map<Parameter, ExampleGrad> grads = new LinkedHashMap<>();
        List<Tensor> predictions = new ArrayList<>();
        try (var g = NoGrad.scope()) {
            for (int i = 0; i < trace.captures.size(); i++) {
                ModelTrace.Capture c = trace.captures.get(i);
                Tensor dz = outputGrads.isEmpty() ? null : outputGrads.get(i);
                Tensor delta = dz == null ? Tensor.zerosLike(c.output().detach()) : dz.mul(batch); // δᵢ = B·∂L/∂zᵢ
                for (var e : LayerRules.of(c, delta).entrySet()) grads.merge(e.getKey(), e.getValue(), (a, b) -> a.plus(b, batch));
            }
            for (Parameter p : model.trainableWeights()) { // a weight the loss does not reach: zero gradients
                if (!grads.containsKey(p)) grads.put(p, new ExampleGrad.Dense(Tensor.zeros(p.value().dtype(), batchShape(batch, p))));
            }
            for (Tensor p : trace.predictions) predictions.add(p.detach());
        }
        Map<Parameter, ExampleGrad> ordered = new LinkedHashMap<>();
        for (Parameter p : model.trainableWeights()) ordered.put(p, grads.get(p));
        return new PerExampleGradients(batch, total.item(), List.copyOf(predictions), ordered);
    }

    /**
     * Fails when DP-SGD cannot train {@code model}: a layer with trainable weights other than Dense,
     * Conv2D, Embedding, LayerNormalization, SimpleRNN, LSTM and GRU (BatchNormalization with a message of its own;
     * recurrent layers with dropout too), named in the message.
     */
    public static void requireSupported(Model model) {
        ModelTrace.requireSupported(model);
    }

    private static dev.myelin.tensor.Shape batchShape(int batch, Parameter p) {
        int[] s = p.value().shape().toArray();
        int[] out = new int[s.length + 1];
        out[0] = batch;
        System.arraycopy(s, 0, out, 1, s.length);
        return dev.myelin.tensor.Shape.of(out);
    }

    /** Examples in the batch. */
    public int batchSize() {
        return batch;
    }

    /** The batch's loss (the mean over its examples, as the model's own training step reports it). */
    public double loss() {
        return loss;
    }

    /** The model's outputs on the batch, detached, for metrics. */
    public List<Tensor> predictions() {
        return predictions;
    }

    /** The trainable weights, in the model's order. */
    public List<Parameter> parameters() {
        return List.copyOf(grads.keySet());
    }

    /** Each example's gradient of {@code p}: {@code [batch, ...p's shape]}. */
    public Tensor of(Parameter p) {
        try (var g = NoGrad.scope()) {
            return grad(p).dense(batch);
        }
    }

    /** {@code ‖gᵢ‖²} over all trainable weights, for each example: {@code [batch]}. */
    public Tensor squaredNorms() {
        try (var g = NoGrad.scope()) {
            Tensor sum = null;
            for (ExampleGrad e : grads.values()) {
                Tensor s = e.squaredNorms(batch);
                sum = sum == null ? s : sum.add(s);
            }
            return sum;
        }
    }

    /** {@code Σᵢ wᵢ ∂ℓᵢ/∂p} for weights {@code w [batch]}: {@code p}'s shape. */
    public Tensor weightedSum(Parameter p, Tensor w) {
        if (w.rank() != 1 || w.dim(0) != batch) throw new IllegalArgumentException("weightedSum needs one weight per example, [" + batch + "], got " + w.shape());
        try (var g = NoGrad.scope()) {
            return grad(p).weightedSum(w);
        }
    }

    private ExampleGrad grad(Parameter p) {
        ExampleGrad e = grads.get(p);
        if (e == null) throw new IllegalArgumentException("'" + p.name() + "' is not a trainable weight of this model; weights: " + grads.keySet().stream().map(Parameter::name).toList());
        return e;
    }
}
