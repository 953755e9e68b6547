/**
 * Generative adversarial networks: {@link dev.myelin.gan.GAN} trains a generator and a discriminator
 * (two models) with the non-saturating losses through the same {@code fit} loop as any model, and saves
 * both in one file ({@link dev.myelin.gan.GanFile}); {@link dev.myelin.gan.GanModels} holds the seed documents'
 * dense pair and a small DCGAN for 28×28 images.
 */
package dev.myelin.gan;
