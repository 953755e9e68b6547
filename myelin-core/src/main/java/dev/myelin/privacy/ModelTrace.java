package dev.myelin.privacy;

import dev.myelin.autograd.NoGrad;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.KernelLayer;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.nn.recurrent.RecurrentLayer;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward pass of a model that keeps, for every call of a layer with trainable weights, what that
 * layer's per-example gradient needs: its input and the tensor whose gradient the rule reads (the
 * pre-activation {@code z = x·W + b} of Dense and Conv2D, the output of Embedding and LayerNormalization,
 * every step's input projection {@code x_t·W + b} of SimpleRNN, LSTM and GRU, whose steps then run composed).
 *
 * <p>This is the seam, and why it is here: the model's own {@code call} runs every layer through
 * {@code Layer.call}, which keeps nothing. The trace walks the same graph (the model's public inputs,
 * outputs and symbolic tensors, in the order {@code Model} computes them) and calls each supported layer
 * through its public parts ({@code preActivation}, then the activation), so that the pre-activation is an
 * ordinary tensor of the autograd graph. A later {@code Graph.gradients(loss, pre-activations)} then
 * returns every layer's output gradient in one backward pass, differentiating nothing below them (no
 * weight gradient is formed). Layers without trainable weights run through {@code Layer.call} unchanged;
 * the model's code, the layers and the autograd engine are not touched.
 */
final class ModelTrace {
    /**
     * A call of a layer with trainable weights: its input, the output whose gradient its rule reads and,
     * for a recurrent layer, the output of every step ({@code [batch, time, units]}, detached; else null).
     */
    record Capture(Layer layer, Tensor input, Tensor output, Tensor steps) {
        Capture(Layer layer, Tensor input, Tensor output) {
            this(layer, input, output, null);
        }
    }

    final List<Tensor> predictions;
    final List<Capture> captures;

    private ModelTrace(List<Tensor> predictions, List<Capture> captures) {
        this.predictions = predictions;
        this.captures = captures;
    }

    /** Runs {@code model} on one batch, in training mode when {@code training}, keeping the captures. */
    static ModelTrace run(Model model, List<Tensor> xs, boolean training) {
        ensureBuilt(model, xs);
        List<SymbolicTensor> inputs = model.inputs();
        if (xs.size() != inputs.size()) {
            throw new IllegalArgumentException("model '" + model.name() + "' has " + inputs.size() + " input(s) but received " + xs.size() + " tensor(s)");
        }
        Map<SymbolicTensor, Tensor> values = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) values.put(inputs.get(i), xs.get(i));
        List<Capture> captures = new ArrayList<>();
        for (SymbolicTensor t : model.steps()) {
            Layer layer = t.layer();
            if (layer instanceof MergeLayer merge) {
                requireNoTrainableWeights(model, layer);
                List<Tensor> args = new ArrayList<>();
                for (SymbolicTensor in : t.inputs()) args.add(values.get(in));
                values.put(t, merge.call(args, t.callOptions(values::get), training));
                continue;
            }
            Tensor x = values.get(t.inputs().get(0));
            if (layer.trainableWeights().isEmpty()) {
                values.put(t, layer.call(x, training));
            } else if (layer instanceof Dense || layer instanceof Conv2D) {
                KernelLayer<?> k = (KernelLayer<?>) layer;
                layer.checkInput(x.shape());
                Tensor z = k.preActivation(x);
                captures.add(new Capture(layer, x, z));
                values.put(t, k.activation().apply(z));
            } else if (layer instanceof RecurrentLayer<?> r) {
                layer.checkInput(x.shape());
                values.put(t, recurrent(model, r, x, captures));
            } else if (layer instanceof Embedding || layer instanceof LayerNormalization) {
                Tensor y = layer.call(x, training);
                captures.add(new Capture(layer, x, y));
                values.put(t, y);
            } else {
                throw unsupported(model, layer);
            }
        }
        List<Tensor> predictions = new ArrayList<>();
        for (SymbolicTensor out : model.outputs()) predictions.add(values.get(out));
        return new ModelTrace(predictions, captures);
    }

    /**
     * A recurrent layer's call through its parts: the input projection of every step {@code xp = x·W + b}
     * (captured: its gradient is each step's), then the composed steps from it
     * ({@link RecurrentLayer#stepsFromProjection}), whose outputs give each step's previous state.
     */
    private static Tensor recurrent(Model model, RecurrentLayer<?> layer, Tensor x, List<Capture> captures) {
        requireNoDropout(model, layer);
        int batch = x.dim(0), steps = x.dim(1);
        Tensor mask = Masks.of(x);
        Tensor xs = layer.goBackwards() ? reverseTime(x) : x;
        Tensor m = mask == null ? null : layer.goBackwards() ? reverseTime(mask) : mask;
        Tensor xp = xs.reshape(batch * steps, x.dim(2)).matmul(layer.kernel().value());
        Tensor inputBias = LayerRules.inputBias(layer);
        if (inputBias != null) xp = xp.add(inputBias);
        xp = xp.reshape(batch, steps, xp.dim(1));
        Tensor sequence = layer.stepsFromProjection(xp, m);
        captures.add(new Capture(layer, xs, xp, sequence.detach()));
        if (!layer.returnSequences()) return sequence.slice(1, steps - 1, steps).reshape(batch, layer.units());
        return m == null ? sequence : Masks.attach(sequence, m);
    }

    private static Tensor reverseTime(Tensor t) {
        int n = t.dim(1);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = n - 1 - i;
        return t.indexSelect(1, idx);
    }

    private static void requireNoDropout(Model model, RecurrentLayer<?> layer) {
        if (layer.dropout() > 0 || layer.recurrentDropout() > 0) {
            throw new IllegalArgumentException("model '" + model.name() + "': layer '" + layer.name() + "' (" + layer.getClass().getSimpleName()
                    + ") has dropout " + layer.dropout() + " and recurrent dropout " + layer.recurrentDropout() + "; DP-SGD's per-example"
                    + " gradients of recurrent layers run without them: set both to 0 (a Dropout layer before or after it may stay)");
        }
    }

    /** Fails, naming the first layer with trainable weights whose per-example gradient is not supported. */
    static void requireSupported(Model model) {
        for (Layer layer : model.layers()) {
            if (layer.trainableWeights().isEmpty()) continue;
            if (layer instanceof MergeLayer) requireNoTrainableWeights(model, layer);
            else if (layer instanceof RecurrentLayer<?> r) requireNoDropout(model, r);
            else if (!(layer instanceof Dense || layer instanceof Conv2D || layer instanceof Embedding || layer instanceof LayerNormalization)) {
                throw unsupported(model, layer);
            }
        }
    }

    private static void requireNoTrainableWeights(Model model, Layer layer) {
        if (!layer.trainableWeights().isEmpty()) throw unsupported(model, layer);
    }

    private static IllegalArgumentException unsupported(Model model, Layer layer) {
        String which = "model '" + model.name() + "': layer '" + layer.name() + "' (" + layer.getClass().getSimpleName() + ")";
        if (layer instanceof BatchNormalization) {
            return new IllegalArgumentException(which + " normalizes each example with statistics of the whole batch, so an example's"
                    + " gradient depends on the others and per-example clipping bounds nothing: DP-SGD cannot train it. Remove it (a small"
                    + " DP model trains well without normalization) or freeze it with trainable(false), which runs it on its moving statistics");
        }
        return new IllegalArgumentException(which + " has trainable weights whose per-example gradient is not supported; DP-SGD trains"
                + " Dense, Conv2D, Embedding, LayerNormalization, SimpleRNN, LSTM and GRU layers (layers without weights, such as pooling, Flatten, Dropout or activations, may"
                + " appear anywhere). Freeze this layer with trainable(false) or replace it");
    }


    /** A model that learns its input shape from data (a Sequential without one) builds on one sample. */
    private static void ensureBuilt(Model model, List<Tensor> xs) {
        if (model.isBuilt() && !model.inputs().isEmpty()) return;
        List<Tensor> one = new ArrayList<>();
        for (Tensor x : xs) one.add(x.slice(0, 0, Math.min(1, x.dim(0))));
        try (var g = NoGrad.scope()) {
            model.call(one, false);
        }
    }
}
