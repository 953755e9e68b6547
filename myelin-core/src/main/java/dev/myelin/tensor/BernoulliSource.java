package dev.myelin.tensor;

/**
 * A random generator that draws a whole Bernoulli mask in one call, with exactly the values and the end state of
 * drawing it element by element ({@code out[i] = nextDouble() < p ? value : 0}, i in order): the generator's state
 * stays in registers over the loop instead of going through its fields once per draw. {@link Tensor#bernoulliScaled}
 * uses it when its generator offers it (Dropout's mask, whose draw is on the training step's critical path).
 *
 * <p>Example: {@code RandomStream.seeded(7).fillBernoulli(mask, 0, mask.length, 0.7, 1 / 0.7f)}.
 */
public interface BernoulliSource {
    /** Sets {@code out[i]} for i in {@code [from, to)}, in order: {@code value} when the next double is below p, else 0. */
    void fillBernoulli(float[] out, int from, int to, double p, float value);
}
