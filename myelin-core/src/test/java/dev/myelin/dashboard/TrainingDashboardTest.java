package dev.myelin.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.Json;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.Blobs;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import dev.myelin.train.LambdaCallback;
import java.io.File;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDashboardTest {
    /** A response: status and body (java.net.http is not a module the core reads, so plain HttpURLConnection). */
    private record Response(int statusCode, String body) {}

    @Test
    @SuppressWarnings("unchecked")
    void servesTheLiveStateOnLoopbackAndLeavesASelfContainedReport(@TempDir Path dir) throws Exception {
        Tensor[] d = blobs(192, 1);
        Sequential m = classifier();
        Path report = dir.resolve("report.html");
        AtomicReference<String> midRun = new AtomicReference<>();
        History h;
        try (TrainingDashboard dashboard = TrainingDashboard.serve(0).samples(d[0].slice(0, 0, 8), d[1].slice(0, 0, 8), List.of("left", "right", "top"))
                .reportFile(report)) {
            assertTrue(dashboard.url().startsWith("http://127.0.0.1:"), dashboard.url());
            LambdaCallback probe = LambdaCallback.onEpochEnd((epoch, logs) -> {
                if (epoch == 1) midRun.set(get(dashboard.url() + "data.json").body());
            });
            h = m.fit(d[0], d[1], FitOptions.epochs(3).batchSize(32).seed(3).verbose(0).validationSplit(0.25).callbacks(dashboard, probe));

            Response page = get(dashboard.url());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("/*MYELIN_DATA*/null"), "the live page fetches its data");
            assertEquals(404, get(dashboard.url() + "other").statusCode());
            assertEquals(405, request(dashboard.url() + "data.json", "POST").statusCode());
        }
        // In the middle of the run the page saw two epochs, equal to the History's.
        Map<String, Object> mid = (Map<String, Object>) Json.parse(midRun.get());
        assertEquals("training", mid.get("status"));
        List<Object> epochs = (List<Object>) mid.get("epochs");
        assertEquals(2, epochs.size());
        for (int e = 0; e < 2; e++) {
            Map<String, Object> logs = (Map<String, Object>) epochs.get(e);
            assertEquals(h.get("loss").get(e), ((Number) logs.get("loss")).doubleValue(), 1e-12);
            assertEquals(h.get("val_accuracy").get(e), ((Number) logs.get("val_accuracy")).doubleValue(), 1e-12);
        }
        assertEquals(2 * 5, ((List<Object>) mid.get("steps")).size()); // 144 training samples / 32 = 5 steps per epoch
        List<Object> layers = (List<Object>) mid.get("layers");
        assertEquals(2, layers.size());
        double dense0 = 0;
        for (var p : m.layers().get(0).trainableWeights()) for (float v : p.value().toFloatArray()) dense0 += v * (double) v;
        assertTrue(((Number) ((Map<String, Object>) layers.get(0)).get("weightNorm")).doubleValue() > 0);
        assertTrue(((Number) ((Map<String, Object>) layers.get(0)).get("gradNorm")).doubleValue() > 0);
        List<Object> samples = (List<Object>) mid.get("samples");
        assertEquals(8, samples.size());
        assertEquals("left", ((Map<String, Object>) samples.get(0)).get("label")); // blobs: example i has class i % 3
        assertEquals("right", ((Map<String, Object>) samples.get(1)).get("label"));

        // The report holds the final state inline: no scripts from elsewhere, no fetch needed.
        String html = Files.readString(report);
        assertFalse(html.contains("/*MYELIN_DATA*/null"));
        assertFalse(html.contains("<script src"));
        Matcher data = Pattern.compile("const EMBEDDED = (\\{.*?\\n\\});", Pattern.DOTALL).matcher(html);
        assertTrue(data.find(), "no embedded data in the report");
        Map<String, Object> last = (Map<String, Object>) Json.parse(data.group(1).replace("<\\/", "</"));
        assertEquals("finished", last.get("status"));
        assertEquals(3, ((List<Object>) last.get("epochs")).size());
        assertTrue(dense0 > 0);
    }

    @Test
    void badSamplesAndPortsAreRefusedWithTheirSizes() {
        Tensor x = Tensor.zeros(4, 2), y = Tensor.zeros(3);
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingDashboard.offline().samples(x, y, List.of()));
        assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("[3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingDashboard.offline().samples(Tensor.zeros(40, 2), Tensor.zeros(40), List.of()));
        assertTrue(e.getMessage().contains("at most 32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingDashboard.serve(70000));
        assertTrue(e.getMessage().contains("70000"), e.getMessage());
    }

    /**
     * A real browser: headless Chromium opens the live page while training waits after its second epoch, and
     * the numbers the page shows are the History's. Skipped when Chromium is not installed.
     */
    @Test
    void chromiumShowsTheCurvesAndNumbers(@TempDir Path dir) throws Exception {
        String chromium = findChromium();
        Assumptions.assumeTrue(chromium != null, "Chromium is not installed (Debian: apt-get install chromium); the browser check of the dashboard is skipped");
        Tensor[] d = blobs(192, 2);
        Sequential m = classifier();
        CountDownLatch paused = new CountDownLatch(1), resume = new CountDownLatch(1);
        try (TrainingDashboard dashboard = TrainingDashboard.serve(0)) {
            LambdaCallback hold = LambdaCallback.onEpochEnd((epoch, logs) -> {
                if (epoch != 1) return;
                paused.countDown();
                try {
                    resume.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            AtomicReference<History> history = new AtomicReference<>();
            Thread training = new Thread(() -> history.set(m.fit(d[0], d[1],
                    FitOptions.epochs(3).batchSize(32).seed(3).verbose(0).validationSplit(0.25).callbacks(dashboard, hold))));
            training.start();
            assertTrue(paused.await(120, TimeUnit.SECONDS), "training did not reach its second epoch");
            String dom;
            Path shot = Path.of("target", "dashboard-chromium.png").toAbsolutePath();
            try {
                dom = runChromium(chromium, dir, "--dump-dom", dashboard.url());
                runChromium(chromium, dir, "--screenshot=" + shot, "--window-size=1400,1000", dashboard.url());
            } finally {
                resume.countDown();
                training.join(120_000);
            }
            List<Double> loss = history.get().get("loss");
            assertTrue(dom.contains("id=\"status\" class=\"training\""), "the page does not say it is training:\n" + head(dom));
            List<Double> shown = new ArrayList<>();
            Matcher cell = Pattern.compile("<td class=\"v-loss\">([0-9.e+-]+)</td>").matcher(dom);
            while (cell.find()) shown.add(Double.parseDouble(cell.group(1)));
            assertEquals(2, shown.size(), "epoch rows on the page: " + shown);
            for (int e = 0; e < 2; e++) assertEquals(loss.get(e), shown.get(e), Math.abs(loss.get(e)) * 1e-3);
            assertTrue(dom.contains("<polyline"), "no curve was drawn");
            assertTrue(Files.size(shot) > 10_000, "screenshot " + shot);
        }
    }

    private static String head(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }

    private static String findChromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (new File(c).canExecute()) return c;
        }
        return null;
    }

    private static String runChromium(String chromium, Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--virtual-time-budget=4000",
                "--user-data-dir=" + dir.resolve("chromium-profile")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.log").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "Chromium did not finish");
        assertNotNull(out);
        return out;
    }

    private static Response get(String url) {
        return request(url, "GET");
    }

    private static Response request(String url, String method) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setRequestMethod(method);
            if (method.equals("POST")) {
                c.setDoOutput(true);
                c.getOutputStream().write('x');
            }
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                return new Response(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (Exception e) {
            throw new AssertionError(method + " " + url + ": " + e, e);
        }
    }

    private static Sequential classifier() {
        Sequential m = new Sequential(new Dense(16, Activation.RELU).inputShape(2), new Dense(3, Activation.SOFTMAX));
        m.seed(7);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return m;
    }

    private static Tensor[] blobs(int n, long seed) {
        return Blobs.of(n, seed);
    }
}
