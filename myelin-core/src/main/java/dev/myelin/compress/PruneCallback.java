package dev.myelin.compress;

import dev.myelin.autograd.NoGrad;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.KernelLayer;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Callback;
import dev.myelin.train.Trainable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Magnitude pruning during training (Zhu and Gupta, 2017; TF-MOT's {@code prune_low_magnitude}): at the
 * steps its {@link PolynomialDecaySparsity} schedule names, each pruned weight gets a mask that zeroes the
 * fraction {@code sparsity(step)} of its entries with the smallest magnitude, and after every optimizer step
 * the masks are applied again, so that pruned weights stay zero whatever the optimizer's momentum does.
 *
 * <p>By default the kernels of the model's Dense, Conv1D, Conv2D and Conv2DTranspose layers are pruned
 * (biases are not, as in TF-MOT). No layer is wrapped, so there is nothing to strip after training: the
 * model is a plain model whose kernels hold zeros; {@link Pruning#saveCompressed} writes it compactly.
 *
 * <p>Example:
 * <pre>{@code
 * var prune = new PruneCallback(model, PolynomialDecaySparsity.of(0, 0.8, 0, 1000));
 * model.fit(x, y, FitOptions.epochs(3).callbacks(prune));
 * }</pre>
 */
public final class PruneCallback implements Callback {
    private final List<Parameter> weights;
    private final PolynomialDecaySparsity schedule;
    private final List<Tensor> masks = new ArrayList<>();
    private final List<Tensor> zeros = new ArrayList<>();
    private Optimizer optimizer;

    /** Prunes the kernels of {@code model}'s kernel layers (it is built here). */
    public PruneCallback(Model model, PolynomialDecaySparsity schedule) {
        this(kernels(model), schedule);
    }

    /** Prunes {@code weights}. */
    public PruneCallback(List<Parameter> weights, PolynomialDecaySparsity schedule) {
        if (weights.isEmpty()) throw new IllegalArgumentException("nothing to prune: no weights given");
        this.weights = List.copyOf(weights);
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    /** The kernels of the model's Dense and convolution layers. */
    public static List<Parameter> kernels(Model model) {
        model.build();
        List<Parameter> out = new ArrayList<>();
        for (Layer l : model.layers()) if (l instanceof KernelLayer<?> k) out.add(k.kernel());
        return out;
    }

    /** The weights pruned. */
    public List<Parameter> weights() {
        return weights;
    }

    @Override
    public void onTrainBegin(Trainable model, TrainingPlan plan) {
        optimizer = model.optimizer();
        if (optimizer == null) throw new IllegalStateException("PruneCallback: '" + model.name() + "' has no optimizer, whose step count drives the schedule");
        if (masks.isEmpty()) {
            for (Parameter p : weights) {
                masks.add(Tensor.full(p.value().dtype(), p.value().shape(), 1));
                zeros.add(Tensor.zeros(p.value().dtype(), p.value().shape()));
            }
        }
        long last = optimizer.iterations() - 1; // a resumed run: the masks the schedule had reached
        if (last >= schedule.beginStep()) updateMasks(schedule.sparsity(last));
        applyMasks();
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        long step = optimizer.iterations() - 1; // the update just made, counted from 0
        if (schedule.shouldPrune(step)) updateMasks(schedule.sparsity(step));
        applyMasks();
    }

    /** New masks: in each weight, the {@code round(sparsity·size)} entries of smallest magnitude (ties by index) are zeroed. */
    private void updateMasks(double sparsity) {
        for (int w = 0; w < weights.size(); w++) {
            float[] values = weights.get(w).value().toFloatArray();
            int n = values.length, zeros = (int) Math.round(sparsity * n);
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> Math.abs(values[i])).thenComparingInt(i -> i));
            float[] mask = new float[n];
            Arrays.fill(mask, 1);
            for (int i = 0; i < zeros; i++) mask[order[i]] = 0;
            Tensor m = Tensor.of(mask, weights.get(w).value().shape().toArray());
            masks.set(w, m.to(weights.get(w).value().dtype()));
        }
    }

    private void applyMasks() {
        try (var g = NoGrad.scope()) {
            for (int w = 0; w < weights.size(); w++) {
                Tensor v = weights.get(w).value();
                v.assign(Tensor.where(masks.get(w), v, zeros.get(w))); // +0, where v·0 would leave −0 for negative weights
            }
        }
    }
}
