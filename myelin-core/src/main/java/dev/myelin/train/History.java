package dev.myelin.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The per-epoch logs of a {@code fit} run, as Keras's {@code History}: {@code history.get("loss")} lists one value per epoch. */
public final class History implements Callback {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final List<Integer> epochs = new ArrayList<>();

    @Override
    public void onTrainBegin(Trainable model, TrainingPlan plan) {
        values.clear();
        epochs.clear();
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
