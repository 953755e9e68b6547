package dev.myelin.multimodal;

import dev.myelin.autograd.NoGrad;
import dev.myelin.data.DataLoader;
import dev.myelin.metrics.Mean;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.RandomStream;
import dev.myelin.optim.Adam;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluator;
import dev.myelin.train.FitOptions;
import dev.myelin.train.Gradients;
import dev.myelin.train.History;
import dev.myelin.train.Trainable;
import dev.myelin.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * A contrastive dual encoder, CLIP-style (Radford et al. 2021): an image encoder and a text encoder map
 * their inputs into one embedding space, trained with the symmetric {@link InfoNce} loss and a learned
 * log inverse temperature ({@code logit_scale}, from {@code ln(1/0.07)}, clamped at {@code ln 100}).
 *
 * <p>One {@link #trainStep} on a batch of {@code B} pairs {@code [images, texts]}: word dropout on the
 * token ids (each non-padding token dropped with probability {@link #wordDropout(double)}, the others
 * moved left, at least one kept), both encoders in training mode, the InfoNCE loss plus the weights'
 * regularization penalties, one update of both encoders' weights and the log scale. {@code fit} logs
 * {@code loss} and {@code logit_scale}.
 *
 * <p>Shapes: images as the image encoder's input, {@code [B, ...]}; texts {@code [B, T]} token ids, 0 =
 * padding (as {@code TextVectorizer} writes them); both encoders end in {@code [B, D]} of one {@code D}.
 *
 * <p>Example:
 * <pre>{@code
 * DualEncoder clip = new DualEncoder(imageEncoder, textEncoder).compile(new Adam(1e-3)).wordDropout(0.2).seed(1);
 * clip.fit(images, tokenIds, FitOptions.epochs(3).batchSize(128).seed(1));
 * Tensor similarity = clip.similarity(testImages, classTexts);   // [n, classes] cosines
 * }</pre>
 */
public final class DualEncoder implements Trainable {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final String name;
    private final Model imageEncoder;
    private final Model textEncoder;
    private final Parameter logScale;
    private Optimizer optimizer;
    private double wordDropout;
    private RandomStream rng = RandomStream.seeded(RandomGenerator.getDefault().nextLong());
    private final Mean logScaleMetric = new Mean("logit_scale");
    private volatile boolean stopTraining;

    /**
     * @param imageEncoder maps images to {@code [batch, D]}
     * @param textEncoder  maps token ids {@code [batch, T]} to {@code [batch, D]}
     * @throws IllegalArgumentException when an encoder has not one input and one output of rank 1, or the widths differ
     */
    public DualEncoder(Model imageEncoder, Model textEncoder) {
        int n = COUNT.getAndIncrement();
        this.name = n == 0 ? "dual_encoder" : "dual_encoder_" + n;
        this.imageEncoder = Objects.requireNonNull(imageEncoder, "imageEncoder");
        this.textEncoder = Objects.requireNonNull(textEncoder, "textEncoder");
        int di = embeddingWidth(imageEncoder, "image"), dt = embeddingWidth(textEncoder, "text");
        if (di != dt) {
            throw new IllegalArgumentException("DualEncoder: the image encoder '" + imageEncoder.name() + "' ends in width " + di
                    + " but the text encoder '" + textEncoder.name() + "' in " + dt + "; project both to the same dimension");
        }
        this.logScale = Parameter.of(name + "/logit_scale", Tensor.scalar(InfoNce.INITIAL_LOG_SCALE).reshape(1));
    }

    private static int embeddingWidth(Model m, String what) {
        if (m.inputs().size() != 1 || m.outputs().size() != 1 || m.outputs().get(0).shape().rank() != 1) {
            throw new IllegalArgumentException("DualEncoder: the " + what + " encoder '" + m.name()
                    + "' must have one declared input and one output of shape [batch, dim]");
        }
        return m.outputs().get(0).shape().dim(0);
    }

    /** Sets the optimizer of both encoders and the log scale. */
    public DualEncoder compile(Optimizer value) {
        this.optimizer = Objects.requireNonNull(value, "optimizer");
        return this;
    }

    /** Adam(1e-3). */
    public DualEncoder compile() {
        return compile(new Adam(1e-3));
    }

    /** The probability of dropping each word of a training text (default 0). */
    public DualEncoder wordDropout(double rate) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("DualEncoder word dropout must be in [0, 1), got " + rate);
        this.wordDropout = rate;
        return this;
    }

    /** Seeds the word dropout (the encoders' weights have their own seeds). */
    public DualEncoder seed(long value) {
        this.rng = RandomStream.seeded(value);
        return this;
    }

    public Model imageEncoder() {
        return imageEncoder;
    }

    public Model textEncoder() {
        return textEncoder;
    }

    /** The learned log inverse temperature (a one-element parameter); logits are {@code exp(min(it, ln 100))} times cosines. */
    public Parameter logScale() {
        return logScale;
    }

    /** Every trainable weight: both encoders' and the log scale. */
    public List<Parameter> trainableWeights() {
        List<Parameter> all = new ArrayList<>(imageEncoder.trainableWeights());
        all.addAll(textEncoder.trainableWeights());
        all.add(logScale);
        return all;
    }

    // ---- training ----

    /**
     * Trains on matching pairs, row {@code i} of {@code images} with row {@code i} of {@code texts}: shuffled
     * batches of {@code options.batchSize()} with the last, smaller batch left out (InfoNCE needs the other
     * pairs of a batch as negatives). Callbacks and the progress bar as {@code Model.fit}.
     *
     * @throws IllegalArgumentException when the pair counts differ, or there are fewer than 2 pairs or a batch size below 2
     */
    public History fit(Tensor images, Tensor texts, FitOptions options) {
        if (images.dim(0) != texts.dim(0)) {
            throw new IllegalArgumentException("DualEncoder '" + name + "': " + images.dim(0) + " images but " + texts.dim(0)
                    + " texts; training needs one text per image (row i of each is a pair)");
        }
        if (options.batchSize() < 2) throw new IllegalArgumentException("DualEncoder '" + name + "': batch size must be at least 2 for InfoNCE, got " + options.batchSize());
        if (images.dim(0) < 2) throw new IllegalArgumentException("DualEncoder '" + name + "': InfoNCE needs at least 2 pairs, got " + images.dim(0));
        int batch = Math.min(options.batchSize(), images.dim(0));
        DataLoader loader = DataLoader.of(List.of(images, texts), List.of()).batchSize(batch).dropRemainder(true);
        if (options.shuffle()) loader = loader.shuffle(options.seed() != null ? options.seed() : System.nanoTime());
        return Trainer.fit(this, loader, options);
    }

    /** One optimization step on the pairs {@code xs = [images, texts]} ({@code ys} is ignored); returns the batch's loss. */
    @Override
    public double trainStep(List<Tensor> xs, List<Tensor> ys) {
        if (optimizer == null) throw new IllegalStateException("DualEncoder '" + name + "' is not compiled; call compile(optimizer) first");
        if (xs.size() != 2) throw new IllegalArgumentException("DualEncoder '" + name + "' trains on [images, texts], got " + xs.size() + " input tensor(s)");
        Tensor images = xs.get(0), texts = xs.get(1);
        if (images.dim(0) != texts.dim(0)) {
            throw new IllegalArgumentException("DualEncoder '" + name + "': a batch of " + images.dim(0) + " images but " + texts.dim(0) + " texts");
        }
        if (wordDropout > 0) texts = WordDropout.apply(texts, wordDropout, rng);
        Tensor loss = InfoNce.loss(imageEncoder.call(images, true), textEncoder.call(texts, true), logScale.value());
        for (Parameter p : trainableWeights()) if (p.regularizer() != null) loss = loss.add(p.regularizer().penalty(p.value()));
        List<Parameter> weights = trainableWeights();
        optimizer.applyGradients(Gradients.of(loss, weights), weights);
        logScaleMetric.update(logScale.value().item(), images.dim(0));
        return loss.item();
    }

    // ---- inference ----

    /** L2-normalized image embeddings, inference mode, in batches of 256. Shapes: images {@code [n, ...]} to {@code [n, D]}. */
    public Tensor embedImages(Tensor images) {
        return embed(imageEncoder, images);
    }

    /** L2-normalized text embeddings, inference mode. Shapes: token ids {@code [n, T]} to {@code [n, D]}. */
    public Tensor embedTexts(Tensor texts) {
        return embed(textEncoder, texts);
    }

    /** Cosine similarities of every image with every text: {@code [n images, m texts]}. */
    public Tensor similarity(Tensor images, Tensor texts) {
        try (var g = NoGrad.scope()) {
            return embedImages(images).matmul(embedTexts(texts).mT());
        }
    }

    private static Tensor embed(Model encoder, Tensor x) {
        try (var g = NoGrad.scope()) {
            List<Tensor> parts = new ArrayList<>();
            for (int from = 0; from < x.dim(0); from += 256) {
                parts.add(InfoNce.normalize(encoder.call(x.slice(0, from, Math.min(x.dim(0), from + 256)), false)));
            }
            return parts.size() == 1 ? parts.get(0) : Tensor.concat(parts, 0);
        }
    }

    // ---- Trainable ----

    @Override
    public String name() {
        return name;
    }

    /** Checks that {@link #compile} was called and builds both encoders. */
    @Override
    public void prepareTraining() {
        if (optimizer == null) throw new IllegalStateException("DualEncoder '" + name + "' is not compiled; call compile(optimizer) first");
        imageEncoder.build();
        textEncoder.build();
    }

    /** {@code logit_scale}: the running mean of the learned log inverse temperature over the epoch's steps. */
    @Override
    public Map<String, Metric> trainingMetrics() {
        return Map.of(logScaleMetric.name(), logScaleMetric);
    }

    /**
     * Not supported: judge a dual encoder by retrieval and zero-shot accuracy ({@link ZeroShot}).
     *
     * @throws IllegalStateException always
     */
    @Override
    public Evaluator evaluator() {
        throw new IllegalStateException("DualEncoder '" + name + "' has no validation loss; fit it without validation data and measure retrieval (ZeroShot)");
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Both encoders' weights and the log scale, by full name. */
    @Override
    public Map<String, Tensor> weightValues() {
        Map<String, Tensor> values = new LinkedHashMap<>(imageEncoder.weightValues());
        values.putAll(textEncoder.weightValues());
        try (var g = NoGrad.scope()) {
            values.put(logScale.name(), logScale.value().detach().mul(1.0));
        }
        return values;
    }

    @Override
    public void setWeightValues(Map<String, Tensor> values) {
        imageEncoder.setWeightValues(values);
        textEncoder.setWeightValues(values);
        Tensor v = values.get(logScale.name());
        if (v == null) throw new IllegalArgumentException("no value for weight '" + logScale.name() + "'");
        try (var g = NoGrad.scope()) {
            logScale.value().assign(v.reshape(1));
        }
    }

    @Override
    public void stopTraining(boolean value) {
        stopTraining = value;
    }

    @Override
    public boolean stopTrainingRequested() {
        return stopTraining;
    }

    @Override
    public String toString() {
        return "DualEncoder('" + name + "', image encoder '" + imageEncoder.name() + "', text encoder '" + textEncoder.name() + "')";
    }
}
