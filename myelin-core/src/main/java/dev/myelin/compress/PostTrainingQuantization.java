package dev.myelin.compress;

import dev.myelin.autograd.NoGrad;
import dev.myelin.compress.quant.ActivationQuantization;
import dev.myelin.compress.quant.QuantizedConv2D;
import dev.myelin.compress.quant.QuantizedDense;
import dev.myelin.compress.quant.QuantizedKernelLayer;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Post-training int8 quantization: a trained float model becomes a model whose Dense and Conv2D layers are
 * {@link QuantizedDense} and {@link QuantizedConv2D} (per-channel symmetric int8 kernels, int8 × int8 →
 * int32 products), everything else unchanged.
 * <ol>
 *   <li>Calibration: the float model runs in inference mode on a few hundred representative samples; a
 *       {@link RangeObserver} per Dense and Conv2D watches that layer's input ({@link MinMaxObserver},
 *       {@link PercentileObserver}), and its range fixes the input's affine quantization
 *       ({@link ActivationQuantization#ofRange}).</li>
 *   <li>Conversion: the model's config with those layers replaced, rebuilt, the other layers' weights
 *       copied and the kernels quantized per output channel.</li>
 * </ol>
 * The quantized model predicts, evaluates and saves like any model; its kernels are stored as int8.
 * Layers inside a nested model are left in float.
 *
 * <p>Example:
 * <pre>{@code
 * Model int8 = PostTrainingQuantization.quantize(model, calibrationImages, MinMaxObserver::new);
 * int8.save(Path.of("model-int8.myelin"));
 * }</pre>
 */
public final class PostTrainingQuantization {
    private PostTrainingQuantization() {}

    /** {@link #calibrate} on {@code calibration} in batches of 32, then {@link #convert}. */
    public static Model quantize(Model model, Tensor calibration, Supplier<? extends RangeObserver> observers) {
        return convert(model, calibrate(model, calibration, observers, 32));
    }

    /**
     * Runs a single-input model on {@code calibration} in inference mode and returns, for each Dense and
     * Conv2D layer by name, the quantization of its input from the range its observer proposes.
     */
    public static Map<String, ActivationQuantization> calibrate(Model model, Tensor calibration, Supplier<? extends RangeObserver> observers, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        if (calibration.rank() == 0 || calibration.dim(0) == 0) throw new IllegalArgumentException("calibration needs at least one sample, got " + calibration.shape());
        model.build();
        if (model.inputs().size() != 1) throw new IllegalArgumentException("calibration supports single-input models, model '" + model.name() + "' has " + model.inputs().size());
        List<SymbolicTensor> order = topological(model.outputs());
        Map<Layer, RangeObserver> watched = new LinkedHashMap<>();
        for (SymbolicTensor t : order) {
            if (!t.isInput() && (t.layer() instanceof Dense || t.layer() instanceof Conv2D)) watched.computeIfAbsent(t.layer(), l -> observers.get());
        }
        int n = calibration.dim(0);
        try (var g = NoGrad.scope()) {
            for (int start = 0; start < n; start += batchSize) {
                Map<SymbolicTensor, Tensor> values = new IdentityHashMap<>();
                values.put(model.inputs().get(0), calibration.slice(0, start, Math.min(n, start + batchSize)));
                for (SymbolicTensor t : order) {
                    if (t.isInput()) continue;
                    List<Tensor> args = new ArrayList<>();
                    for (SymbolicTensor in : t.inputs()) args.add(values.get(in));
                    RangeObserver o = watched.get(t.layer());
                    if (o != null) o.observe(args.get(0).toFloatArray());
                    values.put(t, t.layer() instanceof MergeLayer merge ? merge.call(args, t.callOptions(values::get), false) : t.layer().call(args.get(0), false));
                }
            }
        }
        Map<String, ActivationQuantization> out = new LinkedHashMap<>();
        watched.forEach((layer, o) -> {
            double[] r = o.range();
            out.put(layer.name(), ActivationQuantization.ofRange(r[0], r[1]));
        });
        return out;
    }

    /**
     * A new model: {@code model}'s config with each Dense and Conv2D named in {@code inputs} replaced by its
     * quantized twin (that input quantization), built, with the other layers' weights copied and the
     * kernels quantized per channel. {@code model} is not changed.
     */
    public static Model convert(Model model, Map<String, ActivationQuantization> inputs) {
        return TwinModels.rewrite(model, layer -> (layer instanceof Dense || layer instanceof Conv2D) && inputs.containsKey(layer.name())
                ? twin(layer, inputs.get(layer.name())) : null, (QuantizedKernelLayer q, Layer original) -> {
                    var k = (dev.myelin.nn.layers.KernelLayer<?>) original;
                    q.setFloatWeights(k.kernel().value(), k.bias() == null ? null : k.bias().value());
                });
    }

    /** The unbuilt quantized twin of a Dense or Conv2D layer, with the same name and settings. */
    static QuantizedKernelLayer twin(Layer layer, ActivationQuantization input) {
        if (layer instanceof Dense d) {
            return QuantizedDense.fromConfig(new QuantizedDense.Config(d.settings(), d.units(), d.activation(), d.useBias(), input));
        }
        if (layer instanceof Conv2D c) {
            int[] k = c.kernelSize();
            return QuantizedConv2D.fromConfig(new QuantizedConv2D.Config(c.settings(), c.filters(), k[0], k[1], c.options(), c.activation(), c.useBias(), input));
        }
        throw new IllegalArgumentException("layer '" + layer.name() + "' (" + layer.getClass().getSimpleName() + ") has no int8 twin: only Dense and Conv2D do");
    }

    /** The graph's tensors, each after its inputs. */
    private static List<SymbolicTensor> topological(List<SymbolicTensor> outputs) {
        List<SymbolicTensor> order = new ArrayList<>();
        Set<SymbolicTensor> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor o : outputs) visit(o, done, order);
        return order;
    }

    private static void visit(SymbolicTensor t, Set<SymbolicTensor> done, List<SymbolicTensor> order) {
        if (done.contains(t)) return;
        for (SymbolicTensor in : t.dependencies()) visit(in, done, order);
        done.add(t);
        order.add(t);
    }
}
