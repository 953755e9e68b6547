package dev.myelin.tensor;


/**
 * The gradient rule of one recorded operation: given the gradient of the loss with respect to the
 * operation's output, returns the gradient with respect to each input, in input order ({@code null}
 * for an input that gets none). Each returned gradient has its input's shape.
 */
@FunctionalInterface
public interface Backward {
    Tensor[] apply(Tensor gradOutput);

    /**
     * The same, told which inputs need a gradient ({@code needed[k]}; PyTorch's {@code needs_input_grad}):
     * a rule may skip the work for the others and return null there. By default it computes them all.
     */
    default Tensor[] apply(Tensor gradOutput, boolean[] needed) {
        return apply(gradOutput);
    }
}
