package dev.myelin.cli;

import dev.myelin.explain.Attribution;
import dev.myelin.explain.AttributionMethod;
import dev.myelin.explain.CascadingRandomization;
import dev.myelin.explain.ColorMap;
import dev.myelin.explain.DeletionCurve;
import dev.myelin.explain.GradCam;
import dev.myelin.explain.GradientTimesInput;
import dev.myelin.explain.HeatMaps;
import dev.myelin.explain.IntegratedGradients;
import dev.myelin.explain.Occlusion;
import dev.myelin.explain.Quadrature;
import dev.myelin.explain.Saliency;
import dev.myelin.explain.SmoothGrad;
import dev.myelin.explain.Target;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code myelin explain MODEL --data DIR | IMAGE.png... --method ig,gradcam,... --out DIR}: attribution heat
 * maps of a classifier's decisions, as one PNG grid (a row per image: the image, then one heat map per method),
 * and with {@code --checks} the deletion-curve areas and the cascading-randomization correlations.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Show which pixels a model's decision rests on: attribution heat maps as a PNG grid.",
                "Rows are images (PNG files of the model's input size, or the first test samples of --data), columns the image and one heat map per method.",
                "Methods: saliency (|gradient|), gxi (gradient x input), smoothgrad, ig (Integrated Gradients), gradcam (on --layer, default the last",
                "Conv2D), occlusion. The score explained is the logit before a softmax or sigmoid output, else the output."})
public final class ExplainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (written by --save or Model.save, or a Keras file).")
    Path file;

    @Parameters(index = "1..*", paramLabel = "IMAGE", description = "PNG images of the model's input size.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--data", description = "Explain the first test samples of this data folder instead of image files.")
    Path data;

    @Option(names = "--method", split = ",", defaultValue = "saliency,ig,gradcam",
            description = "Methods, comma-separated: saliency, gxi, smoothgrad, ig, gradcam, occlusion (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--target", description = "Explain this class for every image (default: each image's predicted class).")
    Integer target;

    @Option(names = "--layer", description = "Grad-CAM's layer (default: the model's last Conv2D).")
    String layer;

    @Option(names = "--count", defaultValue = "10", description = "With --data: how many test samples (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--steps", defaultValue = "64", description = "Integrated Gradients: Gauss-Legendre points (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--samples", defaultValue = "25", description = "SmoothGrad: noisy samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--noise", defaultValue = "0.15", description = "SmoothGrad: noise deviation as a fraction of the image's range (default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(names = "--patch", defaultValue = "4", description = "Occlusion: patch side in pixels (default: ${DEFAULT-VALUE}).")
    int patch;

    @Option(names = "--stride", defaultValue = "2", description = "Occlusion: patch stride in pixels (default: ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of SmoothGrad's noise and the checks' random orders (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--scale", defaultValue = "4", description = "Each pixel drawn scale x scale in the PNG (default: ${DEFAULT-VALUE}).")
    int scale;

    @Option(names = "--checks", description = "Also print the deletion-curve areas (attributed vs random order) and the cascading-randomization correlations.")
    boolean checks;

    @Option(names = "--out", required = true, description = "Folder for explain.png.")
    Path out;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--count", count, 1);
        OptionChecks.atLeast("--steps", steps, 1);
        OptionChecks.atLeast("--samples", samples, 1);
        OptionChecks.nonNegative("--noise", noise);
        OptionChecks.atLeast("--patch", patch, 1);
        OptionChecks.atLeast("--stride", stride, 1);
        OptionChecks.atLeast("--scale", scale, 1);
        if (target != null) OptionChecks.atLeast("--target", target, 0);
        if (images.isEmpty() == (data == null)) {
            throw new IllegalArgumentException("explain needs either IMAGE files or --data DIR" + (data == null ? ", got neither" : ", not both"));
        }
        OptionChecks.writableFolder("--out", out);
        Model m = SavedModels.load(file);
        String model = SavedModels.describe(m, file);
        ImageFiles.Geometry g = ImageFiles.geometry(ModelInputs.inputShape(m), model);
        List<String> labels = new ArrayList<>();
        Tensor x;
        if (data != null) {
            ModelData test = ModelData.testSplit(m, file, data, null);
            int n = Math.min(count, test.x().dim(0));
            x = test.x().slice(0, 0, n);
            float[] y = test.y().toFloatArray();
            for (int i = 0; i < n; i++) labels.add("test sample " + i + " (true: " + name(m, (int) y[i]) + ")");
        } else {
            x = ModelInputs.checked(m, ImageFiles.read(images, g).div(255.0), "the images", model);
            for (Path p : images) labels.add(p.toString());
        }
        int classes = ModelInputs.numClasses(m);
        if (target != null && target >= classes) throw new IllegalArgumentException("--target " + target + " is not a class of " + model + " (it has " + classes + ")");
        Target t = target == null ? Target.predicted() : Target.of(target);
        List<AttributionMethod> chosen = new ArrayList<>();
        for (String name : methods) chosen.add(method(name.trim().toLowerCase(Locale.ROOT), m));
        int n = x.dim(0);
        Tensor pictures = x.reshape(n, g.height(), g.width(), g.channels());
        List<Tensor> maps = new ArrayList<>();
        List<Attribution> results = new ArrayList<>();
        for (AttributionMethod method : chosen) {
            long start = System.nanoTime();
            Attribution a = method.explain(m, x, t);
            results.add(a);
            maps.add(asImage(a.values(), n, g));
            System.out.printf(Locale.ROOT, "%s: %d images in %.2f s%n", method.name(), n, (System.nanoTime() - start) / 1e9);
        }
        for (int i = 0; i < n; i++) {
            StringBuilder line = new StringBuilder(labels.get(i)).append(": explained class ").append(name(m, results.get(0).targets()[i]));
            for (int k = 0; k < chosen.size(); k++) {
                double[] errors = results.get(k).completenessErrors();
                if (errors.length > 0) line.append(String.format(Locale.ROOT, ", %s completeness error %.2g", chosen.get(k).name(), errors[i]));
            }
            System.out.println(line);
        }
        Path png = out.resolve("explain.png");
        HeatMaps.writeGrid(pictures, 0, 1, maps, ColorMap.INFERNO, 0.6, scale, png);
        System.out.println("wrote " + png + " (rows: images; columns: image, " + String.join(", ", chosen.stream().map(AttributionMethod::name).toList()) + ")");
        if (checks) runChecks(m, x, pictures, chosen, results, t);
        return 0;
    }

    private void runChecks(Model m, Tensor x, Tensor pictures, List<AttributionMethod> chosen, List<Attribution> results, Target t) {
        boolean imageInput = ModelInputs.inputShape(m).length == 3;
        for (int k = 0; k < chosen.size(); k++) {
            AttributionMethod method = chosen.get(k);
            if (imageInput) {
                DeletionCurve c = DeletionCurve.measure(m, pictures, asImage(results.get(k).values(), x.dim(0), null), results.get(k).targets(), 20, 0, seed);
                System.out.printf(Locale.ROOT, "deletion curve, %s: area %.3f by attribution, %.3f in random order (lower is better; output at 0 removed %.3f)%n",
                        method.name(), c.attributedArea(), c.randomArea(), c.attributed()[0]);
            }
            List<CascadingRandomization.Step> steps = CascadingRandomization.run(m, x, method, t, seed);
            StringBuilder line = new StringBuilder("cascading randomization, " + method.name() + ": rank correlation with the trained model after randomizing");
            for (CascadingRandomization.Step s : steps) line.append(String.format(Locale.ROOT, " %s %.3f,", s.layer(), s.rankCorrelation()));
            line.setLength(line.length() - 1);
            System.out.println(line);
        }
        if (!imageInput) System.out.println("(deletion curves need a model whose input is an image [height, width, channels])");
    }

    /** Attributions in the model's input shape as images {@code [n, h, w, c or 1]} ({@code g} null: already images). */
    private static Tensor asImage(Tensor values, int n, ImageFiles.Geometry g) {
        if (g == null) return values;
        int c = values.size() == n * g.height() * g.width() ? 1 : g.channels();
        return values.reshape(n, g.height(), g.width(), c);
    }

    private AttributionMethod method(String name, Model m) {
        return switch (name) {
            case "saliency" -> new Saliency();
            case "gxi" -> new GradientTimesInput();
            case "smoothgrad" -> new SmoothGrad(samples, noise, seed);
            case "ig" -> new IntegratedGradients(steps, Quadrature.GAUSS_LEGENDRE);
            case "gradcam" -> new GradCam(layer != null ? layer : lastConv(m));
            case "occlusion" -> new Occlusion(patch, stride, 0);
            default -> throw new IllegalArgumentException("--method: unknown method '" + name + "'; expected saliency, gxi, smoothgrad, ig, gradcam or occlusion");
        };
    }

    private String lastConv(Model m) {
        String last = null;
        for (Layer l : m.layers()) if (l instanceof Conv2D) last = l.name();
        if (last == null) {
            throw new IllegalArgumentException("--method gradcam needs a convolution layer; " + SavedModels.describe(m, file) + " has none (its layers: "
                    + m.layers().stream().map(Layer::name).toList() + "); name one with --layer");
        }
        return last;
    }

    private static String name(Model m, int c) {
        return c >= 0 && c < m.classNames().size() ? m.classNames().get(c) : Integer.toString(c);
    }
}
