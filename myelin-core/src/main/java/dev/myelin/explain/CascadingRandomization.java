package dev.myelin.explain;

import dev.myelin.autograd.NoGrad;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The cascading model-parameter randomization test of Adebayo et al. (2018), "Sanity Checks for Saliency
 * Maps": re-draw the weights of the layers one at a time from the output layer down, keeping the layers
 * above randomized, and compare each attribution with the trained model's by Spearman's rank correlation
 * of the absolute attributions ({@link RankCorrelation}), averaged over the examples. A method that
 * explains the model shows falling correlation as more layers are randomized; one that stays high
 * explains the input (an edge detector would), not the model.
 *
 * <p>Randomizing: each trainable weight is drawn from {@code Normal(0, σ²)}, σ the standard deviation of its
 * trained values (the scale its initializer gave it); a weight with one value throughout (a zero bias,
 * an initial BatchNormalization γ) keeps it. Non-trainable weights (moving statistics) are not touched.
 * The targets are the trained model's classes throughout ({@link Target} resolved once), and the model's
 * weights are restored at the end, also after an exception.
 */
public final class CascadingRandomization {
    private CascadingRandomization() {}

    /**
     * One step of the cascade.
     *
     * @param layer           the layer randomized last (all those above it are randomized too)
     * @param rankCorrelation the mean Spearman correlation with the trained model's attributions
     */
    public record Step(String layer, double rankCorrelation) {}

    /** The cascade for {@code method} on {@code x} ({@code target} resolved on the trained model), one step per layer with weights, top first. */
    public static List<Step> run(Model model, Tensor x, AttributionMethod method, Target target, long seed) {
        Attribution original = method.explain(model, x, target);
        Target fixed = Target.perExample(original.targets());
        Map<String, Tensor> saved = model.weightValues();
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        List<Step> steps = new ArrayList<>();
        try {
            List<Layer> layers = model.layers();
            for (int l = layers.size() - 1; l >= 0; l--) {
                Layer layer = layers.get(l);
                if (layer.trainableWeights().isEmpty()) continue;
                randomize(layer, rng);
                Attribution a = method.explain(model, x, fixed);
                steps.add(new Step(layer.name(), meanCorrelation(original.values(), a.values())));
            }
        } finally {
            model.setWeightValues(saved);
        }
        return steps;
    }

    private static void randomize(Layer layer, RandomGenerator rng) {
        try (var g = NoGrad.scope()) {
            for (Parameter p : layer.trainableWeights()) {
                double[] v = p.value().detach().contiguous().toDoubleArray();
                double mean = 0, sq = 0;
                for (double d : v) mean += d;
                mean /= v.length;
                for (double d : v) sq += (d - mean) * (d - mean);
                double sigma = Math.sqrt(sq / v.length);
                if (sigma == 0) continue;
                p.value().assign(Tensor.normal(rng, 0, sigma, p.value().shape().toArray()).to(p.value().dtype()));
            }
        }
    }

    /** The mean over examples of Spearman's ρ between {@code |a_i|} and {@code |b_i|}. */
    static double meanCorrelation(Tensor a, Tensor b) {
        int n = a.dim(0);
        double[] x = a.detach().abs().contiguous().toDoubleArray(), y = b.detach().abs().contiguous().toDoubleArray();
        int per = x.length / n;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += RankCorrelation.spearman(java.util.Arrays.copyOfRange(x, i * per, (i + 1) * per), java.util.Arrays.copyOfRange(y, i * per, (i + 1) * per));
        }
        return sum / n;
    }
}
