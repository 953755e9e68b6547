package dev.myelin.privacy;

import dev.myelin.autograd.NoGrad;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * DP-SGD's gradient transform (Abadi et al. 2016, Algorithm 1), between the per-example gradients and any
 * optimizer:
 * <pre>
 *   ĝᵢ = gᵢ · min(1, C / (‖gᵢ‖ + 10⁻⁶))        each example's gradient (all weights together) clipped to norm C
 *   g̃  = (Σᵢ ĝᵢ + N(0, σ²C² I)) / L            summed, noised, divided by the EXPECTED batch size L = qN
 * </pre>
 * ({@code 10⁻⁶} and the division by the expected rather than the drawn batch size are Opacus's: the
 * drawn size of a Poisson batch would itself reveal whether an example took part). With {@code σ = 0} and
 * {@code C = ∞} on a batch of exactly {@code L} examples, {@code g̃} is the ordinary mean gradient.
 */
public final class DPSGD {
    private final double clipNorm;
    private final double noiseMultiplier;
    private final RandomGenerator rng;

    /**
     * @param clipNorm        {@code C} (positive; infinity: no clipping)
     * @param noiseMultiplier {@code σ} (>= 0)
     * @param rng             the noise's source
     */
    public DPSGD(double clipNorm, double noiseMultiplier, RandomGenerator rng) {
        if (!(clipNorm > 0)) throw new IllegalArgumentException("clip norm must be positive, got " + clipNorm);
        if (!(noiseMultiplier >= 0)) throw new IllegalArgumentException("noise multiplier must be >= 0, got " + noiseMultiplier);
        this.clipNorm = clipNorm;
        this.noiseMultiplier = noiseMultiplier;
        this.rng = rng;
    }

    /** {@code min(1, C / (‖gᵢ‖ + 10⁻⁶))} for each example, from the squared norms {@code [batch]}. */
    public Tensor clipFactors(Tensor squaredNorms) {
        try (var g = NoGrad.scope()) {
            return Tensor.scalar(squaredNorms.dtype(), clipNorm).div(squaredNorms.sqrt().add(1e-6)).clamp(0, 1);
        }
    }

    /** The privatized gradient {@code g̃} of every trainable weight, in {@link PerExampleGradients#parameters()} order. */
    public List<Tensor> privatize(PerExampleGradients grads, double expectedBatchSize) {
        Tensor factors = clipFactors(grads.squaredNorms());
        List<Tensor> out = new ArrayList<>();
        try (var g = NoGrad.scope()) {
            for (Parameter p : grads.parameters()) out.add(grads.weightedSum(p, factors).add(noise(p.value().shape(), p)).div(expectedBatchSize));
        }
        return out;
    }

    /** The gradient of a step whose Poisson batch came out empty: the noise alone, over {@code L}. */
    public List<Tensor> noiseOnly(List<Parameter> parameters, double expectedBatchSize) {
        List<Tensor> out = new ArrayList<>();
        try (var g = NoGrad.scope()) {
            for (Parameter p : parameters) out.add(noise(p.value().shape(), p).div(expectedBatchSize));
        }
        return out;
    }

    /** {@code N(0, σ²C²)} for each element, in the weight's dtype (zeros when σ = 0). */
    private Tensor noise(Shape shape, Parameter p) {
        if (noiseMultiplier == 0) return Tensor.zeros(p.value().dtype(), shape);
        double std = noiseMultiplier * clipNorm;
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) v[i] = std * rng.nextGaussian();
        return Tensor.of(v, shape.toArray()).to(p.value().dtype());
    }
}
