package dev.myelin.text.gpt;

/**
 * The sizes of a {@link GptModel}.
 *
 * @param vocabularySize  token ids are {@code 0..vocabularySize − 1}
 * @param contextLength   the position table's length: the longest sequence the model reads at once
 * @param width           the model width {@code d} (token and position embeddings, residual stream)
 * @param numHeads        attention heads, each of width {@code d / numHeads}; they must divide the width
 * @param numLayers       decoder blocks
 * @param intermediateDim the feed-forward network's hidden width (GPT's is {@code 4·d})
 * @param dropout         rate of the residual dropout after attention and after the feed-forward network, in training
 * @param layerNormEpsilon epsilon of every layer normalization (GPT-2's 1e-5)
 */
public record GptConfig(int vocabularySize, int contextLength, int width, int numHeads, int numLayers, int intermediateDim, double dropout,
                        double layerNormEpsilon) {
    public GptConfig {
        positive("vocabularySize", vocabularySize);
        positive("contextLength", contextLength);
        positive("width", width);
        positive("numHeads", numHeads);
        positive("numLayers", numLayers);
        positive("intermediateDim", intermediateDim);
        if (width % numHeads != 0) {
            throw new IllegalArgumentException("GptConfig: numHeads=" + numHeads + " does not divide width=" + width);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("GptConfig: dropout must be in [0, 1), got " + dropout);
        if (!(layerNormEpsilon > 0) || Double.isInfinite(layerNormEpsilon)) {
            throw new IllegalArgumentException("GptConfig: layerNormEpsilon must be positive and finite, got " + layerNormEpsilon);
        }
    }

    /** A GPT of these sizes with a feed-forward width of {@code 4·width}, no dropout and epsilon 1e-5. */
    public static GptConfig of(int vocabularySize, int contextLength, int width, int numHeads, int numLayers) {
        return new GptConfig(vocabularySize, contextLength, width, numHeads, numLayers, 4 * width, 0.0, 1e-5);
    }

    public GptConfig withDropout(double rate) {
        return new GptConfig(vocabularySize, contextLength, width, numHeads, numLayers, intermediateDim, rate, layerNormEpsilon);
    }

    private static void positive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException("GptConfig: " + name + " must be positive, got " + value);
    }
}
