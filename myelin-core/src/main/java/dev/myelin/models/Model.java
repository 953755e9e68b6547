package dev.myelin.models;

import dev.myelin.autograd.GradMode;
import dev.myelin.autograd.NoGrad;
import dev.myelin.data.DataLoader;
import dev.myelin.io.Json;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Input;
import dev.myelin.nn.Layer;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.BufferPool;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluation;
import dev.myelin.train.Evaluator;
import dev.myelin.data.FiniteValues;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import dev.myelin.train.Trainable;
import dev.myelin.train.Trainer;
import dev.myelin.train.TrainingSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * A model: a graph of layer calls from inputs to outputs (Keras's functional API), with the Keras
 * training API: {@link #compile}, {@link #fit}, {@link #evaluate}, {@link #predict}. {@link Sequential}
 * is the special case of one chain.
 *
 * <pre>{@code
 * SymbolicTensor in = Input.of(784);
 * SymbolicTensor h = new Dense(64, Activation.RELU).apply(in);
 * Model model = new Model(in, new Dense(10, Activation.SOFTMAX).apply(h));
 * model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
 * History history = model.fit(x, y, FitOptions.epochs(5));
 * }</pre>
 *
 * <p>Weights are created when the model is built: at construction when every input shape is known,
 * otherwise at the first call on data. The seed ({@link #seed(long)}) makes the initial weights
 * repeatable; without one they are random.
 *
 * <p>A model is a {@link Trainable}: {@link Trainer} drives its {@link #trainStep} (which subclasses may
 * override for custom steps) with callbacks and batches, and evaluates it through {@link #evaluator()}.
 */
public class Model implements Trainable {
    private static final Map<String, AtomicInteger> NAME_COUNTS = new ConcurrentHashMap<>();

    private String name;
    private List<String> classNames = List.of();
    private List<SymbolicTensor> inputs = List.of();
    private List<SymbolicTensor> outputs = List.of();
    private List<SymbolicTensor> steps = List.of(); // non-input tensors in dependency order
    private List<Layer> layers = List.of();
    private Long seed;
    private boolean built;
    private ModelLayer asLayer;
    private Optimizer optimizer;
    private Loss loss;
    private List<Metric> metrics = List.of();
    private List<List<Metric>> outputMetrics = List.of();
    private volatile boolean stopTraining;
    /** Set once predict has warned about non-finite inputs (it warns once per model). */
    private volatile boolean warnedNonFinite;

    /** A functional model from one input to one output. */
    public Model(SymbolicTensor input, SymbolicTensor output) {
        this(List.of(input), List.of(output));
    }

    /** A functional model with several inputs and outputs (data are passed in this order). */
    public Model(List<SymbolicTensor> inputs, List<SymbolicTensor> outputs) {
        this("model");
        setGraph(inputs, outputs);
    }

    /** For subclasses that set their graph later ({@link Sequential}). */
    protected Model(String baseName) {
        int n = NAME_COUNTS.computeIfAbsent(baseName, k -> new AtomicInteger()).getAndIncrement();
        this.name = n == 0 ? baseName : baseName + "_" + n;
    }

    @Override
    public String name() {
        return name;
    }

    /** Gives a model read from a file the name it was saved with. */
    void rename(String savedName) {
        this.name = Objects.requireNonNull(savedName, "name");
    }

    /** Seeds the initial weights (call before the model is built, for example right after construction). */
    public Model seed(long value) {
        if (built) throw new IllegalStateException("model '" + name + "' is already built; set the seed before it builds (declare no input shape, or call seed first)");
        this.seed = value;
        if (!inputs.isEmpty()) build(); // with known shapes, weights exist from here on, as in Keras
        return this;
    }

    // ---- graph ----

    /** Sets the graph: collects the layer calls between {@code inputs} and {@code outputs}. */
    protected final void setGraph(List<SymbolicTensor> graphInputs, List<SymbolicTensor> graphOutputs) {
        if (graphInputs.isEmpty() || graphOutputs.isEmpty()) throw new IllegalArgumentException("a model needs at least one input and one output");
        for (SymbolicTensor in : graphInputs) {
            if (!in.isInput()) throw new IllegalArgumentException("model inputs must come from Input.of(...), got " + in);
        }
        Set<SymbolicTensor> seen = new HashSet<>();
        List<SymbolicTensor> order = new ArrayList<>();
        List<SymbolicTensor> stack = new ArrayList<>(graphOutputs);
        while (!stack.isEmpty()) {
            SymbolicTensor t = stack.removeLast();
            if (!seen.add(t)) continue;
            if (t.isInput()) {
                if (!graphInputs.contains(t)) throw new IllegalArgumentException("output depends on " + t + ", which is not among the model's inputs");
                continue;
            }
            order.add(t);
            stack.addAll(t.dependencies()); // a tensor-valued keyword (an attention mask) is read like an input
        }
        order.sort(Comparator.comparingLong(SymbolicTensor::id));
        Set<Layer> layerSet = new LinkedHashSet<>();
        for (SymbolicTensor t : order) layerSet.add(t.layer());
        this.inputs = List.copyOf(graphInputs);
        this.outputs = List.copyOf(graphOutputs);
        this.steps = List.copyOf(order);
        this.layers = List.copyOf(layerSet);
    }

    /** The layers, in call order. */
    public List<Layer> layers() {
        return layers;
    }

    /** The layer named {@code layerName}. */
    public Layer layer(String layerName) {
        for (Layer l : layers) if (l.name().equals(layerName)) return l;
        throw new IllegalArgumentException("model '" + name + "' has no layer '" + layerName + "'; layers: " + layers.stream().map(Layer::name).toList());
    }

    /**
     * The layer calls between the inputs and the outputs, in the dependency order {@code call} runs them
     * (symbolic-tensor creation order; a shared layer appears once per call): what a tool that walks the graph
     * (ONNX export, per-example gradients, Grad-CAM) follows.
     */
    public List<SymbolicTensor> steps() {
        return steps;
    }

    public List<SymbolicTensor> inputs() {
        return inputs;
    }

    public List<SymbolicTensor> outputs() {
        return outputs;
    }

    public boolean isBuilt() {
        return built;
    }

    /**
     * Creates all weights (layers in call order, from the seeded generator). Idempotent: layers already
     * built (reused from a trained model) keep their weights.
     */
    public void build() {
        build(null);
    }

    /** Builds with the model's seed when it has one, else with {@code fallback} (a nested model takes its outer model's generator), else at random. */
    void build(RandomGenerator fallback) {
        if (built) return;
        if (inputs.isEmpty()) throw new IllegalStateException("model '" + name + "' has no input shape yet: declare one (layer.inputShape(...)) or fit/call it on data first");
        RandomGenerator rng = seed != null ? RandomGeneratorFactory.of("L64X128MixRandom").create(seed)
                : fallback != null ? fallback : RandomGenerator.getDefault();
        try {
            for (SymbolicTensor t : steps) t.layer().build(t.inputs().get(0).shape(), rng);
        } catch (IllegalArgumentException e) { // "model 'm': layer 'dense' (Dense): weight 'kernel' [784, 2000000] needs 6.3 GB, ..."
            throw new IllegalArgumentException("model '" + name + "': " + e.getMessage(), e);
        }
        requireUniqueWeightNames();
        built = true;
    }

    /** Weight names identify weights in checkpoints and files: two layers of one name (a nested model and its own layer, say) would clash. */
    private void requireUniqueWeightNames() {
        Map<String, Parameter> byName = new java.util.HashMap<>();
        for (Parameter p : layers.stream().flatMap(l -> l.weights().stream()).toList()) {
            Parameter other = byName.putIfAbsent(p.name(), p);
            if (other != null && other != p) {
                throw new IllegalArgumentException("model '" + name + "' has two weights named '" + p.name() + "' (layers "
                        + other.owner() + " and " + p.owner() + "); give one of the layers another name");
            }
        }
    }

    /** For {@link Sequential#add} on a built model: the next use builds the new layer (the others keep their weights). */
    final void invalidateBuild() {
        built = false;
    }

    // ---- a model as a layer ----

    /**
     * This model as a layer of another model (Keras: a model is a layer), the same object on every call so
     * that the outer model shares, counts and trains its weights once: {@code new Sequential(base.asLayer(),
     * new Dense(5, Activation.SOFTMAX))}. The weights keep their names ({@code dense_3/kernel}).
     */
    public ModelLayer asLayer() {
        if (asLayer == null) asLayer = new ModelLayer(this);
        return asLayer;
    }

    /**
     * Functional API: calls this model on {@code input} as a layer ({@link #asLayer()}), as Keras's
     * {@code base(x)}; a single-input, single-output model only.
     */
    public SymbolicTensor apply(SymbolicTensor input) {
        return asLayer().apply(input);
    }

    /**
     * As {@link #apply(SymbolicTensor)}, with the training mode fixed as Keras's {@code base(x, training=False)}:
     * with {@code false} the model runs in inference mode (Dropout off, BatchNormalization on its moving
     * statistics) even while the outer model trains. The mode belongs to {@link #asLayer()}, so it holds for
     * every call of this model as a layer.
     */
    public SymbolicTensor apply(SymbolicTensor input, boolean training) {
        return asLayer().training(training).apply(input);
    }

    /**
     * Freezes ({@code false}) or unfreezes every layer of the model, nested models included (Keras 3's
     * {@code model.trainable = False}): frozen weights get no updates and a frozen BatchNormalization runs
     * on its moving statistics. Unfreeze later and {@link #fit} trains them again; a layer can be changed
     * on its own afterwards ({@code model.layer("dense").trainable(true)}).
     */
    public Model trainable(boolean value) {
        for (Layer l : layers()) l.trainable(value);
        if (asLayer != null) asLayer.trainable(value);
        return this;
    }

    // ---- forward ----

    /** Runs the model on one batch of a single-input, single-output model. */
    public Tensor call(Tensor x, boolean training) {
        return call(List.of(x), training).get(0);
    }

    /**
     * Runs the model on one batch of each input; returns one tensor per output. Every layer runs through
     * {@link Layer#call} (a softmax or sigmoid output remembers its logits for the cross-entropy losses,
     * {@link Tensor#softmaxLogits()}).
     */
    public List<Tensor> call(List<Tensor> xs, boolean training) {
        ensureBuiltFor(xs);
        Map<SymbolicTensor, Tensor> values = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) values.put(inputs.get(i), xs.get(i));
        Map<SymbolicTensor, Integer> lastUse = lastUses();
        // Without a graph nothing outside this loop holds a layer's output once its last reader has run, so its
        // array can go back to the BufferPool at once for the next layer's result (-Dmyelin.pool.inference=false
        // turns it off: see BufferPool.inferenceReuseEnabled).
        Set<SymbolicTensor> seenByUserCode = GradMode.isEnabled() || !BufferPool.inferenceReuseEnabled() ? null : seenByUserCode();
        try (BufferPool.Scope pass = seenByUserCode == null ? null : BufferPool.scope()) {
            for (int s = 0; s < steps.size(); s++) {
                SymbolicTensor t = steps.get(s);
                Tensor fused = fusesWithNext(s, lastUse) ? t.layer().callFused(steps.get(s + 1).layer(), values.get(t.inputs().get(0)), training) : null;
                if (fused != null) {
                    // Two steps as one operation (BatchNormalization then ReLU): t's value is never made; what only
                    // these two steps read can go, as below.
                    values.put(steps.get(s + 1), fused);
                    release(t.dependencies(), s, lastUse, values, xs, pass, seenByUserCode);
                    s++;
                    continue;
                }
                if (t.layer() instanceof MergeLayer merge) {
                    List<Tensor> args = new ArrayList<>();
                    for (SymbolicTensor in : t.inputs()) args.add(values.get(in));
                    values.put(t, Masks.merged(merge.call(args, t.callOptions(values::get), training), args));
                } else {
                    values.put(t, t.layer().call(values.get(t.inputs().get(0)), training));
                }
                release(t.dependencies(), s, lastUse, values, xs, pass, seenByUserCode);
            }
        }
        List<Tensor> predictions = new ArrayList<>(outputs.size());
        for (SymbolicTensor out : outputs) predictions.add(values.get(out));
        return predictions;
    }

    /**
     * Drops what no step after {@code s} reads, so that in inference an activation becomes garbage as soon as the next
     * layer has used it: kept to the end, a batch of 1000 through a small CNN held 650 MB. Inside a
     * {@code pass} scope, an array no one else can reach goes back to the BufferPool.
     */
    private static void release(List<SymbolicTensor> dependencies, int s, Map<SymbolicTensor, Integer> lastUse, Map<SymbolicTensor, Tensor> values,
                                List<Tensor> xs, BufferPool.Scope pass, Set<SymbolicTensor> seenByUserCode) {
        for (SymbolicTensor in : dependencies) {
            if (lastUse.get(in) != s) continue;
            Tensor dead = values.remove(in);
            if (pass != null && !seenByUserCode.contains(in) && unreachable(dead, xs, values)) BufferPool.releaseActivation(dead);
        }
    }

    /**
     * Whether step s and the next may run as one operation ({@link Layer#callFused}): the next step is a plain layer
     * whose only input is step s's value, which no other step reads and which is no output (so it is never needed).
     */
    private boolean fusesWithNext(int s, Map<SymbolicTensor, Integer> lastUse) {
        if (s + 1 >= steps.size()) return false;
        SymbolicTensor t = steps.get(s), next = steps.get(s + 1);
        if (t.layer() == null || t.layer() instanceof MergeLayer || next.layer() == null || next.layer() instanceof MergeLayer) return false;
        if (t.inputs().size() != 1 || !next.dependencies().equals(List.of(t))) return false;
        Integer last = lastUse.get(t);
        return last != null && last == s + 1;
    }

    /**
     * The values a layer from outside the library produces or reads: user code may keep them, so they are never
     * released. The model's inputs too (the caller's).
     */
    private Set<SymbolicTensor> seenByUserCode() {
        Set<SymbolicTensor> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(inputs);
        for (SymbolicTensor t : steps) {
            if (t.layer() != null && t.layer().getClass().getPackageName().startsWith("dev.myelin.")) continue;
            seen.add(t);
            seen.addAll(t.dependencies());
        }
        return seen;
    }

    /**
     * True when no model input and no value still pending is {@code dead} itself or a softmax/sigmoid remembering it
     * as its logits (a layer that returns its input makes two values one tensor).
     */
    private static boolean unreachable(Tensor dead, List<Tensor> xs, Map<SymbolicTensor, Tensor> values) {
        for (Tensor x : xs) if (x == dead) return false;
        for (Tensor v : values.values()) {
            if (v == dead || v.softmaxLogits() == dead || v.sigmoidLogits() == dead) return false;
        }
        return true;
    }

    /**
     * For each value {@link #call} computes or receives, the index of the last step that reads it;
     * {@code Integer.MAX_VALUE} for the outputs, which are read after the last step.
     */
    private Map<SymbolicTensor, Integer> lastUses() {
        Map<SymbolicTensor, Integer> last = new IdentityHashMap<>();
        for (int s = 0; s < steps.size(); s++) {
            for (SymbolicTensor in : steps.get(s).dependencies()) last.put(in, s);
        }
        for (SymbolicTensor out : outputs) last.put(out, Integer.MAX_VALUE);
        return last;
    }

    /** Builds on first use and checks each batch against the input shapes, naming the model, the input and both shapes. */
    protected void ensureBuiltFor(List<Tensor> xs) {
        if (inputs.isEmpty()) buildFromData(xs);
        if (xs.size() != inputs.size()) {
            throw new IllegalArgumentException("model '" + name + "' has " + inputs.size() + " input(s) but received " + xs.size() + " tensor(s)");
        }
        for (int i = 0; i < xs.size(); i++) {
            Shape expected = inputs.get(i).shape();
            Shape got = xs.get(i).shape();
            boolean ok = got.rank() == expected.rank() + 1;
            for (int d = 0; ok && d < expected.rank(); d++) ok = got.dim(d + 1) == expected.dim(d);
            if (!ok) {
                SymbolicTensor input = inputs.get(i);
                String first = steps.stream().filter(s -> s.dependencies().contains(input)).map(s -> " (first layer '" + s.layer().name() + "')").findFirst().orElse("");
                throw new IllegalArgumentException("model '" + name + "' input " + i + first + " expected shape [batch, "
                        + Layer.dimsOf(expected) + "] but received " + got);
            }
        }
        build();
    }

    /** For models that learn their input shape from the first batch ({@link Sequential} without a declared shape). */
    protected void buildFromData(List<Tensor> xs) {
        throw new IllegalStateException("model '" + name + "' has no inputs");
    }

    // ---- weights ----

    /** All weights of all layers (shared layers once, even when also inside a nested model), in layer order. */
    public List<Parameter> weights() {
        build();
        Set<Parameter> all = new LinkedHashSet<>(); // Parameter has identity equality
        for (Layer l : layers) all.addAll(l.weights());
        return List.copyOf(all);
    }

    public List<Parameter> trainableWeights() {
        return weights().stream().filter(Parameter::trainable).toList();
    }

    public List<Parameter> nonTrainableWeights() {
        return weights().stream().filter(p -> !p.trainable()).toList();
    }

    public long countParams() {
        long n = 0;
        for (Parameter p : weights()) n += p.value().size();
        return n;
    }

    /** A copy of every weight's values, by full name (for EarlyStopping's best weights, checkpoints). */
    @Override
    public Map<String, Tensor> weightValues() {
        Map<String, Tensor> copy = new java.util.LinkedHashMap<>();
        try (var g = NoGrad.scope()) {
            for (Parameter p : weights()) copy.put(p.name(), p.value().detach().contiguous().mul(1.0));
        }
        return copy;
    }

    /** Restores weights saved by {@link #weightValues()}. */
    @Override
    public void setWeightValues(Map<String, Tensor> values) {
        try (var g = NoGrad.scope()) {
            for (Parameter p : weights()) {
                Tensor v = values.get(p.name());
                if (v == null) throw new IllegalArgumentException("no value for weight '" + p.name() + "'");
                if (!v.shape().equals(p.value().shape())) {
                    throw new IllegalArgumentException("weight '" + p.name() + "' has shape " + p.value().shape() + " but the value has " + v.shape());
                }
                p.value().assign(v);
            }
        }
    }

    /** Keras-style summary: layers, output shapes, parameter counts, totals. */
    public String summary() {
        build();
        return ModelSummary.format(this, steps);
    }

    // ---- training API ----

    /** Configures training: the optimizer, the loss (applied to every output) and metrics (copied per model). */
    public void compile(Optimizer optimizerValue, Loss lossValue, Metric... metricValues) {
        this.optimizer = Objects.requireNonNull(optimizerValue, "optimizer");
        this.loss = Objects.requireNonNull(lossValue, "loss");
        List<Metric> fresh = new ArrayList<>();
        for (Metric m : metricValues) fresh.add(m.fresh());
        this.metrics = List.copyOf(fresh);
        this.outputMetrics = List.of();
    }

    /** Keras-style strings: {@code compile("adam", "sparse_categorical_crossentropy", "accuracy")}. */
    public void compile(String optimizerName, String lossName, String... metricNames) {
        Metric[] ms = new Metric[metricNames.length];
        for (int i = 0; i < ms.length; i++) ms[i] = Metric.of(metricNames[i]);
        compile(Optimizer.of(optimizerName), Loss.of(lossName), ms);
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    public Loss loss() {
        return loss;
    }

    /** The compiled metrics (this model's own instances; for the first output). */
    public List<Metric> metrics() {
        return metrics;
    }

    /** The metric instances that track output {@code index} (the compiled ones for output 0, copies for the others). */
    public List<Metric> metrics(int index) {
        if (outputMetrics.size() != outputs.size()) {
            List<List<Metric>> per = new ArrayList<>();
            per.add(metrics);
            for (int i = 1; i < outputs.size(); i++) per.add(metrics.stream().map(Metric::fresh).toList());
            outputMetrics = List.copyOf(per);
        }
        return outputMetrics.get(index);
    }

    /**
     * The metrics {@code fit} resets each epoch and reports in its logs next to {@code loss}, by log name:
     * the compiled metrics of every output. A model with its own {@link #trainStep} (a GAN) overrides
     * this to report what its step tracks.
     */
    @Override
    public Map<String, Metric> trainingMetrics() {
        Map<String, Metric> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < outputs.size(); i++) for (Metric metric : metrics(i)) m.put(metricLogName(i, metric), metric);
        return m;
    }

    /** Whether {@code fit} can run: compiled with an optimizer (models with their own train step may say otherwise). */
    public boolean isCompiled() {
        return optimizer != null;
    }

    /** The log name of a metric of output {@code index}: its own name for one output, prefixed with the output layer's name otherwise. */
    public String metricLogName(int index, Metric metric) {
        return outputs.size() == 1 ? metric.name() : outputs.get(index).layer().name() + "_" + metric.name();
    }

    /** Trains on {@code x} and {@code y}; see {@link FitOptions}. */
    public History fit(Tensor x, Tensor y, FitOptions options) {
        return Trainer.fit(this, List.of(x), List.of(y), options);
    }

    /** Trains on a loader's batches (its shuffling, augmentation and prefetching); see {@link Trainer#fit(Trainable, DataLoader, FitOptions)}. */
    public History fit(DataLoader train, FitOptions options) {
        return Trainer.fit(this, train, options);
    }

    /** Trains a model with several inputs or outputs. */
    public History fit(List<Tensor> xs, List<Tensor> ys, FitOptions options) {
        return Trainer.fit(this, xs, ys, options);
    }

    /** Loss and metrics on {@code x}, {@code y} in inference mode (batch size 32), with a confusion matrix for classifiers. */
    public Evaluation evaluate(Tensor x, Tensor y) {
        return Trainer.evaluate(this, List.of(x), List.of(y), 32);
    }

    /** Loss and metrics in batches of {@code batchSize}, each run through the model at most {@link #inferenceRows} samples at a time. */
    public Evaluation evaluate(Tensor x, Tensor y, int batchSize) {
        return Trainer.evaluate(this, List.of(x), List.of(y), batchSize);
    }

    /** Predictions in inference mode, in batches of 32. */
    public Tensor predict(Tensor x) {
        return predict(x, 32);
    }

    /**
     * Predictions for every sample, computed in batches of {@code batchSize} in inference mode, each run through
     * the model at most {@code myelin.inference.rows} samples at a time (see {@link #inferenceRows}).
     */
    public Tensor predict(Tensor x, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        if (x.rank() == 0) throw new IllegalArgumentException("predict: every input needs the same number of samples along axis 0, got shapes " + List.of(x.shape()));
        int n = x.dim(0);
        if (n == 0) throw new IllegalArgumentException("predict: empty input (0 samples)");
        if (!warnedNonFinite) {
            String problem = FiniteValues.firstNonFinite(x); // one pass over the inputs per call, none per batch
            if (problem != null) {
                warnedNonFinite = true; // once per model: a caller predicting in a loop sees it once
                System.err.println("myelin: WARNING: model '" + name + "' predict: the input has " + problem
                        + "; the predictions that depend on it are not meaningful (warned once)");
            }
        }
        List<Tensor> parts = new ArrayList<>();
        BufferPool.clear(); // arrays of other shapes (training's) would only crowd the heap
        int rows = inferenceRows(batchSize);
        try (var g = NoGrad.scope()) {
            for (int from = 0; from < n; from += rows) parts.add(call(x.slice(0, from, Math.min(n, from + rows)), false));
        }
        if (parts.size() == 1) return parts.get(0);
        // joined without their logits (detached parts keep none): predictions are for reading, and concat's joined
        // copy of a softmax's logits would double what the returned tensor holds
        return Tensor.concat(parts.stream().map(Tensor::detach).toList(), 0);
    }

    /**
     * How many samples of a batch of {@code batchSize} {@code predict} and {@code evaluate} run through the model at
     * once: at most the system property {@code myelin.inference.rows} (default 128; 0 for no limit). In inference
     * mode each sample is computed on its own, so a batch cut into chunks gets the same predictions, and the chunks'
     * outputs are joined before the loss and metrics see them (with the logits a softmax or sigmoid output keeps:
     * the loss is the same too). What the limit bounds is the activations: at batch 1000 each of a small CNN's is a
     * 100 MB array, which G1 places by growing the heap before it collects (`bench cnn`'s evaluation took the
     * process from 1.0 GB to 1.2-3.1 GB of peak RSS). A layer of your own that mixes the samples of a batch in
     * inference mode sees chunks: set the property to 0 for it.
     */
    public static int inferenceRows(int batchSize) {
        int limit = Integer.getInteger("myelin.inference.rows", DEFAULT_INFERENCE_ROWS);
        return limit <= 0 ? batchSize : Math.min(batchSize, limit);
    }

    private static final int DEFAULT_INFERENCE_ROWS = 128;

    /** The outputs of a call in inference mode on a batch, run {@link #inferenceRows} samples at a time. */
    List<Tensor> inferenceCall(List<Tensor> xs) {
        int n = xs.get(0).dim(0), rows = inferenceRows(n);
        if (rows >= n) return call(xs, false);
        List<List<Tensor>> chunks = new ArrayList<>();
        for (int from = 0; from < n; from += rows) {
            List<Tensor> part = new ArrayList<>(xs.size());
            for (Tensor x : xs) part.add(x.slice(0, from, Math.min(n, from + rows)));
            chunks.add(call(part, false));
        }
        List<Tensor> outputs = new ArrayList<>();
        for (int i = 0; i < chunks.get(0).size(); i++) {
            List<Tensor> parts = new ArrayList<>(chunks.size());
            for (List<Tensor> chunk : chunks) parts.add(chunk.get(i));
            outputs.add(Tensor.concat(parts, 0));
        }
        return outputs;
    }

    // ---- Trainable ----

    /** Checks that the model is compiled and builds it. */
    @Override
    public void prepareTraining() {
        if (!isCompiled()) throw new IllegalStateException("model '" + name + "' is not compiled; call compile(optimizer, loss, metrics) before fit");
        build();
        checkSomethingToTrain();
    }

    /** Fails before training when fit could change nothing: no weights at all, or every one frozen. */
    private void checkSomethingToTrain() {
        List<Parameter> all = weights();
        if (all.isEmpty()) {
            throw new IllegalStateException("model '" + name + "' has no weights to train (none of its layers "
                    + layers.stream().map(Layer::name).toList() + " has any): add a layer with weights, such as Dense, or only call predict");
        }
        if (all.stream().noneMatch(Parameter::trainable)) {
            throw new IllegalStateException("model '" + name + "' has nothing to train: every layer with weights is frozen ("
                    + layers.stream().filter(l -> !l.weights().isEmpty()).map(Layer::name).toList()
                    + "); call trainable(true) on the layers to train before fit");
        }
    }

    /**
     * One optimization step on a batch: forward in training mode, loss (plus regularization penalties),
     * backward, optimizer update, metric updates. Returns the batch's loss. Override for custom training
     * (the compiled optimizer, loss and metrics are available through the getters).
     */
    @Override
    public double trainStep(List<Tensor> xs, List<Tensor> ys) {
        // Nothing made inside the step is seen outside it but the loss value: the activations go back to the
        // BufferPool as the backward walk passes them, and what it saw needing no gradient when the step ends.
        try (var step = BufferPool.scope()) {
            List<Tensor> predictions = call(xs, true);
            Tensor total = totalLoss(ys, predictions);
            List<Parameter> params = trainableWeights();
            for (Parameter p : params) {
                if (p.regularizer() != null) total = total.add(p.regularizer().penalty(p.value()));
            }
            for (Parameter p : params) p.value().zeroGrad();
            List<Tensor> seen = new ArrayList<>(predictions.size()); // detached before backward: the walk releases what it passes
            for (Tensor p : predictions) seen.add(p.detach());
            double value = total.item();
            total.backward();
            optimizer.apply(params);
            try (var g = NoGrad.scope()) {
                for (int i = 0; i < ys.size(); i++) {
                    for (Metric m : metrics(i)) m.update(ys.get(i), seen.get(i));
                }
            }
            return value;
        }
    }

    /** The compiled loss summed over the outputs; on a softmax or sigmoid output the loss reads its logits. */
    Tensor totalLoss(List<Tensor> ys, List<Tensor> predictions) {
        if (ys.size() != predictions.size()) { // one target per output, or an output would train on nothing (or on another's target)
            throw new IllegalArgumentException("model '" + name + "' has " + predictions.size() + " output(s) "
                    + outputs.stream().map(o -> o.layer().name()).toList() + " but received " + ys.size() + " target(s): pass one y per output");
        }
        Tensor total = null;
        for (int i = 0; i < ys.size(); i++) {
            Tensor l = loss.compute(ys.get(i), predictions.get(i));
            total = total == null ? l : total.add(l);
        }
        return total;
    }

    /** An evaluation pass with fresh copies of the compiled metrics and, for a classifier, a confusion matrix. */
    @Override
    public Evaluator evaluator() {
        if (loss == null) throw new IllegalStateException("model '" + name + "' is not compiled; call compile(optimizer, loss, metrics) before evaluate");
        return new ModelEvaluator(this);
    }

    /** Asks {@link Trainer} to stop after the current batch (used by EarlyStopping, TerminateOnNaN). */
    @Override
    public void stopTraining(boolean value) {
        this.stopTraining = value;
    }

    @Override
    public boolean stopTrainingRequested() {
        return stopTraining;
    }

    // ---- keeping what was trained ----

    /**
     * The names of the classes a classifier's outputs stand for (index {@code i} names class {@code i}),
     * saved with the model so that predictions can be printed by name; empty when not set.
     */
    public List<String> classNames() {
        return classNames;
    }

    /** Sets the class names saved with the model (see {@link #classNames()}). */
    public Model classNames(List<String> names) {
        for (String n : names) Objects.requireNonNull(n, "class name");
        this.classNames = List.copyOf(names);
        return this;
    }

    /**
     * Saves the whole model in one file, as Keras's {@code model.save("m.keras")}: the architecture (Keras 3's
     * {@code config.json}), the compile settings, the weights (safetensors) and the class names, in a zip of
     * stored entries written atomically (the old file stays intact until the new one is complete). Load it
     * with {@link #load(Path)}, here or in another program. By convention the file ends in {@code .myelin}.
     *
     * <p>Example: {@code model.save(Path.of("fashion.myelin")); Model again = Model.load(Path.of("fashion.myelin"));}
     *
     * @throws IOException when the file cannot be written
     * @throws IllegalArgumentException when a layer, metric or optimizer has no config (custom classes), or two
     *     layers share a name
     */
    public void save(Path file) throws IOException {
        ModelFile.save(this, file);
    }

    /**
     * Loads a model saved by {@link #save(Path)}: the same architecture (a {@link Sequential} or a functional
     * model), weights, compile settings and class names; predictions are bit-identical to the saved model's.
     * Nothing in the file is run as code: layers are read through an explicit registry of classes.
     *
     * @throws dev.myelin.io.FileFormatException when the file is not a model file, is damaged or truncated,
     *     or names a layer class Myelin does not have (the message names the file, entry and problem)
     * @throws IOException when the file cannot be read
     */
    public static Model load(Path file) throws IOException {
        return ModelFile.load(file);
    }

    /** Saves the weights alone, as one safetensors file named by full weight names ({@code dense/kernel}), written atomically. */
    public void saveWeights(Path file) throws IOException {
        ModelFile.saveWeights(this, file);
    }

    /**
     * Sets every weight from a safetensors file (as {@link #saveWeights} writes it). All names and shapes are
     * checked before any weight changes: a missing, extra or differently shaped tensor is refused, naming the
     * first that differs.
     */
    public void loadWeights(Path file) throws IOException {
        ModelFile.loadWeights(this, file);
    }

    /** The architecture and compile settings as Keras 3's {@code config.json} (Keras's {@code model.to_json()}). */
    public String toJson() {
        return Json.write(ModelConfig.toJson(this));
    }

    /**
     * A new model from {@link #toJson()}'s text (Keras's {@code model_from_json}): built when its input shapes
     * are known, with freshly initialized weights, compiled when the JSON has compile settings.
     *
     * @throws IllegalArgumentException naming what is malformed or unsupported
     */
    public static Model fromJson(String json) {
        return ModelConfig.fromJson(Json.parse(json));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "('" + name + "', " + layers.size() + " layers)";
    }

    // ---- training state (resuming a run exactly) ----

    /**
     * The states of the random generators the layers draw from in training ({@link Layer#randomState()}),
     * by layer name, for the layers that draw (Dropout, recurrent layers with dropout); copies.
     */
    public Map<String, long[]> randomStates() {
        build();
        Map<String, long[]> states = new java.util.LinkedHashMap<>();
        for (Layer l : layers) {
            long[] s = l.randomState();
            if (s != null) states.put(l.name(), s);
        }
        return states;
    }

    /**
     * Sets the layers' generators back to {@code states}, as {@link #randomStates()} returned them.
     *
     * @throws IllegalArgumentException naming a key that is no layer of this model that draws, or a layer
     *         that draws but has no state in {@code states}
     */
    public void restoreRandomStates(Map<String, long[]> states) {
        build();
        Map<String, long[]> current = randomStates();
        for (String key : states.keySet()) {
            if (!current.containsKey(key)) {
                throw new IllegalArgumentException("model '" + name + "' has no layer '" + key + "' that draws random numbers; those that do: " + current.keySet());
            }
        }
        for (Layer l : layers) {
            if (!current.containsKey(l.name())) continue;
            long[] s = states.get(l.name());
            if (s == null) throw new IllegalArgumentException("model '" + name + "': no random state for layer '" + l.name() + "', which draws random numbers in training");
            l.restoreRandomState(s);
        }
    }

    /** Weights, the compiled optimizer's state (as {@code "optimizer"}) and the layers' random states; see {@link TrainingSnapshot}. */
    @Override
    public TrainingSnapshot snapshot() {
        build();
        Map<String, Optimizer.State> optimizers = optimizer == null ? Map.of() : Map.of("optimizer", optimizer.state(weights()));
        return TrainingSnapshot.ofModel(weightValues(), optimizers, randomStates());
    }

    /**
     * Sets weights, optimizer state and random states from {@code snapshot} (on this model or a fresh one
     * built and compiled the same way).
     *
     * @throws IllegalArgumentException naming what does not fit: a weight, an optimizer slot, a layer, or an
     *         optimizer state for a model not compiled (or none for a compiled one)
     */
    @Override
    public void restore(TrainingSnapshot snapshot) {
        build();
        Optimizer.State saved = snapshot.optimizers().get("optimizer");
        if (snapshot.optimizers().size() != (saved == null ? 0 : 1)) {
            throw new IllegalArgumentException("model '" + name + "': a snapshot of a model has one optimizer state, \"optimizer\"; got " + snapshot.optimizers().keySet());
        }
        if ((saved == null) != (optimizer == null)) {
            throw new IllegalArgumentException("model '" + name + "' is " + (optimizer == null ? "not compiled but the snapshot has an optimizer state" : "compiled but the snapshot has no optimizer state"));
        }
        setWeightValues(snapshot.weights());
        if (saved != null) optimizer.restoreState(saved, weights());
        restoreRandomStates(snapshot.randomStates());
    }
}
