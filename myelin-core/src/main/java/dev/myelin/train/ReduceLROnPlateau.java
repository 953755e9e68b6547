package dev.myelin.train;

import java.util.Map;

/**
 * Multiplies the learning rate by {@code factor} when a monitored value stops improving, as Keras's
 * {@code ReduceLROnPlateau}: improvement means beating the best by {@code minDelta}; after {@code patience}
 * epochs without one, {@code lr = max(lr * factor, minLr)}, then {@code cooldown} epochs pass before
 * counting again. Defaults as Keras: factor 0.1, patience 10, minDelta 1e-4, cooldown 0, minLr 0.
 */
public final class ReduceLROnPlateau implements Callback {
    private final String monitor;
    private Monitor mode;
    private double factor = 0.1;
    private int patience = 10;
    private double minDelta = 1e-4;
    private int cooldown;
    private double minLr;
    private Trainable model;
    private double best;
    private int wait;
    private int cooldownCounter;

    public ReduceLROnPlateau(String monitor) {
        this.monitor = monitor;
        this.mode = Monitor.auto(monitor);
    }

    public ReduceLROnPlateau factor(double value) {
        if (!(value > 0 && value < 1)) throw new IllegalArgumentException("factor must be in (0, 1), got " + value);
        this.factor = value;
        return this;
    }

    public ReduceLROnPlateau patience(int epochs) {
        if (epochs < 0) throw new IllegalArgumentException("patience must be >= 0, got " + epochs);
        this.patience = epochs;
        return this;
    }

    public ReduceLROnPlateau minDelta(double value) {
        this.minDelta = Math.abs(value);
        return this;
    }

    public ReduceLROnPlateau cooldown(int epochs) {
        this.cooldown = epochs;
        return this;
    }

    public ReduceLROnPlateau minLr(double value) {
        this.minLr = value;
        return this;
    }

    public ReduceLROnPlateau mode(Monitor value) {
        this.mode = value;
        return this;
    }

    @Override
    public void onTrainBegin(Trainable m, TrainingPlan plan) {
        if (m.optimizer() == null) throw new IllegalArgumentException("ReduceLROnPlateau: '" + m.name() + "' has no single optimizer whose learning rate it could lower");
        model = m;
        best = mode.worst();
        wait = 0;
        cooldownCounter = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double current = logs.get(monitor);
        if (current == null) throw new IllegalArgumentException("ReduceLROnPlateau monitors '" + monitor + "', which is not in the logs " + logs.keySet());
        if (cooldownCounter > 0) {
            cooldownCounter--;
            wait = 0;
        }
        if (mode.improves(current, best, minDelta)) {
            best = current;
            wait = 0;
        } else if (cooldownCounter == 0) {
            wait++;
            if (wait >= patience) {
                double lr = model.optimizer().learningRate();
                if (lr > minLr) {
                    model.optimizer().setLearningRate(Math.max(lr * factor, minLr));
                    cooldownCounter = cooldown;
                    wait = 0;
                }
            }
        }
    }
}
