package dev.myelin.text.gpt;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.losses.SparseCategoricalCrossentropy;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.attention.KeyValueCache;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * A decoder-only Transformer language model, GPT-2's shape: token embeddings plus learned position
 * embeddings, {@code numLayers} pre-norm causal blocks ({@link GptBlock}: self-attention and a GELU
 * feed-forward network, each a residual branch), a final layer normalization and a dense head to the
 * vocabulary:
 * <pre>
 *   h_0 = E[ids] + P[0..T)                 (E [vocabulary, d]: Keras's Embedding; P [context, d]: PositionEmbedding)
 *   h_l = block_l(h_(l−1))                 (causal: token t sees tokens 0..t)
 *   logits = LN(h_L)·W + b                 (W [d, vocabulary], untied from E)
 *   loss = mean_t −log softmax(logits_t)[ids_(t+1)]       (next-token cross-entropy, nats)
 * </pre>
 * The head's weights are not tied to the token embeddings (GPT-2 ties them): a separate {@code Dense}
 * keeps the layers as they are; it costs {@code d · vocabulary} parameters more.
 *
 * <p>Generation ({@link #generate}) samples one token at a time. With the key/value cache
 * ({@link #newCache}, {@link #step}) the prompt is read once and each new token costs one step through the
 * blocks; without it every token reruns the whole window. Both read the same window: when a sequence
 * reaches the position table's end ({@code contextLength}), the window slides: its last
 * {@code contextLength / 2} tokens become the new prefix (the cache is refilled from them), so long
 * generations continue, each token conditioned on at least half a context. {@link #step} alone never
 * slides: past the table it is an error naming the lengths.
 *
 * <p>Shapes: ids {@code [batch, time]} (float tensors holding integers in {@code [0, vocabulary)}), time up to
 * {@code contextLength}; logits {@code [batch, time, vocabulary]}.
 *
 * <p>Weights (names prefixed {@code gpt/}): {@code token_embedding/embeddings}, {@code position_embedding/embeddings},
 * per block {@code block_i/self_attention/...} (Keras's MultiHeadAttention), {@code block_i/..._layer_norm/gamma|beta},
 * {@code block_i/feedforward_intermediate_dense/...}, {@code block_i/feedforward_output_dense/...}; then
 * {@code final_layer_norm/...} and {@code head/kernel|bias}.
 *
 * <p>Example: {@code new GptModel(GptConfig.of(vocabulary, 128, 128, 4, 4), 42).generate(prompt, 200, Sampler.of(0.8), rng, true)}.
 */
public final class GptModel {
    private final GptConfig config;
    private final Embedding tokens;
    private final PositionEmbedding positions;
    private final List<GptBlock> blocks = new ArrayList<>();
    private final LayerNormalization finalNorm;
    private final Dense head;

    /** A float32 model with weights drawn from {@code seed}. */
    public GptModel(GptConfig config, long seed) {
        this(config, DType.FLOAT32, seed);
    }

    /** A model whose weights have {@code dtype} (float64 for exact comparisons), drawn from {@code seed}. */
    public GptModel(GptConfig config, DType dtype, long seed) {
        this.config = Objects.requireNonNull(config);
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        int t = config.contextLength(), d = config.width();
        tokens = new Embedding(config.vocabularySize(), d);
        build(tokens, "gpt/token_embedding", dtype, Shape.of(t), rng);
        positions = new PositionEmbedding(t);
        build(positions, "gpt/position_embedding", dtype, Shape.of(t, d), rng);
        for (int i = 0; i < config.numLayers(); i++) blocks.add(new GptBlock("gpt/block_" + i, config, dtype, rng));
        finalNorm = build(new LayerNormalization().epsilon(config.layerNormEpsilon()), "gpt/final_layer_norm", dtype, Shape.of(d), rng);
        head = build(new Dense(config.vocabularySize()), "gpt/head", dtype, Shape.of(d), rng);
    }

    private static <L extends Layer> L build(L layer, String name, DType dtype, Shape shape, RandomGenerator rng) {
        layer.name(name).dtype(dtype);
        layer.build(shape, rng);
        return layer;
    }

    public GptConfig config() {
        return config;
    }

    /** Every weight, in a fixed order (embeddings, blocks, final norm, head). */
    public List<Parameter> weights() {
        List<Parameter> all = new ArrayList<>(tokens.weights());
        all.addAll(positions.weights());
        for (GptBlock b : blocks) all.addAll(b.weights());
        all.addAll(finalNorm.weights());
        all.addAll(head.weights());
        return all;
    }

    /** A copy of every weight's values, by full name ({@code gpt/head/kernel}). */
    public Map<String, Tensor> weightValues() {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        try (var _ = NoGrad.scope()) {
            for (Parameter p : weights()) copy.put(p.name(), p.value().detach().contiguous().mul(1.0));
        }
        return copy;
    }

    /**
     * Assigns every weight from {@code values} (as {@link #weightValues} gives them).
     *
     * @throws IllegalArgumentException naming the weight when one is missing or has another shape
     */
    public void setWeightValues(Map<String, Tensor> values) {
        for (Parameter p : weights()) {
            Tensor v = values.get(p.name());
            if (v == null) throw new IllegalArgumentException("no value for weight '" + p.name() + "'");
            if (!v.shape().equals(p.value().shape())) {
                throw new IllegalArgumentException("weight '" + p.name() + "' has shape " + p.value().shape() + " but the value has " + v.shape());
            }
        }
        try (var _ = NoGrad.scope()) {
            for (Parameter p : weights()) p.value().assign(values.get(p.name()));
        }
    }

    /**
     * Writes the model (its sizes and weights) and {@code tokenizer} (or null for none) to one model file,
     * atomically; {@link #load} and {@link #loadTokenizer} read them back. The optimizer's state is not kept:
     * the file is for generation and fine-tuning from these weights.
     *
     * <p>Example: {@code gpt.save(Path.of("genesis.myelin"), tokenizer); GptModel again = GptModel.load(Path.of("genesis.myelin"));}
     *
     * @throws IllegalArgumentException when the tokenizer's size is not the model's vocabulary size
     */
    public void save(Path file, Tokenizer tokenizer) throws IOException {
        GptFile.save(this, tokenizer, file);
    }

    /**
     * The model {@link #save} wrote (float32).
     *
     * @throws dev.myelin.io.FileFormatException naming the file and what is wrong: not a GPT, bad sizes, a weight missing, extra or of another shape
     */
    public static GptModel load(Path file) throws IOException {
        return GptFile.load(file).model();
    }

    /** The tokenizer {@link #save} wrote with the model, or empty when it was saved without one. */
    public static Optional<Tokenizer> loadTokenizer(Path file) throws IOException {
        return Optional.ofNullable(GptFile.load(file).tokenizer());
    }

    /** Number of weight elements. */
    public long countParams() {
        long n = 0;
        for (Parameter p : weights()) n += p.value().size();
        return n;
    }

    /** Next-token logits for every position of {@code ids [batch, time]}, time up to the context length: {@code [batch, time, vocabulary]}. */
    public Tensor logits(Tensor ids, boolean training) {
        checkIds(ids);
        Tensor h = tokens.call(ids, training);
        h = h.add(positions.call(h, training));
        for (GptBlock b : blocks) h = b.call(h, training);
        return toLogits(h, training);
    }

    /**
     * Mean next-token cross-entropy in nats: {@code mean −log softmax(logits(inputs))[targets]} over every
     * position; {@code targets [batch, time]} are the inputs shifted by one token.
     */
    public Tensor loss(Tensor inputs, Tensor targets, boolean training) {
        Tensor logits = logits(inputs, training);
        int n = logits.dim(0) * logits.dim(1);
        return new SparseCategoricalCrossentropy(true).compute(targets.reshape(n), logits.reshape(n, logits.dim(2)));
    }

    /** An empty key/value cache per block for {@code batch} sequences, with room for the whole position table. */
    public List<KeyValueCache> newCache(int batch) {
        List<KeyValueCache> cache = new ArrayList<>();
        for (GptBlock b : blocks) cache.add(b.attention().newCache(batch, config.contextLength()));
        return cache;
    }

    /**
     * Logits of the next tokens {@code ids [batch, n]} of sequences whose earlier {@code P} tokens are in
     * {@code cache} (from {@link #newCache}), which then holds {@code P + n}: equal to the last {@code n}
     * positions of {@link #logits} on the whole sequence (inference, no dropout). Positions are {@code P..P + n − 1}.
     *
     * @throws IllegalArgumentException past the position table's end ({@code P + n > contextLength})
     */
    public Tensor step(Tensor ids, List<KeyValueCache> cache) {
        checkIds(ids);
        if (cache.size() != blocks.size()) throw new IllegalArgumentException("the cache has " + cache.size() + " layers but the model has " + blocks.size());
        int past = cache.get(0).length(), n = ids.dim(1);
        if (past + n > config.contextLength()) {
            throw new IllegalArgumentException("the position table has " + config.contextLength() + " positions (contextLength); the cache holds " + past
                    + " tokens and " + n + " more would reach position " + (past + n - 1));
        }
        try (var _ = NoGrad.scope()) {
            Tensor h = tokens.call(ids, false);
            h = h.add(positions.embeddings().value().slice(0, past, past + n));
            for (int i = 0; i < blocks.size(); i++) h = blocks.get(i).step(h, cache.get(i));
            return toLogits(h, false);
        }
    }

    private Tensor toLogits(Tensor h, boolean training) {
        return GptBlock.perToken(head, GptBlock.perToken(finalNorm, h, training), training);
    }

    private void checkIds(Tensor ids) {
        if (ids.rank() != 2 || ids.dim(1) == 0) {
            throw new IllegalArgumentException("GptModel expected token ids of shape [batch, time] with time >= 1, got " + ids.shape());
        }
    }

    /**
     * {@code prompt} followed by {@code count} tokens drawn from {@code sampler}, one at a time. With
     * {@code useCache} each token costs one {@link #step}; without, each reruns the window through
     * {@link #logits}. Both read the same window (see the class comment: it slides by half the context at
     * the position table's end), so with the same generator they draw the same tokens.
     *
     * @throws IllegalArgumentException when the prompt is empty, has an id outside the vocabulary, or {@code count < 0}
     */
    public int[] generate(int[] prompt, int count, Sampler sampler, RandomGenerator rng, boolean useCache) {
        if (prompt.length == 0) throw new IllegalArgumentException("generation needs a prompt of at least one token");
        if (count < 0) throw new IllegalArgumentException("the number of tokens to generate must be >= 0, got " + count);
        for (int id : prompt) {
            if (id < 0 || id >= config.vocabularySize()) {
                throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary [0, " + config.vocabularySize() + ")");
            }
        }
        int context = config.contextLength(), keep = Math.max(1, context / 2);
        int[] seq = Arrays.copyOf(prompt, prompt.length + count);
        int n = prompt.length, start = Math.max(0, n - context);
        try (var _ = NoGrad.scope()) {
            List<KeyValueCache> cache = useCache ? newCache(1) : null;
            float[] next = lastLogits(seq, start, n, cache);
            for (int i = 0; i < count; i++) {
                seq[n++] = sampler.sample(next, rng);
                if (i == count - 1) break;
                if (n - start > context) { // the window is full: slide it
                    start = n - keep;
                    if (cache != null) for (KeyValueCache c : cache) c.clear();
                    next = lastLogits(seq, start, n, cache);
                } else {
                    next = cache != null ? lastLogits(seq, n - 1, n, cache) : lastLogits(seq, start, n, null);
                }
            }
        }
        return seq;
    }

    /** The logits after {@code seq[from..to)}: a step through the cache when there is one, else a full pass over the window. */
    private float[] lastLogits(int[] seq, int from, int to, List<KeyValueCache> cache) {
        float[] ids = new float[to - from];
        for (int i = from; i < to; i++) ids[i - from] = seq[i];
        Tensor x = Tensor.of(ids, 1, ids.length);
        Tensor logits = cache != null ? step(x, cache) : logits(x, false);
        return logits.slice(1, ids.length - 1, ids.length).toFloatArray();
    }
}
