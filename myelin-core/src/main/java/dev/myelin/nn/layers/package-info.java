/**
 * Feed-forward layers with Keras 3's arguments, defaults and weight layouts (channels-last images, Dense
 * kernel {@code [in, units]}, Conv2D kernel {@code [kh, kw, in, filters]}), so Keras weights load without
 * transposes: {@link dev.myelin.nn.layers.Dense}, {@link dev.myelin.nn.layers.Conv1D},
 * {@link dev.myelin.nn.layers.Conv2D}, {@link dev.myelin.nn.layers.Conv2DTranspose}, pooling (max, average,
 * global), {@link dev.myelin.nn.layers.BatchNormalization}, {@link dev.myelin.nn.layers.Dropout},
 * {@link dev.myelin.nn.layers.Flatten}, {@link dev.myelin.nn.layers.Reshape},
 * {@link dev.myelin.nn.layers.UpSampling2D}, {@link dev.myelin.nn.layers.Add},
 * {@link dev.myelin.nn.layers.Concatenate}, activation layers. Each class's Javadoc gives the formula,
 * {@code Shapes:}, {@code Weights:} and an example.
 */
package dev.myelin.nn.layers;
