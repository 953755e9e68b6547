package dev.myelin.optim;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Graph;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Base of the optimizers: updates trainable weights in place from their gradients, as Keras 3 does.
 *
 * <p>One {@link #apply} call is one training step. With {@code t} the number of steps already taken
 * ({@link #iterations()} before the call) it does, for the parameters that are trainable and have a
 * gradient:
 * <ol>
 *   <li>{@code lr = learningRate()}: the constant rate, or {@code schedule.rate(t)} times the scale set
 *       by {@link #setLearningRate} when a {@link LearningRateSchedule} is set;</li>
 *   <li>gradient clipping, at most one kind (Keras semantics, the parameters' {@code grad()} tensors are
 *       left unchanged):
 *     <ul>
 *       <li>{@link #clipValue(double) clipValue c}: {@code g = clip(g, -c, c)};</li>
 *       <li>{@link #clipNorm(double) clipNorm c}, per tensor: {@code g = g * c / max(||g||₂, c)};</li>
 *       <li>{@link #globalClipNorm(double) globalClipNorm c}: with {@code n = sqrt(Σ over all gradients of
 *           Σ g²)}, every {@code g = g * c * min(1/n, 1/c)} (NaN when {@code n} is not finite);</li>
 *     </ul></li>
 *   <li>decoupled weight decay when {@link #weightDecay(double) weightDecay wd} {@code > 0}:
 *       {@code w = w - w * wd * lr} (before the update, on every updated weight except those
 *       {@link #excludeFromWeightDecay excluded});</li>
 *   <li>the subclass's update equation {@link #update}, under {@link NoGrad}, outside the graph;</li>
 *   <li>{@code iterations += 1}.</li>
 * </ol>
 * Parameters that are not trainable or whose gradient is null are skipped: neither the weight nor its
 * optimizer state changes. The iteration count advances even when every parameter was skipped.
 *
 * <p>Configuration uses fluent setters. The common ones, defined here, return {@code Optimizer}, so set
 * an optimizer's own options first:
 * <pre>{@code
 * Optimizer opt = new SGD(0.1).momentum(0.9).nesterov(true).clipNorm(1.0).weightDecay(1e-4);
 * Optimizer adam = new Adam().learningRateSchedule(new CosineDecay(1e-3, 10_000));
 * Optimizer byName = Optimizer.of("adamw");
 * }</pre>
 *
 * <p>An optimizer is not thread-safe and holds state per parameter (keyed by identity): use one
 * instance per model.
 */
public abstract class Optimizer {
    /*
     * Implementation overview. Per-parameter state lives in a Slots object created on the parameter's first
     * update and looked up by identity. A slot is a tensor with the weight's dtype and shape, created on
     * first request by name, so options that need extra state (SGD momentum, Adam's amsgrad, RMSprop's
     * centered form) can be switched on at any time: the new slot starts at its initial value. Updates
     * are composed from Tensor's in-place operations (addInPlace, subInPlace, mulInPlace, assign); the
     * few temporaries an equation needs are reused where the equation allows.
     */

    private static final List<String> NAMES = List.of("sgd", "adam", "adamw", "rmsprop", "adagrad");

    private double learningRate;
    private LearningRateSchedule schedule;
    private double scheduleScale = 1.0;
    private long iterations;
    private double weightDecay;
    private List<String> weightDecayExclusions = List.of();
    private double clipValue;
    private double clipNorm;
    private double globalClipNorm;
    private final Map<Parameter, Slots> state = new IdentityHashMap<>();

    /** @param learningRate the constant learning rate, {@code >= 0} */
    protected Optimizer(double learningRate) {
        this.learningRate = Checks.nonNegative(getClass().getSimpleName(), "learningRate", learningRate);
    }

    /**
     * An optimizer with Keras's defaults by name, ignoring case: {@code "sgd"}, {@code "adam"},
     * {@code "adamw"}, {@code "rmsprop"} or {@code "adagrad"}.
     *
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static Optimizer of(String name) {
        Objects.requireNonNull(name, "name");
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "sgd" -> new SGD();
            case "adam" -> new Adam();
            case "adamw" -> new AdamW();
            case "rmsprop" -> new RMSprop();
            case "adagrad" -> new Adagrad();
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "', expected one of " + NAMES);
        };
    }

    // =====================================================================================
    // The update
    // =====================================================================================

    /**
     * Updates each trainable parameter that has a gradient in place from {@code p.grad()}, then counts one
     * iteration; see the class documentation for the order of the steps. Gradients are not cleared.
     *
     * @throws IllegalArgumentException when a gradient's shape differs from its weight's
     */
    public final void apply(List<Parameter> parameters) {
        applyGradients(null, parameters);
    }

    /**
     * Keras's {@code apply_gradients}: updates each parameter from the gradient at the same position of
     * {@code gradients} (as {@code dev.myelin.train.Gradients.of} returns them) instead of its
     * {@code grad()}, then counts one iteration. Null gradients and parameters that are not trainable are
     * skipped, as in {@link #apply}.
     *
     * @throws IllegalArgumentException when the lists differ in length or a gradient's shape differs from its weight's
     */
    public final void applyGradients(List<Tensor> gradients, List<Parameter> parameters) {
        if (gradients != null && gradients.size() != parameters.size()) {
            throw new IllegalArgumentException("applyGradients: " + gradients.size() + " gradients for " + parameters.size() + " parameters");
        }
        double lr = learningRate();
        int n = 0;
        Parameter[] params = new Parameter[parameters.size()];
        Tensor[] grads = new Tensor[params.length];
        for (int j = 0; j < params.length; j++) {
            Parameter p = parameters.get(j);
            Tensor g = gradients == null ? p.grad() : gradients.get(j);
            if (g == null || !p.trainable()) continue;
            Tensor w = p.value();
            if (!g.shape().equals(w.shape())) {
                throw new IllegalArgumentException("gradient of '" + p.name() + "' has shape " + g.shape()
                        + " but the weight has shape " + w.shape());
            }
            params[n] = p;
            grads[n++] = g;
        }
        try (var _ = NoGrad.scope()) {
            for (int i = 0; i < n; i++) {
                if (grads[i].dtype() != params[i].value().dtype()) grads[i] = grads[i].to(params[i].value().dtype());
            }
            clip(grads, n);
            for (int i = 0; i < n; i++) {
                Tensor w = params[i].value();
                if (weightDecay > 0 && !excludedFromWeightDecay(params[i])) w.mulInPlace(1.0 - weightDecay * lr);
                update(w, grads[i], state.computeIfAbsent(params[i], p -> new Slots(p.value())), lr);
            }
        }
        iterations++;
    }

    /**
     * One step of gradient descent on {@code loss} over {@code parameters} (Keras's {@code minimize}):
     * {@code applyGradients(Gradients.of(loss, parameters), parameters)}. Other weights in the loss's graph
     * get no gradient and no update, and no {@code grad()} is touched. Returns the loss's value.
     *
     * @throws IllegalArgumentException when {@code loss} is not a scalar
     */
    public final double minimize(Tensor loss, List<Parameter> parameters) {
        // Straight to autograd rather than through train.Gradients: optim sits below train in the package graph.
        if (loss.size() != 1) throw new IllegalArgumentException("minimize needs a scalar loss, got shape " + loss.shape());
        List<Tensor> values = new java.util.ArrayList<>(parameters.size());
        for (Parameter p : parameters) values.add(p.value());
        applyGradients(Graph.gradients(loss, Tensor.full(loss.dtype(), loss.shape(), 1.0), values), parameters);
        return loss.item();
    }

    /**
     * The optimizer's update equation for one weight, written with in-place tensor operations. It runs
     * under {@link NoGrad}; {@link #iterations()} is still the number of steps taken before this one
     * (Keras's {@code self.iterations}), so Adam's bias-correction step is {@code iterations() + 1}.
     *
     * @param weight the weight to update in place
     * @param gradient its (possibly clipped) gradient, with the weight's dtype and shape; must not be modified
     * @param slots this weight's optimizer state
     * @param learningRate this step's learning rate
     */
    protected abstract void update(Tensor weight, Tensor gradient, Slots slots, double learningRate);

    private void clip(Tensor[] grads, int n) {
        if (clipNorm > 0) {
            for (int i = 0; i < n; i++) {
                double norm = Math.sqrt(grads[i].square().sum().item());
                grads[i] = grads[i].mul(clipNorm / Math.max(norm, clipNorm));
            }
        } else if (globalClipNorm > 0) {
            double sumSquares = 0;
            for (int i = 0; i < n; i++) sumSquares += grads[i].square().sum().item();
            double norm = Math.sqrt(sumSquares);
            // Keras's clip_by_global_norm: a no-op factor for finite norms, NaN when the norm is inf or NaN
            double scale = globalClipNorm * Math.min(1.0 / norm, 1.0 / globalClipNorm) + (norm - norm);
            for (int i = 0; i < n; i++) grads[i] = grads[i].mul(scale);
        } else if (clipValue > 0) {
            for (int i = 0; i < n; i++) grads[i] = grads[i].clamp(-clipValue, clipValue);
        }
    }

    private boolean excludedFromWeightDecay(Parameter p) {
        if (weightDecayExclusions.isEmpty()) return false;
        String name = p.name();
        for (String fragment : weightDecayExclusions) {
            if (name.contains(fragment)) return true;
        }
        return false;
    }

    // =====================================================================================
    // Configuration
    // =====================================================================================

    /**
     * This optimizer's hyperparameters as an immutable record from which the class's {@code fromConfig}
     * builds a new optimizer (without state); see {@link OptimizerConfig}. Optimizers without one throw.
     */
    public OptimizerConfig config() {
        throw new UnsupportedOperationException("optimizer " + getClass().getSimpleName() + " has no config");
    }

    /** The settings all optimizers share, for config records. */
    public final OptimizerSettings optimizerSettings() {
        return new OptimizerSettings(learningRate, schedule, weightDecay, clipValue, clipNorm, globalClipNorm);
    }

    /** Applies the shared settings of a config (to a new optimizer: clipping options are set in order). */
    protected final void applyOptimizerSettings(OptimizerSettings s) {
        learningRateSchedule(null);
        setLearningRate(s.learningRate());
        learningRateSchedule(s.schedule());
        weightDecay(s.weightDecay());
        clipValue(s.clipValue());
        clipNorm(s.clipNorm());
        globalClipNorm(s.globalClipNorm());
    }

    // =====================================================================================
    // Learning rate and iterations
    // =====================================================================================

    /**
     * The learning rate the next {@link #apply} will use: the constant rate, or with a schedule
     * {@code schedule.rate(iterations()) * scale} (the scale is 1 unless {@link #setLearningRate} changed it).
     */
    public double learningRate() {
        return schedule == null ? learningRate : schedule.rate(iterations) * scheduleScale;
    }

    /**
     * Sets the learning rate used from the next step on ({@code >= 0}); a ReduceLROnPlateau callback calls
     * this.
     *
     * <p>With a schedule, the schedule is kept and scaled: the scale becomes
     * {@code value / schedule.rate(iterations())}, so {@link #learningRate()} returns {@code value} now and
     * later steps follow the schedule's shape times that scale (halving the rate halves the rest of the
     * schedule). Keras refuses to set the rate of a scheduled optimizer instead.
     *
     * @throws IllegalStateException with a schedule whose current rate is 0, unless {@code value} is 0
     */
    public void setLearningRate(double value) {
        Checks.nonNegative(getClass().getSimpleName(), "learningRate", value);
        if (schedule == null) {
            learningRate = value;
            return;
        }
        double scheduled = schedule.rate(iterations);
        if (scheduled == 0) {
            if (value == 0) return;
            throw new IllegalStateException("cannot set the learning rate to " + value + ": the schedule " + schedule
                    + " gives 0 at step " + iterations + ", so no scale of it reaches that value");
        }
        scheduleScale = value / scheduled;
    }

    /**
     * Uses {@code schedule} for the learning rate, called with {@link #iterations()} before each step (null
     * returns to the constant rate given to the constructor or {@link #setLearningRate}). Resets the scale
     * that {@link #setLearningRate} applies to a schedule.
     */
    public Optimizer learningRateSchedule(LearningRateSchedule schedule) {
        this.schedule = schedule;
        this.scheduleScale = 1.0;
        return this;
    }

    /** The learning-rate schedule, or null for a constant rate. */
    public LearningRateSchedule learningRateSchedule() {
        return schedule;
    }

    /** The number of steps taken: {@link #apply} calls so far. */
    public long iterations() {
        return iterations;
    }

    // =====================================================================================
    // Weight decay and clipping
    // =====================================================================================

    /**
     * Decoupled weight decay {@code w = w - w * wd * lr} before each update ({@code >= 0}, 0 turns it off),
     * as Keras's {@code weight_decay} argument for any optimizer.
     */
    public Optimizer weightDecay(double wd) {
        this.weightDecay = Checks.nonNegative(getClass().getSimpleName(), "weightDecay", wd);
        return this;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /**
     * Excludes from weight decay the parameters whose {@link Parameter#name() name} contains any of
     * {@code nameFragments} (for example {@code "bias"}), as Keras's {@code exclude_from_weight_decay};
     * replaces earlier exclusions.
     */
    public Optimizer excludeFromWeightDecay(String... nameFragments) {
        for (String f : nameFragments) Objects.requireNonNull(f, "nameFragments element");
        this.weightDecayExclusions = List.of(nameFragments);
        return this;
    }

    /** Clips each gradient element to {@code [-c, c]} ({@code >= 0}, 0 turns it off). */
    public Optimizer clipValue(double c) {
        this.clipValue = checkClip("clipValue", c);
        return this;
    }

    public double clipValue() {
        return clipValue;
    }

    /** Rescales each gradient whose L2 norm exceeds {@code c} to norm {@code c} ({@code >= 0}, 0 turns it off). */
    public Optimizer clipNorm(double c) {
        this.clipNorm = checkClip("clipNorm", c);
        return this;
    }

    public double clipNorm() {
        return clipNorm;
    }

    /**
     * Rescales all gradients together when their global L2 norm exceeds {@code c}
     * ({@code >= 0}, 0 turns it off).
     */
    public Optimizer globalClipNorm(double c) {
        this.globalClipNorm = checkClip("globalClipNorm", c);
        return this;
    }

    public double globalClipNorm() {
        return globalClipNorm;
    }

    private double checkClip(String which, double c) {
        Checks.nonNegative(getClass().getSimpleName(), which, c);
        if (c > 0) {
            double[] current = {clipValue, clipNorm, globalClipNorm};
            String[] names = {"clipValue", "clipNorm", "globalClipNorm"};
            for (int i = 0; i < names.length; i++) {
                if (!names[i].equals(which) && current[i] > 0) {
                    throw new IllegalStateException("only one of clipValue, clipNorm and globalClipNorm can be set: "
                            + names[i] + " is already " + current[i] + " (set it to 0 first), got " + which + "=" + c);
                }
            }
        }
        return c;
    }

    // =====================================================================================
    // State
    // =====================================================================================

    /**
     * The optimizer state of {@code parameter} by slot name (Keras's names, such as {@code "momentum"} and
     * {@code "velocity"}), in creation order: the live tensors, empty before the parameter's first update.
     */
    public Map<String, Tensor> slots(Parameter parameter) {
        Slots s = state.get(parameter);
        return s == null ? Map.of() : s.asMap();
    }

    /**
     * The optimizer's state for {@code parameters}, copied: the iteration count, the constant learning rate
     * and the scale {@link #setLearningRate} put on a schedule, and every slot of those parameters keyed
     * {@code "<parameter name>/<slot name>"} (such as {@code "dense/kernel/momentum"}). A parameter never
     * updated has no slots. With {@link #restoreState} this resumes training exactly where it was.
     *
     * <p>Example: {@code Optimizer.State s = opt.state(model.trainableWeights());}
     *
     * @throws IllegalArgumentException when two parameters share a name
     */
    public final State state(List<Parameter> parameters) {
        Map<String, Tensor> slotValues = new LinkedHashMap<>();
        try (var _ = NoGrad.scope()) {
            for (Parameter p : byName(parameters).values()) {
                Slots s = state.get(p);
                if (s == null) continue;
                for (int i = 0; i < s.names.length; i++) slotValues.put(p.name() + "/" + s.names[i], copyOf(s.tensors[i], s.tensors[i].dtype()));
            }
        }
        return new State(iterations, learningRate, scheduleScale, slotValues);
    }

    /**
     * Sets this optimizer to {@code saved}, as {@link #state} captured it (on this optimizer or on one with
     * the same configuration): the iteration count, learning rate and schedule scale, and the slots of
     * {@code parameters}, whose slots not in {@code saved} are dropped (they start again at their initial
     * value, as for a parameter never updated). The next {@link #apply} then takes the step the captured
     * optimizer would have taken. Values are copied; nothing changes when a check fails.
     *
     * @throws IllegalArgumentException naming the first key that names none of {@code parameters} or whose
     *         tensor's shape differs from the parameter's
     */
    public final void restoreState(State saved, List<Parameter> parameters) {
        Objects.requireNonNull(saved, "saved");
        Map<String, Parameter> byName = byName(parameters);
        Map<Parameter, Slots> restored = new IdentityHashMap<>();
        try (var _ = NoGrad.scope()) {
            for (var e : saved.slots().entrySet()) {
                String key = e.getKey();
                int slash = key.lastIndexOf('/');
                Parameter p = slash <= 0 ? null : byName.get(key.substring(0, slash));
                if (p == null) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + " state key '" + key
                            + "' names none of the given parameters " + byName.keySet() + " (keys are \"<parameter name>/<slot name>\")");
                }
                Tensor w = p.value();
                if (!e.getValue().shape().equals(w.shape())) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + " state key '" + key + "' has shape "
                            + e.getValue().shape() + " but parameter '" + p.name() + "' has shape " + w.shape());
                }
                restored.computeIfAbsent(p, q -> new Slots(q.value())).put(key.substring(slash + 1), copyOf(e.getValue(), w.dtype()));
            }
        }
        for (Parameter p : parameters) state.remove(p);
        state.putAll(restored);
        iterations = saved.iterations();
        learningRate = saved.learningRate();
        scheduleScale = saved.scheduleScale();
    }

    private static Map<String, Parameter> byName(List<Parameter> parameters) {
        Map<String, Parameter> m = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            Parameter before = m.put(p.name(), p);
            if (before != null && before != p) throw new IllegalArgumentException("two parameters are named '" + p.name() + "'; optimizer state is keyed by name");
        }
        return m;
    }

    private static Tensor copyOf(Tensor t, DType dtype) {
        return Tensor.full(dtype, t.shape(), 0.0).assign(t.detach().to(dtype));
    }

    /**
     * A copy of an optimizer's state ({@link #state}), immutable: what a backup keeps so that training
     * resumes bit-identically.
     *
     * @param iterations    steps taken ({@link #iterations()})
     * @param learningRate  the constant rate, as the constructor, {@link #setLearningRate} or a callback left it
     *                      (kept with a schedule too, where it is not used)
     * @param scheduleScale the factor {@link #setLearningRate} put on the schedule (1 when none)
     * @param slots         slot values keyed {@code "<parameter name>/<slot name>"}, in creation order; the map
     *                      is copied, the tensors are not (treat them as read-only)
     */
    public record State(long iterations, double learningRate, double scheduleScale, Map<String, Tensor> slots) {
        public State {
            if (iterations < 0) throw new IllegalArgumentException("optimizer state: iterations must be >= 0, got " + iterations);
            if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("optimizer state: learningRate must be finite and >= 0, got " + learningRate);
            }
            if (!(scheduleScale >= 0) || Double.isInfinite(scheduleScale)) {
                throw new IllegalArgumentException("optimizer state: scheduleScale must be finite and >= 0, got " + scheduleScale);
            }
            slots = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(slots, "slots")));
            for (var e : slots.entrySet()) Objects.requireNonNull(e.getValue(), () -> "optimizer state: no tensor for slot '" + e.getKey() + "'");
        }
    }

    /** The class name with its settings, such as {@code Adam(learningRate=0.001, beta1=0.9, ...)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(');
        if (schedule != null) {
            sb.append("learningRateSchedule=").append(schedule);
            if (scheduleScale != 1.0) sb.append(" x ").append(scheduleScale);
        } else {
            sb.append("learningRate=").append(learningRate);
        }
        String own = settings();
        if (!own.isEmpty()) sb.append(", ").append(own);
        if (weightDecay > 0) sb.append(", weightDecay=").append(weightDecay);
        if (!weightDecayExclusions.isEmpty()) sb.append(", excludeFromWeightDecay=").append(weightDecayExclusions);
        if (clipValue > 0) sb.append(", clipValue=").append(clipValue);
        if (clipNorm > 0) sb.append(", clipNorm=").append(clipNorm);
        if (globalClipNorm > 0) sb.append(", globalClipNorm=").append(globalClipNorm);
        return sb.append(')').toString();
    }

    /** The subclass's own settings for {@link #toString()}, such as {@code "momentum=0.9, nesterov=true"}. */
    protected String settings() {
        return "";
    }

    /**
     * The optimizer state of one weight: named tensors with the weight's dtype and shape, each created on
     * first request and kept for the weight's lifetime in this optimizer.
     */
    public static final class Slots {
        private final Tensor reference;
        private String[] names = new String[0];
        private Tensor[] tensors = new Tensor[0];

        Slots(Tensor reference) {
            this.reference = reference;
        }

        /** The slot {@code name}, created filled with zeros on first request. */
        public Tensor get(String name) {
            return get(name, 0.0);
        }

        /**
         * The slot {@code name}, created filled with {@code initialValue} on first request (the value is
         * ignored afterwards).
         */
        public Tensor get(String name, double initialValue) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(name)) return tensors[i];
            }
            Tensor t = Tensor.full(reference.dtype(), reference.shape(), initialValue);
            names = Arrays.copyOf(names, names.length + 1);
            tensors = Arrays.copyOf(tensors, tensors.length + 1);
            names[names.length - 1] = Objects.requireNonNull(name, "name");
            tensors[tensors.length - 1] = t;
            return t;
        }

        /** Sets slot {@code name} to {@code value} (restoring a state). */
        void put(String name, Tensor value) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(name)) {
                    tensors[i] = value;
                    return;
                }
            }
            names = Arrays.copyOf(names, names.length + 1);
            tensors = Arrays.copyOf(tensors, tensors.length + 1);
            names[names.length - 1] = name;
            tensors[tensors.length - 1] = value;
        }

        Map<String, Tensor> asMap() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) m.put(names[i], tensors[i]);
            return Collections.unmodifiableMap(m);
        }
    }
}
