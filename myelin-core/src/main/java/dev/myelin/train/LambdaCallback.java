package dev.myelin.train;

import java.util.Map;
import java.util.function.BiConsumer;

/** A callback from lambdas, as Keras's {@code LambdaCallback}: {@code LambdaCallback.onEpochEnd((epoch, logs) -> ...)}. */
public final class LambdaCallback implements Callback {
    private final BiConsumer<Integer, Map<String, Double>> epochEnd;
    private final BiConsumer<Integer, Map<String, Double>> batchEnd;

    private LambdaCallback(BiConsumer<Integer, Map<String, Double>> epochEnd, BiConsumer<Integer, Map<String, Double>> batchEnd) {
        this.epochEnd = epochEnd;
        this.batchEnd = batchEnd;
    }

    public static LambdaCallback onEpochEnd(BiConsumer<Integer, Map<String, Double>> f) {
        return new LambdaCallback(f, null);
    }

    public static LambdaCallback onBatchEnd(BiConsumer<Integer, Map<String, Double>> f) {
        return new LambdaCallback(null, f);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (epochEnd != null) epochEnd.accept(epoch, Map.copyOf(logs));
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        if (batchEnd != null) batchEnd.accept(batch, Map.copyOf(logs));
    }
}
