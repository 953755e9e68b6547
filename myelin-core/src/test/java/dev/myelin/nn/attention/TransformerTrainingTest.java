package dev.myelin.nn.attention;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluation;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded convergence: a one-block Transformer encoder classifier learns an order task that needs positions and
 * attention ("does token 3 come before token 5?"); a bag of tokens cannot solve it, as both tokens are in every sequence.
 */
class TransformerTrainingTest {
    private static final int T = 8, VOCAB = 8;

    /** Sequences of filler tokens {1, 2, 4, 6, 7} with one 3 and one 5 at random places; label 1 when the 3 comes first. */
    private static Tensor[] data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] fillers = {1, 2, 4, 6, 7};
        double[] x = new double[n * T], y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < T; t++) x[i * T + t] = fillers[r.nextInt(fillers.length)];
            int a = r.nextInt(T), b = r.nextInt(T - 1);
            if (b >= a) b++;
            x[i * T + a] = 3;
            x[i * T + b] = 5;
            y[i] = a < b ? 1 : 0;
        }
        return new Tensor[] {Tensor.of(x, n, T), Tensor.of(y, n)};
    }

    @Test
    void oneBlockEncoderLearnsTokenOrder() {
        SymbolicTensor ids = Input.of(T);
        SymbolicTensor tokens = new Embedding(VOCAB, 16).apply(ids);
        SymbolicTensor x = new Add().apply(tokens, new PositionEmbedding(T).apply(tokens));
        SymbolicTensor h = new TransformerEncoder(32, 2).apply(x);
        SymbolicTensor out = new Dense(2, Activation.SOFTMAX).apply(new GlobalAveragePooling1D().apply(h));
        Model model = new Model(ids, out);
        model.seed(7);
        model.compile(new Adam(3e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        Tensor[] train = data(2048, 1), test = data(512, 2);
        History history = model.fit(train[0], train[1], FitOptions.epochs(8).batchSize(32).seed(7).verbose(0));
        double first = history.get("loss").get(0), last = history.last("loss");
        Evaluation eval = model.evaluate(test[0], test[1], 256);
        assertTrue(last < first * 0.5, "training loss should fall: " + history.get("loss"));
        assertTrue(eval.get("accuracy") > 0.9, "held-out accuracy " + eval.get("accuracy") + ", losses " + history.get("loss"));
    }
}
