package dev.myelin.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The distillation loss against a hand computation, and a student that learns from its teacher through fit. */
class DistillerTest {
    private static final double[][] S = {{1, 2, 0.5}, {0, -1, 3}};
    private static final double[][] T = {{2, 0, 1}, {1, 1, -2}};

    private static double[] softmax(double[] z, double temperature) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v / temperature);
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) sum += p[i] = Math.exp(z[i] / temperature - max);
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }

    private static double handSoftLoss(double temperature) {
        double kl = 0;
        for (int r = 0; r < S.length; r++) {
            double[] p = softmax(T[r], temperature), q = softmax(S[r], temperature);
            for (int c = 0; c < p.length; c++) kl += p[c] * Math.log(p[c] / q[c]);
        }
        return kl / S.length * temperature * temperature;
    }

    private static Tensor tensor(double[][] rows) {
        return Tensor.of(new double[] {rows[0][0], rows[0][1], rows[0][2], rows[1][0], rows[1][1], rows[1][2]}, 2, 3);
    }

    @Test
    void softLossIsTemperatureSquaredTimesTheKlDivergence() {
        for (double temperature : new double[] {1, 2, 10}) {
            assertEquals(handSoftLoss(temperature), Distiller.softLoss(tensor(S), tensor(T), temperature).item(), 1e-12, "T = " + temperature);
        }
        assertEquals(0, Distiller.softLoss(tensor(T), tensor(T), 3).item(), 1e-12);
    }

    @Test
    void lossMixesHardAndSoftWithAlpha() {
        Sequential student = new Sequential(new Dense(3, Activation.SOFTMAX).inputShape(2));
        Sequential teacher = new Sequential(new Dense(3, Activation.SOFTMAX).inputShape(2));
        Distiller d = new Distiller(student, teacher).compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 0.3, 2);
        Tensor y = Tensor.of(new double[] {1, 2}, 2);
        double hard = -(Math.log(softmax(S[0], 1)[1]) + Math.log(softmax(S[1], 1)[2])) / 2;
        double expected = 0.3 * hard + 0.7 * handSoftLoss(2);
        assertEquals(expected, d.loss(y, tensor(S).softmax(-1), tensor(T)).item(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> d.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 1.5, 2));
        assertThrows(IllegalStateException.class, () -> new Distiller(student, teacher).trainStep(java.util.List.of(y), java.util.List.of(y)));
    }

    @Test
    void theStudentLearnsFromTheTeacherThroughFit() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 256, features = 6;
        Tensor x = Tensor.normal(r, 0, 1, n, features);
        float[] xs = x.toFloatArray(), labels = new float[n];
        for (int i = 0; i < n; i++) labels[i] = xs[i * features] + xs[i * features + 1] > 0 ? (xs[i * features + 2] > 0 ? 2 : 1) : 0;
        Tensor y = Tensor.of(labels, n);
        Sequential teacher = new Sequential(new Dense(32, Activation.RELU).inputShape(features), new Dense(3, Activation.SOFTMAX));
        teacher.seed(1);
        teacher.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        teacher.fit(x, y, FitOptions.epochs(30).batchSize(32).seed(1).verbose(0));
        double teacherAccuracy = teacher.evaluate(x, y).values().get("accuracy");
        assertTrue(teacherAccuracy > 0.9, "teacher accuracy " + teacherAccuracy);

        Sequential student = new Sequential(new Dense(8, Activation.RELU).inputShape(features), new Dense(3, Activation.SOFTMAX));
        student.seed(2);
        Distiller d = new Distiller(student, teacher).compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 0.1, 4, Metric.ACCURACY);
        double softBefore = Distiller.softLoss(Distiller.logits(student.call(x, false)), Distiller.logits(teacher.call(x, false)), 4).item();
        History h = d.fit(x, y, FitOptions.epochs(30).batchSize(32).seed(1).verbose(0));
        double softAfter = Distiller.softLoss(Distiller.logits(student.call(x, false)), Distiller.logits(teacher.call(x, false)), 4).item();
        assertTrue(softAfter < softBefore / 3, "soft loss " + softBefore + " -> " + softAfter);
        assertTrue(h.asMap().get("loss").getLast() < h.asMap().get("loss").getFirst());
        double accuracy = student.evaluate(x, y).values().get("accuracy");
        assertTrue(accuracy > 0.85, "student accuracy " + accuracy);
    }
}
