package dev.myelin.tensor;

import dev.myelin.autograd.NoGrad;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
        walk(output, gradient, Tensor::requiresGrad, (t, g, owned) -> {
            if (t.gradFn() != null) return false;
            if (owned && t.adoptGrad(g)) return true; // nothing else holds g: the leaf takes it without a copy
            t.accumulateGrad(g);
            return false;
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
        walk(output, gradient, relevant::containsKey, (t, g, owned) -> {
            Integer slot = targets.get(t);
            if (slot != null) result[slot] = g;
            return slot != null;
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

    /** What the walk does with a tensor that a gradient reached; returns true when it keeps {@code g}. */
    @FunctionalInterface
    private interface Reached {
        /** {@code owned}: the walk allocated {@code g} and nothing else holds it (it may be kept without a copy). */
        boolean accept(Tensor t, Tensor g, boolean owned);
    }

    /**
     * The one backward walk: from the output down in reverse topological order, over the tensors
     * {@code follow} accepts. Each such tensor that a gradient reached is handed to {@code reached} with its
     * total gradient, then its node's rule runs (told which inputs are followed), the input gradients are
     * summed per input, and the node is freed. Rules run with recording off.
     *
     * <p>Memory: a second contribution to an input's gradient is added in place into the first when the walk
     * owns the first (see {@link Ownership}), and a gradient the walk owns goes to {@link BufferPool} once its rule
     * has run and nothing holds it.
     */
    private static void walk(Tensor output, Tensor gradient, Predicate<Tensor> follow, Reached reached) {
        List<Tensor> order = topologicalOrder(output);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        long outerWalk = BufferPool.beginWalk();
        Ownership own = new Ownership(BufferPool.currentWalk(), gradient);
        grads.put(output, gradient);
        own.hold(gradient);
        BufferPool.Scope step = BufferPool.rootScope(); // a step scope releases the activations seen here when it closes
        try (var scope = NoGrad.scope()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                // Dropped from the order as it is reached: once its node has run, nothing here holds the tensor (its
                // consumers' nodes ran and were freed before it), so its storage can go while backward goes on.
                Tensor t = order.set(i, null);
                Tensor g = grads.remove(t);
                if (g == null) continue; // not on a path from the output
                own.drop(g);
                if (!follow.test(t)) { // not wanted
                    own.recycle(g);
                    continue;
                }
                if (reached.accept(t, g, own.owned(g))) own.pin(g);
                Node node = t.gradFn();
                if (node == null) {
                    own.recycle(g);
                    continue;
                }
                runNode(node, t, g, output, grads, own, follow, step);
                node.release();
                own.recycle(g);
            }
        } finally {
            BufferPool.endWalk(outerWalk);
        }
    }

    /**
     * One node of {@link #walk}: its rule, run with the gradient {@code g} that reached {@code t}, and the input
     * gradients summed into {@code grads}; then, in a step scope, what the node no longer needs goes back to the pool.
     * A method of its own (over C2's inlining size, so compiled apart), not the walk's loop body: as the body, the
     * JIT compiled the whole walk at each on-stack replacement of its loop and again by call count, 2-5 C2 compiles
     * of 55-96 kB taking 0.67-1.67 s of C2 in a GAN's first 10 s on 2 cores, while training waited for C2's queue;
     * now one compile of this method, 63-75 ms (JFR `jdk.Compilation`, `bench warmup --model gan`, Zen 4, 2026-12-07).
     */
    private static void runNode(Node node, Tensor t, Tensor g, Tensor output, Map<Tensor, Tensor> grads, Ownership own,
                                Predicate<Tensor> follow, BufferPool.Scope step) {
        Tensor[] inputs = node.inputs();
        boolean[] needed = new boolean[inputs.length];
        for (int k = 0; k < inputs.length; k++) needed[k] = follow.test(inputs[k]);
        Tensor[] inputGrads = node.apply(g, needed);
        if (node.foreignRule()) own.pin(g); // a hand-written rule may have kept its gradient
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            Tensor gi = inputGrads[k];
            if (gi == null || !needed[k]) continue;
            if (!gi.shape().equals(in.shape())) {
                throw new IllegalStateException("gradient rule of '" + node.op() + "' returned shape " + gi.shape()
                        + " for an input of shape " + in.shape());
            }
            if (node.foreignRule()) own.pin(gi);
            Tensor previous = grads.get(in);
            if (previous == null) {
                grads.put(in, gi);
                own.hold(gi);
            } else if (own.soleHolder(previous) && previous.dtype() == gi.dtype()) {
                previous.addInPlace(gi); // same sum, no new array: only this entry holds previous
                own.recycle(gi);
            } else {
                Tensor sum = previous.add(gi);
                grads.put(in, sum);
                own.hold(sum);
                own.drop(previous);
                own.recycle(previous);
                own.recycle(gi);
            }
        }
        if (step != null) {
            // t's consumers ran before it (reverse topological order): it goes back now, so the peak of a
            // step stays that of backward without the scope. What needs no gradient (a dropout mask, a
            // constant) may be read by a node still to run: it waits for the end of the step.
            if (t != output) BufferPool.releaseWalked(step, t);
            for (Tensor in : inputs) if (!in.requiresGrad()) BufferPool.offerAtClose(step, in);
            for (Tensor sv : node.saved()) if (!sv.requiresGrad()) BufferPool.offerAtClose(step, sv);
        }
    }

    /**
     * Which gradients one walk may reuse: those it allocated itself ({@link BufferPool#exclusiveTo}: one tensor ever
     * on the storage), counted in its map of pending gradients, never the caller's seed, nor one that was kept
     * (a leaf's gradient, a requested result) or passed through a hand-written rule (pinned).
     */
    private static final class Ownership {
        private final long walk;
        private final Tensor seed;
        private final Map<Tensor, int[]> entries = new IdentityHashMap<>();
        private final Map<Tensor, Boolean> pinned = new IdentityHashMap<>();

        Ownership(long walk, Tensor seed) {
            this.walk = walk;
            this.seed = seed;
        }

        void hold(Tensor g) {
            entries.computeIfAbsent(g, k -> new int[1])[0]++;
        }

        void drop(Tensor g) {
            int[] n = entries.get(g);
            if (n != null && --n[0] == 0) entries.remove(g);
        }

        void pin(Tensor g) {
            pinned.put(g, Boolean.TRUE);
        }

        /** Allocated by this walk, and held by nothing: no entry, not kept, not seen by a hand-written rule. */
        boolean owned(Tensor g) {
            return g != seed && !entries.containsKey(g) && !pinned.containsKey(g) && BufferPool.exclusiveTo(g, walk);
        }

        /** Held by exactly one pending entry and by nothing else, so it may be written in place. */
        boolean soleHolder(Tensor g) {
            int[] n = entries.get(g);
            return n != null && n[0] == 1 && g != seed && !pinned.containsKey(g) && BufferPool.exclusiveTo(g, walk);
        }

        void recycle(Tensor g) {
            if (owned(g)) BufferPool.recycle(g, walk);
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
