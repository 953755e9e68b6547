package dev.myelin.tensor;

import dev.myelin.autograd.NoGrad;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Reverse-mode automatic differentiation, recorded eagerly.
 *
 * <p>How it works: every operation whose inputs require gradients returns a tensor holding a {@link Node}
 * with the inputs and a {@link Backward} rule (all rules live in {@code Derivatives}). {@link Tensor#backward}
 * orders the graph below the output topologically, then walks it from the output down, calling each
 * rule with the gradient that reached its output and adding what it returns into the gradients of its
 * inputs — so a tensor used twice receives both contributions. Leaves that require gradients accumulate
 * into {@link Tensor#grad()}; intermediate gradients are dropped. The rules run with recording off,
 * and each node is freed once used, with the tensors it saved for its rule; the walk lets go of each
 * intermediate tensor once its rule has run, so activations become collectable during backward, not after it.
 */
public final class Graph {
    private Graph() {}

    /**
     * Backpropagates {@code gradient} (shape of {@code output}) from {@code output} to every leaf that
     * requires a gradient ({@link Tensor#backward}).
     */
    static void backward(Tensor output, Tensor gradient) {
        if (!output.requiresGrad()) {
            throw new IllegalStateException("backward() called on a tensor that does not require grad: no input of the"
                    + " computation had requiresGrad(true), or it ran inside NoGrad");
        }
        checkShape(output, gradient);
        walk(output, gradient, Tensor::requiresGrad, (t, g) -> {
            if (t.gradFn() == null) t.accumulateGrad(g);
        });
    }

    /**
     * The gradients of {@code output} (a scalar, seeded with 1, or any shape with {@code gradient}) with
     * respect to each tensor of {@code wrt}, in order, without touching any {@link Tensor#grad()}: nothing
     * accumulates, so several losses over shared weights (a GAN's discriminator seen from the generator's
     * loss) never mix. An entry is null when {@code output} does not depend on that tensor.
     *
     * <p>Only the part of the graph between {@code output} and {@code wrt} is differentiated: a node whose
     * output does not lead to any tensor of {@code wrt} is skipped (its rule never runs), so asking for the
     * generator's weights does not differentiate the discriminator's own weight branches further down, and
     * asking for the discriminator's weights never enters a generator graph that was not detached. Nodes
     * that ran are freed, as after {@link Tensor#backward}.
     *
     * <p>Example: {@code List<Tensor> g = Graph.gradients(loss, Tensor.scalar(1), List.of(w, b));}
     */
    public static List<Tensor> gradients(Tensor output, Tensor gradient, List<Tensor> wrt) {
        if (!output.requiresGrad()) {
            throw new IllegalStateException("gradients: the output does not require grad (no input of the computation had"
                    + " requiresGrad(true), or it ran inside NoGrad)");
        }
        checkShape(output, gradient);
        Map<Tensor, Integer> targets = new IdentityHashMap<>();
        for (int i = 0; i < wrt.size(); i++) targets.putIfAbsent(wrt.get(i), i);
        Map<Tensor, Boolean> relevant = new IdentityHashMap<>();
        for (Tensor t : topologicalOrder(output)) { // inputs come first, so one pass marks every tensor that leads to a target
            boolean r = targets.containsKey(t);
            Node node = t.gradFn();
            if (!r && node != null) for (Tensor in : node.inputs()) r |= relevant.containsKey(in);
            if (r) relevant.put(t, Boolean.TRUE);
        }
        Tensor[] result = new Tensor[wrt.size()];
        walk(output, gradient, relevant::containsKey, (t, g) -> {
            Integer slot = targets.get(t);
            if (slot != null) result[slot] = g;
        });
        List<Tensor> out = new ArrayList<>(wrt.size());
        for (int i = 0; i < wrt.size(); i++) out.add(result[targets.get(wrt.get(i))]);
        return out;
    }

    private static void checkShape(Tensor output, Tensor gradient) {
        if (!gradient.shape().equals(output.shape())) {
            throw new IllegalArgumentException("gradient shape " + gradient.shape() + " does not match output shape " + output.shape());
        }
    }

    /**
     * The one backward walk: from the output down in reverse topological order, over the tensors
     * {@code follow} accepts. Each such tensor that a gradient reached is handed to {@code reached} with its
     * total gradient, then its node's rule runs (told which inputs are followed), the input gradients are
     * summed per input, and the node is freed. Rules run with recording off.
     */
    private static void walk(Tensor output, Tensor gradient, Predicate<Tensor> follow, BiConsumer<Tensor, Tensor> reached) {
        List<Tensor> order = topologicalOrder(output);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(output, gradient);
        try (var scope = NoGrad.scope()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                // Dropped from the order as it is reached: once its node has run, nothing here holds the tensor (its
                // consumers' nodes ran and were freed before it), so its storage can go while backward goes on.
                Tensor t = order.set(i, null);
                Tensor g = grads.remove(t);
                if (g == null || !follow.test(t)) continue; // not on a path from the output, or not wanted
                reached.accept(t, g);
                Node node = t.gradFn();
                if (node == null) continue;
                Tensor[] inputs = node.inputs();
                boolean[] needed = new boolean[inputs.length];
                for (int k = 0; k < inputs.length; k++) needed[k] = follow.test(inputs[k]);
                Tensor[] inputGrads = node.apply(g, needed);
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    Tensor gi = inputGrads[k];
                    if (gi == null || !needed[k]) continue;
                    if (!gi.shape().equals(in.shape())) {
                        throw new IllegalStateException("gradient rule of '" + node.op() + "' returned shape " + gi.shape()
                                + " for an input of shape " + in.shape());
                    }
                    Tensor previous = grads.get(in);
                    grads.put(in, previous == null ? gi : previous.add(gi));
                }
                node.release();
            }
        }
    }

    /** Tensors that {@code output} depends on through recorded nodes, inputs before outputs. */
    private static List<Tensor> topologicalOrder(Tensor output) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        // Iterative depth-first search: long graphs (unrolled recurrent nets) would overflow the stack.
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {output, 0});
        visited.put(output, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradFn();
            if (node != null && node.released()) {
                throw new IllegalStateException("cannot backward through '" + node.op() + "' a second time: the graph was"
                        + " freed by the first backward(); run the forward pass again");
            }
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in.requiresGrad() && visited.put(in, Boolean.TRUE) == null) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
