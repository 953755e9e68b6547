package dev.myelin.autograd;

/**
 * A scope in which operations are not recorded for backpropagation: inference, optimizer updates,
 * metrics. Scopes nest and restore the previous mode on close.
 *
 * <pre>{@code
 * try (var scope = NoGrad.scope()) {
 *     Tensor logits = model.call(x, false);
 * }
 * }</pre>
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        previous = GradMode.set(false);
    }

    /** Turns recording off on this thread until {@link #close()}. */
    public static NoGrad scope() {
        return new NoGrad();
    }

    @Override
    public void close() {
        GradMode.set(previous);
    }
}
