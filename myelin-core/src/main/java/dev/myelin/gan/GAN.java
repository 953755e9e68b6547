package dev.myelin.gan;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.BinaryCrossentropy;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Mean;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.RandomStream;
import dev.myelin.optim.Adam;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.BufferPool;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluator;
import dev.myelin.train.FitOptions;
import dev.myelin.train.Gradients;
import dev.myelin.train.History;
import dev.myelin.train.Trainable;
import dev.myelin.train.Trainer;
import dev.myelin.train.TrainingSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * A generative adversarial network (Goodfellow et al., 2014): two {@link Model}s, and a {@link Trainable}
 * whose {@link #trainStep} plays one round of their game, so that {@link #fit(Tensor, FitOptions)} trains
 * it with callbacks and the progress bar. The generator maps latent vectors {@code z ~ N(0, 1)^latentDim} to samples; the
 * discriminator maps a sample to one output, the probability (sigmoid) or logit (linear) that it is real.
 *
 * <p>One step on a batch of {@code B} real samples:
 * <ol>
 *   <li>{@code discriminatorSteps} times: {@code fake = G(z)} with fresh {@code z} (not differentiated),
 *       then one update of D's weights on the {@code 2B} rows {@code [real; fake]} labelled
 *       {@code [1 − labelSmoothing; 0]} (one-sided label smoothing, Salimans et al. 2016);</li>
 *   <li>one update of G's weights on {@code B} fresh latent vectors through D, labelled 1 (the
 *       non-saturating loss {@code −log D(G(z))}). D is frozen for this step: its weights get no gradient
 *       and no update ({@link Gradients#of} differentiates G's weights only).</li>
 * </ol>
 * The loss is binary cross-entropy, computed on D's logits when D ends in a sigmoid (stable, as
 * {@link BinaryCrossentropy} with {@code fromLogits}). Both models run in training mode (batch statistics
 * in BatchNormalization, dropout active). Optimizers default to Adam(2e-4, β1 = 0.5), the DCGAN paper's.
 *
 * <p>Logs, per epoch (running means over the batches): {@code d_loss}, {@code g_loss} and
 * {@code d_accuracy}, the discriminator's accuracy on the real and generated rows of its last update
 * (logit > 0 means "real"). {@code loss} is {@code d_loss + g_loss}.
 *
 * <p>Example:
 * <pre>{@code
 * GAN gan = new GAN(GanModels.denseGenerator(), GanModels.denseDiscriminator()).seed(7);
 * gan.compile(new Adam(2e-4).beta1(0.5), new Adam(2e-4).beta1(0.5));
 * gan.fit(images, FitOptions.epochs(20).batchSize(128));   // images [n, 784] in [-1, 1]
 * Tensor samples = gan.generate(64);                        // [64, 784]
 * }</pre>
 */
public class GAN implements Trainable {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final String name;
    private final Model generator;
    private final Model discriminator;
    private final int latentDim;
    private Optimizer dOptimizer;
    private Optimizer gOptimizer;
    private double labelSmoothing;
    private int discriminatorSteps = 1;
    private RandomStream rng = RandomStream.seeded(RandomGenerator.getDefault().nextLong());
    private static final String GENERATOR = "generator";
    private static final String DISCRIMINATOR = "discriminator";
    private static final String LATENT = "latent";
    private static final Loss BCE_ON_LOGITS = new BinaryCrossentropy(true);
    private final Mean dLoss = new Mean("d_loss");
    private final Mean gLoss = new Mean("g_loss");
    private final Mean dAccuracy = new Mean("d_accuracy");
    private volatile boolean stopTraining;

    /**
     * @param generator     takes latent vectors {@code [batch, latentDim]} (its declared input shape)
     * @param discriminator takes the generator's output shape and has one output unit
     * @throws IllegalArgumentException when the generator's output does not fit the discriminator's input,
     *                                  or the discriminator does not end in one unit
     */
    public GAN(Model generator, Model discriminator) {
        int n = COUNT.getAndIncrement();
        this.name = n == 0 ? "gan" : "gan_" + n;
        this.generator = Objects.requireNonNull(generator, "generator");
        this.discriminator = Objects.requireNonNull(discriminator, "discriminator");
        if (generator.inputs().size() != 1 || discriminator.inputs().size() != 1) {
            throw new IllegalArgumentException("GAN needs a generator and a discriminator with one declared input shape each (declare inputShape on their first layer)");
        }
        Shape z = generator.inputs().get(0).shape();
        if (z.rank() != 1) throw new IllegalArgumentException("GAN: the generator '" + generator.name() + "' must take latent vectors [batch, latentDim], but its input is [batch, " + Layer.dimsOf(z) + "]");
        this.latentDim = z.dim(0);
        Shape gOut = generator.outputs().get(0).shape();
        Shape dIn = discriminator.inputs().get(0).shape();
        if (!gOut.equals(dIn)) {
            throw new IllegalArgumentException("GAN: the generator '" + generator.name() + "' produces [batch, " + Layer.dimsOf(gOut) + "] but the discriminator '"
                    + discriminator.name() + "' takes [batch, " + Layer.dimsOf(dIn) + "]");
        }
        Shape dOut = discriminator.outputs().get(0).shape();
        if (dOut.size() != 1) {
            throw new IllegalArgumentException("GAN: the discriminator '" + discriminator.name() + "' must end in one unit, but its output is [batch, " + Layer.dimsOf(dOut) + "]");
        }
    }

    /** Seeds the latent vectors drawn by {@link #trainStep} and {@link #generate(int)} (the models' weights have their own seeds). */
    public GAN seed(long value) {
        this.rng = RandomStream.seeded(value);
        return this;
    }

    /** Sets the optimizers of the discriminator and the generator (one instance each: optimizers keep per-weight state). */
    public GAN compile(Optimizer discriminatorOptimizer, Optimizer generatorOptimizer) {
        this.dOptimizer = Objects.requireNonNull(discriminatorOptimizer, "discriminatorOptimizer");
        this.gOptimizer = Objects.requireNonNull(generatorOptimizer, "generatorOptimizer");
        if (dOptimizer == gOptimizer) throw new IllegalArgumentException("GAN.compile: the discriminator and the generator need two optimizer instances (each keeps per-weight state)");
        return this;
    }

    /** Adam(2e-4, β1 = 0.5) for both, the DCGAN paper's setting. */
    public GAN compile() {
        return compile(dcganAdam(), dcganAdam());
    }

    private static Optimizer dcganAdam() {
        return new Adam(2e-4).beta1(0.5);
    }

    /** One-sided label smoothing: real samples are labelled {@code 1 − value} for the discriminator (0 by default; 0.1 is common). */
    public GAN labelSmoothing(double value) {
        if (!(value >= 0 && value < 1)) throw new IllegalArgumentException("GAN labelSmoothing must be in [0, 1), got labelSmoothing=" + value);
        this.labelSmoothing = value;
        return this;
    }

    /** Discriminator updates per generator update (1 by default). */
    public GAN discriminatorSteps(int value) {
        if (value < 1) throw new IllegalArgumentException("GAN discriminatorSteps must be >= 1, got discriminatorSteps=" + value);
        this.discriminatorSteps = value;
        return this;
    }

    /** The one-sided label smoothing ({@link #labelSmoothing(double)}). */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    /** Discriminator updates per generator update ({@link #discriminatorSteps(int)}). */
    public int discriminatorSteps() {
        return discriminatorSteps;
    }

    /**
     * Saves both models, the settings and, once compiled, both optimizers' states and every random generator
     * in one model file, atomically: {@link #load} gives a GAN that generates the same samples and trains on
     * exactly as this one would.
     *
     * <p>Example: {@code gan.save(Path.of("faces.myelin")); GAN again = GAN.load(Path.of("faces.myelin"));}
     */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        GanFile.save(this, file);
    }

    /**
     * Loads a GAN saved by {@link #save}.
     *
     * @throws dev.myelin.io.FileFormatException when the file is damaged, holds a model rather than a GAN, or
     *     names a class Myelin does not have
     */
    public static GAN load(java.nio.file.Path file) throws java.io.IOException {
        return GanFile.load(file);
    }

    public Model generator() {
        return generator;
    }

    public Model discriminator() {
        return discriminator;
    }

    public int latentDim() {
        return latentDim;
    }

    public Optimizer discriminatorOptimizer() {
        return dOptimizer;
    }

    public Optimizer generatorOptimizer() {
        return gOptimizer;
    }

    /** The GAN's name ({@code gan}, {@code gan_1}, ...), used in messages. */
    @Override
    public String name() {
        return name;
    }

    /** The generator's weights, then the discriminator's. */
    public List<Parameter> weights() {
        List<Parameter> all = new ArrayList<>(generator.weights());
        all.addAll(discriminator.weights());
        return all;
    }

    /** Both models' summaries. */
    public String summary() {
        return "GAN '" + name + "': latent " + latentDim + "\nGenerator:\n" + generator.summary() + "Discriminator:\n" + discriminator.summary();
    }

    @Override
    public String toString() {
        return "GAN('" + name + "', generator '" + generator.name() + "', discriminator '" + discriminator.name() + "')";
    }

    // ---- Trainable: what fit drives ----

    /** Checks that {@link #compile} was called and builds both models. */
    @Override
    public void prepareTraining() {
        if (dOptimizer == null) throw new IllegalStateException("GAN '" + name + "' is not compiled; call compile(dOptimizer, gOptimizer) first");
        generator.build();
        discriminator.build();
    }

    /** {@code d_loss}, {@code g_loss} and {@code d_accuracy}, running means over the epoch's steps. */
    @Override
    public Map<String, Metric> trainingMetrics() {
        Map<String, Metric> m = new LinkedHashMap<>();
        m.put(dLoss.name(), dLoss);
        m.put(gLoss.name(), gLoss);
        m.put(dAccuracy.name(), dAccuracy);
        return m;
    }

    /**
     * Not supported: a GAN has no loss against held-out targets (judge its samples instead, as
     * {@code myelin gan --quality} does).
     *
     * @throws IllegalStateException always
     */
    @Override
    public Evaluator evaluator() {
        throw new IllegalStateException("GAN '" + name + "' cannot be evaluated on validation data (it has no loss against targets); "
                + "fit it without validationSplit or validationData");
    }

    /** None: the GAN has two optimizers ({@link #discriminatorOptimizer()}, {@link #generatorOptimizer()}), so {@code fit} logs no learning rate. */
    @Override
    public Optimizer optimizer() {
        return null;
    }

    /** The values of both models' weights, by full name. */
    @Override
    public Map<String, Tensor> weightValues() {
        Map<String, Tensor> values = new LinkedHashMap<>(generator.weightValues());
        values.putAll(discriminator.weightValues());
        return values;
    }

    /** Restores both models' weights from {@link #weightValues()}. */
    @Override
    public void setWeightValues(Map<String, Tensor> values) {
        generator.setWeightValues(values);
        discriminator.setWeightValues(values);
    }

    /**
     * Both models' weights, both optimizers' states ({@code "discriminator"}, {@code "generator"}) and every
     * random generator: the models' layers (keys prefixed {@code "generator/"}, {@code "discriminator/"}) and
     * the latent vectors' ({@code "latent"}); see {@link TrainingSnapshot}.
     */
    @Override
    public TrainingSnapshot snapshot() {
        prepareTraining();
        Map<String, Optimizer.State> optimizers = new LinkedHashMap<>();
        optimizers.put(DISCRIMINATOR, dOptimizer.state(discriminator.weights()));
        optimizers.put(GENERATOR, gOptimizer.state(generator.weights()));
        Map<String, long[]> randoms = new LinkedHashMap<>();
        generator.randomStates().forEach((k, v) -> randoms.put(GENERATOR + "/" + k, v));
        discriminator.randomStates().forEach((k, v) -> randoms.put(DISCRIMINATOR + "/" + k, v));
        randoms.put(LATENT, rng.state());
        return TrainingSnapshot.ofModel(weightValues(), optimizers, randoms);
    }

    /**
     * Sets weights, optimizer states and random generators from {@code snapshot} (on this GAN or a fresh one
     * built and compiled the same way).
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    @Override
    public void restore(TrainingSnapshot snapshot) {
        prepareTraining();
        if (!snapshot.optimizers().keySet().equals(java.util.Set.of(DISCRIMINATOR, GENERATOR))) {
            throw new IllegalArgumentException("GAN '" + name + "': a snapshot needs the optimizer states \"discriminator\" and \"generator\", got " + snapshot.optimizers().keySet());
        }
        long[] latent = snapshot.randomStates().get(LATENT);
        if (latent == null) throw new IllegalArgumentException("GAN '" + name + "': the snapshot has no \"latent\" random state");
        Map<String, long[]> g = new LinkedHashMap<>(), d = new LinkedHashMap<>();
        for (var e : snapshot.randomStates().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(GENERATOR + "/")) g.put(key.substring(GENERATOR.length() + 1), e.getValue());
            else if (key.startsWith(DISCRIMINATOR + "/")) d.put(key.substring(DISCRIMINATOR.length() + 1), e.getValue());
            else if (!key.equals(LATENT)) {
                throw new IllegalArgumentException("GAN '" + name + "': random state '" + key + "' is not \"latent\" and names no model (\"generator/...\", \"discriminator/...\")");
            }
        }
        RandomStream restoredLatent = RandomStream.fromState(latent); // checks the state before anything changes
        setWeightValues(snapshot.weights());
        dOptimizer.restoreState(snapshot.optimizers().get(DISCRIMINATOR), discriminator.weights());
        gOptimizer.restoreState(snapshot.optimizers().get(GENERATOR), generator.weights());
        generator.restoreRandomStates(g);
        discriminator.restoreRandomStates(d);
        rng = restoredLatent;
    }

    @Override
    public void stopTraining(boolean value) {
        this.stopTraining = value;
    }

    @Override
    public boolean stopTrainingRequested() {
        return stopTraining;
    }

    private void checkLatent(Tensor z) {
        if (z.rank() != 2 || z.dim(1) != latentDim) {
            Layer first = generator.layers().isEmpty() ? null : generator.layers().get(0);
            throw new IllegalArgumentException("GAN '" + name() + "': the generator '" + generator.name() + "'"
                    + (first == null ? "" : " (first layer '" + first.name() + "')") + " expects latent vectors of shape [batch, "
                    + latentDim + "] but received " + z.shape());
        }
    }

    /** Latent vectors {@code [n, latentDim]} from N(0, 1), drawn from the GAN's generator ({@link #seed}). */
    public Tensor sampleLatent(int n) {
        return Tensor.normal(rng, 0, 1, n, latentDim);
    }

    /** {@code n} samples of the generator in inference mode. */
    public Tensor generate(int n) {
        return generate(sampleLatent(n));
    }

    /** The generator's output for {@code z [batch, latentDim]}, in inference mode and outside the graph. */
    public Tensor generate(Tensor z) {
        checkLatent(z);
        try (var g = NoGrad.scope()) {
            return generator.call(z, false);
        }
    }

    /**
     * Trains on real samples (no labels) with {@link Trainer}: batches, shuffling, callbacks and the
     * progress bar as {@link Model#fit(Tensor, Tensor, FitOptions)}; validation options do not apply.
     */
    public History fit(Tensor realSamples, FitOptions options) {
        return Trainer.fit(this, List.of(realSamples), options);
    }

    // ---- the game ----

    /**
     * One round of the game on the real batch {@code xs.get(0)} ({@code ys} is ignored); see the class
     * documentation. Returns {@code d_loss + g_loss} of this step.
     */
    @Override
    public double trainStep(List<Tensor> xs, List<Tensor> ys) {
        if (dOptimizer == null) throw new IllegalStateException("GAN '" + name() + "' is not compiled; call compile(dOptimizer, gOptimizer) first");
        Tensor real = xs.get(0);
        int b = real.dim(0);
        double d = 0;
        for (int k = 0; k < discriminatorSteps; k++) d = discriminatorStep(real);
        double g = generatorStep(b);
        dLoss.update(d, b);
        gLoss.update(g, b);
        return d + g;
    }

    /** One discriminator update on {@code [real; G(z)]}; returns its loss. */
    public double discriminatorStep(Tensor real) {
        // Only the loss value leaves the step: when it ends its activations go back to the BufferPool.
        try (var step = BufferPool.scope()) {
            return discriminatorUpdate(real);
        }
    }

    private double discriminatorUpdate(Tensor real) {
        int b = real.dim(0);
        Tensor fake;
        try (var s = NoGrad.scope()) {
            fake = generator.call(sampleLatent(b), true);
        }
        Tensor x = Tensor.concat(List.of(real, fake.to(real.dtype())), 0);
        float[] labels = new float[2 * b];
        java.util.Arrays.fill(labels, 0, b, (float) (1 - labelSmoothing));
        Tensor logits = logits(discriminator.call(x, true));
        Tensor loss = BCE_ON_LOGITS.compute(Tensor.of(labels, 2 * b, 1).reshape(logits.shape()), logits);
        loss = withPenalties(loss, discriminator);
        List<Parameter> weights = discriminator.trainableWeights();
        Tensor seen = logits.detach(); // before the walk, which releases what it passes
        double value = loss.item();
        dOptimizer.applyGradients(Gradients.of(loss, weights), weights);
        trackAccuracy(seen, b);
        return value;
    }

    /** One generator update through the frozen discriminator on {@code b} latent vectors; returns its loss. */
    public double generatorStep(int b) {
        try (var step = BufferPool.scope()) { // as discriminatorStep
            return generatorUpdate(b);
        }
    }

    private double generatorUpdate(int b) {
        Tensor fake = generator.call(sampleLatent(b), true);
        Tensor logits = logits(discriminator.call(fake, true));
        Tensor loss = BCE_ON_LOGITS.compute(Tensor.full(logits.dtype(), logits.shape(), 1.0), logits);
        loss = withPenalties(loss, generator);
        List<Parameter> weights = generator.trainableWeights();
        double value = loss.item(); // before the walk, which releases what it passes
        gOptimizer.applyGradients(Gradients.of(loss, weights), weights);
        return value;
    }

    /** D's logits: the input of its sigmoid when it ends in one, else its output, which then already is a logit. */
    private static Tensor logits(Tensor discriminatorOutput) {
        Tensor z = discriminatorOutput.sigmoidLogits();
        return z != null ? z : discriminatorOutput;
    }

    private static Tensor withPenalties(Tensor loss, Model model) {
        for (Parameter p : model.trainableWeights()) if (p.regularizer() != null) loss = loss.add(p.regularizer().penalty(p.value()));
        return loss;
    }

    private void trackAccuracy(Tensor logits, int b) {
        try (var s = NoGrad.scope()) {
            double realRight = logits.slice(0, 0, b).gt(0).sum().item();
            double fakeRight = logits.slice(0, b, 2 * b).le(0.0).sum().item();
            dAccuracy.update((realRight + fakeRight) / (2.0 * b), 2.0 * b);
        }
    }
}
