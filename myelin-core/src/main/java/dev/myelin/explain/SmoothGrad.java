package dev.myelin.explain;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * SmoothGrad (Smilkov et al. 2017): the saliency map averaged over noisy copies of the input,
 * <pre>  M(x) = (1/N) Σ_{j=1..N} S(x + ε_j),   ε_j ~ Normal(0, σ²),   σ = noiseFraction · (max(x) − min(x))</pre>
 * where {@code S} is {@link Saliency}'s map (the gradient's magnitude, the maximum over channels for images;
 * Captum's {@code NoiseTunnel(Saliency)} averages the same magnitudes) and the range is each example's own.
 * The paper finds σ between 10% and 20% of the range best.
 *
 * <p>Noise is seeded per example ({@code seed} and the example's index in the whole input), so the result
 * is repeatable and does not depend on the batch size. One forward and one backward pass per sample and batch.
 *
 * @param samples       N, at least 1
 * @param noiseFraction σ as a fraction of each example's value range, {@code >= 0}
 * @param seed          the noise's seed
 */
public record SmoothGrad(int samples, double noiseFraction, long seed) implements AttributionMethod {
    /** The paper's defaults: 50 samples, σ = 15% of the range, seed 0. */
    public SmoothGrad() {
        this(50, 0.15, 0);
    }

    public SmoothGrad {
        if (samples < 1) throw new IllegalArgumentException("SmoothGrad: samples must be >= 1, got " + samples);
        if (!(noiseFraction >= 0) || Double.isInfinite(noiseFraction)) throw new IllegalArgumentException("SmoothGrad: noiseFraction must be finite and >= 0, got " + noiseFraction);
    }

    @Override
    public String name() {
        return "smoothgrad";
    }

    @Override
    public Attribution explainBatch(Model model, Tensor x, Target target, int offset) {
        Tensor input = x.detach().contiguous();
        int n = input.dim(0);
        int[] targets = target.resolve(Scores.values(model, input), offset);
        double[] sigma = new double[n];
        List<RandomGenerator> rngs = new ArrayList<>();
        int[] one = input.shape().toArray();
        one[0] = 1;
        for (int i = 0; i < n; i++) {
            Tensor row = input.slice(0, i, i + 1);
            sigma[i] = noiseFraction * (row.max().item() - row.min().item());
            rngs.add(RandomGeneratorFactory.of("L64X128MixRandom").create(seed * 1_000_003L + offset + i));
        }
        Tensor sum = null;
        for (int s = 0; s < samples; s++) {
            List<Tensor> noise = new ArrayList<>(n);
            for (int i = 0; i < n; i++) noise.add(Tensor.normal(rngs.get(i), 0, sigma[i], one));
            Tensor noisy = input.add(Tensor.concat(noise, 0));
            Tensor map = Saliency.magnitude(InputGradient.of(model, noisy, targets).gradient());
            sum = sum == null ? map : sum.add(map);
        }
        return new Attribution(sum.div(samples), targets);
    }
}
