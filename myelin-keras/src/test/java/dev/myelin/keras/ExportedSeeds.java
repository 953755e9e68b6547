package dev.myelin.keras;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.SimpleRNN;
import dev.myelin.nn.recurrent.TimeDistributed;
import dev.myelin.optim.Adam;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small models of every weight layout the {@code .keras} export writes, for the export test and the fuzz test's seeds. */
final class ExportedSeeds {
    private ExportedSeeds() {}

    /** The models by name, seeded (the same weights every run). */
    static Map<String, Model> models() {
        Map<String, Model> m = new LinkedHashMap<>();
        Sequential cnn = new Sequential(new Conv2D(3, 3, Activation.RELU).inputShape(7, 7, 2), new BatchNormalization(), new MaxPooling2D(2),
                new Conv2D(2, 2), new Flatten(), new Dropout(0.2), new Dense(3, Activation.SOFTMAX));
        cnn.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.put("cnn", cnn);
        m.put("recurrent", new Sequential(new LSTM(3).returnSequences(true).inputShape(5, 2), new GRU(4).returnSequences(true),
                new GRU(3).resetAfter(false).returnSequences(true), new SimpleRNN(2), new Dense(1)));
        m.put("wrappers", new Sequential(new Embedding(11, 4).inputShape(6), new Bidirectional(new GRU(3).resetAfter(false).returnSequences(true)),
                new TimeDistributed(new Dense(2)), new Conv1D(2, 3), new LayerNormalization(), new Flatten(), new Dense(2)));
        SymbolicTensor a = Input.named("a", 4), b = Input.named("b", 4);
        Dense shared = new Dense(3, Activation.TANH);
        m.put("functional", new Model(List.of(a, b), List.of(new Dense(2).apply(new Add().apply(shared.apply(a), shared.apply(b))))));
        for (var e : m.entrySet()) e.getValue().seed(e.getKey().length());
        return m;
    }

    /** Each model exported to {@code dir/<name>.keras}, by file name. */
    static Map<String, Path> files(Path dir) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        for (var e : models().entrySet()) {
            Path f = dir.resolve("exported-" + e.getKey() + ".keras");
            KerasExport.save(e.getValue(), f);
            out.put(f.getFileName().toString(), f);
        }
        return out;
    }
}
