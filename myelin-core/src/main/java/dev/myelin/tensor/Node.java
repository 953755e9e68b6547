package dev.myelin.tensor;


/**
 * One recorded operation in the autograd graph: its name, inputs, gradient rule, and the tensors the
 * rule reads later (with their storage versions, so that an in-place change in between is detected).
 */
public final class Node {
    private final String op;
    private Tensor[] inputs;
    private Backward backward;
    private Tensor[] saved;
    private final int[] savedVersions;
    private boolean foreignRule;

    Node(String op, Backward backward, Tensor[] inputs, Tensor[] saved) {
        this.op = op;
        this.backward = backward;
        this.inputs = inputs;
        this.saved = saved;
        this.savedVersions = new int[saved.length];
        for (int i = 0; i < saved.length; i++) savedVersions[i] = saved[i].version();
    }

    /** The operation's name, such as {@code "matmul"}. */
    public String op() {
        return op;
    }

    /** The operation's inputs (empty once the graph has been freed). */
    public Tensor[] inputs() {
        return inputs;
    }

    /** Marks the rule as written outside this package ({@link Tensor#fusedResult}): it may keep what it is given. */
    void markForeignRule() {
        foreignRule = true;
    }

    boolean foreignRule() {
        return foreignRule;
    }

    boolean released() {
        return backward == null;
    }

    Tensor[] apply(Tensor gradOutput) {
        return apply(gradOutput, null);
    }

    /** Runs the rule; {@code needed} (or null for all) says which inputs need a gradient. */
    Tensor[] apply(Tensor gradOutput, boolean[] needed) {
        if (backward == null) {
            throw new IllegalStateException("cannot backward through '" + op + "' a second time: the graph was freed"
                    + " by the first backward(); run the forward pass again");
        }
        for (int i = 0; i < saved.length; i++) {
            if (saved[i].version() != savedVersions[i]) {
                throw new IllegalStateException("a tensor of shape " + saved[i].shape() + " needed to compute the gradient of '"
                        + op + "' was modified by an in-place operation after it was used (version "
                        + savedVersions[i] + " -> " + saved[i].version() + ")");
            }
        }
        return needed == null ? backward.apply(gradOutput) : backward.apply(gradOutput, needed);
    }

    /** The tensors the rule reads later (empty once the graph has been freed). */
    Tensor[] saved() {
        return saved;
    }

    /** Drops the rule and the references it holds, so memory is freed after backward. */
    void release() {
        backward = null;
        saved = new Tensor[0];
        inputs = new Tensor[0];
    }

    @Override
    public String toString() {
        return "Node[" + op + "]";
    }
}
