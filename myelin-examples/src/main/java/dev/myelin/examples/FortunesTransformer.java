package dev.myelin.examples;

import dev.myelin.io.AtomicFiles;
import dev.myelin.models.Model;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.nn.attention.TransformerSettings;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.optim.AdamW;
import dev.myelin.optim.CosineDecay;
import dev.myelin.optim.Optimizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The small Transformer encoder classifier of issue 12's fortunes task, and its training recipe:
 * <pre>
 *   ids [T] → Embedding(vocabulary, width, mask_zero) + PositionEmbedding(T)
 *           → blocks × TransformerEncoder(intermediate, heads, dropout, GELU exact, post-norm, ε 1e-5)
 *           → GlobalAveragePooling1D (padding masked) → Dropout(dropout) → Dense(classes, softmax)
 *   AdamW(peak, weight decay) with a linear warm-up from 0 to peak over warmupEpochs, then a cosine decay to 0
 *   over the remaining epochs; sparse categorical cross-entropy; batch batchSize
 * </pre>
 * {@code myelin-bench/scripts/torch_fortunes.py} builds the same model (same sizes, Keras's initial
 * distributions, same masks) and recipe in PyTorch on the ids {@code myelin fortunes --export-split} writes.
 *
 * @param sequenceLength T, the ids per text (cut or padded with 0)
 * @param maxTokens      the word vocabulary, padding and {@code [UNK]} included
 */
public record FortunesTransformer(int sequenceLength, int maxTokens, int width, int heads, int intermediate, int blocks, double dropout,
                                  double peakLearningRate, double weightDecay, int warmupEpochs, int batchSize) {
    /** The recipe {@code myelin fortunes --model transformer} runs, chosen on the validation set. */
    public static final FortunesTransformer DEFAULT = new FortunesTransformer(64, 5_000, 64, 4, 128, 1, 0.3, 1e-3, 0.05, 1, 32);

    public FortunesTransformer {
        if (width % heads != 0) throw new IllegalArgumentException("heads must divide the width, got width=" + width + ", heads=" + heads);
    }

    /** The model, not compiled. */
    public Model build(int vocabularySize, int classes) {
        TransformerSettings block = TransformerSettings.defaults(intermediate, heads).withActivation(Activation.GELU).withDropout(dropout);
        SymbolicTensor ids = Input.of(sequenceLength);
        SymbolicTensor tokens = new Embedding(vocabularySize, width).maskZero(true).apply(ids);
        SymbolicTensor x = new Add().apply(tokens, new PositionEmbedding(sequenceLength).apply(tokens));
        for (int b = 0; b < blocks; b++) x = new TransformerEncoder(block).apply(x);
        SymbolicTensor pooled = new Dropout(dropout).apply(new GlobalAveragePooling1D().apply(x));
        return new Model(ids, new Dense(classes, Activation.SOFTMAX).apply(pooled));
    }

    /**
     * Writes these settings as a JSON object ({@code {"sequence_length": 64, "max_tokens": 5000, "width": 64, ...}},
     * snake-case names of the components) for the PyTorch twin, which takes them as its defaults.
     */
    public void writeRecipe(Path file) throws IOException {
        String json = String.format(Locale.ROOT, "{\"sequence_length\": %d, \"max_tokens\": %d, \"width\": %d, \"heads\": %d, \"intermediate\": %d,"
                + " \"blocks\": %d, \"dropout\": %s, \"peak_learning_rate\": %s, \"weight_decay\": %s, \"warmup_epochs\": %d, \"batch_size\": %d}%n",
                sequenceLength, maxTokens, width, heads, intermediate, blocks, dropout, peakLearningRate, weightDecay, warmupEpochs, batchSize);
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** AdamW with the warm-up and cosine decay above, for {@code epochs} epochs. */
    public Optimizer optimizer(int trainingTexts, int epochs) {
        long stepsPerEpoch = (trainingTexts + batchSize - 1) / batchSize;
        long warmup = Math.min(epochs - 1, warmupEpochs) * stepsPerEpoch;
        long decay = Math.max(1, epochs * stepsPerEpoch - warmup);
        return new AdamW(peakLearningRate, weightDecay).learningRateSchedule(new CosineDecay(0.0, decay, 0.0, peakLearningRate, warmup));
    }
}
