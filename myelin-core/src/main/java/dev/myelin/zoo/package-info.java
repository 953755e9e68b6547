/**
 * The seed models, the networks of the project's seed documents that benchmarks and examples share: an MLP
 * and a CNN for Fashion-MNIST, a CNN for CIFAR-10 and an LSTM ({@link dev.myelin.zoo.SeedModels}).
 * "Seed" here means these founding documents, not a random seed.
 */
package dev.myelin.zoo;
