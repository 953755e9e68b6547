package dev.myelin.gan;

import dev.myelin.nn.Activation;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Conv2DTranspose;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.LeakyReLU;
import dev.myelin.nn.layers.Reshape;
import dev.myelin.tensor.Padding;
import java.util.Locale;

/**
 * GANs for 28×28 grey images in [-1, 1] (Fashion-MNIST, MNIST):
 * <ul>
 *   <li>the seed documents' dense GAN: generator {@code Dense(256, relu, input 100) → Dense(512, relu) →
 *       Dense(784, tanh)} (559,632 parameters), discriminator {@code Dense(512, relu, input 784) →
 *       Dense(1, sigmoid)} (402,433 parameters); images flattened to {@code [784]};</li>
 *   <li>a small DCGAN (Radford et al., 2015): generator {@code Dense(7·7·filters) → BatchNormalization →
 *       LeakyReLU(0.2) → Reshape(7, 7, filters) → Conv2DTranspose(filters/2, 4, strides 2, same) →
 *       BatchNormalization → LeakyReLU(0.2) → Conv2DTranspose(1, 4, strides 2, same, tanh)} giving
 *       {@code [28, 28, 1]}; discriminator {@code Conv2D(filters/2, 4, strides 2, same) → LeakyReLU(0.2) →
 *       Conv2D(filters, 4, strides 2, same) → LeakyReLU(0.2) → Flatten → Dense(1, sigmoid)}. The
 *       discriminator has no BatchNormalization, so its batch of real and generated images together does
 *       not leak batch statistics between the two.</li>
 * </ul>
 */
public final class GanModels {
    /** The seed's latent size. */
    public static final int LATENT = 100;

    private GanModels() {}

    public static Sequential denseGenerator() {
        return new Sequential(
                new Dense(256, Activation.RELU).inputShape(LATENT),
                new Dense(512, Activation.RELU),
                new Dense(784, Activation.TANH));
    }

    public static Sequential denseDiscriminator() {
        return new Sequential(
                new Dense(512, Activation.RELU).inputShape(784),
                new Dense(1, Activation.SIGMOID));
    }

    /** The DCGAN generator with {@code filters} channels at 7×7 (64 by default in the CLI). */
    public static Sequential dcganGenerator(int filters) {
        if (filters < 2) throw new IllegalArgumentException("dcgan filters must be >= 2, got filters=" + filters);
        return new Sequential(
                new Dense(7 * 7 * filters).useBias(false).inputShape(LATENT),
                new BatchNormalization(),
                new LeakyReLU(0.2),
                new Reshape(7, 7, filters),
                new Conv2DTranspose(filters / 2, 4).strides(2).padding(Padding.SAME).useBias(false),
                new BatchNormalization(),
                new LeakyReLU(0.2),
                new Conv2DTranspose(1, 4, Activation.TANH).strides(2).padding(Padding.SAME));
    }

    public static Sequential dcganDiscriminator(int filters) {
        if (filters < 2) throw new IllegalArgumentException("dcgan filters must be >= 2, got filters=" + filters);
        return new Sequential(
                new Conv2D(filters / 2, 4).strides(2).padding(Padding.SAME).inputShape(28, 28, 1),
                new LeakyReLU(0.2),
                new Conv2D(filters, 4).strides(2).padding(Padding.SAME),
                new LeakyReLU(0.2),
                new Flatten(),
                new Dense(1, Activation.SIGMOID));
    }

    /** {@code dense} or {@code dcgan} (with 64 filters), unseeded and uncompiled. */
    public static GAN byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "dense" -> new GAN(denseGenerator(), denseDiscriminator());
            case "dcgan" -> new GAN(dcganGenerator(64), dcganDiscriminator(64));
            default -> throw new IllegalArgumentException("unknown GAN '" + name + "'; expected dense or dcgan");
        };
    }

    /** The image shape a GAN's samples have without the batch: {@code [784]} or {@code [28, 28, 1]}. */
    public static int[] sampleShape(GAN gan) {
        return gan.generator().outputs().get(0).shape().toArray();
    }
}
