package dev.myelin.tensor;

import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.Storage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reuses the float32 arrays of gradients that a backward pass has finished with, so the next step's results
 * of the same sizes do not each cost a fresh allocation: a multi-megabyte {@code new float[]} is a G1 "humongous"
 * allocation that is zeroed and collected on its own (about 1 ms for 3.2 MB on a 2-core AMD EPYC), and the garbage
 * it leaves is what grows the heap.
 *
 * <p>What goes in: only arrays proven dead. The backward walk ({@link Graph}) hands back the array of an
 * intermediate gradient once its rule has run, when that gradient was allocated by this very walk, only one tensor
 * was ever made on its storage (no view, reshape or {@code detach()} shares it), no other entry of the walk holds
 * it, the walk does not keep it (a leaf's gradient, a {@code Graph.gradients} result), and no hand-written rule
 * ({@link Tensor#fusedResult}) saw it. The storage it leaves becomes unusable ({@link FloatStorage#surrender}), so a
 * stale reference throws instead of reading another tensor's values.
 *
 * <p>Activations go in only inside a {@link Scope}: a step of the library's own loops ({@code Model.trainStep},
 * {@code GAN.trainStep}, the forward of a model run without recording a graph), where no user code can hold an
 * intermediate. Storages allocated on the thread while a scope is open carry its id; an activation goes back when
 * its storage is exclusive to the scope (allocated in it, only one tensor ever made on it, not {@link #keep kept}:
 * a weight or a layer's state) and the code that opened the scope has proven it dead:
 * <ul>
 *   <li>without a graph ({@code Model.call} under {@code NoGrad}), at once ({@link #releaseActivation}): a layer's
 *   output after the last layer that reads it has run, unless it is a model input or output, another value of the
 *   pass (a layer that returns its input), the logits a live softmax remembers, or was seen by a layer that is not
 *   the library's own (user code may keep it);</li>
 *   <li>in a training step, during backward: a recorded result as soon as the walk has run its rule (every rule
 *   that reads it ran before, in reverse topological order), except the walk's output ({@link #releaseWalked});
 *   what needs no gradient and a node saved or read (a dropout mask, a constant made in the step) when the scope
 *   closes, after the optimizer update and the metrics ({@link #offerAtClose}), since a node still to run may read
 *   it. A step that reads its predictions after backward (metrics) detaches them first (a second tensor on the
 *   storage keeps it), and reads its loss value before. One backward walk per graph: a second walk over tensors the
 *   first passed throws.</li>
 * </ul>
 * A custom training loop opens no scope and pools gradients only, as before; it may open one around its own step
 * when nothing it keeps across steps comes from the graph. A released storage throws on every later access, naming
 * the pool, instead of reading another tensor's values. {@code -Dmyelin.pool.activations=false} keeps activations
 * out (gradients still go back).
 *
 * <p>A leaf's gradient goes in when {@link Tensor#zeroGrad} clears it and no code ever read it ({@link Tensor#grad()}
 * never returned it: an input's gradient that a loop makes and drops), as PyTorch frees {@code x.grad = None} when
 * nothing else holds it; a gradient an optimizer or user code read stays with whoever holds it.
 *
 * <p>Results user code holds go in when it says so ({@link #release(Tensor)}, for a loop of single calls such as an
 * inference loop over one layer): only when nothing else can reach the array (the library allocated it for that
 * result, no other tensor was made on it, no recorded operation or remembered logits read it, not kept).
 *
 * <p>What comes out: arrays of exactly the length asked for (training repeats the same shapes every step), handed
 * to one new tensor each, zero-filled unless the operation writes every element. Arrays below
 * 2^18 elements (1 MB) are left to the JVM (see {@code DEFAULT_MIN_ELEMENTS}).
 * The pool holds at most {@link #limitBytes()} bytes (an eighth of the maximum heap, at most 256 MB; system property
 * {@code myelin.pool.mb}); what does not fit is left to the garbage collector. {@code -Dmyelin.pool=false} turns it off
 * (results are bit-identical either way: a reused array holds the same values a fresh one would).
 */
public final class BufferPool {
    /**
     * Arrays shorter than this (1 MB of float32) are left to the JVM. Measured on `bench cnn`: pooling from 16 kB up
     * cut the bytes allocated per step by 42% but made steps slower (GC 12% of the time, against 1%), because a pooled
     * array that is not "humongous" lives in the young generation and each young collection copies it; from G1's
     * humongous size up (half a region: 1 MB for heaps up to 4 GB) an array is never copied, and its fresh allocation
     * is the expensive kind. (The {@code myelin} command sets 32 MB regions, where arrays up to 16 MB are ordinary young
     * objects: a pooled one is copied by a few young collections, then promoted, and `bench cnn` measured the same or
     * faster steps than under 2 MB regions.)
     */
    static final int DEFAULT_MIN_ELEMENTS = 1 << 18;

    private static volatile int minElements = DEFAULT_MIN_ELEMENTS;

    private static volatile boolean enabled = !"false".equalsIgnoreCase(System.getProperty("myelin.pool", "true"));
    private static volatile boolean activations = !"false".equalsIgnoreCase(System.getProperty("myelin.pool.activations", "true"));
    private static volatile boolean inference = !"false".equalsIgnoreCase(System.getProperty("myelin.pool.inference", "true"));
    private static volatile long limitBytes = defaultLimit();
    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    private static long heldBytes; // guarded by FREE
    private static final AtomicLong WALKS = new AtomicLong();
    private static final AtomicLong SCOPES = new AtomicLong();
    /** The backward walk running and the step scope open on each thread: one lookup per allocation. */
    private static final ThreadLocal<ThreadState> CURRENT = ThreadLocal.withInitial(ThreadState::new);

    private static final class ThreadState {
        long walk;
        Scope scope;
    }

    private BufferPool() {}

    private static long defaultLimit() {
        String mb = System.getProperty("myelin.pool.mb");
        if (mb != null) return Long.parseLong(mb.trim()) << 20;
        long max = Runtime.getRuntime().maxMemory();
        return Math.min(max == Long.MAX_VALUE ? 1L << 30 : max / 8, 256L << 20);
    }

    /** Whether released gradient arrays are reused. */
    public static boolean enabled() {
        return enabled;
    }

    /** Turns reuse on or off (off empties the pool); {@code -Dmyelin.pool=false} sets it off from the start. */
    public static void setEnabled(boolean on) {
        enabled = on;
        if (!on) clear();
    }

    /** Whether step scopes hand activations back (gradients go back either way while the pool is on). */
    public static boolean activationsEnabled() {
        return activations;
    }

    /**
     * Turns the release of activations by step scopes on or off; {@code -Dmyelin.pool.activations=false} sets it off
     * from the start (results are bit-identical either way).
     */
    public static void setActivationsEnabled(boolean on) {
        activations = on;
    }

    /**
     * Whether forward passes without a graph ({@code Model.call} under NoGrad: {@code predict}, {@code evaluate}) hand
     * their dead layer outputs back too. On by default since those passes run at most 128 rows at once
     * ({@code myelin.inference.rows}) and the {@code myelin} command sets 32 MB G1 regions: measured interleaved in
     * one lock hold (2-core AMD EPYC Zen 4, 3 pairs), `bench cnn` (full epoch, evaluation at batch 1000) peaked at
     * 804-814 MB with it against 814-818 MB without, same accuracy; the seed models' inference at batch 128
     * ({@code bench models}): CNN C +7-18% and LSTM +3-20% in every pair, CNN +42-45% in two pairs and -17% in the
     * third, MLP and GAN unchanged (their arrays are below the pool's floor), peak RSS the same or lower. (Before the 128-row chunks, an evaluation at batch 1000 had activations of
     * 25-100 MB, G1 "humongous" objects, and pooled they took `bench cnn` to 1.9-2.9 GB of RSS against 0.9-1.3 GB.)
     * {@code -Dmyelin.pool.inference=false} sets it off from the start.
     */
    public static boolean inferenceReuseEnabled() {
        return inference;
    }

    /** Turns the release of layer outputs by graph-free forward passes on or off (see {@link #inferenceReuseEnabled}). */
    public static void setInferenceReuseEnabled(boolean on) {
        inference = on;
    }

    /** The most bytes the pool holds at once. */
    public static long limitBytes() {
        return limitBytes;
    }

    /** Sets the most bytes the pool holds (0 keeps nothing); arrays over the new bound are dropped. */
    public static void setLimitBytes(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("limitBytes must be >= 0, got " + bytes);
        limitBytes = bytes;
        clear();
    }

    /** Bytes held now, waiting for reuse. */
    public static long heldBytes() {
        synchronized (FREE) {
            return heldBytes;
        }
    }

    /** Drops every held array (the garbage collector takes them). */
    public static void clear() {
        synchronized (FREE) {
            FREE.clear();
            heldBytes = 0;
        }
    }

    /** The smallest array length pooled (tests lower it to exercise the pool with small tensors). */
    static void setMinElements(int n) {
        minElements = n;
    }

    /**
     * Tests only: every array handed out without the zero fill (pooled or not) is first filled with NaN, so an
     * operation that allocates its result unzeroed but leaves an element unwritten shows it in its values.
     */
    static void setPoison(boolean on) {
        poison = on;
    }

    private static volatile boolean poison;

    /** A storage of {@code length} float32 elements from the pool (zero-filled when {@code zeroed}), or null if none waits. */
    static FloatStorage storage(int length, boolean zeroed) {
        if (!enabled || length < minElements) return null;
        float[] a;
        synchronized (FREE) {
            ArrayDeque<float[]> q = FREE.get(length);
            a = q == null ? null : q.pollLast();
            if (a != null) heldBytes -= (long) length * Float.BYTES;
        }
        if (a == null) {
            if (!poison || zeroed) return null;
            a = new float[length];
        }
        if (zeroed) Arrays.fill(a, 0f);
        else if (poison) Arrays.fill(a, Float.NaN);
        return new FloatStorage(a);
    }

    /** Keeps {@code a} for reuse when it is large enough and fits under the bound. */
    static void give(float[] a) {
        if (!enabled || a.length < minElements) return;
        long bytes = (long) a.length * Float.BYTES;
        synchronized (FREE) {
            if (heldBytes + bytes > limitBytes) return;
            FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
            heldBytes += bytes;
        }
    }

    /** Starts a backward walk on this thread: storages allocated until {@link #endWalk} carry its id. Returns the outer walk's id. */
    static long beginWalk() {
        ThreadState state = CURRENT.get();
        long outer = state.walk;
        state.walk = WALKS.incrementAndGet();
        return outer;
    }

    /** The id of the walk running on this thread (0 when none). */
    static long currentWalk() {
        return CURRENT.get().walk;
    }

    /** Ends the walk begun by {@link #beginWalk}, restoring the outer one (a rule may run a backward pass of its own). */
    static void endWalk(long outer) {
        CURRENT.get().walk = outer;
    }

    /** Stamps a storage just allocated with the walk running and the step scope open on this thread, if any. */
    static void stamp(Storage s) {
        if (!(s instanceof FloatStorage fs)) return;
        fs.markAllocated();
        ThreadState state = CURRENT.get();
        if (state.walk != 0) fs.markWalk(state.walk);
        if (state.scope != null) fs.markScope(state.scope.id);
    }

    /**
     * Opens a step scope on this thread (see the class comment): close it on the same thread, in a
     * try-with-resources. A scope opened inside another belongs to it: its storages carry the outer scope's id and
     * what it defers is released when the outer one closes.
     *
     * <p>Example, a custom step whose intermediates nobody keeps:
     * <pre>{@code
     * try (var step = BufferPool.scope()) {
     *     Tensor loss = lossFn.compute(y, model.call(x, true));
     *     loss.backward();
     *     optimizer.apply(model.trainableWeights());
     *     return loss.item();
     * } // the activations the backward walk saw go back to the pool here
     * }</pre>
     */
    public static Scope scope() {
        ThreadState state = CURRENT.get();
        Scope scope = state.scope == null ? new Scope(SCOPES.incrementAndGet(), null) : new Scope(state.scope.id, state.scope);
        state.scope = scope;
        return scope;
    }

    /** Whether a step scope is open on this thread. */
    public static boolean inScope() {
        return CURRENT.get().scope != null;
    }

    /** The outermost step scope open on this thread, or null: where {@link #offerAtClose} defers to. */
    static Scope rootScope() {
        Scope scope = CURRENT.get().scope;
        if (scope == null) return null;
        while (scope.outer != null) scope = scope.outer;
        return scope;
    }

    /**
     * A step of a loop whose intermediates no user code can hold ({@link BufferPool#scope}). Closing the outermost
     * scope releases what was deferred to it.
     */
    public static final class Scope implements AutoCloseable {
        private final long id;
        private final Scope outer;
        private final Thread thread = Thread.currentThread();
        private ArrayList<Tensor> deferred; // may repeat a tensor: a second release finds it surrendered
        private boolean closed;

        private Scope(long id, Scope outer) {
            this.id = id;
            this.outer = outer;
        }

        @Override
        public void close() {
            if (closed) return;
            ThreadState state = CURRENT.get();
            if (Thread.currentThread() != thread || state.scope != this) {
                throw new IllegalStateException("BufferPool scope closed out of order or on another thread than the one that opened it");
            }
            closed = true;
            state.scope = outer;
            if (outer != null || deferred == null) return;
            for (Tensor t : deferred) {
                if (!(t.requiresGrad() && t.gradFn() == null)) release(t, id, "when the training step that made it ended");
            }
            deferred = null;
        }
    }

    /** Marks {@code t}'s array as held beyond any step (a weight, a state a layer keeps across calls): never pooled. */
    public static void keep(Tensor t) {
        if (t.storageForPool() instanceof FloatStorage fs) fs.keep();
    }

    /**
     * Releases {@code t} now when it is exclusive to the step scope open on this thread (see the class comment) and
     * recorded in no graph; the caller has proven that nothing else reaches it ({@code Model.call} without a graph,
     * for a layer output the last reader has read). Anything else is left alone. Returns whether it went back.
     */
    public static boolean releaseActivation(Tensor t) {
        if (!activations) return false;
        Scope scope = CURRENT.get().scope;
        if (scope == null || t.requiresGrad() || t.gradFn() != null) return false;
        return release(t, scope.id, "when the layers of the forward pass that made it had read it");
    }

    /**
     * Releases {@code t}, a result the backward walk has just passed (its rule and every consumer's rule ran), when
     * it is exclusive to step scope {@code root}.
     */
    static void releaseWalked(Scope root, Tensor t) {
        if (activations && t.gradFn() != null) release(t, root.id, "when the backward pass of the step that made it had passed it");
    }

    /**
     * Defers {@code t} to the close of step scope {@code root} ({@link #rootScope}) when it may go back then: the
     * backward walk offers what it saw. The close checks again: a view made after this keeps it.
     */
    static void offerAtClose(Scope root, Tensor t) {
        if (!enabled || !activations || !(t.storageForPool() instanceof FloatStorage fs) || !fs.exclusiveToScope(root.id)) return;
        if (fs.length() < minElements) return;
        if (root.deferred == null) root.deferred = new ArrayList<>();
        root.deferred.add(t);
    }

    /**
     * Hands back the array of {@code t}, a result the caller holds and will not read again, so that the next result
     * of the same length takes it instead of a fresh allocation: the reuse PyTorch's caching allocator gives a loop
     * that reassigns {@code y}. For a loop of single calls outside the library's own loops (an inference loop over
     * single layers, a benchmark), where no step scope can prove a result dead. A multi-megabyte {@code new float[]}
     * comes from memory the CPU's caches no longer hold; a pooled array was written by the previous call (measured on
     * a 2-core AMD EPYC Zen 4: a 3.2M-element array, 0.78 ms fresh, more than the 0.64 ms convolution writing it).
     *
     * <p>Only a tensor whose array nothing else can reach goes back: the library allocated its storage for an
     * operation's result (not {@code Tensor.of} on the caller's data), only one tensor was ever made on it (no view,
     * reshape or {@code detach()} shares it), it is not {@link #keep kept} (a weight, a layer's state), not a leaf
     * that requires a gradient, and no recorded graph node reads it (the result of the last operation of a graph may
     * go; an input or saved tensor of a recorded operation may not), nor does another tensor remember it as its
     * logits. Arrays shorter than the pool takes (2^18 elements) and any other tensor are left alone. After a
     * release every access to {@code t} throws an {@link IllegalStateException} naming the pool, so a reference kept
     * by mistake fails loudly instead of reading the values of the tensor that took the array. Results stay
     * bit-identical: a reused array is zero-filled or fully written, as a fresh one.
     *
     * <p>Example, an inference loop over batches:
     * <pre>{@code
     * for (Tensor x : batches) {
     *     Tensor y = layer.call(x, false);
     *     consume(y.toFloatArray());
     *     BufferPool.release(y); // the next call's output takes this array
     * }
     * }</pre>
     *
     * @return whether {@code t} was released (its array offered to the pool, which keeps it while under
     *     {@link #limitBytes()}); false, with {@code t} untouched, when the pool is off or {@code t} does not qualify
     */
    public static boolean release(Tensor t) {
        if (!enabled || t.readLater() || t.requiresGrad() && t.gradFn() == null) return false;
        if (!(t.storageForPool() instanceof FloatStorage fs) || !fs.exclusive() || fs.length() < minElements) return false;
        give(fs.surrender("when the code holding it released it (BufferPool.release)"));
        USER_RELEASED.incrementAndGet();
        return true;
    }

    private static final AtomicLong USER_RELEASED = new AtomicLong();

    /**
     * Hands back {@code grad}, the gradient a leaf held when {@link Tensor#zeroGrad} cleared it, which no code has read
     * ({@link Tensor#grad()} never returned it), under {@link #release(Tensor)}'s checks: nothing else can reach its
     * array. Returns whether it went back.
     */
    static boolean releaseUnreadGrad(Tensor grad) {
        if (!enabled || grad.readLater() || grad.requiresGrad()) return false;
        if (!(grad.storageForPool() instanceof FloatStorage fs) || !fs.exclusive() || fs.length() < minElements) return false;
        give(fs.surrender("when zeroGrad cleared the gradient that held it (no code had read that gradient)"));
        GRADS_RELEASED.incrementAndGet();
        return true;
    }

    private static final AtomicLong GRADS_RELEASED = new AtomicLong();

    /** Unread leaf gradients released by {@link Tensor#zeroGrad} since start (for tests). */
    static long gradsReleased() {
        return GRADS_RELEASED.get();
    }

    /** Tensors released by {@link #release(Tensor)} since start (for tests). */
    static long userReleased() {
        return USER_RELEASED.get();
    }

    private static boolean release(Tensor t, long scopeId, String when) {
        if (!enabled || !(t.storageForPool() instanceof FloatStorage fs) || !fs.exclusiveToScope(scopeId)) return false;
        if (fs.length() < minElements) return false;
        give(fs.surrender(when));
        ACTIVATIONS_RELEASED.incrementAndGet();
        return true;
    }

    private static final AtomicLong ACTIVATIONS_RELEASED = new AtomicLong();

    /** Activations released by step scopes since start (for tests: proof that a loop took part). */
    static long activationsReleased() {
        return ACTIVATIONS_RELEASED.get();
    }

    /** True when {@code t} was allocated by walk {@code walk} and is the only tensor on its storage. */
    static boolean exclusiveTo(Tensor t, long walk) {
        return t.storageForPool() instanceof FloatStorage fs && fs.exclusiveTo(walk);
    }

    /**
     * Gives back {@code scratch}, a gradient a rule made for its own use and has finished with (the masked gradient
     * of a fused convolution + relu, read by the convolution's gradient kernels), when the running walk allocated it,
     * it is the only tensor on its storage (no result is a view of it) and no result is it. Without this, a CNN's
     * largest backward array was a fresh allocation every step (B32 28x28x32 in the seed CNN: 2.8 MB per step).
     */
    static boolean recycleScratch(Tensor scratch, Tensor... results) {
        long walk = currentWalk();
        if (walk == 0) return false;
        for (Tensor r : results) if (r == scratch) return false;
        return recycle(scratch, walk);
    }

    /**
     * Gives {@code t}'s array to the pool when the pool is on and {@code t} is {@link #exclusiveTo} the walk; the
     * caller has proven that nothing else holds {@code t}. Returns whether it did.
     */
    static boolean recycle(Tensor t, long walk) {
        if (!enabled || !(t.storageForPool() instanceof FloatStorage fs) || !fs.exclusiveTo(walk)) return false;
        if (fs.length() < minElements) return false;
        give(fs.surrender("after the backward pass that made it had used it"));
        return true;
    }
}
