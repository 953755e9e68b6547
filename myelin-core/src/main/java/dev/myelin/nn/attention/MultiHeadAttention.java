package dev.myelin.nn.attention;

import dev.myelin.backend.DType;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.RandomStream;
import dev.myelin.nn.Regularizer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Zeros;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Multi-head attention with Keras 3's semantics, arguments and weights ({@code keras.layers.MultiHeadAttention}).
 * <pre>
 *   Q = query·Wq + bq      K = key·Wk + bk      V = value·Wv + bv        (per head h: [T, key_dim] or [S, value_dim])
 *   A = softmax(Q·Kᵀ / sqrt(key_dim), masked) , dropout(A) in training
 *   output = concat_h(A·V)·Wo + bo
 * </pre>
 * Masked positions (attention mask 0, the causal upper triangle, the implicit masks of the inputs) get the
 * score −1e9 before the softmax, as Keras. The implicit masks ({@link Masks}, from
 * {@code Embedding.maskZero}) of query, value and key combine as Keras's {@code _compute_attention_mask}:
 * {@code query_mask[:, :, None] & value_mask[:, None, :] & key_mask[:, None, :]}, AND-ed with the explicit
 * mask and the causal mask; the output carries the query's mask.
 *
 * <p>Calls: eagerly, {@link #call(Tensor, Tensor, Tensor, Tensor, boolean, boolean)} (query, value, key =
 * value when null, attention mask or null, {@code useCausalMask}, training), or
 * {@link #callWithScores} to get the attention weights too (Keras's {@code return_attention_scores}). In a
 * functional model it is a multi-input layer: {@code mha.apply(query, value)} or
 * {@code mha.apply(query, value, key)}, {@code mha.apply(query, value, key, true)} for Keras's
 * {@code use_causal_mask=True}, and {@code mha.apply(query, value, key, mask, useCausalMask)} for Keras's
 * {@code mha(query, value, key, attention_mask=mask)}, {@code mask} a symbolic tensor of shape {@code [T, S]}
 * or {@code [heads, T, S]} (without the batch; 1 = attend), such as a model input {@code Input.of(T, S)} or a
 * layer's output: the model reads it like an input, no gradient flows into it, and both keywords are saved
 * with the call as Keras writes them ({@code "attention_mask": {"class_name": "__keras_tensor__", ...}}); the
 * implicit masks still apply. As a
 * single-input layer ({@code call(x, training)}, a {@code Sequential}), it is self-attention:
 * query = value = key = x.
 *
 * <p>Shapes: query {@code [B, T, Dq]}, value {@code [B, S, Dv]}, key {@code [B, S, Dk]}; output
 * {@code [B, T, output_shape]} (default Dq); scores {@code [B, num_heads, T, S]}; attention mask
 * {@code [B or 1, T, S]} or {@code [B or 1, num_heads or 1, T, S]}, 1 = attend. Only Keras's default
 * {@code attention_axes} (the time axis of rank-3 inputs) is supported.
 *
 * <p>Weights (Keras's {@code EinsumDense} layouts and names): {@code query/kernel [Dq, heads, key_dim]},
 * {@code query/bias [heads, key_dim]}, {@code key/kernel [Dk, heads, key_dim]}, {@code key/bias},
 * {@code value/kernel [Dv, heads, value_dim]}, {@code value/bias [heads, value_dim]},
 * {@code attention_output/kernel [heads, value_dim, out]}, {@code attention_output/bias [out]}; glorot-uniform
 * kernels and zero biases by default. The value and key widths are the value's and key's last dimensions,
 * known from the functional call or from {@link #build(Shape, Shape, Shape, RandomGenerator)}; building
 * with the query shape alone means self-attention widths.
 *
 * <p>Example: {@code new MultiHeadAttention(4, 32).apply(x, x)} on {@code x} of shape {@code [T, 128]}.
 */
public final class MultiHeadAttention extends MergeLayer {
    /** The keyword of a functional call that asks for the causal mask, as Keras names it. */
    public static final String USE_CAUSAL_MASK = "use_causal_mask";
    /** The keyword of a functional call that passes an explicit attention mask tensor, as Keras names it. */
    public static final String ATTENTION_MASK = "attention_mask";

    private final int numHeads;
    private final int keyDim;
    private Integer valueDim;
    private double dropout;
    private boolean useBias = true;
    private Integer outputShape;
    private Initializer kernelInitializer = new GlorotUniform();
    private Initializer biasInitializer = new Zeros();
    private Regularizer kernelRegularizer;
    private Regularizer biasRegularizer;
    private Long seed;

    private int valueFeatures;
    private int keyFeatures;
    private Parameter queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, outputKernel, outputBias;
    private RandomStream generator;

    /**
     * @param numHeads number of attention heads (Keras's {@code num_heads})
     * @param keyDim   size of each head for query and key (Keras's {@code key_dim})
     */
    public MultiHeadAttention(int numHeads, int keyDim) {
        super("multi_head_attention");
        if (numHeads <= 0) throw new IllegalArgumentException("MultiHeadAttention num_heads must be positive, got num_heads=" + numHeads);
        if (keyDim <= 0) throw new IllegalArgumentException("MultiHeadAttention key_dim must be positive, got key_dim=" + keyDim);
        this.numHeads = numHeads;
        this.keyDim = keyDim;
    }

    /**
     * MultiHeadAttention's configuration: Keras's {@code num_heads}, {@code key_dim}, {@code value_dim} (null:
     * key_dim), {@code dropout}, {@code use_bias}, {@code output_shape} (null: the query's width),
     * initializers, regularizers (null for none) and {@code seed} (null: drawn from the build generator).
     */
    public record Config(LayerSettings layer, int numHeads, int keyDim, Integer valueDim, double dropout, boolean useBias,
                         Integer outputShape, Initializer kernelInitializer, Initializer biasInitializer,
                         Regularizer kernelRegularizer, Regularizer biasRegularizer, Long seed) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static MultiHeadAttention fromConfig(Config c) {
        MultiHeadAttention m = new MultiHeadAttention(c.numHeads(), c.keyDim()).valueDim(c.valueDim()).dropout(c.dropout()).useBias(c.useBias())
                .outputShape(c.outputShape()).kernelInitializer(c.kernelInitializer()).biasInitializer(c.biasInitializer())
                .kernelRegularizer(c.kernelRegularizer()).biasRegularizer(c.biasRegularizer());
        if (c.seed() != null) m.seed(c.seed());
        m.settings(c.layer());
        return m;
    }

    @Override
    public Config config() {
        return new Config(settings(), numHeads, keyDim, valueDim, dropout, useBias, outputShape, kernelInitializer, biasInitializer,
                kernelRegularizer, biasRegularizer, seed);
    }

    @Override
    public MultiHeadAttention name(String newName) {
        super.name(newName);
        return this;
    }

    /** Size of each head for the value (Keras's {@code value_dim}); null means {@code key_dim}. */
    public MultiHeadAttention valueDim(Integer value) {
        if (value != null && value <= 0) throw new IllegalArgumentException("MultiHeadAttention value_dim must be positive, got value_dim=" + value);
        requireUnbuilt("value_dim");
        this.valueDim = value;
        return this;
    }

    /** Dropout rate on the attention weights in training (default 0). */
    public MultiHeadAttention dropout(double rate) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("MultiHeadAttention dropout must be in [0, 1), got dropout=" + rate);
        this.dropout = rate;
        return this;
    }

    /** Whether the four projections have biases (default true). */
    public MultiHeadAttention useBias(boolean value) {
        requireUnbuilt("use_bias");
        this.useBias = value;
        return this;
    }

    /** The output's last dimension (Keras's {@code output_shape}); null means the query's width. */
    public MultiHeadAttention outputShape(Integer value) {
        if (value != null && value <= 0) throw new IllegalArgumentException("MultiHeadAttention output_shape must be positive, got output_shape=" + value);
        requireUnbuilt("output_shape");
        this.outputShape = value;
        return this;
    }

    public MultiHeadAttention kernelInitializer(Initializer value) {
        this.kernelInitializer = Objects.requireNonNull(value);
        return this;
    }

    public MultiHeadAttention biasInitializer(Initializer value) {
        this.biasInitializer = Objects.requireNonNull(value);
        return this;
    }

    public MultiHeadAttention kernelRegularizer(Regularizer value) {
        this.kernelRegularizer = value;
        return this;
    }

    public MultiHeadAttention biasRegularizer(Regularizer value) {
        this.biasRegularizer = value;
        return this;
    }

    /** Seeds the dropout generator (instead of drawing a seed from the build generator); set before building. */
    public MultiHeadAttention seed(long value) {
        requireUnbuilt("seed");
        this.seed = value;
        return this;
    }

    public int numHeads() {
        return numHeads;
    }

    public int keyDim() {
        return keyDim;
    }

    public int valueDimOrKeyDim() {
        return valueDim != null ? valueDim : keyDim;
    }

    public double dropout() {
        return dropout;
    }

    private void requireUnbuilt(String what) {
        if (isBuilt()) throw new IllegalStateException("layer '" + name() + "' is already built; set " + what + " before building");
    }

    // ---- shapes and building ----

    @Override
    protected int minInputs() {
        return 2;
    }

    /** Builds for query, value and key shapes without the batch ({@code [T, Dq]}, {@code [S, Dv]}, {@code [S, Dk]}); key null means value. */
    public void build(Shape query, Shape value, Shape key, RandomGenerator rng) {
        Shape k = key == null ? value : key;
        outputShape(List.of(query, value, k));
        if (!isBuilt()) {
            valueFeatures = value.dim(1);
            keyFeatures = k.dim(1);
        }
        build(query, rng);
        if (valueFeatures != value.dim(1) || keyFeatures != k.dim(1)) {
            throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention) was built for value and key widths " + valueFeatures
                    + " and " + keyFeatures + " but is now used with " + value.dim(1) + " and " + k.dim(1));
        }
    }

    @Override
    public SymbolicTensor apply(List<SymbolicTensor> inputs) {
        return apply(inputs, Map.of());
    }

    /** Keras calls it with positional tensors, {@code mha(query, value, key)}: a saved call's {@code args} are {@code [query, value, key]}. */
    @Override
    public boolean takesInputList() {
        return false;
    }

    /** Keras's positional parameters, which a saved call may also give by name ({@code mha(query=q, value=v, key=k)}). */
    @Override
    public List<String> inputNames() {
        return List.of("query", "value", "key");
    }

    /**
     * A functional call, Keras's {@code mha(query, value, key, use_causal_mask=True)}: {@code useCausalMask}
     * lets position t attend to positions 0..t only (decoder self-attention); it is saved with the model as
     * the call's {@code use_causal_mask} keyword, as Keras writes it. {@code key} may be null (the value).
     */
    public SymbolicTensor apply(SymbolicTensor query, SymbolicTensor value, SymbolicTensor key, boolean useCausalMask) {
        List<SymbolicTensor> inputs = key == null ? List.of(query, value) : List.of(query, value, key);
        return apply(inputs, useCausalMask ? Map.of(USE_CAUSAL_MASK, true) : Map.of());
    }

    /**
     * A functional call with an explicit mask, Keras's {@code mha(query, value, key, attention_mask=mask,
     * use_causal_mask=...)}: {@code attentionMask} (null for none) is a symbolic tensor of shape {@code [T, S]}
     * or {@code [heads, T, S]} without the batch (a dimension may be 1 to broadcast), 1 = attend, 0 = masked,
     * AND-ed with the causal and implicit masks. The model reads it like an input (a model {@code Input} it
     * comes from must be among the model's inputs); no gradient flows into it. {@code key} may be null (the value).
     *
     * @throws IllegalArgumentException naming the layer, the keyword and the expected shape when the mask's shape does not fit
     */
    public SymbolicTensor apply(SymbolicTensor query, SymbolicTensor value, SymbolicTensor key, SymbolicTensor attentionMask, boolean useCausalMask) {
        List<SymbolicTensor> inputs = key == null ? List.of(query, value) : List.of(query, value, key);
        Map<String, Object> options = new java.util.HashMap<>();
        if (attentionMask != null) options.put(ATTENTION_MASK, attentionMask);
        if (useCausalMask) options.put(USE_CAUSAL_MASK, true);
        return apply(inputs, options);
    }

    @Override
    public SymbolicTensor apply(List<SymbolicTensor> inputs, Map<String, Object> options) {
        if (inputs.size() > 3) {
            throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention) takes query, value and optionally key, got " + inputs.size() + " inputs");
        }
        checkCallOptions(options);
        if (options.get(ATTENTION_MASK) instanceof SymbolicTensor mask && inputs.size() >= 2) {
            checkMaskShape(mask.shape(), inputs.get(0).shape(), inputs.get(1).shape());
        }
        SymbolicTensor out = produce(inputs, options);
        if (!isBuilt()) { // the widths Keras learns from the call; Model.build passes only the query's shape
            valueFeatures = inputs.get(1).shape().dim(1);
            keyFeatures = inputs.get(inputs.size() - 1).shape().dim(1);
        }
        return out;
    }

    @Override
    public Shape outputShape(List<Shape> shapes) {
        if (shapes.size() < 2 || shapes.size() > 3) {
            throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention) takes query, value and optionally key, got " + shapes.size() + " inputs");
        }
        Shape q = shapes.get(0), v = shapes.get(1), k = shapes.size() == 3 ? shapes.get(2) : v;
        computeOutputShape(q);
        for (Shape s : List.of(v, k)) {
            if (s.rank() != 2) throw shapeError("value and key of shape [time, features] (rank 2 without the batch; only the default attention_axes)", s);
        }
        if (v.dim(0) != k.dim(0)) {
            throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention) needs value and key of the same length, got " + v + " and " + k);
        }
        return Shape.of(q.dim(0), outputShape != null ? outputShape : q.dim(1));
    }

    @Override
    protected Shape computeOutputShape(Shape query) {
        if (query.rank() != 2) {
            throw shapeError("query of shape [time, features] (rank 2 without the batch; only Keras's default attention_axes is supported)", query);
        }
        return Shape.of(query.dim(0), outputShape != null ? outputShape : query.dim(1));
    }

    @Override
    protected void onBuild(Shape query, RandomGenerator rng) {
        int dq = query.dim(1);
        int dv = valueFeatures > 0 ? valueFeatures : dq, dk = keyFeatures > 0 ? keyFeatures : dv;
        valueFeatures = dv;
        keyFeatures = dk;
        int vd = valueDimOrKeyDim(), out = outputShape != null ? outputShape : dq;
        queryKernel = addWeight("query/kernel", Shape.of(dq, numHeads, keyDim), kernelInitializer, rng, true, kernelRegularizer);
        if (useBias) queryBias = addWeight("query/bias", Shape.of(numHeads, keyDim), biasInitializer, rng, true, biasRegularizer);
        keyKernel = addWeight("key/kernel", Shape.of(dk, numHeads, keyDim), kernelInitializer, rng, true, kernelRegularizer);
        if (useBias) keyBias = addWeight("key/bias", Shape.of(numHeads, keyDim), biasInitializer, rng, true, biasRegularizer);
        valueKernel = addWeight("value/kernel", Shape.of(dv, numHeads, vd), kernelInitializer, rng, true, kernelRegularizer);
        if (useBias) valueBias = addWeight("value/bias", Shape.of(numHeads, vd), biasInitializer, rng, true, biasRegularizer);
        outputKernel = addWeight("attention_output/kernel", Shape.of(numHeads, vd, out), kernelInitializer, rng, true, kernelRegularizer);
        if (useBias) outputBias = addWeight("attention_output/bias", Shape.of(out), biasInitializer, rng, true, biasRegularizer);
        long s = seed != null ? seed : rng != null ? rng.nextLong() : RandomGenerator.getDefault().nextLong();
        generator = RandomStream.seeded(s);
    }

    @Override
    public long[] randomState() {
        return generator == null ? null : generator.state();
    }

    @Override
    public void restoreRandomState(long[] state) {
        restoreStream(generator, state);
    }

    // ---- calls ----

    /** The output and the attention weights of one call (Keras's {@code return_attention_scores=True}). */
    public record Result(Tensor output, Tensor scores) {}

    /** Self-attention as a single-input layer: query = value = key = x. */
    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return attend(x, x, x, null, false, training, false, generator).output();
    }

    /** Combines query and value (and key) from a functional model's inputs, without explicit or causal mask. */
    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        return call(inputs, Map.of(), training);
    }

    /**
     * Combines query and value (and key) from a functional model's inputs, causal when the call's
     * {@code use_causal_mask} option says so, masked by its {@code attention_mask} tensor (detached: no gradient
     * flows into a mask).
     */
    @Override
    public Tensor call(List<Tensor> inputs, Map<String, Object> options, boolean training) {
        if (inputs.size() < 2 || inputs.size() > 3) {
            throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention) takes query, value and optionally key, got " + inputs.size() + " tensors");
        }
        checkCallOptions(options);
        Object given = options.get(ATTENTION_MASK);
        if (given != null && !(given instanceof Tensor)) {
            throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention): keyword attention_mask needs a batch's tensor here, got " + given);
        }
        Tensor mask = given == null ? null : ((Tensor) given).detach();
        Tensor query = inputs.get(0);
        if (mask != null && mask.rank() >= 3 && query.rank() == 3 && mask.dim(0) != query.dim(0) && mask.dim(0) != 1) {
            // the symbolic shapes were checked when the graph was built: what is left is a batch of another size
            throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention): keyword attention_mask expected shape [" + query.dim(0)
                    + " or 1, " + dimsOf(mask.shape()).substring(dimsOf(mask.shape()).indexOf(", ") + 2) + "] (the query's batch of " + query.dim(0)
                    + ") but received " + mask.shape());
        }
        return call(inputs.get(0), inputs.get(1), inputs.size() == 3 ? inputs.get(2) : null, mask, useCausalMask(options), training);
    }

    /**
     * A functional call takes Keras's keywords {@code use_causal_mask} (a boolean) and {@code attention_mask}
     * (a tensor: symbolic when the model is built, a batch's tensor when it runs), and
     * {@code return_attention_scores} only when false (a model output is the attention's output).
     */
    @Override
    public void checkCallOptions(Map<String, Object> options) {
        for (var e : options.entrySet()) {
            boolean ok = switch (e.getKey()) {
                case USE_CAUSAL_MASK -> e.getValue() instanceof Boolean;
                case ATTENTION_MASK -> e.getValue() instanceof SymbolicTensor || e.getValue() instanceof Tensor;
                case "return_attention_scores" -> Boolean.FALSE.equals(e.getValue());
                default -> false;
            };
            if (!ok) {
                throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention): a functional call takes the keywords use_causal_mask "
                        + "(true or false) and attention_mask (a tensor); got " + e.getKey() + "=" + e.getValue());
            }
        }
    }

    /**
     * Checks a functional call's {@code attention_mask} against the query's and value's shapes (all without
     * the batch): {@code [T or 1, S]} or {@code [heads or 1, T or 1, S]}, as the eager call takes with the batch.
     */
    private void checkMaskShape(Shape mask, Shape query, Shape value) {
        if (query.rank() != 2 || value.rank() != 2) return; // outputShape names the wrong query or value
        int t = query.dim(0), s = value.dim(0);
        boolean ok = (mask.rank() == 2 || mask.rank() == 3) && (mask.dim(-2) == t || mask.dim(-2) == 1) && mask.dim(-1) == s
                && (mask.rank() == 2 || mask.dim(0) == 1 || mask.dim(0) == numHeads);
        if (!ok) {
            throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention): keyword attention_mask expected shape [batch, " + t + ", " + s
                    + "] or [batch, " + numHeads + ", " + t + ", " + s + "] (query time " + t + ", key time " + s + ", " + numHeads
                    + " heads; a 1 broadcasts) but received [batch, " + dimsOf(mask) + "]");
        }
    }

    /** Whether a functional call's options ask for the causal mask. */
    public static boolean useCausalMask(Map<String, Object> options) {
        return Boolean.TRUE.equals(options.get(USE_CAUSAL_MASK));
    }

    /** Attention of {@code query} over {@code value} (key = value), without mask. */
    public Tensor call(Tensor query, Tensor value, boolean training) {
        return call(query, value, null, null, false, training);
    }

    /**
     * Keras's {@code call(query, value, key, attention_mask, use_causal_mask, training)}.
     *
     * @param key           null for the value
     * @param attentionMask null, or {@code [B or 1, T, S]} / {@code [B or 1, heads or 1, T, S]}, 1 = attend
     */
    public Tensor call(Tensor query, Tensor value, Tensor key, Tensor attentionMask, boolean useCausalMask, boolean training) {
        // no scores asked for: the fused kernel (and for self-attention the packed projections) where they apply
        return attend(query, value, key == null ? value : key, attentionMask, useCausalMask, training, false, generator).output();
    }

    /** As {@link #call(Tensor, Tensor, Tensor, Tensor, boolean, boolean)}, also returning the attention weights {@code [B, heads, T, S]}. */
    public Result callWithScores(Tensor query, Tensor value, Tensor key, Tensor attentionMask, boolean useCausalMask, boolean training) {
        return attend(query, value, key == null ? value : key, attentionMask, useCausalMask, training, true, generator);
    }

    /** The computation, with the dropout generator of the caller (a Transformer block passes its own). */
    Result attend(Tensor query, Tensor value, Tensor key, Tensor attentionMask, boolean causal, boolean training, boolean scores,
                  RandomStream dropoutGenerator) {
        if (!isBuilt()) throw new IllegalStateException("layer '" + name() + "' is not built; call build(query, value, key, rng) or add it to a model");
        checkInputs(query, value, key, attentionMask);
        Tensor mask = fullMask(attentionMask, AttentionMath.implicitMask(Masks.of(query), Masks.of(value), Masks.of(key)));
        double scale = 1.0 / Math.sqrt(keyDim);
        AttentionRecorder recorder = AttentionRecorder.current();
        boolean weightsWanted = scores || recorder != null || (training && dropout > 0);
        if (!weightsWanted && query == value && value == key && packable(query)) {
            // self-attention: one product for the three projections and the fused kernel on its packed result
            Tensor keep = mask == null ? null : mask.gt(0.5).to(DType.FLOAT32); // values above 0.5 count as 1, as the composed path
            Tensor attended = Tensor.packedSelfAttention(packedProjection(query), numHeads, keyDim, keep, causal, scale);
            return new Result(Masks.attach(projectMerged(attended), Masks.of(query)), null);
        }
        Tensor q = AttentionMath.splitHeads(project(query, queryKernel, queryBias), numHeads);
        Tensor k = AttentionMath.splitHeads(project(key, keyKernel, keyBias), numHeads);
        Tensor v = AttentionMath.splitHeads(project(value, valueKernel, valueBias), numHeads);
        Tensor attended;
        Tensor weights = null;
        if (weightsWanted) {
            weights = AttentionMath.attentionProbabilities(q, k, mask, causal, scale);
            if (recorder != null) recorder.add(name(), weights);
            Tensor dropped = training ? AttentionMath.dropout(weights, dropout, dropoutGenerator) : weights;
            attended = dropped.matmul(v);
        } else {
            attended = AttentionMath.scaledDotProductAttention(q, k, v, mask, causal, scale);
        }
        return new Result(Masks.attach(outputProjection(attended), Masks.of(query)), weights);
    }

    /** {@code concat_h(attended)·Wo + bo} for {@code attended [B, heads, T, value_dim]}. */
    private Tensor outputProjection(Tensor attended) {
        return projectMerged(AttentionMath.mergeHeads(attended));
    }

    /** {@code merged·Wo + bo} for the heads' outputs side by side, {@code merged [B, T, heads·value_dim]}. */
    private Tensor projectMerged(Tensor merged) {
        int hv = outputKernel.value().dim(0) * outputKernel.value().dim(1);
        // the bias added in the product's epilogue: matmul + add's values bit for bit (DenseFusedTest), one pass less
        return merged.dense(outputKernel.value().reshape(hv, outputKernel.value().dim(2)), useBias ? outputBias.value() : null, null);
    }

    // ---- incremental decoding (generation with a key/value cache) ----

    /**
     * An empty key/value cache for {@link #attendIncrementally}, with room for {@code capacity} positions of
     * {@code batch} sequences, in this layer's dtype.
     */
    public KeyValueCache newCache(int batch, int capacity) {
        if (!isBuilt()) throw new IllegalStateException("layer '" + name() + "' is not built; build it before asking for a key/value cache");
        if (valueFeatures != builtInputShape().dim(1) || keyFeatures != builtInputShape().dim(1)) {
            throw new IllegalStateException("layer '" + name() + "' was built for cross-attention; a key/value cache is for self-attention");
        }
        return new KeyValueCache(batch, numHeads, capacity, keyDim, valueDimOrKeyDim(), dtype());
    }

    /**
     * Causal self-attention of {@code x}, the next {@code n} tokens of sequences whose earlier {@code P}
     * tokens are in {@code cache}: projects only {@code x}'s queries, keys and values, appends the keys and
     * values to the cache, and lets new token i (position {@code P + i}) attend to positions {@code 0..P + i}:
     * <pre>
     *   output = concat_h(softmax(Q_new·K_cacheᵀ / sqrt(key_dim), j &lt;= P + i)·V_cache)·Wo + bo
     * </pre>
     * which equals the last {@code n} rows of {@code call(s, s, null, null, true, false)} on the whole sequence
     * {@code s} (inference: no dropout). Each generated token thus costs one step, not a pass over the prefix.
     *
     * <p>Shapes: x {@code [batch, n, width]} (the cache's batch; no padding mask), output {@code [batch, n, output_shape]}.
     *
     * @throws IllegalArgumentException when the cache has no room for {@code n} more positions
     */
    public Tensor attendIncrementally(Tensor x, KeyValueCache cache) {
        if (!isBuilt()) throw new IllegalStateException("layer '" + name() + "' is not built; build it before decoding incrementally");
        checkInputs(x, x, x, null);
        if (Masks.of(x) != null) throw new IllegalArgumentException("layer '" + name() + "' (MultiHeadAttention): incremental decoding takes no padding mask");
        int past = cache.length(), n = x.dim(1);
        Tensor q = AttentionMath.splitHeads(project(x, queryKernel, queryBias), numHeads);
        cache.append(AttentionMath.splitHeads(project(x, keyKernel, keyBias), numHeads),
                AttentionMath.splitHeads(project(x, valueKernel, valueBias), numHeads));
        Tensor keep = n == 1 ? null : AttentionMath.causalMask(n, past + n, past, q); // one new token sees every cached one
        Tensor attended = AttentionMath.scaledDotProductAttention(q, cache.keys(), cache.values(), keep, false, 1.0 / Math.sqrt(keyDim));
        return outputProjection(attended);
    }

    /**
     * Whether self-attention of {@code x} can take the packed float32 path ({@link #packedProjection} and
     * {@code Tensor.packedSelfAttention}); float64 keeps the composed formula the gradient checks use.
     */
    private boolean packable(Tensor x) {
        return x.dtype() == DType.FLOAT32 && queryKernel.value().dtype() == DType.FLOAT32 && keyKernel.value().dtype() == DType.FLOAT32
                && valueKernel.value().dtype() == DType.FLOAT32 && keyFeatures == x.dim(2) && valueFeatures == x.dim(2);
    }

    /**
     * The query, key and value projections of one input as one product, {@code x·[Wq | Wk | Wv] + [bq | bk | bv]}:
     * {@code [B, T, heads·(2·key_dim + value_dim)]}, the layout {@code Tensor.packedSelfAttention} reads.
     * Each output column is the same dot product as in {@link #project}.
     */
    private Tensor packedProjection(Tensor x) {
        Tensor w = Tensor.concat(List.of(flatKernel(queryKernel), flatKernel(keyKernel), flatKernel(valueKernel)), 1);
        Tensor b = useBias ? Tensor.concat(List.of(flatBias(queryBias), flatBias(keyBias), flatBias(valueBias)), 0) : null;
        return x.dense(w, b, null);   // the bias added in the product's epilogue: the values of matmul + add
    }

    private static Tensor flatKernel(Parameter kernel) {
        Tensor w = kernel.value();
        return w.reshape(w.dim(0), w.dim(1) * w.dim(2));
    }

    private static Tensor flatBias(Parameter bias) {
        Tensor b = bias.value();
        return b.reshape(b.size());
    }

    /** {@code x·W + b} with W {@code [D, heads, dim]} seen as {@code [D, heads·dim]}. */
    private static Tensor project(Tensor x, Parameter kernel, Parameter bias) {
        Tensor w = kernel.value();
        int hd = w.dim(1) * w.dim(2);
        Tensor y = x.matmul(w.reshape(w.dim(0), hd));
        return bias == null ? y : y.add(bias.value().reshape(hd));
    }

    /** The explicit mask (rank 3 or 4) and the implicit one ({@code [B, T, S]}) as one {@code [B or 1, 1 or H, T, S]} mask, or null. */
    private static Tensor fullMask(Tensor attentionMask, Tensor implicit) {
        Tensor explicit = attentionMask == null ? null : attentionMask.rank() == 3 ? attentionMask.unsqueeze(1) : attentionMask;
        return AttentionMath.combine(explicit, implicit == null ? null : implicit.unsqueeze(1));
    }

    private void checkInputs(Tensor query, Tensor value, Tensor key, Tensor mask) {
        String who = "layer '" + name() + "' (MultiHeadAttention)";
        Shape built = builtInputShape();
        if (query.rank() != 3 || query.dim(2) != built.dim(1)) {
            throw new IllegalArgumentException(who + " expected query of shape [batch, time, " + built.dim(1) + "] but received " + query.shape());
        }
        if (value.rank() != 3 || value.dim(2) != valueFeatures) {
            throw new IllegalArgumentException(who + " expected value of shape [batch, time, " + valueFeatures + "] but received " + value.shape());
        }
        if (key.rank() != 3 || key.dim(2) != keyFeatures) {
            throw new IllegalArgumentException(who + " expected key of shape [batch, time, " + keyFeatures + "] but received " + key.shape());
        }
        int b = query.dim(0), t = query.dim(1), s = value.dim(1);
        if (value.dim(0) != b || key.dim(0) != b || key.dim(1) != s) {
            throw new IllegalArgumentException(who + " needs query, value and key of one batch and value and key of one length, got "
                    + query.shape() + ", " + value.shape() + ", " + key.shape());
        }
        if (mask != null) {
            boolean ok = (mask.rank() == 3 || mask.rank() == 4) && (mask.dim(-2) == t || mask.dim(-2) == 1) && mask.dim(-1) == s
                    && (mask.dim(0) == b || mask.dim(0) == 1) && (mask.rank() == 3 || mask.dim(1) == 1 || mask.dim(1) == numHeads);
            if (!ok) {
                throw new IllegalArgumentException(who + " expected an attention mask of shape [" + b + " or 1, " + t + " or 1, " + s + "] or ["
                        + b + " or 1, " + numHeads + " or 1, " + t + " or 1, " + s + "] (batch, query time, key time) but received " + mask.shape());
            }
        }
    }
}
