package dev.myelin.losses;

import dev.myelin.tensor.Tensor;
import java.util.Locale;

/**
 * A training loss: a differentiable scalar from targets and predictions, averaged over the batch
 * (Keras's {@code sum_over_batch_size} reduction).
 *
 * <p>Shapes: {@code yPred [batch, ...]}; {@code yTrue} as each loss documents (class ids {@code [batch]}
 * for the sparse cross-entropy, the same shape as {@code yPred} otherwise).
 *
 * <p>Losses are immutable values (records), so the constants below are safe to share between models.
 * The Keras names accepted by {@link #of(String)}:
 * <table>
 *   <caption>Loss names</caption>
 *   <tr><th>loss</th><th>names</th></tr>
 *   <tr><td>{@link MeanSquaredError}</td><td>{@code mean_squared_error}, {@code mse}</td></tr>
 *   <tr><td>{@link MeanAbsoluteError}</td><td>{@code mean_absolute_error}, {@code mae}</td></tr>
 *   <tr><td>{@link Huber}</td><td>{@code huber}, {@code huber_loss}</td></tr>
 *   <tr><td>{@link BinaryCrossentropy}</td><td>{@code binary_crossentropy}, {@code bce}</td></tr>
 *   <tr><td>{@link CategoricalCrossentropy}</td><td>{@code categorical_crossentropy}</td></tr>
 *   <tr><td>{@link SparseCategoricalCrossentropy}</td><td>{@code sparse_categorical_crossentropy}</td></tr>
 * </table>
 * Matching ignores case and underscores, so Keras class names such as {@code "MeanSquaredError"} work too.
 *
 * <p>Example:
 * <pre>{@code
 * Loss loss = Loss.of("sparse_categorical_crossentropy");
 * Tensor value = loss.compute(labels, model.call(x, true));   // scalar
 * value.backward();
 * }</pre>
 */
public interface Loss {
    /** {@code mean((yPred − yTrue)²)}. */
    Loss MSE = new MeanSquaredError();
    /** {@code mean(|yPred − yTrue|)}. */
    Loss MAE = new MeanAbsoluteError();
    /** Huber loss with δ = 1. */
    Loss HUBER = new Huber();
    /** Binary cross-entropy on probabilities. */
    Loss BINARY_CROSSENTROPY = new BinaryCrossentropy();
    /** Categorical cross-entropy on probabilities, one-hot targets. */
    Loss CATEGORICAL_CROSSENTROPY = new CategoricalCrossentropy();
    /** Categorical cross-entropy on probabilities, integer class-id targets. */
    Loss SPARSE_CATEGORICAL_CROSSENTROPY = new SparseCategoricalCrossentropy();

    /** The mean loss over the batch, a scalar tensor in {@code yPred}'s graph. */
    Tensor compute(Tensor yTrue, Tensor yPred);

    /** The Keras name, such as {@code "sparse_categorical_crossentropy"}. */
    String name();

    /**
     * The loss with a Keras name or alias (see the table above), with Keras's default settings.
     *
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    static Loss of(String name) {
        if (name == null) throw new IllegalArgumentException("loss name is null; expected one of " + validNames());
        return switch (name.trim().replace("_", "").toLowerCase(Locale.ROOT)) {
            case "meansquarederror", "mse" -> MSE;
            case "meanabsoluteerror", "mae" -> MAE;
            case "huber", "huberloss" -> HUBER;
            case "binarycrossentropy", "bce" -> BINARY_CROSSENTROPY;
            case "categoricalcrossentropy" -> CATEGORICAL_CROSSENTROPY;
            case "sparsecategoricalcrossentropy" -> SPARSE_CATEGORICAL_CROSSENTROPY;
            default -> throw new IllegalArgumentException("unknown loss '" + name + "'; expected one of " + validNames());
        };
    }

    private static String validNames() {
        return "mean_squared_error (mse), mean_absolute_error (mae), huber (huber_loss), "
                + "binary_crossentropy (bce), categorical_crossentropy, sparse_categorical_crossentropy";
    }
}
