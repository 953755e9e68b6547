package dev.myelin.dashboard;

import dev.myelin.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows, gathered on the training thread and read as JSON by the server's thread; every
 * method is synchronized, so the page never sees half an update. Non-finite numbers are written as null
 * (JSON has no NaN).
 */
final class DashboardState {
    /** At most this many step points go to the page: longer runs are averaged into buckets. */
    static final int MAX_STEP_POINTS = 1500;

    record LayerNorms(String layer, double weightNorm, double gradNorm) {}

    record Sample(String image, String label, String predicted, double confidence) {}

    private String name = "";
    private String summary = "";
    private String status = "starting";
    private int epochsPlanned, stepsPerEpoch, samplesPerEpoch, epoch, step;
    private double samplesPerSecond = Double.NaN;
    private double learningRate = Double.NaN;
    private final List<double[]> steps = new ArrayList<>(); // {epoch position, loss}
    private final List<Map<String, Double>> epochs = new ArrayList<>();
    private final List<Double> epochSeconds = new ArrayList<>();
    private List<LayerNorms> layers = List.of();
    private List<Sample> samples = List.of();
    private long updates;

    synchronized void start(String modelName, String modelSummary, int epochsValue, int stepsValue, int samplesValue) {
        name = modelName;
        summary = modelSummary;
        epochsPlanned = epochsValue;
        stepsPerEpoch = stepsValue;
        samplesPerEpoch = samplesValue;
        status = "training";
        steps.clear();
        epochs.clear();
        epochSeconds.clear();
        updates++;
    }

    synchronized void step(int epochIndex, int stepIndex, double loss, double throughput, double rate) {
        epoch = epochIndex;
        step = stepIndex + 1;
        steps.add(new double[] {epochIndex + (stepIndex + 1) / (double) Math.max(1, stepsPerEpoch), loss});
        samplesPerSecond = throughput;
        learningRate = rate;
        updates++;
    }

    synchronized void epochEnd(Map<String, Double> logs, double seconds) {
        epochs.add(new LinkedHashMap<>(logs));
        epochSeconds.add(seconds);
        updates++;
    }

    synchronized void layers(List<LayerNorms> value) {
        layers = List.copyOf(value);
        updates++;
    }

    synchronized void samples(List<Sample> value) {
        samples = List.copyOf(value);
        updates++;
    }

    synchronized void status(String value) {
        status = value;
        updates++;
    }

    synchronized List<Map<String, Double>> epochs() {
        return List.copyOf(epochs);
    }

    /** The whole state as the page reads it. */
    synchronized String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", name);
        root.put("status", status);
        root.put("updates", updates);
        root.put("epochsPlanned", epochsPlanned);
        root.put("stepsPerEpoch", stepsPerEpoch);
        root.put("samplesPerEpoch", samplesPerEpoch);
        root.put("epoch", epoch);
        root.put("step", step);
        root.put("samplesPerSecond", finite(samplesPerSecond));
        root.put("learningRate", finite(learningRate));
        root.put("summary", summary);
        List<Object> stepList = new ArrayList<>();
        int bucket = Math.max(1, (steps.size() + MAX_STEP_POINTS - 1) / MAX_STEP_POINTS);
        for (int i = 0; i < steps.size(); i += bucket) {
            double x = 0, y = 0;
            int n = 0;
            for (int j = i; j < Math.min(steps.size(), i + bucket); j++) {
                if (!Double.isFinite(steps.get(j)[1])) continue;
                x = steps.get(j)[0];
                y += steps.get(j)[1];
                n++;
            }
            if (n > 0) stepList.add(List.of(x, y / n));
        }
        root.put("steps", stepList);
        List<Object> epochList = new ArrayList<>();
        for (int e = 0; e < epochs.size(); e++) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (var kv : epochs.get(e).entrySet()) m.put(kv.getKey(), finite(kv.getValue()));
            m.put("seconds", finite(epochSeconds.get(e)));
            epochList.add(m);
        }
        root.put("epochs", epochList);
        List<Object> layerList = new ArrayList<>();
        for (LayerNorms l : layers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", l.layer());
            m.put("weightNorm", finite(l.weightNorm()));
            m.put("gradNorm", finite(l.gradNorm()));
            layerList.add(m);
        }
        root.put("layers", layerList);
        List<Object> sampleList = new ArrayList<>();
        for (Sample s : samples) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", s.image());
            m.put("label", s.label());
            m.put("predicted", s.predicted());
            m.put("confidence", finite(s.confidence()));
            sampleList.add(m);
        }
        root.put("samples", sampleList);
        return Json.write(root);
    }

    private static Double finite(Double v) {
        return v != null && Double.isFinite(v) ? v : null;
    }
}
