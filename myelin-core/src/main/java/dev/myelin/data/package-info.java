/**
 * Data in: {@link dev.myelin.data.Dataset} and {@link dev.myelin.data.DataLoader} (batches, seeded
 * shuffling, background prefetch, augmentation stages run on background threads), readers for IDX
 * (MNIST, Fashion-MNIST), CIFAR-10's binary files, CSV and image folders, normalization, and
 * augmentation ({@link dev.myelin.data.RandomFlip}, {@link dev.myelin.data.RandomCrop},
 * {@link dev.myelin.data.RandomRotation}, {@link dev.myelin.data.RandomTranslation}). Nothing is
 * downloaded: data comes from files the user points at.
 */
package dev.myelin.data;
