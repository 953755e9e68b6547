package dev.myelin.explain;

import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model with one layer's output captured as a leaf of the autograd graph, so that a backward pass
 * from the model's output gives the gradient with respect to that intermediate activation (what Grad-CAM
 * needs; PyTorch does this with forward and backward hooks, Keras with a model whose outputs are
 * {@code [layer.output, model.output]}).
 *
 * <p>How: a functional {@link Model} is a graph of {@link SymbolicTensor}s, each the output of one layer call
 * that knows its input tensors. The tap walks that graph back from the model's first output, orders the
 * calls by creation (a tensor is always created after its inputs), and evaluates them as {@link Model#call}
 * does, with one change: the value of the chosen layer's output is detached and marked
 * {@code requiresGrad} before the rest of the graph (the "head") reads it. This is the sub-model from the
 * input to the layer's output followed by the head, without building two models, and it works for any graph
 * (skip connections around the layer included). The layer must be called once, directly by the model (not
 * inside a nested model).
 *
 * <p>Shapes: {@code activation} is the layer's output {@code [n, ...]}; {@code output} is the model's first output.
 */
final class LayerTap {
    private LayerTap() {}

    /**
     * @param activation the layer's output, a leaf that requires gradients
     * @param output     the model's output computed from it
     */
    record Result(Tensor activation, Tensor output) {}

    /** Runs {@code model} on {@code x} in inference mode with {@code layerName}'s output tapped. */
    static Result run(Model model, Tensor x, String layerName) {
        if (model.inputs().size() != 1) throw new IllegalArgumentException("model '" + model.name() + "': tapping a layer needs a model with one input, it has " + model.inputs().size());
        List<SymbolicTensor> steps = model.steps();
        SymbolicTensor tap = null;
        for (SymbolicTensor t : steps) {
            if (!t.layer().name().equals(layerName)) continue;
            if (tap != null) throw new IllegalArgumentException("model '" + model.name() + "': layer '" + layerName + "' is called more than once; its output is ambiguous");
            tap = t;
        }
        if (tap == null) {
            throw new IllegalArgumentException("model '" + model.name() + "' has no layer '" + layerName + "' called directly by the model; its layers: "
                    + model.layers().stream().map(Layer::name).toList());
        }
        Map<SymbolicTensor, Tensor> values = new IdentityHashMap<>();
        values.put(model.inputs().get(0), x);
        Tensor activation = null;
        for (SymbolicTensor t : steps) {
            Tensor v;
            if (t.layer() instanceof MergeLayer merge) {
                List<Tensor> args = new ArrayList<>();
                for (SymbolicTensor in : t.inputs()) args.add(values.get(in));
                v = merge.call(args, t.callOptions(values::get), false);
            } else {
                v = t.layer().call(values.get(t.inputs().get(0)), false);
            }
            if (t == tap) {
                v = v.detach().requiresGrad(true);
                activation = v;
            }
            values.put(t, v);
        }
        return new Result(activation, values.get(model.outputs().get(0)));
    }

}
