package dev.myelin.multimodal;

import dev.myelin.models.Model;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.GatedFusion;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.layers.Reshape;
import dev.myelin.nn.recurrent.Embedding;
import java.util.List;

/**
 * Classifiers over three kinds of input at once, built with the functional API: an image branch (a small
 * CNN), a text branch (token ids → Embedding with {@code mask_zero}) and a tabular branch (Dense), fused
 * one of three ways ({@link Fusion}), ending in {@code Dense(classes, softmax)}. Compile and {@code fit}
 * them as any {@link Model} with {@code fit(List.of(images, tokenIds, features), List.of(labels), ...)}.
 *
 * <p>Shapes: inputs {@code [batch, H, W, C]}, {@code [batch, T]} token ids (0 = padding) and
 * {@code [batch, F]}; output {@code [batch, classes]} probabilities.
 *
 * <p>Example: {@code Model m = FusionModels.classifier(Fusion.GATED, new int[] {8, 8, 1}, 6, 20, 4, 8, 16);}
 */
public final class FusionModels {
    private FusionModels() {}

    /** How the branches meet. */
    public enum Fusion {
        /** The three branch vectors side by side ({@link Concatenate}). */
        CONCATENATE,
        /** {@link GatedFusion} of the image and the text vector (a learned sigmoid gate mixes their projections), then the tabular vector concatenated. */
        GATED,
        /**
         * Cross-attention ({@link MultiHeadAttention}): the image's feature-map positions are the queries, the
         * text's tokens the keys and values (padding masked); each position plus what it attended to (a
         * residual connection) is averaged over the positions, then the tabular vector concatenated.
         */
        CROSS_ATTENTION
    }

    /**
     * @param image      the image shape without batch, {@code [H, W, C]} with {@code H, W ≥ 4}
     * @param textLength tokens per text
     * @param vocabulary token ids are below this
     * @param features   tabular features
     * @param classes    output classes
     * @param width      the width of each branch's vector
     */
    public static Model classifier(Fusion fusion, int[] image, int textLength, int vocabulary, int features, int classes, int width) {
        if (image.length != 3) throw new IllegalArgumentException("the image shape must be [height, width, channels], got " + java.util.Arrays.toString(image));
        SymbolicTensor imageIn = Input.named("image", image);
        SymbolicTensor textIn = Input.named("text", textLength);
        SymbolicTensor tabularIn = Input.named("tabular", features);

        SymbolicTensor featureMap = new MaxPooling2D(2).apply(new Conv2D(width, 3, Activation.RELU).apply(imageIn));
        SymbolicTensor tokens = new Embedding(vocabulary, width).maskZero(true).apply(textIn);
        SymbolicTensor tabular = new Dense(width, Activation.RELU).apply(tabularIn);

        SymbolicTensor fused = switch (fusion) {
            case CONCATENATE -> new Concatenate().apply(imageVector(featureMap, width), new GlobalAveragePooling1D().apply(tokens), tabular);
            case GATED -> new Concatenate().apply(
                    new GatedFusion(width).apply(imageVector(featureMap, width), new GlobalAveragePooling1D().apply(tokens)), tabular);
            case CROSS_ATTENTION -> {
                SymbolicTensor positions = new Reshape(-1, width).apply(featureMap);          // [H'·W', width]
                SymbolicTensor attended = new MultiHeadAttention(2, width / 2 > 0 ? width / 2 : 1).apply(positions, tokens);
                // the residual, as in a Transformer block: the image reaches the output directly, not only through where it attends
                SymbolicTensor mixed = new Add().apply(positions, attended);
                yield new Concatenate().apply(new GlobalAveragePooling1D().apply(mixed), tabular);
            }
        };
        SymbolicTensor out = new Dense(classes, Activation.SOFTMAX).apply(new Dense(width, Activation.RELU).apply(fused));
        return new Model(List.of(imageIn, textIn, tabularIn), List.of(out));
    }

    private static SymbolicTensor imageVector(SymbolicTensor featureMap, int width) {
        return new Dense(width, Activation.RELU).apply(new Flatten().apply(featureMap));
    }
}
