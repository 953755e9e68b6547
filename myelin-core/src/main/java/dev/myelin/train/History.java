package dev.myelin.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The logs of a {@code fit} run, as Keras's {@code History}: {@code history.get("loss")} lists one value per
 * epoch. It also keeps each training step's own loss ({@link #steps()}), which Keras's History does not, so
 * that a one-epoch run still has a curve to draw ({@link #plot(Path)}).
 */
public final class History implements Callback {
    /**
     * One training step: {@code epoch} is its position in epochs (step s of n in epoch e is at e + (s + 1) / n),
     * {@code loss} the step's own loss, {@code metrics} the metrics' running values over the epoch so far, as the
     * progress bar shows them.
     */
    public record Step(double epoch, double loss, Map<String, Double> metrics) {
        public Step {
            metrics = Map.copyOf(metrics);
        }
    }

    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final List<Integer> epochs = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private int stepsPerEpoch = 1;
    private int currentEpoch;

    @Override
    public void onTrainBegin(Trainable model, TrainingPlan plan) {
        values.clear();
        epochs.clear();
        steps.clear();
        stepsPerEpoch = plan == null ? 1 : Math.max(1, plan.stepsPerEpoch());
    }

    @Override
    public void onEpochBegin(int epoch) {
        currentEpoch = epoch;
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        Double loss = logs.get("batch_loss");
        if (loss == null) return;
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (var e : logs.entrySet()) {
            if (!e.getKey().endsWith("loss") && e.getValue() != null) metrics.put(e.getKey(), e.getValue());
        }
        steps.add(new Step(currentEpoch + (batch + 1) / (double) stepsPerEpoch, loss, metrics));
    }

    /** Every training step, in order: its own loss (not the epoch's running mean) and the running metrics; none for a restored History's earlier epochs. */
    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    /**
     * Draws the training curves as a PNG (written atomically): loss per step (smoothed) and per epoch, the
     * other metrics per epoch, validation beside training; see {@link HistoryPlot} for titles, chosen panels
     * and marking a test result.
     */
    public void plot(Path file) throws IOException {
        HistoryPlot.of(this).write(file);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        epochs.add(epoch);
        for (var e : logs.entrySet()) {
            values.computeIfAbsent(e.getKey(), k -> {
                List<Double> l = new ArrayList<>();
                for (int i = 0; i < epochs.size() - 1; i++) l.add(Double.NaN);
                return l;
            }).add(e.getValue());
        }
    }

    /**
     * Sets the rows of epochs {@code 0 .. epochs − 1} (a resumed run's History), replacing all; a key with
     * fewer values had none in the first epochs, which read NaN.
     */
    void restoreRows(Map<String, List<Double>> rows, int epochCount) {
        values.clear();
        epochs.clear();
        for (int e = 0; e < epochCount; e++) epochs.add(e);
        for (var e : rows.entrySet()) {
            List<Double> l = new ArrayList<>();
            for (int i = e.getValue().size(); i < epochCount; i++) l.add(Double.NaN);
            l.addAll(e.getValue());
            values.put(e.getKey(), l);
        }
    }

    /** The values of {@code name} per epoch; an error naming the recorded keys if absent. */
    public List<Double> get(String name) {
        List<Double> v = values.get(name);
        if (v == null) throw new IllegalArgumentException("history has no '" + name + "'; it has " + values.keySet());
        return Collections.unmodifiableList(v);
    }

    /** The last epoch's value of {@code name}. */
    public double last(String name) {
        List<Double> v = get(name);
        return v.get(v.size() - 1);
    }

    public Map<String, List<Double>> asMap() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    /** Number of epochs run (fewer than asked when a callback stopped training). */
    public int epochsRun() {
        return epochs.size();
    }

    /** {@code History(5 epochs): loss 2.3012 -> 0.4355, accuracy 0.1130 -> 0.8480}: each key's first and last value. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("History(" + epochs.size() + (epochs.size() == 1 ? " epoch)" : " epochs)"));
        String sep = ": ";
        for (var e : values.entrySet()) {
            List<Double> v = e.getValue();
            if (v.isEmpty()) continue;
            sb.append(sep).append(e.getKey()).append(' ').append(LogValues.format(v.get(0)));
            if (v.size() > 1) sb.append(" -> ").append(LogValues.format(v.get(v.size() - 1)));
            sep = ", ";
        }
        return sb.toString();
    }
}
