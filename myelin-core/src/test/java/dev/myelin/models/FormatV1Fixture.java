package dev.myelin.models;

import dev.myelin.backend.DType;
import dev.myelin.io.Safetensors;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes the format-1 fixture that {@code ModelFormatV1Test} reads: a model file written by this version
 * of Myelin, kept in the repository so that later versions prove they still load it. Run once, by
 * {@code scripts/make-format-fixtures.sh}; never again for format 1 (a new format gets its own fixture).
 *
 * <p>Writes {@code format-v1.myelin} (a compiled functional CNN with BatchNormalization and Dropout, trained
 * two steps, with class names) and {@code format-v1-expected.safetensors}: an input {@code x}, the model's
 * inference predictions {@code predictions}, the target {@code y} of one more training step, and every
 * weight after that step ({@code after_step/NAME}).
 */
public final class FormatV1Fixture {
    private FormatV1Fixture() {}

    static Model model() {
        SymbolicTensor in = Input.named("image", 6, 6, 1);
        SymbolicTensor h = new Conv2D(3, 3, Activation.RELU).name("conv").apply(in);
        h = new BatchNormalization().name("bn").apply(h);
        h = new MaxPooling2D(2).name("pool").apply(h);
        h = new Flatten().name("flatten").apply(h);
        h = new Dropout(0.25).name("dropout").apply(h);
        Model m = new Model(in, new Dense(4, Activation.SOFTMAX).name("head").apply(h));
        m.seed(2026);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.classNames(List.of("north", "east", "south", "west"));
        return m;
    }

    static Tensor images(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n * 36];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble();
        return Tensor.of(v, n, 6, 6, 1).to(DType.FLOAT32);
    }

    static Tensor labels(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(4);
        return Tensor.of(v, n).to(DType.FLOAT32);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "myelin-core/src/test/resources/dev/myelin/models");
        Model model = model();
        model.fit(images(1, 16), labels(2, 16), FitOptions.epochs(1).batchSize(8).seed(3).verbose(0));
        model.save(dir.resolve("format-v1.myelin"));

        Map<String, Tensor> expected = new LinkedHashMap<>();
        Tensor x = images(4, 5);
        expected.put("x", x);
        expected.put("predictions", model.predict(x));
        Tensor y = labels(5, 8);
        expected.put("y", y);
        expected.put("step_x", images(6, 8));
        model.fit(expected.get("step_x"), y, FitOptions.epochs(1).batchSize(8).shuffle(false).verbose(0));
        model.weightValues().forEach((name, value) -> expected.put("after_step/" + name, value));
        Safetensors.write(dir.resolve("format-v1-expected.safetensors"), expected, Map.of("written_by", "FormatV1Fixture"));
        System.out.println("wrote " + dir.resolve("format-v1.myelin") + " and " + dir.resolve("format-v1-expected.safetensors"));
    }
}
