/**
 * Keras model files into Myelin models: {@link dev.myelin.keras.KerasImport} reads Keras 3 {@code .keras}
 * archives and legacy Keras 1/2 and tf.keras {@code .h5} files (HDF5 through jHDF, in pure Java), with each
 * era's layer names, defaults and weight layouts; the result predicts Keras's outputs and can go on
 * training. Unsupported layers, {@code Lambda} and custom classes are refused by name: no code is ever run
 * from a file.
 */
package dev.myelin.keras;
