/**
 * Weight penalties added to the training loss, as Keras: {@link dev.myelin.nn.regularizers.L1},
 * {@link dev.myelin.nn.regularizers.L2} ({@code l2 · Σw²}, Keras's formula without the ½) and
 * {@link dev.myelin.nn.regularizers.L1L2}.
 */
package dev.myelin.nn.regularizers;
