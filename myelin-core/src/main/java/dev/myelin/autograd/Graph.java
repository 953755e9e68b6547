package dev.myelin.autograd;

import dev.myelin.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode automatic differentiation, recorded eagerly.
 *
 * <p>How it works: every operation whose inputs require gradients returns a tensor holding a {@link Node}
 * with the inputs and a {@link Backward} rule (all rules live in {@link Derivatives}). {@link #backward}
 * orders the graph below the output topologically, then walks it from the output down, calling each
 * rule with the gradient that reached its output and adding what it returns into the gradients of its
 * inputs — so a tensor used twice receives both contributions. Leaves that require gradients accumulate
 * into {@link Tensor#grad()}; intermediate gradients are dropped. The rules run with recording off,
 * and each node is freed once used, so the graph's memory goes away after one backward pass.
 */
public final class Graph {
    private Graph() {}

    /**
     * Backpropagates {@code gradient} (shape of {@code output}) from {@code output} to every leaf that
     * requires a gradient.
     */
    public static void backward(Tensor output, Tensor gradient) {
        if (!output.requiresGrad()) {
            throw new IllegalStateException("backward() called on a tensor that does not require grad: no input of the"
                    + " computation had requiresGrad(true), or it ran inside NoGrad");
        }
        if (!gradient.shape().equals(output.shape())) {
            throw new IllegalArgumentException("gradient shape " + gradient.shape() + " does not match output shape " + output.shape());
        }
        List<Tensor> order = topologicalOrder(output);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(output, gradient);
        try (var scope = NoGrad.scope()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                Node node = t.gradFn();
                if (node == null) {
                    if (g != null) t.accumulateGrad(g);
                    continue;
                }
                if (g == null) continue; // not on a path from the output
                Tensor[] inputs = node.inputs();
                Tensor[] inputGrads = node.apply(g);
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    Tensor gi = inputGrads[k];
                    if (gi == null || !in.requiresGrad()) continue;
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
