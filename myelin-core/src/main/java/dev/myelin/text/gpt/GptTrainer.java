package dev.myelin.text.gpt;

import dev.myelin.autograd.NoGrad;
import dev.myelin.optim.AdamW;
import dev.myelin.optim.CosineDecay;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Trains a {@link GptModel} on {@link TokenData} by next-token prediction and scores it on the validation ids.
 *
 * <p>Recipe: each epoch cuts the training ids into windows of {@code contextLength + 1} tokens starting at
 * {@code offset + k·contextLength} (a random offset in {@code [0, contextLength)} per epoch), shuffles them,
 * and takes batches of {@code batchSize}; AdamW (weight decay on kernels and embeddings, not on biases or
 * layer-norm scales), global gradient-norm clipping at 1, and a learning rate that rises linearly from 0 over
 * the first {@code warmupFraction} of the steps, then decays by a cosine to a tenth ({@code CosineDecay}).
 *
 * <p>Scores ({@link #evaluate}): the validation ids in consecutive windows of up to {@code contextLength}
 * inputs, every token but the first predicted once from the tokens before it in its window:
 * <pre>
 *   loss = mean nats per token       perplexity = exp(loss)       bits per character = total nats / (ln 2 · characters)
 * </pre>
 * Bits per character compare across tokenizations; perplexities per token do not.
 */
public final class GptTrainer {
    private final GptModel model;
    private final TokenData data;
    private int batchSize = 32;
    private double learningRate = 1e-3;
    private double weightDecay = 0.01;
    private double warmupFraction = 0.05;
    private long seed = 42;

    /** The scores of one pass over the validation ids. */
    public record Score(double loss, double perplexity, double bitsPerCharacter, int tokens) {}

    /** One epoch: the mean training loss (nats per token), the validation score, seconds and training tokens per second. */
    public record EpochReport(int epoch, double trainLoss, Score validation, double seconds, double tokensPerSecond) {}

    public GptTrainer(GptModel model, TokenData data) {
        this.model = Objects.requireNonNull(model);
        this.data = Objects.requireNonNull(data);
        if (data.tokenizer().vocabularySize() > model.config().vocabularySize()) {
            throw new IllegalArgumentException("the tokenizer has " + data.tokenizer().vocabularySize() + " ids but the model's vocabulary only "
                    + model.config().vocabularySize());
        }
        if (data.train().length < model.config().contextLength() + 1) {
            throw new IllegalArgumentException("the training text has " + data.train().length + " tokens, fewer than one window of contextLength + 1 = "
                    + (model.config().contextLength() + 1));
        }
    }

    public GptTrainer batchSize(int value) {
        if (value <= 0) throw new IllegalArgumentException("batch size must be positive, got " + value);
        this.batchSize = value;
        return this;
    }

    public GptTrainer learningRate(double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException("learning rate must be positive, got " + value);
        this.learningRate = value;
        return this;
    }

    public GptTrainer weightDecay(double value) {
        if (!(value >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + value);
        this.weightDecay = value;
        return this;
    }

    public GptTrainer warmupFraction(double value) {
        if (!(value >= 0 && value < 1)) throw new IllegalArgumentException("warm-up fraction must be in [0, 1), got " + value);
        this.warmupFraction = value;
        return this;
    }

    /** Seeds the window offsets and the shuffling. */
    public GptTrainer seed(long value) {
        this.seed = value;
        return this;
    }

    /** Steps per epoch: batches of the {@code (trainTokens − 1 − offset) / contextLength} windows, for the largest offset. */
    int stepsPerEpoch() {
        int t = model.config().contextLength();
        int windows = (data.train().length - 1 - (t - 1)) / t;
        return (Math.max(1, windows) + batchSize - 1) / batchSize;
    }

    /** Trains {@code epochs} epochs, passing each epoch's report to {@code onEpoch} (may be null); returns them all. */
    public List<EpochReport> fit(int epochs, Consumer<EpochReport> onEpoch) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        int t = model.config().contextLength();
        long totalSteps = (long) epochs * stepsPerEpoch();
        long warmup = Math.round(totalSteps * warmupFraction);
        Optimizer optimizer = new AdamW(learningRate, weightDecay).excludeFromWeightDecay("bias", "gamma", "beta").globalClipNorm(1.0);
        optimizer.learningRateSchedule(new CosineDecay(0.0, Math.max(1, totalSteps - warmup), 0.1, learningRate, warmup));
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        List<EpochReport> reports = new ArrayList<>();
        int[] train = data.train();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long t0 = System.nanoTime();
            int offset = rng.nextInt(t);
            if ((train.length - 1 - offset) / t == 0) offset = 0; // a text of about one window
            int windows = (train.length - 1 - offset) / t;
            int[] order = shuffled(windows, rng);
            double lossSum = 0;
            long tokens = 0;
            int steps = 0;
            for (int from = 0; from < windows; from += batchSize) {
                int b = Math.min(batchSize, windows - from);
                float[] x = new float[b * t], y = new float[b * t];
                for (int i = 0; i < b; i++) {
                    int s = offset + order[from + i] * t;
                    for (int j = 0; j < t; j++) {
                        x[i * t + j] = train[s + j];
                        y[i * t + j] = train[s + j + 1];
                    }
                }
                Tensor loss = model.loss(Tensor.of(x, b, t), Tensor.of(y, b, t), true);
                lossSum += optimizer.minimize(loss, model.weights());
                tokens += (long) b * t;
                steps++;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            EpochReport report = new EpochReport(epoch, lossSum / steps, evaluate(data.validation(), data.validationCharacters()), seconds, tokens / seconds);
            reports.add(report);
            if (onEpoch != null) onEpoch.accept(report);
        }
        return reports;
    }

    private static int[] shuffled(int n, RandomGenerator rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    /** The model's scores on {@code ids} (see the class comment); {@code characters} is the length of the predicted tokens' text. */
    public Score evaluate(int[] ids, int characters) {
        if (ids.length < 2) throw new IllegalArgumentException("scoring needs at least 2 tokens, got " + ids.length);
        int t = model.config().contextLength();
        double nats = 0;
        int count = 0;
        try (var _ = NoGrad.scope()) {
            int full = (ids.length - 1) / t; // windows of t inputs, then one shorter window for the rest
            for (int from = 0; from < full; from += batchSize) {
                int b = Math.min(batchSize, full - from);
                nats += score(ids, from * t, b, t);
                count += b * t;
            }
            int rest = ids.length - 1 - full * t;
            if (rest > 0) {
                nats += score(ids, full * t, 1, rest);
                count += rest;
            }
        }
        double loss = nats / count;
        return new Score(loss, Math.exp(loss), characters > 0 ? nats / (Math.log(2) * characters) : Double.NaN, count);
    }

    /** Summed nats of {@code b} consecutive windows of {@code len} inputs from {@code start}. */
    private double score(int[] ids, int start, int b, int len) {
        float[] x = new float[b * len], y = new float[b * len];
        for (int i = 0; i < b * len; i++) {
            x[i] = ids[start + i];
            y[i] = ids[start + i + 1];
        }
        return model.loss(Tensor.of(x, b, len), Tensor.of(y, b, len), false).item() * b * len;
    }
}
