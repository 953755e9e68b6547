package dev.myelin.data;

import dev.myelin.data.DataLoader.Batch;

/** What a loader batches: the rows of a dataset or of in-memory tensors. */
sealed interface Rows permits DatasetRows, TensorRows {
    int size();

    int inputs();

    /** Samples {@code order[from, to)}, or {@code [from, to)} when {@code order} is null. */
    Batch batch(int[] order, int from, int to);

    /** The first {@code count} samples and the rest. */
    Rows[] splitAt(int count);
}
