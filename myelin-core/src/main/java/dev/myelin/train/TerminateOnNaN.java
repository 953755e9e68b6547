package dev.myelin.train;

import java.io.PrintStream;
import java.util.Map;

/** Stops training at the first batch whose loss is NaN or infinite, with a message, as Keras's {@code TerminateOnNaN}. */
public final class TerminateOnNaN implements Callback {
    private final PrintStream out;
    private Trainable model;
    private String message;

    public TerminateOnNaN() {
        this(System.err);
    }

    public TerminateOnNaN(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onTrainBegin(Trainable m, TrainingPlan plan) {
        model = m;
        message = null;
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        Double loss = logs.getOrDefault("batch_loss", logs.get("loss"));
        if (loss != null && !Double.isFinite(loss) && message == null) {
            message = "Batch " + batch + ": invalid loss " + loss + ", terminating training (lower the learning rate or check the data for NaN)";
            out.println(message);
            model.stopTraining(true);
        }
    }

    /** Why training stopped, or null if the loss stayed finite. */
    public String message() {
        return message;
    }
}
