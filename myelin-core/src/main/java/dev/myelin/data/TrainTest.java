package dev.myelin.data;

import java.util.Objects;

/**
 * The training and test parts of a published data set, as the loaders ({@link MnistFormat},
 * {@link FashionMnist}, {@link Cifar10}) return them.
 *
 * <p>Example: {@code TrainTest d = FashionMnist.load(dir); model.fit(d.train()); model.evaluate(d.test());}
 *
 * @param train the training samples
 * @param test  the test samples
 */
public record TrainTest(Dataset train, Dataset test) {
    public TrainTest {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }
}
