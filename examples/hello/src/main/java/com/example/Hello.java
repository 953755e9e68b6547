package com.example;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluation;
import dev.myelin.train.FitOptions;
import java.util.random.RandomGeneratorFactory;

/** Learns whether the sum of 8 numbers is positive: a first Myelin program. */
public class Hello {
    public static void main(String[] args) {
        var rng = RandomGeneratorFactory.of("L64X128MixRandom").create(42);
        Tensor x = Tensor.randn(rng, 2000, 8);                  // [samples, features]
        Tensor y = x.sum(1).gt(0);                               // [samples]: class 0 or 1

        var model = new Sequential(
                new Dense(16, Activation.RELU).inputShape(8),
                new Dense(2, Activation.SOFTMAX)).seed(1);
        model.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        System.out.print(model.summary());
        model.fit(x.slice(0, 0, 1600), y.slice(0, 0, 1600), FitOptions.epochs(5).batchSize(32).verbose(0));
        Evaluation test = model.evaluate(x.slice(0, 1600, 2000), y.slice(0, 1600, 2000));
        System.out.printf("test accuracy: %.4f%n", test.get("accuracy"));
    }
}
