package dev.myelin.dashboard;

import dev.myelin.autograd.NoGrad;
import dev.myelin.io.AtomicFiles;
import dev.myelin.io.PngWriter;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Callback;
import dev.myelin.train.Trainable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A live training dashboard in the browser, as a callback: loss per step and per epoch, the metrics,
 * training beside validation, the learning rate, throughput, the model summary, weight and gradient norms
 * per layer, and sample predictions. {@link #serve(int)} serves it on the loopback address (the JDK's
 * built-in HTTP server; the page polls {@code /data.json} once a second); {@link #reportFile(Path)} leaves a
 * self-contained {@code report.html} at the end of training (no external scripts, works offline), which is
 * also all that {@link #offline()} does.
 *
 * <p>Example:
 * <pre>{@code
 * try (TrainingDashboard dashboard = TrainingDashboard.serve(0).samples(xTest.slice(0, 0, 16), yTest.slice(0, 0, 16), classNames)
 *         .reportFile(Path.of("out/report.html"))) {
 *     System.out.println("dashboard: " + dashboard.url());
 *     model.fit(x, y, FitOptions.epochs(5).validationSplit(0.1).callbacks(dashboard));
 * }
 * }</pre>
 *
 * <p>Norms are computed at most twice a second, so the dashboard costs the training next to nothing.
 */
public final class TrainingDashboard implements Callback, AutoCloseable {
    private static final long NORMS_EVERY_NANOS = 500_000_000L;

    private final DashboardState state;
    private final DashboardServer server;
    private Path reportFile;
    private Tensor sampleX, sampleY;
    private List<String> classNames = List.of();
    private List<String> sampleImages = List.of();
    private Trainable target;
    private int currentEpoch;
    private int batchSize;
    private long epochStart, lastNorms;

    private TrainingDashboard(DashboardState state, DashboardServer server) {
        this.state = state;
        this.server = server;
    }

    /** Serves the dashboard on {@code 127.0.0.1:port} (0 picks a free port; see {@link #url()}). */
    public static TrainingDashboard serve(int port) throws IOException {
        DashboardState state = new DashboardState();
        return new TrainingDashboard(state, new DashboardServer(port, TrainingDashboard::page, state::json));
    }

    /** A dashboard without a server: it only writes the report ({@link #reportFile(Path)}). */
    public static TrainingDashboard offline() {
        return new TrainingDashboard(new DashboardState(), null);
    }

    /** The page's address, or null for an {@link #offline()} dashboard. */
    public String url() {
        return server == null ? null : server.url();
    }

    /** Writes a self-contained {@code report.html} to {@code file} when training ends. */
    public TrainingDashboard reportFile(Path file) {
        this.reportFile = file;
        return this;
    }

    /**
     * Examples whose predictions the page shows after each epoch (at most 32; images {@code [n, h, w, 1 or 3]}
     * are shown as pictures): labels as class ids {@code [n]} or one-hot {@code [n, classes]}; {@code names}
     * may be empty.
     */
    public TrainingDashboard samples(Tensor x, Tensor y, List<String> names) {
        if (x == null || y == null) throw new IllegalArgumentException("dashboard samples need inputs and labels, got " + (x == null ? "no inputs" : "no labels"));
        if (x.rank() == 0 || y.rank() == 0 || x.dim(0) != y.dim(0)) {
            throw new IllegalArgumentException("dashboard samples: inputs " + x.shape() + " and labels " + y.shape() + " must have the same number of examples along axis 0");
        }
        if (x.dim(0) > 32) throw new IllegalArgumentException("dashboard samples: at most 32 examples, got " + x.dim(0));
        this.sampleX = x;
        this.sampleY = y;
        this.classNames = names == null ? List.of() : List.copyOf(names);
        this.sampleImages = images(x);
        return this;
    }

    @Override
    public void onTrainBegin(Trainable model, TrainingPlan plan) {
        target = model;
        String summary = model instanceof Model m ? m.summary() : model.getClass().getSimpleName() + " '" + model.name() + "'";
        batchSize = Math.max(1, plan.samples() / Math.max(1, plan.stepsPerEpoch()));
        state.start(model.name(), summary, plan.epochs(), plan.stepsPerEpoch(), plan.samples());
        lastNorms = 0;
    }

    @Override
    public void onEpochBegin(int epoch) {
        currentEpoch = epoch;
        epochStart = System.nanoTime();
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        double throughput = seconds > 0 ? (batch + 1) * (double) batchSize / seconds : Double.NaN;
        double rate = target.optimizer() == null ? Double.NaN : target.optimizer().learningRate();
        Double loss = logs.get("batch_loss");
        state.step(currentEpoch, batch, loss == null ? logs.getOrDefault("loss", Double.NaN) : loss, throughput, rate);
        long now = System.nanoTime();
        if (now - lastNorms > NORMS_EVERY_NANOS) {
            lastNorms = now;
            state.layers(norms(target));
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        state.epochEnd(logs, (System.nanoTime() - epochStart) / 1e9);
        state.layers(norms(target));
        if (sampleX != null && target instanceof Model m) state.samples(predictions(m));
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        state.status(target != null && target.stopTrainingRequested() ? "stopped" : "finished");
        if (reportFile != null) {
            try {
                writeReport(reportFile);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the dashboard report " + reportFile + ": " + e.getMessage(), e);
            }
        }
    }

    /** Writes the page with the current state inside it (atomically): it opens offline, without a server. */
    public void writeReport(Path file) throws IOException {
        // "</" inside the script would end it early; JSON allows "\/" for "/".
        String data = state.json().replace("</", "<\\/");
        String html = page().replace("/*MYELIN_DATA*/null", data);
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** The state the page shows, as JSON (what {@code /data.json} serves). */
    public String json() {
        return state.json();
    }

    @Override
    public void close() {
        if (server != null) server.close();
    }

    /** Per layer: the L2 norm of its trainable weights and of their last gradients. */
    private static List<DashboardState.LayerNorms> norms(Trainable model) {
        if (!(model instanceof Model m)) return List.of();
        Map<String, double[]> byLayer = new LinkedHashMap<>();
        for (Parameter p : m.trainableWeights()) {
            String layer = p.owner() != null ? p.owner().name() : p.name();
            double[] acc = byLayer.computeIfAbsent(layer, k -> new double[] {0, 0, 0});
            acc[0] += sumOfSquares(p.value());
            Tensor g = p.grad();
            if (g != null) {
                acc[1] += sumOfSquares(g);
                acc[2] = 1;
            }
        }
        List<DashboardState.LayerNorms> out = new ArrayList<>();
        for (var e : byLayer.entrySet()) {
            double[] a = e.getValue();
            out.add(new DashboardState.LayerNorms(e.getKey(), Math.sqrt(a[0]), a[2] > 0 ? Math.sqrt(a[1]) : Double.NaN));
        }
        return out;
    }

    private static double sumOfSquares(Tensor t) {
        double s = 0;
        for (float v : t.toFloatArray()) s += (double) v * v;
        return s;
    }

    private List<DashboardState.Sample> predictions(Model m) {
        Tensor probs;
        try (var g = NoGrad.scope()) {
            probs = m.predict(sampleX, 32);
        }
        float[] p = probs.toFloatArray();
        int n = sampleX.dim(0);
        int classes = p.length / n;
        float[] y = sampleY.toFloatArray();
        int yWidth = y.length / n;
        List<DashboardState.Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (p[i * classes + c] > p[i * classes + best]) best = c;
            double confidence = classes == 1 ? p[i] : p[i * classes + best];
            if (classes == 1) best = p[i] >= 0.5f ? 1 : 0; // one sigmoid output: class 1 when p >= 0.5
            int label = yWidth == 1 ? Math.round(y[i]) : argmax(y, i * yWidth, yWidth);
            out.add(new DashboardState.Sample(i < sampleImages.size() ? sampleImages.get(i) : null, className(label), className(best), confidence));
        }
        return out;
    }

    private static int argmax(float[] a, int from, int width) {
        int best = 0;
        for (int c = 1; c < width; c++) if (a[from + c] > a[from + best]) best = c;
        return best;
    }

    private String className(int id) {
        return id >= 0 && id < classNames.size() ? classNames.get(id) : String.valueOf(id);
    }

    /** PNG data URIs for image examples ({@code [n, h, w, 1 or 3]}, scaled to their own value range), else none. */
    private static List<String> images(Tensor x) {
        if (x.rank() != 4 || (x.dim(3) != 1 && x.dim(3) != 3)) return List.of();
        float[] all = x.toFloatArray();
        double low = Double.POSITIVE_INFINITY, high = Double.NEGATIVE_INFINITY;
        for (float v : all) {
            if (Float.isFinite(v)) {
                low = Math.min(low, v);
                high = Math.max(high, v);
            }
        }
        if (!(high > low)) return List.of();
        int scale = Math.max(1, 56 / Math.max(x.dim(1), x.dim(2)));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < x.dim(0); i++) {
            Tensor one = x.slice(0, i, i + 1).reshape(x.dim(1), x.dim(2), x.dim(3));
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageIO.write(PngWriter.toImage(one, low, high, scale), "png", bytes);
                out.add("data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static String page() {
        try (InputStream in = TrainingDashboard.class.getResourceAsStream("dashboard.html")) {
            if (in == null) throw new IllegalStateException("the dashboard page (dev/myelin/dashboard/dashboard.html) is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
