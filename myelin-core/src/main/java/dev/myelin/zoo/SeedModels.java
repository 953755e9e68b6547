package dev.myelin.zoo;

import dev.myelin.nn.Activation;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.recurrent.LSTM;
import java.util.Locale;

/**
 * The seed documents' models, as Keras defines them (parameter counts as Keras's {@code summary()}):
 * <ul>
 *   <li>{@link #mlp()}: Flatten 28×28×1 → Dense(64, relu) → Dense(10, softmax), 50,890 parameters;</li>
 *   <li>{@link #cnnMnist()}: Conv2D(32, 3×3, relu) on 28×28×1 → MaxPooling2D(2) → Flatten → Dense(128, relu) →
 *       Dense(10, softmax), 693,962 parameters;</li>
 *   <li>{@link #cnnCifar()}: Conv2D(32, 3×3, relu) on 32×32×3 → MaxPooling2D(2) → Conv2D(64, 3×3, relu) →
 *       MaxPooling2D(2) → Flatten → Dense(64, relu) → Dense(10, softmax), 167,562 parameters.</li>
 * </ul>
 */
public final class SeedModels {
    private SeedModels() {}

    public static Sequential mlp() {
        return new Sequential(
                new Flatten().inputShape(28, 28, 1),
                new Dense(64, Activation.RELU),
                new Dense(10, Activation.SOFTMAX));
    }

    public static Sequential cnnMnist() {
        return new Sequential(
                new Conv2D(32, 3, Activation.RELU).inputShape(28, 28, 1),
                new MaxPooling2D(2),
                new Flatten(),
                new Dense(128, Activation.RELU),
                new Dense(10, Activation.SOFTMAX));
    }

    public static Sequential cnnCifar() {
        return new Sequential(
                new Conv2D(32, 3, Activation.RELU).inputShape(32, 32, 3),
                new MaxPooling2D(2),
                new Conv2D(64, 3, Activation.RELU),
                new MaxPooling2D(2),
                new Flatten(),
                new Dense(64, Activation.RELU),
                new Dense(10, Activation.SOFTMAX));
    }

    /**
     * The seed documents' recurrent model, as Keras: LSTM(50, return_sequences) on 28 steps of 28 features
     * (sequential Fashion-MNIST, one image row per step) → LSTM(50) → Dense(10, softmax);
     * 15,800 + 20,200 + 510 = 36,510 parameters.
     */
    public static Sequential lstm() {
        return new Sequential(
                new LSTM(50).returnSequences(true).inputShape(28, 28),
                new LSTM(50),
                new Dense(10, Activation.SOFTMAX));
    }

    /** The model named {@code mlp}, {@code cnn} (or {@code cnn-mnist}) or {@code cnn-cifar}. */
    public static Sequential byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mlp" -> mlp();
            case "cnn", "cnn-mnist", "cnn_mnist" -> cnnMnist();
            case "cnn-cifar", "cnn_cifar" -> cnnCifar();
            case "lstm" -> lstm();
            default -> throw new IllegalArgumentException("unknown seed model '" + name + "'; expected mlp, cnn, cnn-cifar or lstm");
        };
    }
}
