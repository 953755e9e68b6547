package dev.myelin.tensor;

import dev.myelin.autograd.GradMode;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Conv2dSpec;
import dev.myelin.backend.DType;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.GemmLayout;
import dev.myelin.backend.MemoryCheck;
import dev.myelin.backend.Pool2dSpec;
import dev.myelin.backend.PoolMode;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.Storage;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * An n-dimensional array of float32 or float64 values that records the operations applied to it, so
 * that gradients can be computed by {@link #backward()}.
 *
 * <p>A tensor is a strided view of a {@link Storage}: shape, strides (in elements) and offset. Movement
 * operations — {@link #reshape}, {@link #permute}, {@link #slice}, {@link #expand}, {@link #squeeze},
 * {@link #unsqueeze} — only change that metadata and share the storage. Element-wise operations
 * broadcast as NumPy does. Every other operation returns a new tensor; only the {@code ...InPlace}
 * methods, {@link #assign} and {@link #fill} write into an existing one (for optimizers, outside the
 * graph).
 *
 * <p>Axes: negative values count from the end. Images are {@code [batch, height, width, channels]}.
 *
 * <pre>{@code
 * var rng = RandomGenerator.of("L64X128MixRandom");
 * Tensor w = Tensor.randn(rng, 784, 10).requiresGrad(true);
 * Tensor loss = x.matmul(w).logSoftmax(-1).mul(targets).sum().neg();
 * loss.backward();            // w.grad() now holds dloss/dw
 * }</pre>
 */
public final class Tensor {
    private final Storage storage;
    private final Shape shape;
    private final int[] dims;
    private final int[] strides;
    private final int offset;
    private final Backend backend;

    private boolean requiresGrad;
    private Tensor grad;
    /** Whether {@link #grad()} has returned the current gradient (code outside may hold it): then it never goes to the pool. */
    private boolean gradRead;
    private Node gradFn;

    // Keras's output._keras_logits: softmax over the last axis and sigmoid remember their input, so that a
    // cross-entropy loss on probabilities can use the stable logits form instead (losses.*Crossentropy).
    // Only those two ops set it, and concat joins it (concatLogits); views and copies do not carry it.
    private Tensor logits;
    private boolean logitsOfSoftmax;
    /**
     * Set once something other than its holder may read this tensor later: a recorded node (an input or a saved
     * tensor of an operation in a graph) or another tensor remembering it as its logits. {@link BufferPool#release}
     * leaves such a tensor alone.
     */
    private boolean readLater;
    /** For {@code y = x.softmax(-1)} on a backend with {@link Backend#softmaxWithStatistics}: each row's (max, lse), else null. */
    private Tensor softmaxStatistics;

    private Tensor(Backend backend, Storage storage, Shape shape, int[] strides, int offset) {
        this.backend = backend;
        this.storage = storage;
        this.shape = shape;
        this.dims = shape.toArray();
        this.strides = strides;
        this.offset = offset;
        if (storage instanceof FloatStorage fs) fs.attachTensor(); // a second tensor on it keeps it out of BufferPool
    }

    // =====================================================================================
    // Creation
    // =====================================================================================

    /** A new zero-filled, contiguous tensor on the default backend. */
    public static Tensor zeros(DType dtype, Shape shape) {
        return allocate(Backends.defaultBackend(), dtype, shape);
    }

    /** A new zero-filled, contiguous tensor of this tensor's type, on this tensor's backend. */
    public Tensor newZeros(Shape shape) {
        return allocate(backend, dtype(), shape);
    }

    /** Results of operations: allocated on the backend of their operands. */
    static Tensor allocate(Backend b, DType dtype, Shape shape) {
        return allocate(b, dtype, shape, true);
    }

    /**
     * {@link #allocate}, taking a released array from {@link BufferPool} when one of that length waits (heap float32
     * backends only); {@code zeroed} false for an operation that writes every element of its result.
     */
    static Tensor allocate(Backend b, DType dtype, Shape shape, boolean zeroed) {
        int size = shape.size();
        if (size >= LARGE_ELEMENTS) MemoryCheck.requireAvailable("a " + dtype + " tensor of shape " + shape, (long) size * dtype.bytes());
        // a pooled array is zeroed by the backend (in parallel on the CPU backend: a 5 MB embedding gradient); a fresh
        // one comes zeroed from the JVM
        Storage s = dtype == DType.FLOAT32 && b instanceof ReferenceBackend ? BufferPool.storage(size, false) : null;
        boolean fill = zeroed && s != null;
        if (s == null) s = b.allocate(dtype, size);
        BufferPool.stamp(s);
        Tensor t = new Tensor(b, s, shape, shape.contiguousStrides(), 0);
        if (fill) b.fill(t.view(), 0);
        return t;
    }

    /** This tensor's storage, for {@link BufferPool}'s ownership checks. */
    Storage storageForPool() {
        return storage;
    }

    /**
     * Allocations of at least this many elements (64 MB of float32) are checked against the free heap
     * first, so that a huge shape from outside fails with "needs N GB" rather than an OutOfMemoryError;
     * smaller ones skip the check (one comparison on the path of every operation's result).
     */
    private static final int LARGE_ELEMENTS = 1 << 24;

    /** A new float32 array for a creation function: {@code what} names the call in a size or memory error. */
    private static float[] newData(String what, long... dims) {
        int n = MemoryCheck.elementCount(what, dims);
        if (n >= LARGE_ELEMENTS) MemoryCheck.requireAvailable(what, (long) n * Float.BYTES);
        return new float[n];
    }

    /** {@code dims} as a shape, a bad one reported as an argument of the creation function {@code what}. */
    private static Shape shapeArgument(String what, int... dims) {
        try {
            return Shape.of(dims);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    private static Tensor fillOn(Backend b, DType dtype, Shape shape, double value) {
        Tensor t = allocate(b, dtype, shape);
        if (value != 0.0) b.fill(t.view(), value);
        return t;
    }

    /** A new float32 tensor of zeros. */
    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shapeArgument("Tensor.zeros", shape));
    }

    /** A new tensor of zeros with the shape, type and backend of {@code like}. */
    public static Tensor zerosLike(Tensor like) {
        return allocate(like.backend, like.dtype(), like.shape);
    }

    /** A new float32 tensor of ones. */
    public static Tensor ones(int... shape) {
        return full(DType.FLOAT32, shapeArgument("Tensor.ones", shape), 1.0);
    }

    /** A new tensor of ones with the shape, type and backend of {@code like}. */
    public static Tensor onesLike(Tensor like) {
        return fillOn(like.backend, like.dtype(), like.shape, 1.0);
    }

    /** A new tensor with every element equal to {@code value}. */
    public static Tensor full(DType dtype, Shape shape, double value) {
        return fillOn(Backends.defaultBackend(), dtype, shape, value);
    }

    /** A rank-0 float32 tensor. */
    public static Tensor scalar(double value) {
        return full(DType.FLOAT32, Shape.scalar(), value);
    }

    /** A rank-0 tensor of the given type. */
    public static Tensor scalar(DType dtype, double value) {
        return full(dtype, Shape.scalar(), value);
    }

    /** A float32 tensor holding a copy of {@code data} in row-major order. */
    public static Tensor of(float[] data, int... shape) {
        Shape s = shape.length == 0 && data.length != 1 ? Shape.of(data.length) : Shape.of(shape);
        checkLength(data.length, s);
        Backend b = Backends.defaultBackend();
        return new Tensor(b, b.upload(data), s, s.contiguousStrides(), 0);
    }

    /** A float64 tensor holding a copy of {@code data} in row-major order. */
    public static Tensor of(double[] data, int... shape) {
        Shape s = shape.length == 0 && data.length != 1 ? Shape.of(data.length) : Shape.of(shape);
        checkLength(data.length, s);
        Backend b = Backends.defaultBackend();
        return new Tensor(b, b.upload(data), s, s.contiguousStrides(), 0);
    }

    /** A float32 matrix from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] data = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " elements, expected " + cols);
            }
            System.arraycopy(rows[i], 0, data, i * cols, cols);
        }
        return of(data, rows.length, cols);
    }

    private static long[] asLongs(int[] dims) {
        long[] l = new long[dims.length];
        for (int i = 0; i < dims.length; i++) l[i] = dims[i];
        return l;
    }

    private static void checkLength(int length, Shape s) {
        if (length != s.size()) {
            throw new IllegalArgumentException("array of " + length + " elements cannot have shape " + s + " (" + s.size() + " elements)");
        }
    }

    /** {@code [0, 1, ..., n-1]} as float32. */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /** Values from {@code start} (inclusive) to {@code end} (exclusive) in steps of {@code step}, float32. */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0 || !Double.isFinite(step)) throw new IllegalArgumentException("arange step must be finite and non-zero, got " + step);
        if (!Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("arange start and end must be finite, got " + start + " and " + end);
        }
        double count = Math.max(0, Math.ceil((end - start) / step));
        String what = "Tensor.arange(" + start + ", " + end + ", " + step + ")";
        if (count > MemoryCheck.MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException(what + ": " + (long) count + " values exceed the largest array Java allows ("
                    + MemoryCheck.MAX_ARRAY_LENGTH + " elements)");
        }
        int n = (int) count;
        float[] data = newData(what, n);
        for (int i = 0; i < n; i++) data[i] = (float) (start + i * step);
        return of(data, n);
    }

    /** {@code n} evenly spaced float32 values from {@code start} to {@code end}, both included. */
    public static Tensor linspace(double start, double end, int n) {
        if (n < 0) throw new IllegalArgumentException("linspace count must be >= 0, got " + n);
        if (!Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("linspace start and end must be finite, got " + start + " and " + end);
        }
        float[] data = newData("Tensor.linspace(" + start + ", " + end + ", " + n + ")", n);
        for (int i = 0; i < n; i++) data[i] = (float) (n == 1 ? start : start + (end - start) * i / (n - 1));
        return of(data, n);
    }

    /** The {@code n × n} float32 identity matrix. */
    public static Tensor eye(int n) {
        float[] data = newData("Tensor.eye(" + n + ")", n, n);
        for (int i = 0; i < n; i++) data[i * n + i] = 1f;
        return of(data, n, n);
    }

    /** Uniform samples in {@code [0, 1)}, float32, drawn from {@code rng}. */
    public static Tensor rand(RandomGenerator rng, int... shape) {
        return uniform(rng, 0, 1, shape);
    }

    /** Uniform samples in {@code [low, high)}, float32. */
    public static Tensor uniform(RandomGenerator rng, double low, double high, int... shape) {
        float[] data = newData("Tensor.uniform: shape " + Arrays.toString(shape), asLongs(shape));
        for (int i = 0; i < data.length; i++) data[i] = (float) (low + (high - low) * rng.nextDouble());
        return of(data, shape);
    }

    /** Standard normal samples, float32. */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        return normal(rng, 0, 1, shape);
    }

    /** Normal samples with the given mean and standard deviation, float32. */
    public static Tensor normal(RandomGenerator rng, double mean, double std, int... shape) {
        float[] data = newData("Tensor.normal: shape " + Arrays.toString(shape), asLongs(shape));
        for (int i = 0; i < data.length; i++) data[i] = (float) (mean + std * rng.nextGaussian());
        return of(data, shape);
    }

    /**
     * Normal samples redrawn until they lie within two standard deviations of the mean (Keras's
     * TruncatedNormal), float32.
     */
    public static Tensor truncatedNormal(RandomGenerator rng, double mean, double std, int... shape) {
        float[] data = newData("Tensor.truncatedNormal: shape " + Arrays.toString(shape), asLongs(shape));
        for (int i = 0; i < data.length; i++) {
            double z;
            do {
                z = rng.nextGaussian();
            } while (Math.abs(z) > 2.0);
            data[i] = (float) (mean + std * z);
        }
        return of(data, shape);
    }

    /** 1 with probability {@code p}, else 0, float32. */
    public static Tensor bernoulli(RandomGenerator rng, double p, int... shape) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("bernoulli probability must be in [0, 1], got " + p);
        float[] data = newData("Tensor.bernoulli: shape " + Arrays.toString(shape), asLongs(shape));
        for (int i = 0; i < data.length; i++) data[i] = rng.nextDouble() < p ? 1f : 0f;
        return of(data, shape);
    }

    /**
     * {@code value} (rounded to float) with probability {@code p}, else 0, float32: {@code bernoulli(rng, p,
     * shape).mul(value)} in one pass, the same draws (one {@code rng.nextDouble()} per element, row-major) and
     * the same elements. Dropout's scaled mask.
     */
    public static Tensor bernoulliScaled(RandomGenerator rng, double p, double value, int... shape) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("bernoulli probability must be in [0, 1], got " + p);
        String what = "Tensor.bernoulliScaled: shape " + Arrays.toString(shape);
        MemoryCheck.elementCount(what, asLongs(shape));
        Tensor t = allocate(Backends.defaultBackend(), DType.FLOAT32, shapeArgument(what, shape));
        // drawn straight into the tensor's array where the backend keeps one (no copy on upload)
        boolean direct = t.storage instanceof FloatStorage;
        float[] data = direct ? ((FloatStorage) t.storage).data() : new float[t.size()];
        float v = (float) value;
        if (rng instanceof BernoulliSource bulk) bulk.fillBernoulli(data, 0, data.length, p, v);
        else for (int i = 0; i < data.length; i++) data[i] = rng.nextDouble() < p ? v : 0f;
        return direct ? t : of(data, shape);
    }

    /**
     * One-hot encoding: for integer-valued {@code indices} of shape S, a float32 tensor of shape
     * {@code S + [depth]} with 1 at each index.
     */
    public static Tensor oneHot(Tensor indices, int depth) {
        int[] idx = indices.toIndexArray(depth, "oneHot");
        int[] outShape = Arrays.copyOf(indices.dims, indices.dims.length + 1);
        outShape[indices.dims.length] = depth;
        float[] data = newData("Tensor.oneHot: " + idx.length + " indices × depth " + depth, idx.length, depth);
        for (int i = 0; i < idx.length; i++) data[i * depth + idx[i]] = 1f;
        return of(data, outShape);
    }

    // =====================================================================================
    // Properties and element access
    // =====================================================================================

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public int rank() {
        return dims.length;
    }

    /** Number of elements. */
    public int size() {
        return shape.size();
    }

    /** Size of dimension {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    /** Strides in elements (a copy). */
    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    public Backend backend() {
        return backend;
    }

    /** The storage's version: how many in-place writes it has seen. */
    int version() {
        return storage.version();
    }

    /** True when this tensor's elements are laid out row-major without gaps. */
    public boolean isContiguous() {
        return view().isContiguous();
    }

    /** What kernels see of this tensor. */
    public View view() {
        return new View(storage, dims, strides, offset);
    }

    /** The element at {@code index} (one entry per dimension), widened to double. */
    public double get(int... index) {
        if (index.length != dims.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length + " entries for a tensor of rank " + dims.length);
        }
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= dims[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for shape " + shape);
            }
        }
        return storage.get(view().indexOf(index));
    }

    /** The single value of a one-element tensor. */
    public double item() {
        if (size() != 1) throw new IllegalStateException("item() needs a tensor with one element, this one has shape " + shape);
        return storage.get(offset);
    }

    /** The elements in row-major order, as float. */
    public float[] toFloatArray() {
        float[] out = new float[size()];
        backend.download(view(), out);
        return out;
    }

    /** The elements in row-major order, as double. */
    public double[] toDoubleArray() {
        double[] out = new double[size()];
        backend.download(view(), out);
        return out;
    }

    /**
     * The elements as integer indices in {@code [0, bound)}, for ops that take indices (one-hot,
     * index select). {@code what} names the operation in the error message.
     */
    public int[] toIndexArray(int bound, String what) {
        // float32 ids are read as floats (one array copy) rather than widened through the generic conversion
        float[] f = dtype() == DType.FLOAT32 ? toFloatArray() : null;
        double[] v = f == null ? toDoubleArray() : null;
        int[] out = new int[f != null ? f.length : v.length];
        for (int i = 0; i < out.length; i++) {
            double d = f != null ? f[i] : v[i];
            if (d != Math.rint(d) || d < 0 || d >= bound) {
                throw new IllegalArgumentException(what + ": index " + d + " at position " + i + " is not an integer in [0, " + bound + ")");
            }
            out[i] = (int) d;
        }
        return out;
    }

    /** Like PyTorch: {@code tensor([[1.0000, 2.0000], ...], shape=[2, 2], dtype=float32)}; large tensors are elided. */
    @Override
    public String toString() {
        return TensorFormatter.format(this);
    }

    // =====================================================================================
    // Autograd
    // =====================================================================================

    /** Whether gradients flow to (or through) this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor (one not produced by a recorded operation) as needing a gradient; returns this.
     */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad can only be set on leaf tensors; this one was produced by '"
                    + gradFn.op() + "' (use detach() to get a leaf)");
        }
        requiresGrad = value;
        return this;
    }

    /** The accumulated gradient of a leaf, or null before the first backward pass. */
    public Tensor grad() {
        gradRead = true;
        return grad;
    }

    /**
     * Clears the accumulated gradient. A gradient that no code has read ({@link #grad()} never returned it: an input's
     * gradient a loop computes and drops) goes back to the {@link BufferPool}, as PyTorch frees {@code x.grad = None}
     * when nothing else holds it, so the next backward pass takes its array instead of a fresh one.
     */
    public void zeroGrad() {
        if (grad != null && !gradRead) BufferPool.releaseUnreadGrad(grad);
        grad = null;
    }

    /** The node that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** Adds {@code g} into this leaf's gradient (used by autograd). */
    public void accumulateGrad(Tensor g) {
        if (!requiresGrad) return;
        if (grad == null) {
            grad = g.copyRaw();
            if (grad.dtype() != dtype()) grad = grad.to(dtype());
            gradRead = false;
        } else {
            backend.binary(BinaryOp.ADD, grad.view(), g.view(), grad.view());
        }
    }

    /**
     * Takes {@code g} itself as this leaf's first gradient, without the copy {@link #accumulateGrad} makes: only for a
     * gradient the backward walk proved nothing else holds. Returns false (and does nothing) where a copy is needed.
     */
    boolean adoptGrad(Tensor g) {
        if (!requiresGrad || grad != null || g.dtype() != dtype() || !g.isContiguous() || g.offset != 0) return false;
        grad = g;
        gradRead = false;
        return true;
    }

    /** Backpropagates from this scalar (one-element) tensor, accumulating gradients into the leaves. */
    public void backward() {
        if (size() != 1) {
            throw new IllegalStateException("backward() without an argument needs a scalar output, this one has shape " + shape
                    + "; pass the gradient of the loss with respect to it: backward(gradient)");
        }
        backward(fillOn(backend, dtype(), shape, 1.0));
    }

    /** Backpropagates {@code gradient} (the shape of this tensor) into the leaves. */
    public void backward(Tensor gradient) {
        Graph.backward(this, gradient);
    }

    /** A tensor sharing this one's storage but outside the graph. */
    public Tensor detach() {
        return new Tensor(backend, storage, shape, strides, offset);
    }

    private Tensor record(String op, Backward rule, Tensor[] inputs, Tensor... saved) {
        if (!GradMode.isEnabled()) return this;
        boolean any = false;
        for (Tensor in : inputs) any |= in.requiresGrad;
        if (!any) return this;
        requiresGrad = true;
        gradFn = new Node(op, rule, inputs, saved);
        for (Tensor in : inputs) in.readLater = true;
        for (Tensor s : saved) s.readLater = true;
        return this;
    }

    /** Whether a recorded node or another tensor may read this one later (see {@link BufferPool#release}). */
    boolean readLater() {
        return readLater;
    }

    private static Tensor[] in(Tensor... inputs) {
        return inputs;
    }

    // =====================================================================================
    // Movement: views that share storage
    // =====================================================================================

    /** The same elements with a new shape; one dimension may be -1 (inferred). Copies only if it must. */
    public Tensor reshape(int... newShape) {
        Shape target = inferShape(newShape);
        if (target.equals(shape)) return this;
        int[] newStrides = viewStrides(target.toArray());
        Tensor out = newStrides != null
                ? new Tensor(backend, storage, target, newStrides, offset)
                : contiguousRaw().reshapeRaw(target);
        return out.record("reshape", Derivatives.reshape(shape), in(this));
    }

    /** Reshape to {@code target}. */
    public Tensor reshape(Shape target) {
        return reshape(target.toArray());
    }

    private Tensor reshapeRaw(Shape target) {
        return new Tensor(backend, storage, target, target.contiguousStrides(), offset);
    }

    private Shape inferShape(int[] newShape) {
        int known = 1;
        int unknown = -1;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("reshape " + Arrays.toString(newShape) + ": only one dimension can be -1");
                unknown = i;
            } else {
                known *= newShape[i];
            }
        }
        int[] s = newShape.clone();
        if (unknown >= 0) {
            if (known == 0 || size() % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + shape + " to " + Arrays.toString(newShape));
            }
            s[unknown] = size() / known;
        }
        Shape target = Shape.of(s);
        if (target.size() != size()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " (" + size() + " elements) to " + target + " (" + target.size() + " elements)");
        }
        return target;
    }

    /**
     * Strides that view this tensor's elements with {@code target} shape without copying, or null when
     * the layout does not allow it (PyTorch's rule: split or merge only runs of dimensions that are
     * contiguous among themselves).
     */
    private int[] viewStrides(int[] target) {
        if (isContiguous() || size() == 0) return Shape.of(target).contiguousStrides();
        int[] out = new int[target.length];
        int viewD = target.length - 1;
        int chunkBaseStride = strides[strides.length - 1];
        int tensorNumel = 1;
        int viewNumel = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            tensorNumel *= dims[d];
            if (d == 0 || (dims[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBaseStride)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] == 1)) {
                    out[viewD] = viewNumel * chunkBaseStride;
                    viewNumel *= target[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBaseStride = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? out : null;
    }

    /** Reorders dimensions: output dimension i is input dimension {@code order[i]}. */
    public Tensor permute(int... order) {
        if (order.length != dims.length) {
            throw new IllegalArgumentException("permute " + Arrays.toString(order) + " needs " + dims.length + " axes for shape " + shape);
        }
        int[] newDims = new int[order.length];
        int[] newStrides = new int[order.length];
        boolean[] seen = new boolean[order.length];
        int[] normalized = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            int a = shape.axis(order[i]);
            if (seen[a]) throw new IllegalArgumentException("permute " + Arrays.toString(order) + " repeats axis " + a);
            seen[a] = true;
            normalized[i] = a;
            newDims[i] = dims[a];
            newStrides[i] = strides[a];
        }
        Tensor out = new Tensor(backend, storage, Shape.of(newDims), newStrides, offset);
        return out.record("permute", Derivatives.permute(normalized), in(this));
    }

    /** Swaps two dimensions. */
    public Tensor transpose(int axis0, int axis1) {
        int[] order = new int[dims.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        int a = shape.axis(axis0), b = shape.axis(axis1);
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Swaps the last two dimensions (matrix transpose, batched). */
    public Tensor mT() {
        if (dims.length < 2) throw new IllegalStateException("mT() needs rank >= 2, shape is " + shape);
        return transpose(-2, -1);
    }

    /** Elements {@code start, start+step, ...} below {@code end} along {@code axis} (a view). */
    public Tensor slice(int axis, int start, int end, int step) {
        int a = shape.axis(axis);
        int n = dims[a];
        if (step < 1) throw new IllegalArgumentException("slice step must be >= 1, got " + step);
        int s = Math.clamp(start < 0 ? start + n : start, 0, n);
        int e = Math.clamp(end < 0 ? end + n : end, 0, n);
        int len = e > s ? (e - s + step - 1) / step : 0;
        int[] newDims = dims.clone();
        int[] newStrides = strides.clone();
        newDims[a] = len;
        newStrides[a] = strides[a] * step;
        Tensor out = new Tensor(backend, storage, Shape.of(newDims), newStrides, offset + (len > 0 ? s * strides[a] : 0));
        return out.record("slice", Derivatives.slice(shape, dtype(), a, s, step), in(this));
    }

    /** Elements {@code start} to {@code end} (exclusive) along {@code axis}. */
    public Tensor slice(int axis, int start, int end) {
        return slice(axis, start, end, 1);
    }

    /** Broadcasts to {@code target} (NumPy rules) without copying: broadcast dimensions get stride 0. */
    public Tensor expand(Shape target) {
        if (target.equals(shape)) return this;
        Shape check = Shape.broadcast(shape, target);
        if (!check.equals(target)) throw new IllegalArgumentException("cannot expand shape " + shape + " to " + target);
        Tensor out = new Tensor(backend, storage, target, expandedStrides(target), offset);
        return out.record("expand", Derivatives.expand(shape), in(this));
    }

    /** Broadcasts to the given dimensions. */
    public Tensor expand(int... target) {
        return expand(Shape.of(target));
    }

    private int[] expandedStrides(Shape target) {
        int r = target.rank();
        int[] s = new int[r];
        int lead = r - dims.length;
        for (int i = 0; i < dims.length; i++) s[lead + i] = dims[i] == 1 && target.dim(lead + i) != 1 ? 0 : strides[i];
        return s;
    }

    private View expandedView(Shape target) {
        if (target.equals(shape)) return view();
        return new View(storage, target.toArray(), expandedStrides(target), offset);
    }

    /** Removes dimension {@code axis}, which must have size 1. */
    public Tensor squeeze(int axis) {
        int a = shape.axis(axis);
        if (dims[a] != 1) throw new IllegalArgumentException("cannot squeeze axis " + axis + " of size " + dims[a] + " in shape " + shape);
        int[] d = new int[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) if (i != a) d[j++] = dims[i];
        return reshape(d);
    }

    /** Inserts a dimension of size 1 at {@code axis} (in the result; -1 appends). */
    public Tensor unsqueeze(int axis) {
        int a = axis < 0 ? axis + dims.length + 1 : axis;
        if (a < 0 || a > dims.length) throw new IllegalArgumentException("unsqueeze axis " + axis + " is out of range for shape " + shape);
        int[] d = new int[dims.length + 1];
        for (int i = 0, j = 0; i < d.length; i++) d[i] = i == a ? 1 : dims[j++];
        return reshape(d);
    }

    /** Collapses all dimensions after the first: {@code [n, ...] -> [n, rest]}. */
    public Tensor flatten() {
        return dims.length == 0 ? reshape(1) : reshape(dims[0], -1);
    }

    /** This tensor if contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return copyRaw().record("contiguous", Derivatives.identity(), in(this));
    }

    Tensor contiguousRaw() {
        return isContiguous() ? this : copyRaw();
    }

    /** A contiguous copy outside the graph. */
    private Tensor copyRaw() {
        Tensor out = allocate(backend, dtype(), shape, false);
        backend.copy(view(), out.view());
        return out;
    }

    /** A copy converted to {@code target} (this tensor if already of that type). */
    public Tensor to(DType target) {
        if (target == dtype()) return this;
        Tensor out = allocate(backend, target, shape, false);
        backend.copy(view(), out.view());
        return out.record("cast", Derivatives.cast(dtype()), in(this));
    }

    // =====================================================================================
    // Element-wise
    // =====================================================================================

    private Tensor unaryRaw(UnaryOp op, double p, double q) {
        Tensor out = allocate(backend, dtype(), shape, false);
        backend.unary(op, p, q, view(), out.view());
        return out;
    }

    /** Applies a unary kernel outside the graph (derivative rules use this for masks). */
    Tensor map(UnaryOp op, double p, double q) {
        return unaryRaw(op, p, q);
    }

    private static Tensor binaryRaw(BinaryOp op, Tensor a, Tensor b) {
        Shape s = Shape.broadcast(a.shape, b.shape);
        Tensor out = allocate(a.backend, DType.promote(a.dtype(), b.dtype()), s, false);
        a.backend.binary(op, a.expandedView(s), b.expandedView(s), out.view());
        return out;
    }

    /** A rank-0 tensor of this tensor's type on its backend. */
    Tensor scalarLike(double v) {
        return fillOn(backend, dtype(), Shape.scalar(), v);
    }

    public Tensor add(Tensor other) {
        return binaryRaw(BinaryOp.ADD, this, other).record("add", Derivatives.add(shape, other.shape), in(this, other));
    }

    public Tensor add(double value) {
        return add(scalarLike(value));
    }

    public Tensor sub(Tensor other) {
        return binaryRaw(BinaryOp.SUB, this, other).record("sub", Derivatives.sub(shape, other.shape), in(this, other));
    }

    public Tensor sub(double value) {
        return sub(scalarLike(value));
    }

    public Tensor mul(Tensor other) {
        return binaryRaw(BinaryOp.MUL, this, other).record("mul", Derivatives.mul(this, other), in(this, other), this, other);
    }

    public Tensor mul(double value) {
        return mul(scalarLike(value));
    }

    /**
     * The gradient of relu in one pass: this tensor where {@code x} is positive or NaN, 0 where {@code x ≤ 0}
     * (relu keeps NaN, as in PyTorch, and so passes its gradient). Broadcasts like {@link #mul}.
     */
    public Tensor reluGrad(Tensor x) {
        return binaryRaw(BinaryOp.RELU_GRAD, this, x).record("reluGrad", Derivatives.reluGrad(this, x), in(this, x), this, x);
    }

    public Tensor div(Tensor other) {
        return binaryRaw(BinaryOp.DIV, this, other).record("div", Derivatives.div(this, other), in(this, other), this, other);
    }

    public Tensor div(double value) {
        return div(scalarLike(value));
    }

    /** Element-wise power with a tensor exponent; the exponent's gradient needs a positive base. */
    public Tensor pow(Tensor exponent) {
        Tensor y = binaryRaw(BinaryOp.POW, this, exponent);
        return y.record("pow", Derivatives.pow(this, exponent, y), in(this, exponent), this, exponent, y);
    }

    public Tensor pow(double exponent) {
        return unaryRaw(UnaryOp.POW_SCALAR, exponent, 0).record("pow", Derivatives.powScalar(this, exponent), in(this), this);
    }

    /** Element-wise maximum; on ties the gradient is split evenly (as PyTorch). */
    public Tensor maximum(Tensor other) {
        return binaryRaw(BinaryOp.MAXIMUM, this, other).record("maximum", Derivatives.maximum(this, other), in(this, other), this, other);
    }

    /** Element-wise minimum; on ties the gradient is split evenly. */
    public Tensor minimum(Tensor other) {
        return binaryRaw(BinaryOp.MINIMUM, this, other).record("minimum", Derivatives.minimum(this, other), in(this, other), this, other);
    }

    /** {@code cond != 0 ? a : b}, broadcasting all three. Differentiable in a and b. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Shape s = Shape.broadcast(Shape.broadcast(cond.shape, a.shape), b.shape);
        Tensor out = allocate(a.backend, DType.promote(a.dtype(), b.dtype()), s, false);
        a.backend.where(cond.expandedView(s), a.expandedView(s), b.expandedView(s), out.view());
        return out.record("where", Derivatives.where(cond, a.shape, b.shape), in(a, b), cond);
    }

    private Tensor unary(String name, UnaryOp op, double p, double q, boolean saveOutput) {
        Tensor y = unaryRaw(op, p, q);
        return y.record(name, Derivatives.unary(op, p, q, this, y), in(this), saveOutput ? new Tensor[] {this, y} : new Tensor[] {this});
    }

    public Tensor neg() {
        return unary("neg", UnaryOp.NEG, 0, 0, false);
    }

    public Tensor exp() {
        return unary("exp", UnaryOp.EXP, 0, 0, true);
    }

    /** Natural logarithm. */
    public Tensor log() {
        return unary("log", UnaryOp.LOG, 0, 0, false);
    }

    /** log(1 + x), accurate for small x. */
    public Tensor log1p() {
        return unary("log1p", UnaryOp.LOG1P, 0, 0, false);
    }

    public Tensor sqrt() {
        return unary("sqrt", UnaryOp.SQRT, 0, 0, true);
    }

    /** 1 / sqrt(x). */
    public Tensor rsqrt() {
        return unary("rsqrt", UnaryOp.RSQRT, 0, 0, true);
    }

    /** 1 / x element-wise; its gradient is −g / x². */
    public Tensor reciprocal() {
        return unary("reciprocal", UnaryOp.RECIPROCAL, 0, 0, true);
    }

    public Tensor abs() {
        return unary("abs", UnaryOp.ABS, 0, 0, false);
    }

    /** -1, 0 or 1; its gradient is zero. */
    public Tensor sign() {
        return unary("sign", UnaryOp.SIGN, 0, 0, false);
    }

    public Tensor square() {
        return unary("square", UnaryOp.SQUARE, 0, 0, false);
    }

    public Tensor relu() {
        return unary("relu", UnaryOp.RELU, 0, 0, false);
    }

    /** x for x > 0, {@code alpha·x} otherwise. */
    public Tensor leakyRelu(double alpha) {
        return unary("leaky_relu", UnaryOp.LEAKY_RELU, alpha, 0, false);
    }

    /** x for x > 0, {@code alpha·(exp(x) − 1)} otherwise. */
    public Tensor elu(double alpha) {
        return unary("elu", UnaryOp.ELU, alpha, 0, true);
    }

    /** Exact GELU, x·Φ(x). */
    public Tensor gelu() {
        return unary("gelu", UnaryOp.GELU, 0, 0, false);
    }

    /** GELU's tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (Keras's {@code gelu(x, approximate=True)}). */
    public Tensor geluTanh() {
        return unary("gelu_tanh", UnaryOp.GELU_TANH, 0, 0, false);
    }

    /** 1 / (1 + exp(−x)), stable for large |x|. The result remembers {@code x} ({@link #sigmoidLogits()}). */
    public Tensor sigmoid() {
        Tensor y = unary("sigmoid", UnaryOp.SIGMOID, 0, 0, true);
        y.logits = this;
        y.logitsOfSoftmax = false;
        readLater = true;
        return y;
    }

    /** log(1 + exp(x)), stable for large |x|. */
    public Tensor softplus() {
        return unary("softplus", UnaryOp.SOFTPLUS, 0, 0, false);
    }

    public Tensor tanh() {
        return unary("tanh", UnaryOp.TANH, 0, 0, true);
    }

    /** Limits values to {@code [min, max]}; the gradient is 1 inside and 0 outside. */
    public Tensor clamp(double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
        return unary("clamp", UnaryOp.CLAMP, min, max, false);
    }

    // Comparisons: 1.0 where true, else 0.0; not differentiable.

    public Tensor eq(Tensor other) {
        return binaryRaw(BinaryOp.EQ, this, other);
    }

    public Tensor ne(Tensor other) {
        return binaryRaw(BinaryOp.NE, this, other);
    }

    public Tensor lt(Tensor other) {
        return binaryRaw(BinaryOp.LT, this, other);
    }

    public Tensor le(Tensor other) {
        return binaryRaw(BinaryOp.LE, this, other);
    }

    public Tensor gt(Tensor other) {
        return binaryRaw(BinaryOp.GT, this, other);
    }

    public Tensor ge(Tensor other) {
        return binaryRaw(BinaryOp.GE, this, other);
    }

    public Tensor eq(double v) {
        return eq(scalarLike(v));
    }

    public Tensor lt(double v) {
        return lt(scalarLike(v));
    }

    public Tensor gt(double v) {
        return gt(scalarLike(v));
    }

    public Tensor le(double v) {
        return le(scalarLike(v));
    }

    public Tensor ge(double v) {
        return ge(scalarLike(v));
    }

    // =====================================================================================
    // Reductions
    // =====================================================================================

    private int[] normalizeAxes(int[] axes) {
        if (axes.length == 0) {
            int[] all = new int[dims.length];
            for (int i = 0; i < all.length; i++) all[i] = i;
            return all;
        }
        boolean[] seen = new boolean[dims.length];
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = shape.axis(axes[i]);
            if (seen[out[i]]) throw new IllegalArgumentException("axis " + axes[i] + " repeated in " + Arrays.toString(axes));
            seen[out[i]] = true;
        }
        Arrays.sort(out);
        return out;
    }

    private Shape keptShape(int[] axes) {
        int[] d = dims.clone();
        for (int a : axes) d[a] = 1;
        return Shape.of(d);
    }

    private Shape droppedShape(int[] axes) {
        int[] d = new int[dims.length - axes.length];
        for (int i = 0, j = 0, k = 0; i < dims.length; i++) {
            if (k < axes.length && axes[k] == i) k++;
            else d[j++] = dims[i];
        }
        return Shape.of(d);
    }

    private Tensor reduceRaw(ReduceOp op, int[] axes) {
        Tensor out = allocate(backend, dtype(), keptShape(axes), false);
        // A broadcast operand (a stride of 0: what a loss's sum() hands back as the gradient) is reduced from a
        // contiguous copy: in place the CPU kernels read it element by element through an index gather, slower than
        // the copy and a contiguous sum together, and with another order of the sums than the contiguous operand a
        // fused rule reduces (Derivatives.dense and conv2dBias copy a strided gradient once for all its readers).
        Tensor src = broadcasts() ? contiguousRaw() : this;
        backend.reduce(op, src.view(), out.view());
        return out;
    }

    /** True when some axis of more than one element has stride 0 (a broadcast view). */
    private boolean broadcasts() {
        for (int i = 0; i < dims.length; i++) if (dims[i] > 1 && strides[i] == 0) return true;
        return false;
    }

    private Tensor finishReduction(Tensor kept, int[] axes, boolean keepDims) {
        return keepDims ? kept : kept.reshape(droppedShape(axes));
    }

    /** Sum of all elements (a scalar). */
    public Tensor sum() {
        return sum(new int[0], false);
    }

    /** Sum over {@code axes} (all when empty), dropping them. */
    public Tensor sum(int... axes) {
        return sum(axes, false);
    }

    /** Sum over {@code axes} (all when empty); {@code keepDims} keeps them with size 1. */
    public Tensor sum(int[] axes, boolean keepDims) {
        int[] ax = normalizeAxes(axes);
        Tensor kept = reduceRaw(ReduceOp.SUM, ax).record("sum", Derivatives.sum(shape), in(this));
        return finishReduction(kept, ax, keepDims);
    }

    /** Mean of all elements. */
    public Tensor mean() {
        return mean(new int[0], false);
    }

    public Tensor mean(int... axes) {
        return mean(axes, false);
    }

    public Tensor mean(int[] axes, boolean keepDims) {
        int[] ax = normalizeAxes(axes);
        int n = 1;
        for (int a : ax) n *= dims[a];
        return sum(ax, keepDims).div(n);
    }

    /** Maximum over {@code axes} (all when empty); the gradient is shared evenly among tied maxima. */
    public Tensor max(int[] axes, boolean keepDims) {
        return extremum(ReduceOp.MAX, "max", axes, keepDims);
    }

    public Tensor max(int... axes) {
        return max(axes, false);
    }

    /** Minimum over {@code axes} (all when empty). */
    public Tensor min(int[] axes, boolean keepDims) {
        return extremum(ReduceOp.MIN, "min", axes, keepDims);
    }

    public Tensor min(int... axes) {
        return min(axes, false);
    }

    private Tensor extremum(ReduceOp op, String name, int[] axes, boolean keepDims) {
        int[] ax = normalizeAxes(axes);
        for (int a : ax) {
            if (dims[a] == 0) throw new IllegalArgumentException(name + " over axis " + a + " of size 0 in shape " + shape);
        }
        Tensor y = reduceRaw(op, ax);
        Tensor kept = y.record(name, Derivatives.extremum(this, y), in(this), this, y);
        return finishReduction(kept, ax, keepDims);
    }

    /** Index of the maximum along {@code axis} (first on ties), as float32. */
    public Tensor argmax(int axis, boolean keepDims) {
        return argReduce(ReduceOp.MAX, axis, keepDims);
    }

    public Tensor argmax(int axis) {
        return argmax(axis, false);
    }

    /** Index of the minimum along {@code axis} (first on ties). */
    public Tensor argmin(int axis, boolean keepDims) {
        return argReduce(ReduceOp.MIN, axis, keepDims);
    }

    public Tensor argmin(int axis) {
        return argmin(axis, false);
    }

    private Tensor argReduce(ReduceOp op, int axis, boolean keepDims) {
        int a = shape.axis(axis);
        if (dims[a] == 0) throw new IllegalArgumentException("arg" + op.name().toLowerCase() + " over axis of size 0 in shape " + shape);
        int[] ax = {a};
        Tensor out = allocate(backend, DType.FLOAT32, keptShape(ax));
        backend.argReduce(op, view(), a, out.view());
        return keepDims ? out : out.reshapeRaw(droppedShape(ax));
    }

    /** Population variance (divides by n, as Keras and NumPy) over {@code axes}. */
    public Tensor variance(int[] axes, boolean keepDims) {
        int[] ax = normalizeAxes(axes);
        Tensor centered = sub(mean(ax, true));
        return centered.square().mean(ax, keepDims);
    }

    /** log(Σ exp(x)) over {@code axes}, computed stably by subtracting the maximum. */
    public Tensor logSumExp(int[] axes, boolean keepDims) {
        int[] ax = normalizeAxes(axes);
        Tensor m = max(ax, true).detach();
        Tensor finite = where(m.abs().lt(Double.POSITIVE_INFINITY), m, zerosLike(m));
        Tensor lse = sub(finite).exp().sum(ax, true).log().add(finite);
        return finishReduction(lse, ax, keepDims);
    }

    /** Softmax along {@code axis}, stable. Over the last axis the result remembers {@code x} ({@link #softmaxLogits()}). */
    public Tensor softmax(int axis) {
        Tensor y = softmax(axis, false);
        if (shape.axis(axis) == dims.length - 1) {
            y.logits = this;
            y.logitsOfSoftmax = true;
            readLater = true;
        }
        return y;
    }

    /** For {@code y = x.softmax(-1)}, the logits {@code x}; null for any other tensor. */
    public Tensor softmaxLogits() {
        return logitsOfSoftmax ? logits : null;
    }

    /** For {@code y = x.sigmoid()}, the logits {@code x}; null for any other tensor. */
    public Tensor sigmoidLogits() {
        return logitsOfSoftmax ? null : logits;
    }

    /** log(softmax(x)) along {@code axis}, computed directly (stable). */
    public Tensor logSoftmax(int axis) {
        return softmax(axis, true);
    }

    /**
     * Sparse softmax cross-entropy of these logits in one operation (sparse categorical cross-entropy
     * from logits), the same values and gradients as {@code -logSoftmax(-1)} picked at each row's class
     * and averaged, without recording those steps:
     * <pre>
     *   ls = logSoftmax(x) (last axis),   loss = −(Σ_i ls[i, k_i]) / n
     *   dx = −(exp(ls)·s) + onehot(k)·s,   s = (−g) / n
     * </pre>
     * The log-softmax is kept for the gradient (one tensor of this shape); the gradient is one exp pass,
     * one scaling and a scatter of n values.
     *
     * <p>Shapes: this {@code [..., C]}, {@code classes} one id in {@code [0, C)} per leading position
     * ({@code n} of them, row-major); the result is a scalar.
     */
    public Tensor sparseSoftmaxCrossEntropy(int[] classes) {
        return sparseSoftmaxCrossEntropy(classes, null);
    }

    /**
     * For {@code y = x.softmax(-1)} (this tensor is y): {@code x.sparseSoftmaxCrossEntropy(classes)}, the same value
     * and gradient, from the row maxima and log-sums the softmax kept where its backend computed them
     * ({@link Backend#softmaxWithStatistics}), so the loss makes no pass over the rows.
     *
     * @throws IllegalStateException when this tensor is not the result of a softmax over the last axis
     */
    public Tensor sparseSoftmaxCrossEntropyOfSoftmax(int[] classes) {
        Tensor x = softmaxLogits();
        if (x == null) throw new IllegalStateException("sparseSoftmaxCrossEntropyOfSoftmax: this tensor is not the result of softmax(-1)");
        return x.sparseSoftmaxCrossEntropy(classes, softmaxStatistics);
    }

    /** {@code knownStatistics}: this tensor's rows' (max, lse) from its softmax, or null. */
    private Tensor sparseSoftmaxCrossEntropy(int[] classes, Tensor knownStatistics) {
        int c = dims.length == 0 ? 0 : dims[dims.length - 1];
        int n = c == 0 ? 0 : size() / c;
        if (dims.length == 0 || classes.length != n) {
            throw new IllegalArgumentException("sparseSoftmaxCrossEntropy: logits " + shape + " need one class id per row (" + n + "), got " + classes.length);
        }
        int[] flat = new int[n];
        for (int i = 0; i < n; i++) {
            if (classes[i] < 0 || classes[i] >= c) {
                throw new IndexOutOfBoundsException("sparseSoftmaxCrossEntropy: class " + classes[i] + " at row " + i + " is out of range [0, " + c + ")");
            }
            flat[i] = i * c + classes[i];
        }
        // fused on backends that have it: the picked log-softmax entries and two numbers per row, no log-softmax matrix
        Tensor x = contiguousRaw();
        if (knownStatistics != null && x == this && dtype() == DType.FLOAT32) {
            // the softmax's statistics: picked_i = (x[i, k_i] − m_i) − lse_i in float, as the kernel computes it
            Tensor picked = allocate(backend, dtype(), Shape.of(n), false);
            for (int i = 0; i < n; i++) {
                float xk = (float) storage.get(offset + flat[i]);
                float m = (float) knownStatistics.storage.get(knownStatistics.offset + 2 * i);
                float lse = (float) knownStatistics.storage.get(knownStatistics.offset + 2 * i + 1);
                picked.storage.set(i, (xk - m) - lse);
            }
            Tensor loss = picked.mean().neg();
            return loss.record("sparse_softmax_cross_entropy", Derivatives.sparseSoftmaxCrossEntropy(x, classes.clone(), knownStatistics), in(this), x, knownStatistics);
        }
        Tensor fusedPicked = allocate(backend, dtype(), Shape.of(n), false), stats = allocate(backend, dtype(), Shape.of(n, 2), false);
        if (backend.sparseSoftmaxCrossEntropy(x.matrixView(), classes, fusedPicked.view(), stats.view())) {
            Tensor loss = fusedPicked.mean().neg();
            return loss.record("sparse_softmax_cross_entropy", Derivatives.sparseSoftmaxCrossEntropy(x, classes.clone(), stats), in(this), x, stats);
        }
        Tensor ls = allocate(backend, dtype(), shape, false); // the softmax writes every element: no zero fill
        backend.softmax(view(), ls.view(), true);
        Tensor picked = allocate(backend, dtype(), Shape.of(n));
        backend.indexSelect(new View(ls.storage, new int[] {ls.size()}, new int[] {1}, 0), 0, flat, picked.view());
        // on tensors without a gradient, so nothing is recorded: the steps of mean().neg() of the pick, the same rounding
        Tensor loss = picked.mean().neg();
        return loss.record("sparse_softmax_cross_entropy", Derivatives.sparseSoftmaxCrossEntropy(ls, flat), in(this), ls);
    }

    private Tensor softmax(int axis, boolean log) {
        int a = shape.axis(axis);
        if (a != dims.length - 1) return transpose(a, -1).softmax(-1, log).transpose(a, -1);
        Tensor y = allocate(backend, dtype(), shape, false); // written whole by the softmax
        Tensor stats = log || !isContiguous() || dims.length == 0 ? null : allocate(backend, dtype(), Shape.of(dims[a] == 0 ? 0 : size() / dims[a], 2), false);
        if (stats != null && backend.softmaxWithStatistics(matrixView(), y.matrixView(), stats.view())) {
            y.softmaxStatistics = stats; // kept for a sparse cross-entropy of this softmax
        } else {
            backend.softmax(view(), y.view(), log);
        }
        return y.record(log ? "log_softmax" : "softmax", Derivatives.softmax(y, log), in(this), y);
    }

    /**
     * Scaled dot-product attention in one operation, {@code softmax(q·kᵀ·scale + bias)·v} per batch and
     * head, where {@code bias = (1 − mask·causalMask)·(−1e9)} is Keras's masked-softmax bias:
     * <pre>
     *   s[i, j] = (q[i]·scale)·k[j] + bias[i, j]     out[i] = Σ_j softmax_j(s[i, ·])·v[j]
     * </pre>
     * mask: null (every key attends) or a float tensor broadcastable to {@code [B, H, Tq, Tk]}, 1 = attend,
     * 0 = masked; it is a constant (no gradient). causal: query i sees keys {@code j ≤ i + Tk − Tq}
     * (aligned bottom-right, so with Tq = Tk it is the lower triangle of Keras's {@code use_causal_mask},
     * and a single query appended to a cache sees every key). A row whose keys are all masked gets the
     * softmax of its −1e9-biased scores, as Keras: nearly uniform weights, never NaN. Keras scales by
     * {@code 1/sqrt(D)}; pass that as {@code scale}. The backend's {@link Backend#attention} computes it;
     * the CPU backend's float32 kernel never materialises the {@code Tq × Tk} scores, and the gradient
     * recomputes them from the saved per-row logsumexp.
     *
     * <p>Shapes: q {@code [B, H, Tq, D]}, k {@code [B, H, Tk, D]}, v {@code [B, H, Tk, Dv]}, result
     * {@code [B, H, Tq, Dv]}; the type is the widest of q's, k's and v's.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
            throw new IllegalArgumentException("scaledDotProductAttention needs q [B, H, Tq, D], k [B, H, Tk, D] and v [B, H, Tk, Dv], got "
                    + q.shape + ", " + k.shape + " and " + v.shape);
        }
        int b = q.dims[0], h = q.dims[1], tq = q.dims[2], tk = k.dims[2];
        if (k.dims[0] != b || v.dims[0] != b || k.dims[1] != h || v.dims[1] != h || k.dims[3] != q.dims[3] || v.dims[2] != tk) {
            throw new IllegalArgumentException("scaledDotProductAttention: q [B, H, Tq, D] " + q.shape + ", k [B, H, Tk, D] " + k.shape
                    + " and v [B, H, Tk, Dv] " + v.shape + " disagree on B, H, D or Tk");
        }
        if (tk == 0) throw new IllegalArgumentException("scaledDotProductAttention needs at least one key, got k " + k.shape);
        if (!Double.isFinite(scale)) throw new IllegalArgumentException("scaledDotProductAttention: scale must be finite, got " + scale);
        Shape scores = Shape.of(b, h, tq, tk);
        if (mask != null && !broadcastsTo(mask.shape, scores)) {
            throw new IllegalArgumentException("scaledDotProductAttention: the mask must broadcast to [B, H, Tq, Tk] = " + scores + ", got " + mask.shape);
        }
        DType type = DType.promote(DType.promote(q.dtype(), k.dtype()), v.dtype());
        Tensor qt = q.to(type), kt = k.to(type), vt = v.to(type);
        Tensor m = mask == null ? null : mask.detach().to(type).expand(scores);
        Backend be = q.backend;
        Tensor out = allocate(be, type, Shape.of(b, h, tq, v.dims[3]), false);
        Tensor lse = allocate(be, type, Shape.of(b, h, tq), false);
        be.attention(qt.view(), kt.view(), vt.view(), m == null ? null : m.view(), causal, scale, out.view(), lse.view());
        return out.record("attention", Derivatives.attention(qt, kt, vt, m, causal, scale, out, lse), in(qt, kt, vt), qt, kt, vt, out);
    }

    /**
     * Self-attention over packed projections: {@link #scaledDotProductAttention} with q, k and v read from
     * column ranges of one tensor, and the heads' outputs written side by side, so that the projections can
     * be one matrix product and the output projection can read the result as it is (no copies to split or
     * merge heads, either way):
     * <pre>
     *   qkv[b, t] = [ q_0 … q_{H−1} | k_0 … k_{H−1} | v_0 … v_{H−1} ]   (q_h, k_h of width D, v_h of width Dv)
     *   out[b, t, h·Dv + e] = scaledDotProductAttention(q, k, v, mask, causal, scale)[b, h, t, e]
     * </pre>
     * The gradient is one tensor of qkv's shape, its three ranges written by the backend's attention
     * gradient. mask and causal as {@link #scaledDotProductAttention} (here Tq = Tk = T).
     *
     * <p>Shapes: qkv {@code [B, T, H·(2·D + Dv)]}, mask null or broadcastable to {@code [B, H, T, T]},
     * result {@code [B, T, H·Dv]}.
     *
     * @param heads  H, at least 1
     * @param keyDim D, the width of each head's query and key (at least 1); Dv is what the last dimension leaves
     */
    public static Tensor packedSelfAttention(Tensor qkv, int heads, int keyDim, Tensor mask, boolean causal, double scale) {
        if (qkv.rank() != 3 || heads < 1 || keyDim < 1) {
            throw new IllegalArgumentException("packedSelfAttention needs qkv [B, T, H·(2·D + Dv)] with H >= 1 and D >= 1, got qkv "
                    + qkv.shape + ", heads=" + heads + ", keyDim=" + keyDim);
        }
        int b = qkv.dims[0], t = qkv.dims[1], width = qkv.dims[2], dv = (width - 2 * heads * keyDim) / heads;
        if (dv < 1 || width != heads * (2 * keyDim + dv)) {
            throw new IllegalArgumentException("packedSelfAttention: the last dimension of qkv " + qkv.shape + " is not H·(2·D + Dv) for heads="
                    + heads + ", keyDim=" + keyDim + " and any Dv >= 1");
        }
        if (t == 0) throw new IllegalArgumentException("packedSelfAttention needs at least one position, got qkv " + qkv.shape);
        if (!Double.isFinite(scale)) throw new IllegalArgumentException("packedSelfAttention: scale must be finite, got " + scale);
        Shape scores = Shape.of(b, heads, t, t);
        if (mask != null && !broadcastsTo(mask.shape, scores)) {
            throw new IllegalArgumentException("packedSelfAttention: the mask must broadcast to [B, H, T, T] = " + scores + ", got " + mask.shape);
        }
        Tensor x = qkv.contiguous();
        Tensor m = mask == null ? null : mask.detach().to(x.dtype()).expand(scores);
        Backend be = x.backend;
        Tensor out = allocate(be, x.dtype(), Shape.of(b, t, heads * dv), false);
        Tensor lse = allocate(be, x.dtype(), Shape.of(b, heads, t), false);
        View[] parts = packedHeads(x.storage, x.offset, b, t, heads, keyDim, dv);
        be.attention(parts[0], parts[1], parts[2], m == null ? null : m.view(), causal, scale, headsView(out.storage, out.offset, b, t, heads, dv),
                lse.view());
        return out.record("packedSelfAttention", Derivatives.packedSelfAttention(x, heads, keyDim, m, causal, scale, out, lse), in(x), x, out);
    }

    /** The gradient of {@link #packedSelfAttention} with respect to qkv (one tensor of its shape). Not recorded. */
    static Tensor packedSelfAttentionBackward(Tensor qkv, int heads, int keyDim, Tensor mask, boolean causal, double scale, Tensor out,
                                              Tensor lse, Tensor gradOut) {
        int b = qkv.dims[0], t = qkv.dims[1], dv = out.dims[2] / heads;
        Backend be = qkv.backend;
        Tensor g = gradOut.to(out.dtype());
        Tensor dqkv = allocate(be, qkv.dtype(), qkv.shape, false);
        View[] in = packedHeads(qkv.storage, qkv.offset, b, t, heads, keyDim, dv);
        View[] grads = packedHeads(dqkv.storage, dqkv.offset, b, t, heads, keyDim, dv);
        int[] gs = g.strides;   // any strides: the gradient of a sum arrives broadcast
        View gradHeads = new View(g.storage, new int[] {b, heads, t, dv}, new int[] {gs[0], dv * gs[2], gs[1], gs[2]}, g.offset);
        be.attentionBackward(in[0], in[1], in[2], mask == null ? null : mask.view(), causal, scale, headsView(out.storage, out.offset, b, t, heads, dv),
                lse.view(), gradHeads, grads[0], grads[1], grads[2]);
        return dqkv;
    }

    /** q, k and v of a contiguous packed {@code [B, T, H·(2·D + Dv)]} tensor as {@code [B, H, T, D or Dv]} views. */
    private static View[] packedHeads(Storage storage, int offset, int b, int t, int heads, int keyDim, int dv) {
        int width = heads * (2 * keyDim + dv);
        View q = new View(storage, new int[] {b, heads, t, keyDim}, new int[] {t * width, keyDim, width, 1}, offset);
        View k = new View(storage, new int[] {b, heads, t, keyDim}, new int[] {t * width, keyDim, width, 1}, offset + heads * keyDim);
        View v = new View(storage, new int[] {b, heads, t, dv}, new int[] {t * width, dv, width, 1}, offset + 2 * heads * keyDim);
        return new View[] {q, k, v};
    }

    /** A contiguous {@code [B, T, H·Dv]} tensor as the {@code [B, H, T, Dv]} view of its heads. */
    private static View headsView(Storage storage, int offset, int b, int t, int heads, int dv) {
        return new View(storage, new int[] {b, heads, t, dv}, new int[] {t * heads * dv, dv, heads * dv, 1}, offset);
    }

    private static boolean broadcastsTo(Shape from, Shape to) {
        try {
            return Shape.broadcast(from, to).equals(to);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Gradients of {@link #scaledDotProductAttention} ({@link Backend#attentionBackward}), each null unless wanted. Not recorded. */
    static Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse,
                                      Tensor gradOut, boolean[] wanted) {
        Backend be = q.backend;
        Tensor g = gradOut.to(out.dtype());
        Tensor dq = wanted[0] ? allocate(be, q.dtype(), q.shape, false) : null;
        Tensor dk = wanted[1] ? allocate(be, k.dtype(), k.shape, false) : null;
        Tensor dv = wanted[2] ? allocate(be, v.dtype(), v.shape, false) : null;
        be.attentionBackward(q.view(), k.view(), v.view(), mask == null ? null : mask.view(), causal, scale, out.view(), lse.view(), g.view(),
                dq == null ? null : dq.view(), dk == null ? null : dk.view(), dv == null ? null : dv.view());
        return new Tensor[] {dq, dk, dv};
    }

    /** Sums this (a broadcast result) down to {@code target}: used to reduce broadcast gradients. */
    Tensor sumTo(Shape target) {
        if (shape.equals(target)) return this;
        int lead = dims.length - target.rank();
        if (lead < 0) throw new IllegalArgumentException("cannot sum shape " + shape + " down to " + target);
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            if (i < lead || (target.dim(i - lead) == 1 && dims[i] != 1)) axes.add(i);
            else if (target.dim(i - lead) != dims[i]) throw new IllegalArgumentException("cannot sum shape " + shape + " down to " + target);
        }
        Tensor s = axes.isEmpty() ? this : sum(axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return s.reshape(target);
    }

    // =====================================================================================
    // Linear algebra, joining, indexing
    // =====================================================================================

    /**
     * Matrix product with NumPy semantics: {@code [..., m, k] · [..., k, n] -> [..., m, n]}, batch
     * dimensions broadcast; a 1-D operand is a vector (its dimension is removed from the result).
     */
    public Tensor matmul(Tensor other) {
        if (dims.length == 0 || other.dims.length == 0) {
            throw new IllegalArgumentException("matmul needs operands of rank >= 1, got " + shape + " and " + other.shape);
        }
        if (dims.length == 1) return unsqueeze(0).matmul(other).squeeze(-2);
        if (other.dims.length == 1) return matmul(other.unsqueeze(-1)).squeeze(-1);
        int m = dims[dims.length - 2], k = dims[dims.length - 1];
        int k2 = other.dims[other.dims.length - 2], n = other.dims[other.dims.length - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + shape + " and " + other.shape + " are not aligned (" + k + " != " + k2 + ")");
        }
        if (dims.length > 2 && other.dims.length == 2 && k > 0 && isContiguous()) {
            // [..., m, k] · [k, n] is one [(...·m), k] · [k, n] product: one large GEMM (and one for each
            // gradient) instead of a small one per batch entry, with partial weight gradients summed
            int[] outDims = dims.clone();
            outDims[dims.length - 1] = n;
            return reshape(size() / k, k).matmul(other).reshape(outDims);
        }
        Shape batchA = Shape.of(Arrays.copyOf(dims, dims.length - 2));
        Shape batchB = Shape.of(Arrays.copyOf(other.dims, other.dims.length - 2));
        Shape batch = Shape.broadcast(batchA, batchB);
        int[] outDims = Arrays.copyOf(batch.toArray(), batch.rank() + 2);
        outDims[batch.rank()] = m;
        outDims[batch.rank() + 1] = n;
        Tensor out = allocate(backend, DType.promote(dtype(), other.dtype()), Shape.of(outDims), false);
        View av = matmulOperand(batch, m, k);
        View bv = other.matmulOperand(batch, k, n);
        backend.matmul(av, bv, out.view3d(batch.size(), m, n));
        return out.record("matmul", Derivatives.matmul(this, other), in(this, other), this, other);
    }

    /**
     * A dense layer's affine map and activation as one operation: {@code activation(x · kernel + bias)} over the last
     * axis, with the values and gradients of {@code matmul(kernel).add(bias)} followed by {@link #relu()} or
     * {@link #tanh()}, bit for bit, without the separate passes over the output and their tensors (the backend applies
     * bias and activation to each block of the product while it is still in cache). The activation's gradient comes
     * from the output (relu: {@code y > 0} exactly where the pre-activation is; tanh: {@code 1 − y²}), so no
     * pre-activation is kept.
     *
     * <p>Shapes: this {@code [..., in]}, kernel {@code [in, units]}, bias {@code [units]} or null, result
     * {@code [..., units]}.
     *
     * <p>Example: {@code Tensor h = x.dense(kernel, bias, UnaryOp.RELU);}
     *
     * @param activation null (none), {@link UnaryOp#RELU} or {@link UnaryOp#TANH}
     */
    public Tensor dense(Tensor kernel, Tensor bias, UnaryOp activation) {
        if (kernel.rank() != 2 || dims.length == 0 || dims[dims.length - 1] != kernel.dims[0]) {
            throw new IllegalArgumentException("dense: expected input [..., in] and kernel [in, units], got " + shape + " and " + kernel.shape);
        }
        int in = kernel.dims[0], units = kernel.dims[1];
        if (bias != null && (bias.rank() != 1 || bias.dims[0] != units)) {
            throw new IllegalArgumentException("dense: the bias must be [units] = [" + units + "] for kernel " + kernel.shape + ", got " + bias.shape);
        }
        if (activation != null && activation != UnaryOp.RELU && activation != UnaryOp.TANH) {
            throw new IllegalArgumentException("dense: the activation must be null, RELU or TANH (gradients taken from the output), got " + activation);
        }
        DType type = dtype();
        boolean fusable = dims.length >= 2 && in > 0 && isContiguous() && kernel.isContiguous() && kernel.dtype() == type
                && (bias == null || bias.dtype() == type);
        if (!fusable) {
            // matmul's own handling of vectors, strided operands and mixed types; the same values
            Tensor y = matmul(kernel);
            if (bias != null) y = y.add(bias);
            return activation == null ? y : activation == UnaryOp.RELU ? y.relu() : y.tanh();
        }
        int rows = size() / in;
        int[] outDims = dims.clone();
        outDims[dims.length - 1] = units;
        Tensor out = allocate(backend, type, Shape.of(outDims), false); // written whole by the backend
        backend.matmulBias(view3d(1, rows, in), kernel.view3d(1, in, units), bias == null ? null : bias.view(), activation,
                out.view3d(1, rows, units));
        Backward rule = Derivatives.dense(this, kernel, bias != null, activation, out);
        return bias == null
                ? out.record("dense", rule, in(this, kernel), this, kernel, out)
                : out.record("dense", rule, in(this, kernel, bias), this, kernel, bias, out);
    }

    /**
     * This tensor as a rank-3 view {@code [batch, rows, cols]} for the matmul kernel: matrices stay in
     * place when they are row-major or column-major (a transposed view), and batch dimensions collapse
     * into one stride; anything else is copied first.
     */
    private View matmulOperand(Shape batch, int rows, int cols) {
        int r = dims.length;
        Tensor t = GemmLayout.of(rows, cols, strides[r - 2], strides[r - 1]) != null ? this : copyRaw();
        int nb = batch.rank();
        int[] full = Arrays.copyOf(batch.toArray(), nb + 2);
        full[nb] = rows;
        full[nb + 1] = cols;
        View e = t.expandedView(Shape.of(full));
        int batchStride = 0;
        int inner = 1; // product of the batch dimensions after i
        boolean collapsible = true;
        for (int i = nb - 1; i >= 0; i--) {
            int size = e.shape()[i];
            if (size == 1) continue;
            if (inner == 1 && batchStride == 0) batchStride = e.strides()[i];
            else if (e.strides()[i] != batchStride * inner) collapsible = false;
            inner *= size;
        }
        if (!collapsible) {
            Tensor c = allocate(backend, dtype(), Shape.of(full));
            backend.copy(e, c.view());
            return c.view3d(batch.size(), rows, cols);
        }
        return new View(e.storage(), new int[] {batch.size(), rows, cols},
                new int[] {batchStride, e.strides()[nb], e.strides()[nb + 1]}, e.offset());
    }

    /**
     * {@code op(a)·op(b)} of two contiguous tensors read as matrices ({@code a} as {@code [aRows, aCols]}, {@code b} as
     * {@code [bRows, bCols]}, each transposed when asked), into a new tensor of {@code outShape}: the values of
     * {@code a.reshape(aRows, aCols)[.mT()].matmul(b...)} reshaped, bit for bit (the backend gets the same operands), but
     * through views only. A reshape or {@code mT()} would be a second tensor on the operand's storage, which keeps that
     * array out of {@link BufferPool} (a dense layer's input activation and its output gradient in a training step).
     * Not recorded: for gradient rules, which run with recording off. Same dtype for both operands.
     */
    static Tensor matrixProduct(Tensor a, int aRows, int aCols, boolean transA, Tensor b, int bRows, int bCols, boolean transB,
                                Shape outShape) {
        int m = transA ? aCols : aRows, k = transA ? aRows : aCols, n = transB ? bRows : bCols;
        if (!a.isContiguous() || !b.isContiguous() || a.dtype() != b.dtype() || a.size() != aRows * aCols || b.size() != bRows * bCols
                || (transB ? bCols : bRows) != k || outShape.size() != m * n) {
            throw new IllegalArgumentException("matrixProduct: operands " + a.shape + " as [" + aRows + ", " + aCols + "] and " + b.shape
                    + " as [" + bRows + ", " + bCols + "] (contiguous, one dtype) do not give " + outShape);
        }
        Tensor out = allocate(a.backend, a.dtype(), outShape, false);
        a.backend.matmul(a.matrixOperand(aRows, aCols, transA), b.matrixOperand(bRows, bCols, transB), out.view3d(1, m, n));
        return out;
    }

    /** This contiguous tensor as a {@code [1, rows, cols]} operand of the backend's matmul, or its transpose: {@link #matmulOperand}'s view of a 2-D tensor. */
    private View matrixOperand(int rows, int cols, boolean transposed) {
        return transposed
                ? new View(storage, new int[] {1, cols, rows}, new int[] {0, 1, cols}, offset)
                : new View(storage, new int[] {1, rows, cols}, new int[] {0, cols, 1}, offset);
    }

    private View view3d(int batch, int rows, int cols) {
        return new View(storage, new int[] {batch, rows, cols}, new int[] {rows * cols, cols, 1}, offset);
    }

    /** Joins tensors along {@code axis}; all other dimensions must match. */
    public static Tensor concat(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("concat needs at least one tensor");
        Tensor first = tensors.get(0);
        int a = first.shape.axis(axis);
        int total = 0;
        DType dt = first.dtype();
        for (Tensor t : tensors) {
            if (t.rank() != first.rank()) throw new IllegalArgumentException("concat: ranks differ, " + first.shape + " vs " + t.shape);
            for (int i = 0; i < t.rank(); i++) {
                if (i != a && t.dims[i] != first.dims[i]) {
                    throw new IllegalArgumentException("concat along axis " + axis + ": shapes " + first.shape + " and " + t.shape + " differ in dimension " + i);
                }
            }
            total += t.dims[a];
            dt = DType.promote(dt, t.dtype());
        }
        Tensor out = allocate(first.backend, dt, first.shape.with(a, total), false);
        int[] sizes = new int[tensors.size()];
        int pos = 0;
        for (int i = 0; i < sizes.length; i++) {
            Tensor t = tensors.get(i);
            sizes[i] = t.dims[a];
            out.backend.copy(t.view(), out.sliceView(a, pos, sizes[i]));
            pos += sizes[i];
        }
        out = out.record("concat", Derivatives.concat(a, sizes), tensors.toArray(new Tensor[0]));
        if (!out.requiresGrad()) out.concatLogits(tensors, a);
        return out;
    }

    /**
     * Parts that each keep their logits (all softmax over the last axis, or all sigmoid) joined along an axis that
     * is not the softmax's make a result that keeps theirs joined the same way, and a softmax's row statistics when
     * joined along axis 0: the chunks of a batch {@code Model.predict} and {@code evaluate} run one at a time get the
     * loss of the whole batch. Not in a graph, where the loss would reach the parts' logits twice.
     */
    private void concatLogits(List<Tensor> parts, int axis) {
        boolean softmax = parts.get(0).logitsOfSoftmax;
        if (softmax && axis == dims.length - 1) return;
        List<Tensor> joined = new ArrayList<>(parts.size()), statistics = new ArrayList<>(parts.size());
        for (Tensor p : parts) {
            if (p.logits == null || p.logitsOfSoftmax != softmax) return;
            joined.add(p.logits);
            if (p.softmaxStatistics != null) statistics.add(p.softmaxStatistics);
        }
        logits = concat(joined, axis);
        logits.readLater = true;
        logitsOfSoftmax = softmax;
        if (softmax && axis == 0 && statistics.size() == parts.size()) softmaxStatistics = concat(statistics, 0);
    }

    private View sliceView(int axis, int start, int length) {
        int[] d = dims.clone();
        d[axis] = length;
        return new View(storage, d, strides, offset + start * strides[axis]);
    }

    /** Stacks tensors of equal shape along a new dimension {@code axis}. */
    public static Tensor stack(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack needs at least one tensor");
        List<Tensor> expanded = new ArrayList<>();
        for (Tensor t : tensors) {
            if (!t.shape.equals(tensors.get(0).shape)) {
                throw new IllegalArgumentException("stack: shapes " + tensors.get(0).shape + " and " + t.shape + " differ");
            }
            expanded.add(t.unsqueeze(axis));
        }
        return concat(expanded, axis);
    }

    /** Splits along {@code axis} into pieces of the given sizes (views). */
    public List<Tensor> split(int[] sizes, int axis) {
        int a = shape.axis(axis);
        int total = 0;
        for (int s : sizes) total += s;
        if (total != dims[a]) {
            throw new IllegalArgumentException("split sizes " + Arrays.toString(sizes) + " add up to " + total + ", axis " + axis + " of " + shape + " has " + dims[a]);
        }
        List<Tensor> parts = new ArrayList<>();
        int pos = 0;
        for (int s : sizes) {
            parts.add(slice(a, pos, pos + s));
            pos += s;
        }
        return parts;
    }

    /** Splits along {@code axis} into {@code n} equal pieces. */
    public List<Tensor> chunk(int n, int axis) {
        int a = shape.axis(axis);
        if (n < 1 || dims[a] % n != 0) throw new IllegalArgumentException("cannot split axis " + axis + " of " + shape + " into " + n + " equal pieces");
        int[] sizes = new int[n];
        Arrays.fill(sizes, dims[a] / n);
        return split(sizes, a);
    }

    /** Picks the entries {@code indices} along {@code axis} (repeats allowed): embedding lookup. */
    public Tensor indexSelect(int axis, int[] indices) {
        return indexSelect(axis, indices, null);
    }

    /**
     * {@link #indexSelect(int, int[])} with the result in {@code resultShape}: the same elements in row-major order, for
     * indices that have a shape of their own (an embedding's {@code [batch, time]} ids give {@code [batch, time, dim]}).
     * One tensor instead of a reshaped view of one, so that its array is the result's alone (a view shares it, and
     * {@link BufferPool#release} then leaves it alone).
     *
     * <p>Example: {@code table.indexSelect(0, ids, Shape.of(batch, time, dim))} for a {@code [vocab, dim]} table.
     *
     * @param resultShape null for the plain selection's shape; else one of the same size
     */
    public Tensor indexSelect(int axis, int[] indices, Shape resultShape) {
        int a = shape.axis(axis);
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= dims[a]) {
                throw new IndexOutOfBoundsException("indexSelect: index " + indices[i] + " at position " + i + " is out of range [0, " + dims[a] + ") for axis " + axis + " of shape " + shape);
            }
        }
        Shape selected = shape.with(a, indices.length);
        if (resultShape != null && resultShape.size() != selected.size()) {
            throw new IllegalArgumentException("indexSelect: resultShape " + resultShape + " holds " + resultShape.size()
                    + " elements, the selection of " + indices.length + " entries along axis " + axis + " of shape " + shape + " holds " + selected.size());
        }
        boolean reshaped = resultShape != null && !resultShape.equals(selected);
        Tensor out = allocate(backend, dtype(), reshaped ? resultShape : selected, false); // every row is copied in
        backend.indexSelect(view(), a, indices.clone(), reshaped ? View.contiguous(out.storage, selected.toArray()) : out.view());
        Backward rule = Derivatives.indexSelect(shape, a, indices.clone());
        if (reshaped) {
            Backward plain = rule;
            rule = g -> plain.apply(g.reshape(selected));
        }
        return out.record("index_select", rule, in(this));
    }

    /**
     * Picks entries along {@code axis} with integer-valued {@code indices} of any shape; the result has
     * the indices' shape in place of {@code axis} (NumPy's take). Embedding: {@code table.take(0, ids)}.
     */
    public Tensor take(int axis, Tensor indices) {
        int a = shape.axis(axis);
        int[] idx = indices.toIndexArray(dims[a], "take along axis " + axis + " of shape " + shape);
        int[] outDims = new int[dims.length - 1 + indices.rank()];
        int j = 0;
        for (int i = 0; i < a; i++) outDims[j++] = dims[i];
        for (int d : indices.dims) outDims[j++] = d;
        for (int i = a + 1; i < dims.length; i++) outDims[j++] = dims[i];
        return indexSelect(a, idx, Shape.of(outDims));
    }

    /**
     * A copy of this tensor with {@code source}'s entries added at {@code indices} along {@code axis}
     * (scatter-add; repeated indices add up). Differentiable in both.
     */
    public Tensor indexAdd(int axis, int[] indices, Tensor source) {
        int a = shape.axis(axis);
        if (source.rank() != rank() || source.dims[a] != indices.length) {
            throw new IllegalArgumentException("indexAdd: source shape " + source.shape + " does not fit " + indices.length + " indices along axis " + axis + " of " + shape);
        }
        for (int i = 0; i < rank(); i++) {
            if (i != a && source.dims[i] != dims[i]) {
                throw new IllegalArgumentException("indexAdd: source shape " + source.shape + " does not match " + shape + " outside axis " + axis);
            }
        }
        for (int idx : indices) {
            if (idx < 0 || idx >= dims[a]) throw new IndexOutOfBoundsException("indexAdd: index " + idx + " out of range [0, " + dims[a] + ")");
        }
        Tensor out = copyRaw();
        backend.indexAdd(source.view(), a, indices.clone(), out.view());
        return out.record("index_add", Derivatives.indexAdd(a, indices.clone()), in(this, source));
    }

    /**
     * Pads with a constant: {@code widths[i] = {before, after}} for each dimension (fewer entries pad the
     * leading dimensions only; missing ones are not padded).
     */
    public Tensor pad(int[][] widths, double value) {
        if (widths.length > dims.length) throw new IllegalArgumentException("pad: " + widths.length + " widths for a tensor of rank " + dims.length);
        int[] d = dims.clone();
        int off = 0;
        for (int i = 0; i < widths.length; i++) {
            if (widths[i].length != 2 || widths[i][0] < 0 || widths[i][1] < 0) {
                throw new IllegalArgumentException("pad: widths[" + i + "] must be {before, after} >= 0, got " + Arrays.toString(widths[i]));
            }
            d[i] += widths[i][0] + widths[i][1];
        }
        Tensor out = fillOn(backend, dtype(), Shape.of(d), value);
        int[] outStrides = out.strides;
        for (int i = 0; i < widths.length; i++) off += widths[i][0] * outStrides[i];
        backend.copy(view(), new View(out.storage, dims, outStrides, off));
        return out.record("pad", Derivatives.pad(shape, widths), in(this));
    }

    // =====================================================================================
    // Batch normalization (fused: one operation, one gradient rule)
    // =====================================================================================

    /**
     * Batch normalization with the batch's own statistics (Keras's BatchNormalization in training), over
     * every axis but the feature axis {@code axis}, in one operation:
     * <pre>
     *   mean = Σ x / n,   variance = Σ (x − mean)² / n      (per feature; biased, n = size / features)
     *   y = (x − mean) / sqrt(variance + epsilon) · gamma + beta
     * </pre>
     * Its gradient (to this tensor, gamma and beta) counts mean and variance as functions of x
     * ({@link Backend#batchNormBackward}). A null gamma is 1, a null beta 0. The type is the widest of the
     * operands'.
     *
     * <p>Shapes: this {@code [..., features, ...]}, gamma and beta {@code [features]}; the result's output
     * has this shape, its mean and variance {@code [features]} (outside the graph, for moving averages).
     */
    public BatchNormResult batchNormTraining(int axis, Tensor gamma, Tensor beta, double epsilon) {
        return batchNormTraining("batchNormTraining", axis, gamma, beta, epsilon, false);
    }

    /**
     * {@link #batchNormTraining} followed by the rectifier, in one operation: the output is
     * {@code relu(batchNormTraining(axis, gamma, beta, epsilon).output())} with the same values and gradients
     * (bit for bit), written in the normalization's pass, and the gradient rule reads the rectifier's mask from that
     * output (no normalized tensor is kept between them). What a model runs for BatchNormalization then ReLU.
     *
     * <p>Shapes: as {@link #batchNormTraining}.
     *
     * <p>Example: {@code Tensor y = x.batchNormTrainingRelu(-1, gamma, beta, 1e-3).output();}
     */
    public BatchNormResult batchNormTrainingRelu(int axis, Tensor gamma, Tensor beta, double epsilon) {
        return batchNormTraining("batchNormTrainingRelu", axis, gamma, beta, epsilon, true);
    }

    private BatchNormResult batchNormTraining(String op, int axis, Tensor gamma, Tensor beta, double epsilon, boolean relu) {
        int a = shape.axis(axis);
        if (a != dims.length - 1) {
            BatchNormResult r = transpose(a, -1).batchNormTraining(op, -1, gamma, beta, epsilon, relu);
            return new BatchNormResult(r.output().transpose(a, -1), r.mean(), r.variance());
        }
        return batchNormLast(op, null, null, gamma, beta, epsilon, relu);
    }

    /**
     * Batch normalization with given per-feature statistics (Keras's BatchNormalization in inference, with
     * its moving mean and variance): {@code y = (x − mean) / sqrt(variance + epsilon) · gamma + beta} along
     * the feature axis {@code axis}, in one operation. mean and variance are constants for the gradient
     * (they are copied, so later in-place updates of them do not disturb it); gamma and beta as in
     * {@link #batchNormTraining}.
     *
     * <p>Shapes: this {@code [..., features, ...]}, mean, variance, gamma, beta {@code [features]}; result as this.
     */
    public Tensor batchNormInference(int axis, Tensor mean, Tensor variance, Tensor gamma, Tensor beta, double epsilon) {
        return batchNormInference("batchNormInference", axis, mean, variance, gamma, beta, epsilon, false);
    }

    /**
     * {@link #batchNormInference} followed by the rectifier, in one operation:
     * {@code relu(batchNormInference(axis, mean, variance, gamma, beta, epsilon))} with the same values and gradients
     * (bit for bit), as {@link #batchNormTrainingRelu}.
     *
     * <p>Shapes: as {@link #batchNormInference}.
     */
    public Tensor batchNormInferenceRelu(int axis, Tensor mean, Tensor variance, Tensor gamma, Tensor beta, double epsilon) {
        return batchNormInference("batchNormInferenceRelu", axis, mean, variance, gamma, beta, epsilon, true);
    }

    private Tensor batchNormInference(String op, int axis, Tensor mean, Tensor variance, Tensor gamma, Tensor beta, double epsilon, boolean relu) {
        int a = shape.axis(axis);
        if (a != dims.length - 1) return transpose(a, -1).batchNormInference(op, -1, mean, variance, gamma, beta, epsilon, relu).transpose(a, -1);
        if (mean == null || variance == null) throw new IllegalArgumentException(op + " needs the mean and variance to normalize with, got null");
        return batchNormLast(op, mean, variance, gamma, beta, epsilon, relu).output();
    }

    /**
     * Batch normalization over the last axis: with the batch's statistics when {@code mean} is null; rectified when
     * {@code relu}.
     */
    private BatchNormResult batchNormLast(String op, Tensor mean, Tensor variance, Tensor gamma, Tensor beta, double epsilon, boolean relu) {
        int features = dims.length == 0 ? 0 : dims[dims.length - 1];
        Shape featureShape = Shape.of(features);
        for (Tensor t : new Tensor[] {mean, variance, gamma, beta}) {
            if (t != null && !t.shape.equals(featureShape)) {
                throw new IllegalArgumentException(op + ": input " + shape + " has " + features + " features along its last axis, so mean, variance,"
                        + " gamma and beta must be " + featureShape + ", got " + t.shape);
            }
        }
        DType type = dtype();
        if (gamma != null) type = DType.promote(type, gamma.dtype());
        if (beta != null) type = DType.promote(type, beta.dtype());
        Tensor xIn = to(type), g = gamma == null ? null : gamma.to(type), b = beta == null ? null : beta.to(type);
        Tensor x = xIn.contiguousRaw();
        boolean batch = mean == null;
        Tensor m = allocate(backend, type, featureShape), v = allocate(backend, type, featureShape);
        if (batch) {
            backend.batchNormStatistics(x.matrixView(), m.view(), v.view());
        } else {
            backend.copy(mean.view(), m.view());
            backend.copy(variance.view(), v.view());
        }
        Tensor y = allocate(backend, type, shape, false); // written whole by batchNormApply(Relu)
        View gv = g == null ? null : g.view(), bv = b == null ? null : b.view();
        if (relu) backend.batchNormApplyRelu(x.matrixView(), m.view(), v.view(), gv, bv, epsilon, y.matrixView());
        else backend.batchNormApply(x.matrixView(), m.view(), v.view(), gv, bv, epsilon, y.matrixView());
        List<Tensor> inputs = new ArrayList<>(List.of(xIn));
        if (g != null) inputs.add(g);
        if (b != null) inputs.add(b);
        List<Tensor> saved = new ArrayList<>(List.of(x, m, v));
        if (g != null) saved.add(g);
        if (relu) saved.add(y); // the rectifier's mask, read from the output
        y.record((batch ? "batch_norm" : "batch_norm_inference") + (relu ? "_relu" : ""),
                Derivatives.batchNorm(x, m, v, g, b != null, epsilon, batch, relu ? y : null), inputs.toArray(new Tensor[0]), saved.toArray(new Tensor[0]));
        return new BatchNormResult(y, m, v);
    }

    /**
     * Gradients of a batch normalization over the last axis ({@link Backend#batchNormBackward}), each null
     * unless wanted: {@code {dx, dgamma, dbeta}}. Not recorded.
     */
    static Tensor[] batchNormBackward(Tensor x, Tensor gradOut, Tensor reluOut, Tensor mean, Tensor variance, Tensor gamma, double epsilon,
                                      boolean batchStatistics, boolean wantX, boolean wantGamma, boolean wantBeta) {
        Backend be = x.backend;
        Tensor dy = gradOut.to(x.dtype()).contiguousRaw();
        Tensor dx = wantX ? allocate(be, x.dtype(), x.shape, false) : null;
        Tensor dgamma = wantGamma ? allocate(be, x.dtype(), mean.shape, false) : null;
        Tensor dbeta = wantBeta ? allocate(be, x.dtype(), mean.shape, false) : null;
        View gv = gamma == null ? null : gamma.view(), dxv = dx == null ? null : dx.matrixView();
        View dgv = dgamma == null ? null : dgamma.view(), dbv = dbeta == null ? null : dbeta.view();
        if (reluOut == null) be.batchNormBackward(x.matrixView(), dy.matrixView(), mean.view(), variance.view(), gv, epsilon, batchStatistics, dxv, dgv, dbv);
        else be.batchNormReluBackward(x.matrixView(), dy.matrixView(), reluOut.matrixView(), mean.view(), variance.view(), gv, epsilon, batchStatistics, dxv, dgv, dbv);
        return new Tensor[] {dx, dgamma, dbeta};
    }

    /**
     * Layer normalization over the last axis in one operation (Keras's LayerNormalization with axis -1; the
     * backend's {@link Backend#layerNorm}), each row of features on its own:
     * <pre>
     *   mean = Σ x / n,   variance = Σ (x − mean)² / n        (per row; biased, n = features)
     *   inv = gamma / sqrt(variance + epsilon),   y = (x − mean)·inv + beta
     * </pre>
     * with one gradient rule to this tensor, gamma and beta ({@link Backend#layerNormBackward}). A null gamma
     * is 1, a null beta 0. The type is the widest of the operands'.
     *
     * <p>Shapes: this {@code [..., features]}, gamma and beta {@code [features]}; result as this.
     */
    public Tensor layerNorm(Tensor gamma, Tensor beta, double epsilon) {
        int features = dims.length == 0 ? 0 : dims[dims.length - 1];
        Shape featureShape = Shape.of(features);
        for (Tensor t : new Tensor[] {gamma, beta}) {
            if (t != null && !t.shape.equals(featureShape)) {
                throw new IllegalArgumentException("layerNorm: input " + shape + " has " + features + " features along its last axis, so gamma and beta"
                        + " must be " + featureShape + ", got " + t.shape);
            }
        }
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) throw new IllegalArgumentException("layerNorm: epsilon must be >= 0 and finite, got " + epsilon);
        DType type = dtype();
        if (gamma != null) type = DType.promote(type, gamma.dtype());
        if (beta != null) type = DType.promote(type, beta.dtype());
        Tensor xIn = to(type), g = gamma == null ? null : gamma.to(type), b = beta == null ? null : beta.to(type);
        Tensor x = xIn.contiguousRaw();
        Shape rows = Shape.of(features == 0 ? 0 : size() / features);
        Tensor mean = allocate(backend, type, rows, false), rstd = allocate(backend, type, rows, false);
        Tensor y = allocate(backend, type, shape, false);
        if (y.size() > 0) {
            backend.layerNorm(x.matrixView(), g == null ? null : g.view(), b == null ? null : b.view(), epsilon, y.matrixView(), mean.view(), rstd.view());
        }
        List<Tensor> inputs = new ArrayList<>(List.of(xIn));
        if (g != null) inputs.add(g);
        if (b != null) inputs.add(b);
        Tensor[] saved = g == null ? new Tensor[] {x, mean, rstd} : new Tensor[] {x, mean, rstd, g};
        return y.record("layer_norm", Derivatives.layerNorm(x, mean, rstd, g, b != null), inputs.toArray(new Tensor[0]), saved);
    }

    /**
     * Gradients of {@link #layerNorm} ({@link Backend#layerNormBackward}), each null unless wanted:
     * {@code {dx, dgamma, dbeta}}. Not recorded.
     */
    static Tensor[] layerNormBackward(Tensor x, Tensor gradOut, Tensor mean, Tensor rstd, Tensor gamma,
                                      boolean wantX, boolean wantGamma, boolean wantBeta) {
        Backend be = x.backend;
        int features = x.dims[x.dims.length - 1];
        Shape featureShape = Shape.of(features);
        Tensor dx = wantX ? allocate(be, x.dtype(), x.shape, false) : null;
        Tensor dgamma = wantGamma ? allocate(be, x.dtype(), featureShape, false) : null;
        Tensor dbeta = wantBeta ? allocate(be, x.dtype(), featureShape, false) : null;
        if (x.size() == 0) {
            if (dgamma != null) be.fill(dgamma.view(), 0);
            if (dbeta != null) be.fill(dbeta.view(), 0);
            return new Tensor[] {dx, dgamma, dbeta};
        }
        Tensor dy = gradOut.to(x.dtype()).contiguousRaw();
        be.layerNormBackward(x.matrixView(), dy.matrixView(), mean.view(), rstd.view(), gamma == null ? null : gamma.view(),
                dx == null ? null : dx.matrixView(), dgamma == null ? null : dgamma.view(), dbeta == null ? null : dbeta.view());
        // a contiguous copy of a strided gradient (the broadcast one of a loss's sum()) is this rule's scratch: back to the pool
        if (dy != gradOut) BufferPool.recycleScratch(dy, dx, dgamma, dbeta);
        return new Tensor[] {dx, dgamma, dbeta};
    }

    /** This contiguous tensor as a {@code [rows, last dimension]} matrix (a scalar is one row of one). */
    View matrixView() {
        int last = dims.length == 0 ? 1 : dims[dims.length - 1];
        int rows = last == 0 ? 0 : size() / last;
        return new View(storage, new int[] {rows, last}, new int[] {last, 1}, offset);
    }

    // =====================================================================================
    // Convolution and pooling (channels-last)
    // =====================================================================================

    /**
     * 2-D convolution (cross-correlation, as Keras and PyTorch).
     *
     * <p>Shapes: this {@code [batch, height, width, inChannels]}, kernel
     * {@code [kh, kw, inChannels, filters]}, result {@code [batch, outH, outW, filters]} with
     * {@code outH = padding.outputSize(height, dilation·(kh−1)+1, stride)}.
     */
    public Tensor conv2d(Tensor kernel, ConvOptions options) {
        Conv2dSpec spec = conv2dSpec(kernel, options);
        Tensor x = contiguousRaw();
        Tensor k = kernel.contiguousRaw();
        Tensor out = allocate(backend, DType.promote(dtype(), kernel.dtype()), conv2dShape(kernel, options), false);
        backend.conv2d(x.view(), k.view(), spec, out.view());
        return out.record("conv2d", Derivatives.conv2d(x, k, spec), in(this, kernel), this, kernel);
    }

    /**
     * 2-D convolution plus a bias per filter, {@code conv2d(kernel, options).add(bias)} in one operation:
     * the same values and gradients, without the separate pass over the output and its extra tensor (the
     * backend adds the bias while each part of the output is still in cache).
     *
     * <p>Shapes: as {@link #conv2d(Tensor, ConvOptions)}; bias {@code [filters]}.
     */
    public Tensor conv2d(Tensor kernel, Tensor bias, ConvOptions options) {
        Conv2dSpec spec = conv2dSpec(kernel, options);
        if (bias.rank() != 1 || bias.dims[0] != kernel.dims[3]) {
            throw new IllegalArgumentException("conv2d: the bias must be [filters] = [" + kernel.dims[3] + "] for kernel " + kernel.shape + ", got " + bias.shape);
        }
        DType type = DType.promote(dtype(), kernel.dtype());
        if (bias.dtype() != type) return conv2d(kernel, options).add(bias);
        Tensor x = contiguousRaw();
        Tensor k = kernel.contiguousRaw();
        Tensor out = allocate(backend, type, conv2dShape(kernel, options), false); // written whole by the backend
        backend.conv2dBias(x.view(), k.view(), bias.view(), spec, out.view());
        return out.record("conv2d_bias", Derivatives.conv2dBias(x, k, bias.shape, spec), in(this, kernel, bias), this, kernel, bias);
    }

    /**
     * 2-D convolution plus a bias per filter, then the rectifier: {@code conv2d(kernel, bias, options).relu()} in one
     * operation, with the same values and gradients, without the separate pass over the output and its extra tensor
     * (the backend applies bias and rectifier while each part of the output is still in cache). The gradient is
     * masked by the output ({@code y > 0} exactly where the pre-activation is), so no pre-activation is kept.
     *
     * <p>Shapes: as {@link #conv2d(Tensor, ConvOptions)}; bias {@code [filters]}.
     *
     * <p>Example: {@code Tensor y = images.conv2dRelu(kernel, bias, ConvOptions.same());}
     */
    public Tensor conv2dRelu(Tensor kernel, Tensor bias, ConvOptions options) {
        Conv2dSpec spec = conv2dSpec(kernel, options);
        if (bias.rank() != 1 || bias.dims[0] != kernel.dims[3]) {
            throw new IllegalArgumentException("conv2dRelu: the bias must be [filters] = [" + kernel.dims[3] + "] for kernel " + kernel.shape + ", got " + bias.shape);
        }
        DType type = DType.promote(dtype(), kernel.dtype());
        if (bias.dtype() != type) return conv2d(kernel, options).add(bias).relu();
        Tensor x = contiguousRaw();
        Tensor k = kernel.contiguousRaw();
        Tensor out = allocate(backend, type, conv2dShape(kernel, options), false); // written whole by the backend
        backend.conv2dBiasRelu(x.view(), k.view(), bias.view(), spec, out.view());
        return out.record("conv2d_bias_relu", Derivatives.conv2dBiasRelu(x, k, bias.shape, spec, out), in(this, kernel, bias), this, kernel, bias, out);
    }

    /** Checks conv2d's operands and returns its geometry. */
    private Conv2dSpec conv2dSpec(Tensor kernel, ConvOptions options) {
        if (rank() != 4 || kernel.rank() != 4) {
            throw new IllegalArgumentException("conv2d needs input [batch, height, width, channels] and kernel [kh, kw, in, filters], got " + shape + " and " + kernel.shape);
        }
        if (kernel.dims[2] != dims[3]) {
            throw new IllegalArgumentException("conv2d: input has " + dims[3] + " channels " + shape + " but the kernel expects " + kernel.dims[2] + " " + kernel.shape);
        }
        options.checkExtent("conv2d", dims[1], dims[2], dims[3], kernel.dims[0], kernel.dims[1]);
        int ekh = ConvOptions.window(kernel.dims[0], options.dilationH());
        int ekw = ConvOptions.window(kernel.dims[1], options.dilationW());
        int[] outSize = options.outputSize(dims[1], dims[2], kernel.dims[0], kernel.dims[1]);
        int oh = outSize[0], ow = outSize[1];
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("conv2d: input " + shape + " is smaller than the kernel window " + ekh + "x" + ekw + " with VALID padding");
        }
        return new Conv2dSpec(options.strideH(), options.strideW(), options.dilationH(), options.dilationW(),
                options.padding().padBefore(dims[1], ekh, options.strideH()), options.padding().padBefore(dims[2], ekw, options.strideW()));
    }

    /** conv2d's result shape {@code [batch, outH, outW, filters]} (operands checked by {@link #conv2dSpec}). */
    private Shape conv2dShape(Tensor kernel, ConvOptions options) {
        int[] outSize = options.outputSize(dims[1], dims[2], kernel.dims[0], kernel.dims[1]);
        return Shape.of(dims[0], outSize[0], outSize[1], kernel.dims[3]);
    }

    /**
     * Gradient of {@link #conv2d} with respect to its input, given the output gradient (also the
     * transposed convolution). Not recorded.
     */
    static Tensor conv2dBackwardInput(Tensor gradOut, Tensor kernel, Shape inputShape, Conv2dSpec spec) {
        Tensor gx = allocate(gradOut.backend, gradOut.dtype(), inputShape, false);
        gradOut.backend.conv2dBackwardInput(gradOut.contiguousRaw().view(), kernel.contiguousRaw().view(), spec, gx.view());
        return gx;
    }

    /** Gradient of {@link #conv2d} with respect to its kernel. Not recorded. */
    static Tensor conv2dBackwardKernel(Tensor input, Tensor gradOut, Shape kernelShape, Conv2dSpec spec) {
        Tensor gk = allocate(gradOut.backend, gradOut.dtype(), kernelShape, false);
        gradOut.backend.conv2dBackwardKernel(input.contiguousRaw().view(), gradOut.contiguousRaw().view(), spec, gk.view());
        return gk;
    }

    /**
     * Transposed 2-D convolution (Keras's {@code Conv2DTranspose}, TensorFlow's {@code conv2d_transpose}):
     * the gradient of {@link #conv2d} with respect to its input, taken as a forward operation. Each input
     * pixel scatters {@code kernel[:, :, :, c]} weighted by its channel {@code c} into a window of the
     * output, windows {@code stride} apart.
     *
     * <p>Shapes: this {@code [batch, height, width, inChannels]}, kernel
     * {@code [kh, kw, filters, inChannels]} (Keras's layout), result {@code [batch, outH, outW, filters]}
     * with the dilated window {@code ekh = dilationH·(kh−1)+1} and Keras's sizes:
     * <pre>
     *   VALID: outH = height·strideH + max(ekh − strideH, 0)
     *   SAME:  outH = height·strideH
     * </pre>
     * (likewise for the width). The result {@code y} is the unique tensor with
     * {@code conv2d(y', kernel) · x = y' · y} summed over all elements for every {@code y'} of y's shape,
     * where that conv2d uses the same strides, padding and dilation (so SAME pads {@code max(ekh − strideH, 0) / 2}
     * rows at the top, the odd one at the bottom, as TensorFlow).
     */
    public Tensor conv2dTranspose(Tensor kernel, ConvOptions options) {
        if (rank() != 4 || kernel.rank() != 4) {
            throw new IllegalArgumentException("conv2dTranspose needs input [batch, height, width, channels] and kernel [kh, kw, filters, in], got " + shape + " and " + kernel.shape);
        }
        if (kernel.dims[3] != dims[3]) {
            throw new IllegalArgumentException("conv2dTranspose: input has " + dims[3] + " channels " + shape + " but the kernel [kh, kw, filters, in] expects " + kernel.dims[3] + " " + kernel.shape);
        }
        int ekh = ConvOptions.window(kernel.dims[0], options.dilationH());
        int ekw = ConvOptions.window(kernel.dims[1], options.dilationW());
        long outH = (long) dims[1] * options.strideH(), outW = (long) dims[2] * options.strideW(); // the output, before VALID's extra rows
        if (outH > Integer.MAX_VALUE || outW > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2dTranspose: input " + shape + " with strides (" + options.strideH() + ", " + options.strideW()
                    + ") gives an output of " + outH + "x" + outW + ", more than an int index can reach");
        }
        options.checkExtent("conv2dTranspose", outH, outW, kernel.dims[2], kernel.dims[0], kernel.dims[1]);
        int[] outSize = options.transposedOutputSize(dims[1], dims[2], kernel.dims[0], kernel.dims[1]);
        int oh = outSize[0], ow = outSize[1];
        Conv2dSpec spec = new Conv2dSpec(options.strideH(), options.strideW(), options.dilationH(), options.dilationW(),
                options.padding().padBefore(oh, ekh, options.strideH()), options.padding().padBefore(ow, ekw, options.strideW()));
        Tensor x = contiguousRaw();
        Tensor k = kernel.contiguousRaw();
        Tensor out = allocate(backend, DType.promote(dtype(), kernel.dtype()), Shape.of(dims[0], oh, ow, kernel.dims[2]), false);
        backend.conv2dBackwardInput(x.view(), k.view(), spec, out.view());
        return out.record("conv2d_transpose", Derivatives.conv2dTranspose(x, k, spec), in(this, kernel), this, kernel);
    }


    /** {@link #conv2d} with an explicit geometry and output shape (the input gradient of a transposed convolution). Not recorded. */
    static Tensor conv2dForward(Tensor input, Tensor kernel, Shape outShape, Conv2dSpec spec) {
        Tensor out = allocate(input.backend, input.dtype(), outShape, false);
        input.backend.conv2d(input.contiguousRaw().view(), kernel.contiguousRaw().view(), spec, out.view());
        return out;
    }

    /** Max pooling: {@code [batch, h, w, c] -> [batch, outH, outW, c]}. */
    public Tensor maxPool2d(PoolOptions options) {
        return pool(PoolMode.MAX, options);
    }

    /** Average pooling; with SAME padding the border windows average only their valid positions. */
    public Tensor avgPool2d(PoolOptions options) {
        return pool(PoolMode.AVERAGE, options);
    }

    private Tensor pool(PoolMode mode, PoolOptions o) {
        if (rank() != 4) throw new IllegalArgumentException("pooling needs input [batch, height, width, channels], got " + shape);
        int oh = o.padding().outputSize(dims[1], o.poolH(), o.strideH());
        int ow = o.padding().outputSize(dims[2], o.poolW(), o.strideW());
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("pooling: input " + shape + " is smaller than the window " + o.poolH() + "x" + o.poolW());
        }
        Pool2dSpec spec = new Pool2dSpec(o.poolH(), o.poolW(), o.strideH(), o.strideW(),
                o.padding().padBefore(dims[1], o.poolH(), o.strideH()), o.padding().padBefore(dims[2], o.poolW(), o.strideW()));
        Tensor x = contiguousRaw();
        Tensor out = allocate(backend, dtype(), Shape.of(dims[0], oh, ow, dims[3]), false); // one value per window
        backend.pool2d(mode, x.view(), spec, out.view());
        return out.record(mode == PoolMode.MAX ? "max_pool2d" : "avg_pool2d", Derivatives.pool2d(mode, x, out, spec), in(this), this, out);
    }

    /** Gradient of pooling with respect to its input. Not recorded. */
    static Tensor pool2dBackward(PoolMode mode, Tensor input, Tensor output, Tensor gradOut, Pool2dSpec spec) {
        Tensor gx = allocate(gradOut.backend, gradOut.dtype(), input.shape, false);
        input.backend.pool2dBackward(mode, input.contiguousRaw().view(), output.contiguousRaw().view(), gradOut.contiguousRaw().view(), spec, gx.view());
        return gx;
    }

    // =====================================================================================
    // In-place updates (optimizers); not recorded
    // =====================================================================================

    private void checkInPlace(String op) {
        if (requiresGrad && GradMode.isEnabled()) {
            throw new IllegalStateException(op + " on a tensor that requires grad, outside NoGrad.scope(): the graph could not"
                    + " differentiate through it; wrap the update in try (var s = NoGrad.scope()) { ... }");
        }
    }

    private Tensor inPlace(BinaryOp op, Tensor other, String name) {
        checkInPlace(name);
        Shape s = Shape.broadcast(shape, other.shape);
        if (!s.equals(shape)) throw new IllegalArgumentException(name + ": cannot broadcast " + other.shape + " into " + shape);
        backend.binary(op, view(), other.expandedView(shape), view());
        storage.bumpVersion();
        return this;
    }

    /** {@code this += other} (broadcast), in place; returns this. */
    public Tensor addInPlace(Tensor other) {
        return inPlace(BinaryOp.ADD, other, "addInPlace");
    }

    /** {@code this -= other}, in place. */
    public Tensor subInPlace(Tensor other) {
        return inPlace(BinaryOp.SUB, other, "subInPlace");
    }

    /** {@code this *= other}, in place. */
    public Tensor mulInPlace(Tensor other) {
        return inPlace(BinaryOp.MUL, other, "mulInPlace");
    }

    /** {@code this *= value}, in place. */
    public Tensor mulInPlace(double value) {
        return inPlace(BinaryOp.MUL, scalarLike(value), "mulInPlace");
    }

    /** Copies {@code source} (broadcast) into this tensor's elements, in place. */
    public Tensor assign(Tensor source) {
        checkInPlace("assign");
        Shape s = Shape.broadcast(shape, source.shape);
        if (!s.equals(shape)) throw new IllegalArgumentException("assign: cannot broadcast " + source.shape + " into " + shape);
        backend.copy(source.expandedView(shape), view());
        storage.bumpVersion();
        return this;
    }

    /** Sets every element, in place. */
    public Tensor fill(double value) {
        checkInPlace("fill");
        backend.fill(view(), value);
        storage.bumpVersion();
        return this;
    }

    // =====================================================================================
    // Fused operations computed outside the primitives (recurrent layers)
    // =====================================================================================

    /**
     * Attaches a hand-written gradient rule to {@code result}, a fresh tensor that a fused kernel computed
     * from {@code inputs} outside the primitives (the recurrent layers' backpropagation through time).
     * The rule gets the gradient of {@code result} and returns one gradient per input ({@code null} for
     * none), as the rules in {@code Derivatives}. Nothing is recorded when no input requires a gradient or
     * recording is off; {@code saved} tensors are checked for in-place changes before the rule runs.
     */
    public static Tensor fusedResult(String op, Tensor result, Backward rule, Tensor[] inputs, Tensor... saved) {
        if (result.gradFn != null || result.requiresGrad) throw new IllegalArgumentException("fusedResult needs a fresh tensor, not one already in the graph");
        Tensor r = result.record(op, rule, inputs, saved);
        if (r.gradFn != null) r.gradFn.markForeignRule(); // the walk never recycles what such a rule saw or returned
        return r;
    }
}
