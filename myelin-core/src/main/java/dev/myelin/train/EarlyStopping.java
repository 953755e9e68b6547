package dev.myelin.train;

import dev.myelin.tensor.Tensor;
import java.util.Map;

/**
 * Stops training when a monitored value has not improved for {@code patience} epochs, as Keras's
 * {@code EarlyStopping}: each epoch, {@code wait += 1}; an improvement by more than {@code minDelta}
 * records the best value (and weights) and resets {@code wait}; training stops when
 * {@code wait >= patience} (never after the first epoch). With {@code restoreBestWeights}, the weights of
 * the best epoch are restored when training ends.
 *
 * <p>Example: {@code new EarlyStopping("val_loss").patience(3).restoreBestWeights(true)}.
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private Monitor mode;
    private int patience;
    private double minDelta;
    private boolean restoreBestWeights;
    private Trainable model;
    private double best;
    private int bestEpoch;
    private int wait;
    private int stoppedEpoch = -1;
    private Map<String, Tensor> bestWeights;

    public EarlyStopping(String monitor) {
        this.monitor = monitor;
        this.mode = Monitor.auto(monitor);
    }

    public EarlyStopping patience(int epochs) {
        if (epochs < 0) throw new IllegalArgumentException("patience must be >= 0, got " + epochs);
        this.patience = epochs;
        return this;
    }

    public EarlyStopping minDelta(double value) {
        this.minDelta = Math.abs(value);
        return this;
    }

    public EarlyStopping mode(Monitor value) {
        this.mode = value;
        return this;
    }

    public EarlyStopping restoreBestWeights(boolean value) {
        this.restoreBestWeights = value;
        return this;
    }

    @Override
    public void onTrainBegin(Trainable m, TrainingPlan plan) {
        model = m;
        best = mode.worst();
        bestEpoch = 0;
        wait = 0;
        stoppedEpoch = -1;
        bestWeights = null;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double current = logs.get(monitor);
        if (current == null) {
            throw new IllegalArgumentException("EarlyStopping monitors '" + monitor + "', which is not in the logs " + logs.keySet()
                    + (monitor.startsWith("val_") ? " (validation values need validationSplit or validationData)" : ""));
        }
        if (restoreBestWeights && bestWeights == null) bestWeights = model.weightValues();
        wait++;
        if (mode.improves(current, best, minDelta)) {
            best = current;
            bestEpoch = epoch;
            if (restoreBestWeights) bestWeights = model.weightValues();
            wait = 0;
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.stopTraining(true);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (restoreBestWeights && bestWeights != null) model.setWeightValues(bestWeights);
    }

    /** The epoch at which training stopped, or -1 if it ran to the end. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public double best() {
        return best;
    }
}
