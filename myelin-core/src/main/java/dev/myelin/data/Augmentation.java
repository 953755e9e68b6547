package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A random transformation of a batch of images, applied by {@link DataLoader} to {@code x} of every
 * training batch. Implementations draw all randomness from {@code rng}, in a fixed order, so a seeded
 * generator makes the result repeatable; they return a new tensor and leave the input unchanged.
 *
 * <p>Shapes: {@code images [batch, height, width, channels]} (channels-last); the result has the same
 * shape unless the augmentation says otherwise ({@link RandomCrop} to another size).
 *
 * <p>Example (CIFAR-10 style):
 * <pre>{@code
 * Augmentation aug = Augmentation.compose(RandomFlip.horizontal(), RandomCrop.padded(4));
 * DataLoader train = DataLoader.of(data).batchSize(128).shuffle(7).augment(aug);
 * }</pre>
 */
@FunctionalInterface
public interface Augmentation {

    /** Transforms {@code images [batch, height, width, channels]}, drawing randomness from {@code rng}. */
    Tensor apply(Tensor images, RandomGenerator rng);

    /** This augmentation, then {@code next}, sharing the generator. */
    default Augmentation andThen(Augmentation next) {
        return compose(this, next);
    }

    /** The steps applied in order, sharing one generator. */
    static Augmentation compose(Augmentation... steps) {
        return new Sequence(List.of(steps));
    }

    /** Augmentations applied one after another, as {@link #compose} builds them. */
    record Sequence(List<Augmentation> steps) implements Augmentation {
        public Sequence {
            steps = List.copyOf(steps);
        }

        @Override
        public Tensor apply(Tensor images, RandomGenerator rng) {
            Tensor t = images;
            for (Augmentation a : steps) t = a.apply(t, rng);
            return t;
        }
    }
}
