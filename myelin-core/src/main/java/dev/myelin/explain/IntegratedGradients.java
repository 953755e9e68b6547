package dev.myelin.explain;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;

/**
 * Integrated Gradients (Sundararajan, Taly and Yan 2017): the gradient integrated along the straight path
 * from a baseline {@code x'} to the input,
 * <pre>  IG_i(x) = (x_i − x'_i) · ∫_0^1 ∂F(x' + α (x − x')) / ∂x_i dα  ≈  (x_i − x'_i) · Σ_j w_j ∂F(x' + α_j (x − x'))/∂x_i</pre>
 * with the nodes and weights of a {@link Quadrature} ({@code steps} points; Captum's defaults: 50 points of
 * Gauss–Legendre). The attributions are signed, in the input's shape.
 *
 * <p><b>Completeness.</b> The exact integral satisfies {@code Σ_i IG_i(x) = F(x) − F(x')}; each example's
 * error of the quadrature, {@code Σ_i IG_i − (F(x) − F(x'))}, is returned in
 * {@link Attribution#completenessErrors()} (Captum's {@code convergence_delta}); a large error asks for more steps.
 * On ReLU networks the integrand jumps where a unit switches on along the path, and the error then falls
 * only as {@code 1/steps}; with zero biases and a zero baseline no unit switches (pre-activations are
 * {@code α·(w·x)}) but every one starts on the kink at {@code α = 0}, which the trapezoid rule samples
 * (gradient 0 there) and Gauss–Legendre does not.
 *
 * <p>Cost: two forward passes (input and baseline) and one forward and backward pass per step and batch.
 * The target is resolved on the input ({@link Target#predicted()}: the input's class) and held along the
 * path. See {@link AttributionMethod} for the score {@code F}.
 *
 * @param steps      the number of points of the rule
 * @param quadrature the rule
 * @param baseline   {@code x'}: null for zeros (the black image), else a tensor of one example's shape
 *                   (without the batch axis), the same for every example
 */
public record IntegratedGradients(int steps, Quadrature quadrature, Tensor baseline) implements AttributionMethod {
    /** Captum's defaults: 50 steps of Gauss–Legendre from a zero baseline. */
    public IntegratedGradients() {
        this(50, Quadrature.GAUSS_LEGENDRE, null);
    }

    /** {@code steps} points of {@code quadrature} from a zero baseline. */
    public IntegratedGradients(int steps, Quadrature quadrature) {
        this(steps, quadrature, null);
    }

    public IntegratedGradients {
        quadrature.nodesAndWeights(steps); // checks the step count
    }

    @Override
    public String name() {
        return "integrated-gradients";
    }

    @Override
    public Attribution explainBatch(Model model, Tensor x, Target target, int offset) {
        Tensor input = x.detach().contiguous();
        Tensor base = baselineFor(input);
        int[] targets = target.resolve(Scores.values(model, input), offset);
        Tensor delta = input.sub(base);
        double[][] rule = quadrature.nodesAndWeights(steps);
        Tensor integral = null;
        for (int j = 0; j < steps; j++) {
            Tensor point = base.add(delta.mul(rule[0][j]));
            Tensor g = InputGradient.of(model, point, targets).gradient().mul(rule[1][j]);
            integral = integral == null ? g : integral.add(g);
        }
        Tensor attributions = delta.mul(integral);
        double[] fx = Scores.selectedValues(model, input, targets), fb = Scores.selectedValues(model, base, targets);
        int n = input.dim(0);
        double[] sums = attributions.reshape(n, -1).sum(1).toDoubleArray();
        double[] errors = new double[n];
        for (int i = 0; i < n; i++) errors[i] = sums[i] - (fx[i] - fb[i]);
        return new Attribution(attributions, targets, errors);
    }

    /** The baseline as a batch of {@code input}'s shape. */
    private Tensor baselineFor(Tensor input) {
        if (baseline == null) return Tensor.zerosLike(input);
        int[] want = input.shape().toArray();
        int[] one = want.clone();
        one[0] = 1;
        if (baseline.rank() == want.length - 1) {
            boolean same = true;
            for (int d = 1; d < want.length; d++) same &= baseline.dim(d - 1) == want[d];
            if (same) return baseline.detach().reshape(one).expand(want).contiguous();
        }
        throw new IllegalArgumentException("IntegratedGradients: the baseline " + baseline.shape() + " is not one example's shape; the input is " + input.shape());
    }
}
