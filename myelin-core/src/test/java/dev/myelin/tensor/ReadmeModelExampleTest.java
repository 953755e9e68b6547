package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.optim.Adam;
import dev.myelin.train.Evaluation;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's model examples, as written there (on a slice of the data, to stay quick). */
class ReadmeModelExampleTest {
    @Test
    void sequentialExample() throws Exception {
        var model = new Sequential(
            new Conv2D(32, 3, Activation.RELU).inputShape(28, 28, 1),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(128, Activation.RELU),
            new Dense(10, Activation.SOFTMAX));
        model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        assertTrue(model.summary().contains("693,962"));
        TrainTest data = FashionMnist.load(Path.of("..", "data", "fashion-mnist-subset"));
        Tensor x = data.train().x().slice(0, 0, 600), y = data.train().y().slice(0, 0, 600);
        History h = model.fit(x.div(255), y, FitOptions.epochs(1).validationSplit(0.1).verbose(0));
        assertEquals(1, h.get("val_loss").size());
        Evaluation test = model.evaluate(data.test().x().slice(0, 0, 200).div(255), data.test().y().slice(0, 0, 200));
        assertTrue(test.confusionMatrix().toString().length() > 0);
        assertTrue(test.get("accuracy") > 0.3, "accuracy after one short epoch: " + test.get("accuracy"));
    }

    @Test
    void functionalExample() {
        SymbolicTensor image = Input.of(28, 28, 1), extra = Input.of(4);
        SymbolicTensor features = new Flatten().apply(new Conv2D(16, 3, Activation.RELU).apply(image));
        SymbolicTensor joined = new Concatenate().apply(features, extra);
        Model model = new Model(List.of(image, extra), List.of(new Dense(10, Activation.SOFTMAX).apply(joined)));
        Tensor out = model.call(List.of(Tensor.zeros(2, 28, 28, 1), Tensor.ones(2, 4)), false).get(0);
        assertEquals(Shape.of(2, 10), out.shape());
        assertEquals(26 * 26 * 16 + 4, joined.shape().dim(0));
    }
}
