/**
 * Models: {@link dev.myelin.models.Model} (the functional graph: inputs, layers called on symbolic tensors,
 * one or more outputs, shared layers, models nested as layers) and {@link dev.myelin.models.Sequential},
 * with Keras's {@code compile / fit / evaluate / predict / summary}, and model files ({@code save} /
 * {@code Model.load}: a zip in the layout of Keras 3's {@code .keras}, with the weights as safetensors and,
 * optionally, the optimizer state to resume training).
 *
 * <pre>{@code
 * Sequential m = new Sequential(new Dense(64, Activation.RELU).inputShape(784), new Dense(10, Activation.SOFTMAX));
 * m.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
 * m.fit(x, y, FitOptions.epochs(5));
 * m.save(Path.of("mlp.myelin"));
 * }</pre>
 */
package dev.myelin.models;
